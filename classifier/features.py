"""Target-aware features: masking mentions, context windows, and the scikit-learn pipelines.

For each (sentence, target) pair the target's mentions are replaced by one placeholder
token and the other targets' mentions by another, so a single classifier learns "tone
toward the placeholder" from the examples of every target.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from itertools import accumulate, chain, repeat
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from classifier.cues import NEGATORS, cue_category, is_boundary, tokens
from classifier.targets import Mention

__all__ = [
    "DEFAULT_CONFIG",
    "OTHER_TOKEN",
    "TARGET_TOKEN",
    "ContextWindow",
    "CueFeatures",
    "WordTfidfVectorizer",
    "analyses_by_word",
    "build_pipeline",
    "display_feature",
    "mask",
    "mask_target",
    "preprocesses_by_character",
]

TARGET_TOKEN = "xtgtx"
OTHER_TOKEN = "xothx"

DEFAULT_CONFIG: dict[str, Any] = {
    "word_ngrams": (1, 2),
    "char_ngrams": (2, 5),
    "window": 4,
    "min_df": 1,
    "C": 1.0,
    "class_weight": "balanced",
    "cues": True,
}

_WORD = re.compile(r"(?u)\b\w\w+\b")

# Whitespace-separated words whose character n-grams a vectoriser remembers while it
# fits or transforms (news text repeats its words: most are analysed once).
FIT_WORD_CACHE = 1 << 15


def preprocesses_by_character(vectorizer: TfidfVectorizer) -> bool:
    """Say whether ``vectorizer`` prepares text character by character (lower case, accents).

    Then the preparation of a text is that of its whitespace-separated words, joined.
    """
    return (
        vectorizer.preprocessor is None
        and vectorizer.strip_accents in (None, "unicode", "ascii")
        and vectorizer.input == "content"
    )


def analyses_by_word(vectorizer: TfidfVectorizer) -> bool:
    """Say whether the n-grams of a text are those of its whitespace-separated words taken one by one.

    True for ``analyzer="char_wb"`` with character-by-character preprocessing: its
    n-grams never cross whitespace.
    """
    return vectorizer.analyzer == "char_wb" and preprocesses_by_character(vectorizer)


class WordTfidfVectorizer(TfidfVectorizer):
    """A TfidfVectorizer that analyses each distinct word's character n-grams once per fit or transform.

    With ``analyzer="char_wb"`` (see ``analyses_by_word``) a text's n-grams are gathered
    word by word from a cache: same vocabulary, same matrix as TfidfVectorizer, in a
    fraction of the time on news text. Any other analyser is TfidfVectorizer's own.
    """

    def build_analyzer(self):
        """Return the analyser: scikit-learn's, made word by word and cached for char_wb."""
        analyze = super().build_analyzer()
        if not analyses_by_word(self):
            return analyze

        @lru_cache(maxsize=FIT_WORD_CACHE)
        def word_grams(word: str) -> tuple[str, ...]:
            return tuple(analyze(word))

        def analyze_by_word(text: str) -> list[str]:
            return list(chain.from_iterable(map(word_grams, text.split())))

        return analyze_by_word


def mask(text: str, target: Iterable[Mention], others: Iterable[Mention], offset: int = 0) -> str:
    """Replace a target's mentions by TARGET_TOKEN and other targets' by OTHER_TOKEN.

    ``offset`` is subtracted from mention positions (mentions given in document offsets).

    >>> from classifier.targets import Mention
    >>> mask("Ankara hails Moscow", [Mention("Ankara", 0, 6)], [Mention("Moscow", 13, 19)])
    ' xtgtx  hails  xothx '
    """
    spans = sorted(
        [(m.start - offset, m.end - offset, TARGET_TOKEN) for m in target]
        + [(m.start - offset, m.end - offset, OTHER_TOKEN) for m in others]
    )
    parts = []
    last = 0
    for start, end, token in spans:
        if start < last:
            continue  # overlapping mentions of two targets: keep the first
        parts.append(text[last:start])
        parts.append(f" {token} ")
        last = end
    parts.append(text[last:])
    return "".join(parts)


def mask_target(text: str, found: Mapping[str, list[Mention]], key: str, offset: int = 0) -> str:
    """Mask ``text`` for target ``key``, given every target's mentions (``found``).

    >>> from classifier.targets import Mention
    >>> found = {"turkey": [Mention("Ankara", 0, 6)], "russia": [Mention("Moscow", 13, 19)]}
    >>> mask_target("Ankara hails Moscow", found, "russia")
    ' xothx  hails  xtgtx '
    """
    others = [m for k, mentions in found.items() if k != key for m in mentions]
    return mask(text, found[key], others, offset)


