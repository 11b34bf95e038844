"""Scoring a fitted pipeline without scikit-learn's per-call machinery.

A fitted pipeline of ``build_pipeline`` is a sum of linear terms: each feature block
turns a text into TF-IDF weights over its vocabulary, and the logistic regression adds
up ``weight x coefficient`` for every feature before a softmax. ``LinearScorer`` keeps
exactly those pieces, read from the fitted estimators' public attributes (the
vectorisers' own analysers, ``vocabulary_`` and ``idf_``; the classifier's ``coef_`` and
``intercept_``), and computes the same probabilities with a few numpy calls per block.

The result is the pipeline's ``predict_proba``; what it saves is the fixed cost scikit-
learn pays on every call (input validation, dataframe detection, sparse-matrix checks in
seven blocks and two classifiers), which dominates a request for one sentence.
``LinearScorer.compile`` checks its own output against the pipeline on probe sentences
and returns None for any pipeline it cannot reproduce, so callers fall back to the
pipeline.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, repeat

import numpy as np
from scipy.special import softmax
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

__all__ = ["LinearScorer"]

# Sentences the compiled scorer is checked on: both languages, both placeholders, no
# known word at all, and an empty context window.
PROBES = (
    "xtgtx condemned the strikes on xothx positions near the border, officials said.",
    "Le ministre a salué l'accord signé avec xtgtx, « une étape historique » pour la région.",
    "xothx et xtgtx n'ont pas réussi à s'entendre sur le prix du gaz.",
    "Talks resumed on Monday.",
    "zzqx 12,5 %",
    "",
)


# Words whose known character n-grams are remembered, per character n-gram block.
WORD_CACHE = 1 << 15


@dataclass(frozen=True)
class _Block:
    """One feature block: its text preparation and a text's counts per vocabulary column."""

    prepare: Callable[[list[str]], list[str]] | None
    columns: Callable[[str], Counter]
    width: int

    def count(self, texts: list[str], indices: list[int], counts: list[int], lengths: list[int]) -> None:
        """Append each text's known columns and their counts; one length per text."""
        if self.prepare is not None:
            texts = self.prepare(texts)
        for text in texts:
            found = self.columns(text)
            indices.extend(found)
            counts.extend(found.values())
            lengths.append(len(found))


def _text_columns(vectorizer: TfidfVectorizer) -> Callable[[str], Counter]:
    """Return a function counting the vocabulary columns of a text's n-grams.

    Character n-grams within word boundaries (``char_wb``) never cross whitespace, so a
    text's n-grams are those of its whitespace-separated words taken one by one: the
    columns of each word are remembered, and the frequent words of news text are
    analysed once. Other analysers run on the whole text.
    """
    analyze = vectorizer.build_analyzer()
    lookup = vectorizer.vocabulary_.get
    if not _splits_on_whitespace(vectorizer):

        def columns(text: str) -> Counter:
            found = Counter(map(lookup, analyze(text), repeat(-1)))
            found.pop(-1, None)  # n-grams outside the vocabulary carry no weight
            return found

        return columns

    @lru_cache(maxsize=WORD_CACHE)
    def word_columns(word: str) -> array:
        return array("l", [j for gram in analyze(word) if (j := lookup(gram)) is not None])

    def columns(text: str) -> Counter:
        return Counter(chain.from_iterable(map(word_columns, text.split())))

    return columns


def _splits_on_whitespace(vectorizer: TfidfVectorizer) -> bool:
    return (
        vectorizer.analyzer == "char_wb"
        and vectorizer.preprocessor is None
        and vectorizer.strip_accents in (None, "unicode", "ascii")
        and vectorizer.input == "content"
    )


