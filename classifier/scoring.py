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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, repeat

import numpy as np
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


# Whitespace-separated words whose analysis is remembered, per feature block.
WORD_CACHE = 1 << 15

# Token patterns whose tokens never contain whitespace (scikit-learn's default, and \S+).
_NO_SPACE_PATTERNS = frozenset([r"(?u)\b\w\w+\b", r"\S+"])


@dataclass(frozen=True)
class _Block:
    """One feature block: its text preparation and a text's vocabulary columns."""

    prepare: Callable[[list[str]], list[str]] | None
    columns: Callable[[str], Iterable[int] | bytes]  # per n-gram: a column, -1 when unknown
    width: int

    def collect(self, texts: list[str], columns: array, lengths: list[int]) -> None:
        """Append the columns of each text's n-grams, and how many there are per text."""
        if self.prepare is not None:
            texts = self.prepare(texts)
        for text in texts:
            before = len(columns)
            found = self.columns(text)
            if isinstance(found, bytes):  # int64 columns already packed
                columns.frombytes(found)
            else:
                columns.extend(found)
            lengths.append(len(columns) - before)


def _text_columns(vectorizer: TfidfVectorizer) -> Callable[[str], Iterable[int] | bytes]:
    """Return a function giving the vocabulary column of each n-gram of a text.

    Character n-grams within word boundaries (``char_wb``) never cross whitespace, and
    neither do the tokens of the usual token patterns; the preprocessing (lower case,
    accents) works character by character. So a text's n-grams follow from its
    whitespace-separated words taken one by one, and the analysis of each word is
    remembered: the frequent words of news text are analysed once.
    """
    analyze = vectorizer.build_analyzer()
    lookup = vectorizer.vocabulary_.get
    plain = (
        vectorizer.preprocessor is None
        and vectorizer.strip_accents in (None, "unicode", "ascii")
        and vectorizer.input == "content"
    )
    if plain and vectorizer.analyzer == "char_wb":

        @lru_cache(maxsize=WORD_CACHE)
        def word_columns(word: str) -> bytes:
            return array("q", [j for gram in analyze(word) if (j := lookup(gram)) is not None]).tobytes()

        return lambda text: b"".join(map(word_columns, text.split()))

    if (
        plain
        and vectorizer.analyzer == "word"
        and vectorizer.tokenizer is None
        and vectorizer.stop_words is None
        and vectorizer.token_pattern in _NO_SPACE_PATTERNS
    ):
        preprocess, tokenize = vectorizer.build_preprocessor(), vectorizer.build_tokenizer()
        low, high = vectorizer.ngram_range

        @lru_cache(maxsize=WORD_CACHE)
        def word_tokens(word: str) -> list[str]:
            return tokenize(preprocess(word))

        def columns(text: str) -> Iterable[int]:
            words = list(chain.from_iterable(map(word_tokens, text.split())))
            grams = words if low == 1 else []
            for size in range(max(low, 2), high + 1):
                grams = grams + [" ".join(words[i : i + size]) for i in range(len(words) - size + 1)]
            return map(lookup, grams, repeat(-1))

        return columns

    return lambda text: map(lookup, analyze(text), repeat(-1))


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
        self.all_sublinear = bool(sublinear.all())
        self.all_normalized = bool(normalize.all())
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
        if not n:
            return np.empty((0, len(self.classes_)))
        found = array("q")
        lengths: list[int] = []  # one per (block, text), block by block
        for block in self.blocks:
            block.collect(texts, found, lengths)
        columns = np.frombuffer(found, dtype=np.int64)
        group = np.repeat(np.arange(len(lengths)), lengths)  # block * n + text
        known = columns >= 0  # n-grams outside the vocabulary carry no weight
        group = group[known]
        columns = columns[known] + self.offsets[group // n]
        # Count each (text in a block, column) pair: one sort instead of a dict per text.
        width = len(self.idf)
        pairs = group * width + columns
        pairs.sort()
        starts = _run_starts(pairs)
        counts = np.concatenate((starts[1:], [len(pairs)])) - starts
        pairs = pairs[starts]
        group = pairs // width
        column = pairs - group * width
        if self.all_sublinear:
            values = np.log(counts, dtype=np.float64) + 1.0
        else:
            values = np.where(self.sublinear[group // n], np.log(counts, dtype=np.float64) + 1.0, counts)
        values *= self.idf[column]
        # Rows are sorted by group: sum each group's run of rows at once.
        runs = _run_starts(group)
        groups = group[runs]
        norms = np.ones(len(lengths))
        norms[groups] = np.sqrt(np.add.reduceat(values * values, runs))
        if not self.all_normalized:
            norms[np.repeat(~self.normalize, n)] = 1.0
        values /= norms[group]
        sums = np.add.reduceat(self.coef[column] * values[:, None], runs, axis=0)
        decision = np.zeros((n, self.coef.shape[1]))
        np.add.at(decision, groups % n, sums)
        decision += self.intercept
        decision = np.exp(decision - decision.max(axis=1, keepdims=True))
        return decision / decision.sum(axis=1, keepdims=True)


def _run_starts(sorted_values: np.ndarray) -> np.ndarray:
    """Return the positions where a new value starts in a sorted array."""
    first = np.empty(len(sorted_values), dtype=bool)
    first[:1] = True
    np.not_equal(sorted_values[1:], sorted_values[:-1], out=first[1:])
    return first.nonzero()[0]


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
