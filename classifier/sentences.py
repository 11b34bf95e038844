"""Split French and English news text into sentences with character offsets.

A sentence is a span ``[start, end)`` of the original string, so ``text[start:end]`` is
always the sentence itself: nothing is rewritten, only whitespace and list bullets are
left outside the span.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Span", "find_repeats", "repeat_key", "split_sentences"]


@dataclass(frozen=True, slots=True)
class Span:
    """A sentence: its text and its offsets ``[start, end)`` in the document."""

    text: str
    start: int
    end: int


# Abbreviations after which a period does not end a sentence. Titles count only with a
# capital initial ("Me" the French title, not "me"); some count only before a number.
_TITLES = frozenset(
    """
    M MM Mme Mmes Mlle Mlles Dr Drs Pr Prof Me Mgr St Ste Sr Jr Mr Mrs Ms Messrs Gen Gén
    Col Lt Sgt Capt Cdt Cmdt Adm Gov Sen Rep Rev Hon Pres Sept Inc Ltd Corp Co Bros
    Dept Univ Av Bd
    """.split()
)
_ANY_CASE = frozenset(
    """
    vs cf env al ibid approx jan janv feb fév févr mar apr avr jun jul juil aug sep oct
    nov dec déc tél
    """.split()
)
_BEFORE_NUMBER = frozenset("no nos nº n° p pp art vol ch chap fig tel".split())
_TERMINAL = re.compile(r"\.{2,}|…|[.!?]+")
_CLOSERS = "”’)]»"
_OPENERS = '"“‘«(['
_BULLET = re.compile(r"[ \t]*(?:[-–—•*·▪●◦]|\d{1,3}[.)])[ \t]+")
_SPACE = re.compile(r"\s+")
# A line break and the blank lines after it. The spaces before it are found by walking
# back from the match: a leading ``[ \t]*`` would rescan every run of spaces from each of
# its positions, which is quadratic in the length of the run.
_LINE_BREAK = re.compile(r"(?:\r\n|\r|\n)(?P<more>(?:[ \t\u00a0]*(?:\r\n|\r|\n))*)")
_LINE_SPACE = " \t\u00a0"
_WORD_EXTRA = "_.-’'"
_DOTTED_ACRONYM = re.compile(r"(?:\w\.)+\w$")
_WORDS = re.compile(r"\w+")


def _starts_sentence(ch: str) -> bool:
    return ch.isupper() or ch.isdigit() or ch in _OPENERS or ch in "-–—•*¿¡"


def _period_ends_sentence(text: str, pos: int) -> bool:
    """Tell whether the single period at ``pos`` can end a sentence."""
    # Walk back over the word before the period (letters, digits, _ . - and apostrophes)
    # instead of searching for it from the start of the text, which is quadratic.
    word_start = pos
    while word_start > 0 and (text[word_start - 1].isalnum() or text[word_start - 1] in _WORD_EXTRA):
        word_start -= 1
    word = text[word_start:pos]
    bare = word.strip("'’-")
    if not bare:
        return True
    if "." in bare and _DOTTED_ACRONYM.match(bare):
        return False  # U.S., U.N., p.ex
    if bare.isdigit() and len(bare) <= 3:
        before = word_start
        while before > 0 and text[before - 1] != "\n" and text[before - 1].isspace():
            before -= 1
        if before == 0 or text[before - 1] == "\n":
            return False  # a numbered list item: "1. Ouverture"
    if len(bare) == 1 and bare.isupper():
        return False  # initials: J. Smith
    if bare in _TITLES or bare.lower() in _ANY_CASE:
        return False
    if bare.lower() in _BEFORE_NUMBER:
        follow = text[pos + 1 : pos + 3].lstrip()
        return not (follow[:1].isdigit())
    return True


def _boundaries(text: str) -> list[int]:
    """Return the positions where a sentence ends, in increasing order."""
    cuts: set[int] = set()
    n = len(text)
    for match in _TERMINAL.finditer(text):
        punct = match.group()
        end = match.end()
        # Closing quotes and brackets stay with the sentence they close.
        while end < n:
            ch = text[end]
            if ch in _CLOSERS:
                end += 1
            elif ch == '"' and (end + 1 == n or text[end + 1].isspace()):
                end += 1
            elif ch in " \u00a0\u202f" and end + 1 < n and text[end + 1] == "»":
                end += 2
            else:
                break
        if end < n and not text[end].isspace():
            # Glued opening quote: 'Rostec."Moscou' starts a new sentence.
            if text[end] in '"“«' and end + 1 < n and text[end + 1].isalpha():
                if punct != "." or _period_ends_sentence(text, match.start()):
                    cuts.add(end)
            continue
        follow = end
        while follow < n and text[follow].isspace():
            follow += 1
        if follow == n:
            continue
        if not _starts_sentence(text[follow]):
            continue
        if punct == "." and not _period_ends_sentence(text, match.start()):
            continue
        cuts.add(end)
    for match in _LINE_BREAK.finditer(text):
        after = match.end()
        if after >= n:
            continue
        cut = match.start()
        while cut > 0 and text[cut - 1] in _LINE_SPACE:
            cut -= 1
        if match.group("more"):
            cuts.add(cut)  # a blank line always ends a paragraph
            continue
        nxt = text[after]
        if nxt.islower() and not _BULLET.match(text, after):
            continue  # a wrapped line continues its sentence
        cuts.add(cut)
    return sorted(cuts)


def split_sentences(text: str) -> list[Span]:
    """Split ``text`` into sentences, each with its offsets in ``text``.

    >>> [s.text for s in split_sentences("M. Dupont est arrivé. Il a parlé.")]
    ['M. Dupont est arrivé.', 'Il a parlé.']
    >>> split_sentences("NATO meets\\nThe ministers met.")[1]
    Span(text='The ministers met.', start=11, end=29)
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    spans: list[Span] = []
    start = 0
    for cut in [*_boundaries(text), len(text)]:
        _append(text, start, cut, spans)
        start = cut
    return spans


def _append(text: str, start: int, end: int, spans: list[Span]) -> None:
    while start < end and text[start].isspace():
        start += 1
    bullet = _BULLET.match(text, start, end)
    if bullet and bullet.end() < end:
        start = bullet.end()
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        spans.append(Span(text[start:end], start, end))


def repeat_key(sentence: str) -> tuple[str, ...]:
    """Return the words of a sentence, case-folded, ignoring spacing, quotes and punctuation."""
    return tuple(_WORDS.findall(sentence.casefold()))


def find_repeats(sentences: list[str]) -> list[int | None]:
    """For each sentence, the index of its first occurrence if it is a repeat, else None.

    >>> find_repeats(["Il pleut.", "Il neige.", "« il  PLEUT »"])
    [None, None, 0]
    """
    first: dict[tuple[str, ...], int] = {}
    out: list[int | None] = []
    for index, sentence in enumerate(sentences):
        key = repeat_key(sentence)
        if not key:
            out.append(None)
            continue
        seen = first.setdefault(key, index)
        out.append(None if seen == index else seen)
    return out