class ContextWindow(BaseEstimator, TransformerMixin, auto_wrap_output_keys=None):  # outputs text: no set_output
    """Keep only the words within ``width`` words of the target placeholder.

    Each kept word is suffixed with its side (``_l`` before, ``_r`` after) so that
    "X attacked Y" and "Y attacked X" give different features. A text without the
    placeholder gives an empty string.
    """

    def __init__(self, width: int = 4, token: str = TARGET_TOKEN) -> None:
        self.width = width
        self.token = token

    def fit(self, X, y=None):
        """Learn nothing: the transformer is stateless."""
        self.n_features_in_ = 1
        return self

    def transform(self, X) -> list[str]:
        """Return, for each text, the side-marked words around the placeholder."""
        out = []
        for text in X:
            words = list(chain.from_iterable(map(_piece_words, text.split())))
            kept = []
            if self.token not in words:
                out.append("")
                continue
            for i, word in enumerate(words):
                if word != self.token:
                    continue
                for w in words[max(0, i - self.width) : i]:
                    kept.append(w + "_l")
                for w in words[i + 1 : i + 1 + self.width]:
                    kept.append(w + "_r")
            out.append(" ".join(kept))
        return out


class CueFeatures(BaseEstimator, TransformerMixin, auto_wrap_output_keys=None):  # outputs text: no set_output
    """Turn the tone cue words of a text (see ``classifier.cues``) into feature tokens.

    Each cue word gives its category for the sentence (``s_hostile``) and, when the
    placeholder is present, its side and reach relative to the nearest placeholder:
    ``w_hostile_l`` when it is within ``width`` words before it, ``c_hostile_l`` when it
    is also in the same clause (no comma, quote or "but"/"mais" between them). A cue
    within three words after a negation ("did not attack", "n'a pas condamné") gets the
    category ``not_<category>``. With ``position=True`` a few tokens say where the
    placeholder stands: first in the sentence (subject-like, ``pos_first``) or in its first
    words (``pos_early``), the preposition just before it (``prev_by``), and whether
    another target comes before or after it. A text with no cue gives ``"none"``.

    >>> CueFeatures().fit([]).transform(["xtgtx condemned the strikes"])
    ['s_criticism w_criticism_r c_criticism_r s_hostile w_hostile_r c_hostile_r pos_first']
    """

    def __init__(
        self, width: int = 6, position: bool = True, token: str = TARGET_TOKEN, other: str = OTHER_TOKEN
    ) -> None:
        self.width = width
        self.position = position
        self.token = token
        self.other = other

    def fit(self, X, y=None):
        """Learn nothing: the transformer is stateless."""
        self.n_features_in_ = 1
        return self

    def transform(self, X) -> list[str]:
        """Return, for each text, its cue feature tokens separated by spaces."""
        return [" ".join(self._features(text)) or "none" for text in X]

    def _features(self, text: str) -> list[str]:
        words = tokens(text)
        kinds = list(map(_cue_kind, words))
        targets = [i for i, w in enumerate(words) if w == self.token] if self.token in words else []
        clause = list(accumulate(map(operator.is_, kinds, repeat(_BOUNDARY)))) if targets else []
        out = []
        negated = 0  # words left in the scope of the last negation
        for i, kind in enumerate(kinds):
            if kind is None:
                negated -= negated > 0
                continue
            if kind is _NEGATOR:
                negated = 3
                continue
            if kind is _BOUNDARY:
                negated = 0
                continue
            category = kind
            if negated:
                category = "not_" + category
                negated -= 1
            out.append(f"s_{category}")
            if targets:
                nearest = min(targets, key=lambda t: abs(t - i))
                if abs(i - nearest) <= self.width:
                    side = "l" if i < nearest else "r"
                    out.append(f"w_{category}_{side}")
                    if clause[i] == clause[nearest]:
                        out.append(f"c_{category}_{side}")
        if self.position and targets:
            out.extend(self._position(words, targets[0]))
        return out

    def _position(self, words: list[str], first: int) -> list[str]:
        out = []
        before = [w for w in words[:first] if w.isalnum() and w not in _DETERMINERS]
        if not before:
            out.append("pos_first")
        elif len(before) <= 2:
            out.append("pos_early")
        if first and words[first - 1] in _PREPOSITIONS:
            out.append(f"prev_{words[first - 1]}")
        if self.other in words:
            out.append("other_before" if words.index(self.other) < first else "other_after")
        return out


@lru_cache(maxsize=1 << 16)
def _piece_words(piece: str) -> tuple[str, ...]:
    """Return the lower-case words of a whitespace-free piece of text (words never span spaces)."""
    return tuple(_WORD.findall(piece.lower()))


