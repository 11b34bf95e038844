"""Scoring a fitted pipeline without scikit-learn's per-call machinery.

A fitted pipeline of ``build_pipeline`` is a sum of linear terms: each feature block
turns a text into TF-IDF weights over its vocabulary, and the logistic regression adds
up ``weight x coefficient`` for every feature before a softmax. ``LinearScorer`` keeps
exactly those pieces, read from the fitted estimators' public attributes (the
vectorisers' own analysers, ``vocabulary_`` and ``idf_``; the classifier's ``coef_`` and
``intercept_``), and computes the same probabilities with one set of numpy calls for all
blocks (and, joined, for both of a model's pipelines).

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
from itertools import accumulate, chain

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from classifier.features import analyses_by_word, preprocesses_by_character

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
    """One feature block: text preparation, vocabulary columns, weights and coefficients."""

    prepare: Callable[[list[str]], list[str]] | None
    columns: Callable[[str], Iterable[int] | bytes]  # the columns of the n-grams in the vocabulary
    idf: np.ndarray  # per column, 1 when the vectoriser does not weight by idf
    coef: np.ndarray  # (columns, classes): the classifier's coefficients for this block
    sublinear: bool
    normalize: bool

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
    # scikit-learn's own analyser: the columns of each word are remembered below, so a
    # vectoriser's fit-time word cache (WordTfidfVectorizer) would only hold a second copy.
    analyze = TfidfVectorizer.build_analyzer(vectorizer)
    lookup = vectorizer.vocabulary_.get
    if analyses_by_word(vectorizer):

        @lru_cache(maxsize=WORD_CACHE)
        def word_columns(word: str) -> bytes:
            return array("q", [j for gram in analyze(word) if (j := lookup(gram)) is not None]).tobytes()

        return lambda text: b"".join(map(word_columns, text.split()))

    if (
        preprocesses_by_character(vectorizer)
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
            grams = [words] if low == 1 else []
            for size in range(max(low, 2), high + 1):  # n-grams: words joined by one space
                grams.append(map(" ".join, zip(*(words[k:] for k in range(size)), strict=False)))
            return [j for gram in chain.from_iterable(grams) if (j := lookup(gram)) is not None]

        return columns

    return lambda text: [j for gram in analyze(text) if (j := lookup(gram)) is not None]


class LinearScorer:
    """The probabilities of fitted ``build_pipeline`` pipelines, computed directly.

    A scorer holds one or more models ("parts", e.g. the target-tone and the sentence-
    sentiment pipelines) with the same classes. Every block's n-grams, of every part, go
    through one set of array operations together, so the cost of a call is the analysers'
    plus a fixed few dozen numpy calls, whatever the blocks and parts.
    """

    def __init__(self, parts: Sequence[tuple[Sequence[_Block], np.ndarray]], classes: Sequence) -> None:
        self.parts = [(list(blocks), intercept) for blocks, intercept in parts]
        self.blocks = [block for blocks, _ in self.parts for block in blocks]
        self.block_part = [p for p, (blocks, _) in enumerate(self.parts) for _ in blocks]
        widths = [len(b.idf) for b in self.blocks]
        self.offsets = np.concatenate([[0], np.cumsum(widths)[:-1]]).astype(np.int64)
        self.idf = np.concatenate([b.idf for b in self.blocks]).astype(np.float64)
        self.coef = np.ascontiguousarray(np.concatenate([b.coef for b in self.blocks]), dtype=np.float64)
        self.intercepts = np.array([intercept for _, intercept in self.parts], dtype=np.float64)
        self.sublinear = np.array([b.sublinear for b in self.blocks])
        self.normalize = np.array([b.normalize for b in self.blocks])
        self.all_sublinear = bool(self.sublinear.all())
        self.all_normalized = bool(self.normalize.all())
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
    def join(cls, *scorers: LinearScorer) -> LinearScorer | None:
        """Return one scorer for the parts of ``scorers``, or None if their classes differ."""
        if any(list(s.classes_) != list(scorers[0].classes_) for s in scorers):
            return None
        return cls([part for s in scorers for part in s.parts], scorers[0].classes_)

    @classmethod
    def _build(cls, pipeline: object) -> LinearScorer | None:
        if not isinstance(pipeline, Pipeline) or len(pipeline.steps) != 2:
            return None
        features, clf = pipeline.steps[0][1], pipeline.steps[1][1]
        if not isinstance(features, FeatureUnion) or features.transformer_weights is not None:
            return None
        if not isinstance(clf, LogisticRegression) or len(clf.classes_) < 3:
            return None
        coef = np.asarray(clf.coef_, dtype=np.float64).T
        blocks = []
        start = 0
        for _, block in features.transformer_list:
            prepare, vectorizer = _split_block(block)
            if vectorizer is None:
                return None
            width = len(vectorizer.vocabulary_)
            idf = vectorizer.idf_ if vectorizer.use_idf else np.ones(width)
            blocks.append(
                _Block(
                    prepare,
                    _text_columns(vectorizer),
                    np.asarray(idf, dtype=np.float64),
                    coef[start : start + width],
                    vectorizer.sublinear_tf,
                    vectorizer.norm == "l2",
                )
            )
            start += width
        if start != coef.shape[0]:
            return None
        return cls([(blocks, np.asarray(clf.intercept_, dtype=np.float64))], clf.classes_)

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """Return the class probabilities of each text, columns ordered as ``classes_``.

        For a scorer of one part; see :meth:`predict` for several.
        """
        return self.predict([texts])[0]

    def predict(self, texts: Sequence[list[str]]) -> list[np.ndarray]:
        """Return, for each part, the class probabilities of its texts (``texts[part]``)."""
        if len(texts) != len(self.parts):
            raise ValueError(f"this scorer has {len(self.parts)} part(s); got {len(texts)} lists of texts")
        sizes = [len(t) for t in texts]
        first_row = [0, *accumulate(sizes[:-1])]
        found = array("q")
        lengths: list[int] = []  # n-grams per (block, text), block by block
        group_block: list[int] = []
        group_row: list[int] = []
        for b, block in enumerate(self.blocks):
            part = self.block_part[b]
            block.collect(texts[part], found, lengths)
            group_block += [b] * sizes[part]
            group_row += range(first_row[part], first_row[part] + sizes[part])
        total = sum(sizes)
        decision = np.repeat(self.intercepts, sizes, axis=0)
        if len(found):
            decision += self._decision(found, lengths, np.array(group_block), np.array(group_row), total)
        decision = np.exp(decision - decision.max(axis=1, keepdims=True))
        proba = decision / decision.sum(axis=1, keepdims=True)
        return [proba[start : start + size] for start, size in zip(first_row, sizes, strict=True)]

    def _decision(self, found: array, lengths: list[int], group_block, group_row, total: int) -> np.ndarray:
        """Sum ``weight x coefficient`` over each text's n-grams (without intercepts)."""
        columns = np.frombuffer(found, dtype=np.int64)
        group = np.repeat(np.arange(len(lengths)), lengths)  # one group per (block, text)
        columns = columns + np.take(self.offsets, np.take(group_block, group))
        # Count each (group, column) pair: one sort instead of a dict per text.
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
            values = np.where(self.sublinear[group_block[group]], np.log(counts, dtype=np.float64) + 1.0, counts)
        values *= np.take(self.idf, column)
        # Pairs are sorted by group: sum each group's run of pairs at once.
        runs = _run_starts(group)
        groups = group[runs]
        norms = np.ones(len(lengths))
        norms[groups] = np.sqrt(np.add.reduceat(values * values, runs))
        if not self.all_normalized:
            norms[~self.normalize[group_block]] = 1.0
        values /= norms[group]
        # np.take: a plain gather, several times faster than fancy indexing here.
        sums = np.add.reduceat(np.take(self.coef, column, axis=0) * values[:, None], runs, axis=0)
        decision = np.zeros((total, self.coef.shape[1]))
        np.add.at(decision, group_row[groups], sums)
        return decision


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