class LinearScorer:
    """The probabilities of a fitted ``build_pipeline`` pipeline, computed directly.

    Every block's n-grams go through one set of array operations together, so the cost
    of a call is the analysers' plus a fixed dozen numpy calls, whatever the blocks.
    """

    def __init__(
        self,
        blocks: Sequence[_Block],
        *,
        idf: np.ndarray,
        sublinear: np.ndarray,
        normalize: np.ndarray,
        coef: np.ndarray,
        intercept: np.ndarray,
        classes: Sequence,
    ) -> None:
        self.blocks = list(blocks)
        widths = [b.width for b in self.blocks]
        self.offsets = np.concatenate([[0], np.cumsum(widths)[:-1]]).astype(np.intp)
        self.idf = idf  # per feature, 1 for blocks without idf weighting
        self.sublinear = sublinear  # per block
        self.normalize = normalize  # per block
        self.coef = coef  # (n_features, n_classes)
        self.intercept = intercept
        self.classes_ = np.asarray(classes)

    @classmethod
    def compile(cls, pipeline: object, *, tolerance: float = 1e-6) -> LinearScorer | None:
        """Return a scorer equal to ``pipeline.predict_proba``, or None if that cannot be had.

        The pipeline must be a FeatureUnion of TF-IDF blocks (each a vectoriser, or a
        Pipeline of text steps ending in one) followed by a multiclass LogisticRegression;
        the scorer is then checked against the pipeline on PROBES.
        """
        scorer = cls._build(pipeline)
        if scorer is None:
            return None
        expected = pipeline.predict_proba(list(PROBES))
        if not np.allclose(scorer.predict_proba(list(PROBES)), expected, rtol=tolerance, atol=tolerance):
            return None
        return scorer

    @classmethod
    def _build(cls, pipeline: object) -> LinearScorer | None:
        if not isinstance(pipeline, Pipeline) or len(pipeline.steps) != 2:
            return None
        features, clf = pipeline.steps[0][1], pipeline.steps[1][1]
        if not isinstance(features, FeatureUnion) or features.transformer_weights is not None:
            return None
        if not isinstance(clf, LogisticRegression) or len(clf.classes_) < 3:
            return None
        blocks, idf, sublinear, normalize = [], [], [], []
        for _, block in features.transformer_list:
            prepare, vectorizer = _split_block(block)
            if vectorizer is None:
                return None
            width = len(vectorizer.vocabulary_)
            blocks.append(_Block(prepare, _text_columns(vectorizer), width))
            idf.append(vectorizer.idf_ if vectorizer.use_idf else np.ones(width))
            sublinear.append(vectorizer.sublinear_tf)
            normalize.append(vectorizer.norm == "l2")
        coef = np.asarray(clf.coef_, dtype=np.float64)
        if sum(b.width for b in blocks) != coef.shape[1]:
            return None
        return cls(
            blocks,
            idf=np.concatenate(idf).astype(np.float64),
            sublinear=np.array(sublinear),
            normalize=np.array(normalize),
            coef=np.ascontiguousarray(coef.T),
            intercept=np.asarray(clf.intercept_, dtype=np.float64),
            classes=clf.classes_,
        )

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """Return the class probabilities of each text, columns ordered as ``classes_``."""
        n = len(texts)
        indices: list[int] = []
        counts: list[int] = []
        lengths: list[int] = []  # one per (block, text), block by block
        for block in self.blocks:
            block.count(texts, indices, counts, lengths)
        group = np.repeat(np.arange(len(lengths)), lengths)  # block * n + text
        block = group // max(n, 1)
        column = np.asarray(indices, dtype=np.intp) + self.offsets[block]
        values = np.asarray(counts, dtype=np.float64)
        values = np.where(self.sublinear[block], np.log(values) + 1.0, values) * self.idf[column]
        norms = np.sqrt(np.bincount(group, weights=values * values, minlength=len(lengths)))
        norms[np.repeat(~self.normalize, n)] = 1.0
        values /= norms[group]
        weighted = self.coef[column] * values[:, None]
        row = group % max(n, 1)
        decision = np.column_stack([np.bincount(row, weights=w, minlength=n) for w in weighted.T])
        return softmax(decision + self.intercept, axis=1)


def _split_block(block: object) -> tuple[Callable[[list[str]], list[str]] | None, TfidfVectorizer | None]:
    """Return (text preparation, vectoriser) of a feature block, or (None, None)."""
    if isinstance(block, Pipeline):
        *steps, (_, last) = block.steps
        prepare = None
        if not all(hasattr(step, "transform") for _, step in steps):
            return None, None
        if steps:
            transforms = [step.transform for _, step in steps]

            def prepare(texts: list[str]) -> list[str]:
                for transform in transforms:
                    texts = transform(texts)
                return texts

        block = last
    else:
        prepare = None
    usable = (
        isinstance(block, TfidfVectorizer)
        and not block.binary
        and block.norm in ("l2", None)
        and hasattr(block, "vocabulary_")
    )
    return (prepare, block) if usable else (None, None)