_NEGATOR, _BOUNDARY = object(), object()  # kinds of words that carry no cue category


@lru_cache(maxsize=1 << 16)
def _cue_kind(word: str) -> object:
    """Return _NEGATOR, _BOUNDARY, the cue category of ``word``, or None."""
    if word in NEGATORS:
        return _NEGATOR
    if is_boundary(word):
        return _BOUNDARY
    return cue_category(word)


# Words that may stand before a subject without making it a non-subject.
_DETERMINERS = frozenset("the a an its this le la les l un une des du de d ce cette ces".split())
# Prepositions whose object the placeholder is ("by X" is the agent, "against X" the victim).
_PREPOSITIONS = frozenset(
    "of by with to against for on in at from over par avec contre pour sur dans a au aux envers vers entre".split()
)


def build_pipeline(config: Mapping[str, Any] | None = None, *, window: bool = True) -> Pipeline:
    """Build the TF-IDF + logistic-regression pipeline described by ``config``.

    Keys: ``word_ngrams`` and ``char_ngrams`` (ranges, or None to leave the block out),
    ``window`` (words each side of the placeholder, 0 for none), ``cues`` (add the tone
    cue block, see CueFeatures), ``min_df``, ``C`` and ``class_weight``.
    ``window=False`` leaves the context block out whatever the config and keeps only the
    sentence-level cue features (the sentence-sentiment model has no placeholder).
    """
    cfg = {**DEFAULT_CONFIG, **(config or {})}
    blocks = []
    if cfg["word_ngrams"]:
        blocks.append(
            (
                "word",
                TfidfVectorizer(
                    ngram_range=tuple(cfg["word_ngrams"]),
                    min_df=cfg["min_df"],
                    sublinear_tf=True,
                    strip_accents="unicode",
                    dtype=np.float32,
                ),
            )
        )
    if cfg["char_ngrams"]:
        blocks.append(
            (
                "char",
                WordTfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=tuple(cfg["char_ngrams"]),
                    min_df=max(cfg["min_df"], 2),
                    sublinear_tf=True,
                    strip_accents="unicode",
                    dtype=np.float32,
                ),
            )
        )
    if window and cfg["window"]:
        blocks.append(
            (
                "window",
                Pipeline(
                    [
                        ("cut", ContextWindow(width=cfg["window"])),
                        ("tfidf", TfidfVectorizer(token_pattern=r"\S+", sublinear_tf=True, dtype=np.float32)),
                    ]
                ),
            )
        )
    if cfg.get("cues"):
        blocks.append(
            (
                "cues",
                Pipeline(
                    [
                        ("cut", CueFeatures(position=window)),
                        (
                            "tfidf",
                            TfidfVectorizer(token_pattern=r"\S+", lowercase=False, sublinear_tf=True, dtype=np.float32),
                        ),
                    ]
                ),
            )
        )
    if not blocks:
        raise ValueError("the pipeline needs at least one feature block")
    return Pipeline(
        [
            ("features", FeatureUnion(blocks)),
            (
                "clf",
                LogisticRegression(
                    C=cfg["C"],
                    class_weight=cfg["class_weight"],
                    solver="newton-cg",
                    max_iter=1000,
                    random_state=0,
                ),
            ),
        ]
    )


def display_feature(name: str) -> tuple[str, str]:
    """Split a FeatureUnion feature name into (block, readable n-gram).

    >>> display_feature("word__xtgtx attacked")
    ('word', '[TARGET] attacked')
    >>> display_feature("cues__c_not_hostile_l")
    ('cues', 'negated hostile word before [TARGET], same clause')
    """
    block, _, ngram = name.partition("__")
    if block in ("window", "cues"):
        ngram = ngram.removeprefix("tfidf__")
    if block == "cues":
        return block, _display_cue(ngram)
    ngram = ngram.replace(TARGET_TOKEN, "[TARGET]").replace(OTHER_TOKEN, "[OTHER]")
    return block, ngram


def _display_cue(feature: str) -> str:
    kind, _, rest = feature.partition("_")
    if kind == "pos":
        return "[TARGET] first in the sentence" if rest == "first" else "[TARGET] in the first words"
    if kind == "prev":
        return f"{rest} [TARGET]"
    if kind == "other":
        return f"[OTHER] {rest} [TARGET]"
    if kind not in ("s", "w", "c"):
        return "no cue word"
    category, side = rest, ""
    if kind != "s":
        category, _, side = rest.rpartition("_")
    negated = category.startswith("not_")
    text = ("negated " if negated else "") + category.removeprefix("not_") + " word"
    if kind == "s":
        return text + " in the sentence"
    return text + (" before" if side == "l" else " after") + " [TARGET]" + (", same clause" if kind == "c" else "")
