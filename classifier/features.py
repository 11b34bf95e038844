"""Target-aware features: masking mentions, context windows, and the scikit-learn pipelines.

For each (sentence, target) pair the target's mentions are replaced by one placeholder
token and the other targets' mentions by another, so a single classifier learns "tone
toward the placeholder" from the examples of every target.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from classifier.targets import Mention

__all__ = [
    "DEFAULT_CONFIG",
    "OTHER_TOKEN",
    "TARGET_TOKEN",
    "ContextWindow",
    "build_pipeline",
    "display_feature",
    "mask",
]

TARGET_TOKEN = "xtgtx"
OTHER_TOKEN = "xothx"

DEFAULT_CONFIG: dict[str, Any] = {
    "word_ngrams": (1, 2),
    "char_ngrams": (2, 5),
    "window": 4,
    "min_df": 1,
    "C": 5.0,
    "class_weight": "balanced",
}

_WORD = re.compile(r"(?u)\b\w\w+\b")


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


class ContextWindow(BaseEstimator, TransformerMixin):
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
            words = _WORD.findall(text.lower())
            kept = []
            for i, word in enumerate(words):
                if word != self.token:
                    continue
                for w in words[max(0, i - self.width) : i]:
                    kept.append(w + "_l")
                for w in words[i + 1 : i + 1 + self.width]:
                    kept.append(w + "_r")
            out.append(" ".join(kept))
        return out


def build_pipeline(config: Mapping[str, Any] | None = None, *, window: bool = True) -> Pipeline:
    """Build the TF-IDF + logistic-regression pipeline described by ``config``.

    Keys: ``word_ngrams`` and ``char_ngrams`` (ranges, or None to leave the block out),
    ``window`` (words each side of the placeholder, 0 for none), ``min_df``, ``C`` and
    ``class_weight``. ``window=False`` leaves the context block out whatever the config
    (the sentence-sentiment model has no placeholder).
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
                TfidfVectorizer(
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
    """
    block, _, ngram = name.partition("__")
    if block == "window":
        ngram = ngram.removeprefix("tfidf__")
    ngram = ngram.replace(TARGET_TOKEN, "[TARGET]").replace(OTHER_TOKEN, "[OTHER]")
    return block, ngram
