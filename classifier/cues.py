"""Tone cue words: English and French word stems grouped by the annotation guide's categories.

The guide says what makes a target's portrayal positive or negative: constructive acts,
praise and success on one side; hostile acts, criticism received and losses on the other.
These lists name the common words for each, so that the model can learn "a hostile act
next to the target" from a few examples and apply it to words it has not seen with a
target before. They were written from the guide, not drawn from the labelled data.

Every entry is a lower-case, accent-free stem that matches the words it starts
("condamn" matches "condamné", "condamnent"); an entry ending in ``=`` matches only that
exact word (so "host=" does not match "hostile").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import chain

__all__ = ["CATEGORIES", "NEGATORS", "cue_category", "is_boundary", "tokens"]

CATEGORIES: dict[str, tuple[str, ...]] = {
    "constructive": (
        # agrees, cooperates, mediates, helps, reconciles, lifts sanctions, releases, hosts talks
        "agree", "accord", "cooperat", "coopera", "mediat", "helps=", "help=", "helped=", "helping=",
        "aide", "aider", "aidant", "reconcil", "lift", "leve", "releas", "libere", "liberat",
        "host=", "hosts=", "hosted=", "hosting=", "accueil", "talks=", "pourparler", "negotiat",
        "negoci", "partner", "partenar", "signs=", "signed=", "signing=", "signe=", "signent=",
        "deal=", "deals=", "support", "soutien", "soutient", "soutenu", "soutenir", "inaugur",
        "dialog", "rapproch", "normalis", "apais", "ratifi", "ceasefire", "cessez", "truce",
        "treve", "peace", "paix", "resum", "reprend", "reprise", "allow", "autoris", "invest",
        "deliver", "livr", "supply", "suppli", "fourni", "joint", "conjoint", "together",
        "ensemble", "welcom", "guarantee", "garanti",
    ),
    "hostile": (
        # attacks, invades, bombs, threatens, blocks, vetoes, expels, represses, violates, walks out
        "attack", "attaqu", "invad", "invasion", "envah", "bomb", "bombard", "strike", "struck",
        "frappe", "frapp", "shell", "pilonn", "pound", "threat", "menac", "block", "bloqu", "veto",
        "expel", "expuls", "repress", "repri", "crackdown", "violat", "viol=", "viole", "violent",
        "seiz", "saisi", "arrest", "arret", "jail", "emprison", "kill", "tue=", "tues=", "tuee",
        "tuant", "destroy", "detrui", "annex", "intimidat", "provoc", "provok", "escalat",
        "escalad", "aggress", "agress", "offensive", "raid", "drone", "missile", "warn", "avert",
        "ultimatum", "hostil", "refus", "reject", "rejet", "suspend", "halt", "stop", "interromp", "cut=",
        "cuts=", "coupe", "walk", "quitt", "boycott", "hack", "pirat", "spy", "spie", "espion",
        "disinform", "desinform", "propagand",
    ),
    "criticism": (
        # is criticised, accused, condemned, sanctioned, excluded or mocked
        "critic", "critiqu", "accus", "condemn", "condamn", "sanction", "exclud", "exclu",
        "mock", "moqu", "blame", "reproch", "denounc", "denonc", "fustig", "blam", "rebuk", "slam",
        "censur", "protest", "outrag", "indign", "scandal", "disapprov", "desapprouv", "deplor",
        "regret", "concern", "inquiet", "preoccup", "alarm",
    ),
    "loss": (
        # suffers losses, failure, division, crisis or decline; relations deteriorate
        "loss", "lost=", "lose", "losing", "pert", "perd", "fail", "echec", "echou", "divis",
        "crisis", "crise", "declin", "fall", "fell=", "slump", "plung", "collaps", "effondr",
        "recess", "inflation", "deficit", "shortage", "penurie", "struggl", "peine", "setback",
        "revers", "stall", "enlis", "casualt", "dead", "death", "mort", "defeat", "defait",
        "recul", "retreat", "devalu", "weak", "affaibl", "damage", "dommage", "degat", "victim",
        "isolat", "isole", "tension", "conflict", "conflit", "war=", "wars=", "guerre", "drop",
        "chute", "chut", "baiss", "shrink", "contract", "sink", "plong", "worst", "pire",
        "dispute", "differend", "rift", "brouill", "fractur",
    ),
    "praise": (
        # receives praise, support or welcome; succeeds or grows; praises others
        "prais", "hail", "salu", "congratul", "felicit", "thank", "remerci", "applaud", "success",
        "succes", "succeed", "reussi", "grow", "croiss", "boost", "rally", "rallied", "rebond",
        "rise", "rose=", "risen", "hausse", "record", "win=", "wins=", "winning", "won=", "gagn",
        "remport", "improv", "amelior", "milestone", "jalon", "strengthen", "renforc", "benefit",
        "benefic", "gain", "progress", "robust", "solid", "strong", "hero", "honor", "honour",
        "honneur", "celebr", "prosper",
    ),
}

# Words that negate what follows ("n'a pas condamné", "did not attack"); "n" and "t" are
# what the tokenizer leaves of the elided "n'" and "n't".
NEGATORS = frozenset(
    {"not", "no", "never", "without", "nor", "cannot", "n", "t",
     "ne", "pas", "jamais", "sans", "aucun", "aucune", "ni"}
)

# Punctuation and conjunctions that end a clause: a cue beyond one of them usually
# describes someone else than the target ("X condemned the strikes, but Y ...").
_BOUNDARY_WORDS = frozenset(
    {"but", "while", "whereas", "although", "though", "however", "yet",
     "mais", "tandis", "cependant", "pourtant", "alors"}
)
_BOUNDARY_MARKS = frozenset(",;:«»\"“”()—–")

_TOKEN = re.compile(r"\w[\w\u0300-\u036f]*|[,;:«»\"“”()—–]")  # words may carry combining accents


def _lookup() -> tuple[dict[str, str], dict[str, str]]:
    stems: dict[str, str] = {}
    exact: dict[str, str] = {}
    for category, entries in CATEGORIES.items():
        for entry in entries:
            if entry.endswith("="):
                exact[entry[:-1]] = category
            else:
                stems[entry] = category
    return stems, exact


_STEMS, _EXACT = _lookup()
_MAX_STEM = max(len(s) for s in _STEMS)


def tokens(text: str) -> list[str]:
    """Split ``text`` into lower-case, accent-free words and clause punctuation.

    >>> tokens("L'Otan a condamné, « fermement ».")
    ['l', 'otan', 'a', 'condamne', ',', '«', 'fermement', '»']
    """
    # Tokens never span whitespace, so each whitespace-separated piece is split once.
    return list(chain.from_iterable(map(_piece_tokens, text.split())))


@lru_cache(maxsize=1 << 16)
def _piece_tokens(piece: str) -> tuple[str, ...]:
    return tuple(_fold(t) for t in _TOKEN.findall(piece.lower()))


@lru_cache(maxsize=1 << 16)
def _fold(word: str) -> str:
    if word.isascii():
        return word
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def is_boundary(token: str) -> bool:
    """Return whether ``token`` (from :func:`tokens`) ends a clause.

    >>> is_boundary(","), is_boundary("mais"), is_boundary("otan")
    (True, True, False)
    """
    return token in _BOUNDARY_MARKS or token in _BOUNDARY_WORDS


@lru_cache(maxsize=1 << 16)  # news vocabulary repeats: most words are looked up many times
def cue_category(word: str) -> str | None:
    """Return the category of a lower-case, accent-free word, or None if it is no cue.

    The longest matching stem wins.

    >>> cue_category("condamne"), cue_category("hostile"), cue_category("hosted")
    ('criticism', 'hostile', 'constructive')
    >>> cue_category("schedule") is None
    True
    """
    if word in _EXACT:
        return _EXACT[word]
    for end in range(min(len(word), _MAX_STEM), 2, -1):
        category = _STEMS.get(word[:end])
        if category is not None:
            return category
    return None
