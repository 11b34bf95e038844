"""The stance model: scores sentences for overall sentiment and tone toward each target."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cached_property

import numpy as np
import sklearn

from classifier.errors import InputError
from classifier.explain import Explainer
from classifier.features import mask_target
from classifier.results import TONES, Analysis, ModelInfo, SentenceResult, TargetResult, Tone
from classifier.scoring import LinearScorer
from classifier.sentences import Span, find_repeats, split_sentences
from classifier.targets import TargetRegistry

__all__ = ["StanceModel"]


class StanceModel:
    """A fitted model: a target-tone pipeline, a sentiment pipeline and a targets registry.

    Build one with :func:`classifier.load_model` or from a bundle (see ``classifier.persist``).
    """

    def __init__(self, bundle: dict, *, path: str | None = None, sha256: str = "") -> None:
        self.bundle = bundle
        self.path = path
        self.sha256 = sha256
        self.registry = TargetRegistry.from_dict(bundle["registry"])
        self.target_pipeline = bundle["pipelines"]["target"]
        self.sentiment_pipeline = bundle["pipelines"]["sentiment"]
        # Scoring goes through the compiled form of the pipelines when it reproduces their
        # probabilities (see classifier.scoring): both in one pass when both compile.
        sentiment = LinearScorer.compile(self.sentiment_pipeline)
        target = LinearScorer.compile(self.target_pipeline)
        self._joint = LinearScorer.join(sentiment, target) if sentiment and target else None
        if self._joint is not None:
            sentiment = target = None  # not needed: let their arrays go
        self._sentiment_scorer = sentiment or self.sentiment_pipeline
        self._target_scorer = target or self.target_pipeline
        self.info = ModelInfo(
            name=bundle.get("name", "stance"),
            version=sha256[:12] if sha256 else "unsaved",
            created_at=bundle.get("created_at", ""),
        )

    # -- public API -----------------------------------------------------------------

    @property
    def targets(self) -> list[str]:
        """The keys of the targets this model scores."""
        return self.registry.keys

    @property
    def metrics(self) -> dict:
        """The metrics recorded in the model card (cross-validation and test)."""
        return self.bundle.get("metrics", {})

    def analyze(self, text: str, *, targets: Sequence[str] | None = None, explain: bool = False) -> Analysis:
        """Split ``text`` into sentences and score each one."""
        return self.analyze_many([text], targets=targets, explain=explain)[0]

    def analyze_many(
        self,
        texts: Sequence[str],
        *,
        ids: Sequence[str] | None = None,
        targets: Sequence[str] | None = None,
        explain: bool = False,
    ) -> list[Analysis]:
        """Score several documents at once (one batch through each pipeline)."""
        docs = []
        for i, text in enumerate(texts):
            field = f"documents[{i}].text" if ids is not None else "text"
            _check_text(text, field)
            docs.append(split_sentences(text))
        return self._score_documents(docs, ids, targets, explain)

    def analyze_split(
        self,
        documents: Sequence[Sequence[Span]],
        *,
        ids: Sequence[str] | None = None,
        targets: Sequence[str] | None = None,
        explain: bool = False,
    ) -> list[Analysis]:
        """Score documents already split by ``split_sentences`` (a caller that had to split
        them first, to check them, need not split them again); offsets stay those of the spans.
        """
        return self._score_documents(documents, ids, targets, explain)

    def predict_sentences(
        self,
        sentences: Iterable[str],
        *,
        targets: Sequence[str] | None = None,
        explain: bool = False,
    ) -> Analysis:
        """Score each string as one sentence, without splitting it."""
        spans = []
        for i, sentence in enumerate(sentences):
            _check_text(sentence, f"sentences[{i}]")
            spans.append(Span(sentence, 0, len(sentence)))
        return self._score_documents([spans], None, targets, explain)[0]

    def resolve_targets(self, names: Sequence[str] | None) -> list[str]:
        """Map target names (keys or display names, any case) to keys; None means all."""
        if names is None:
            return self.registry.keys
        if isinstance(names, str) or not all(isinstance(n, str) for n in names):
            raise InputError("targets must be a list of target names", field="targets")
        keys = []
        for name in names:
            key = self.registry.resolve(name)
            if key is None:
                valid = ", ".join(self.registry.keys)
                raise InputError(f"unknown target {name!r}; valid targets: {valid}", field="targets")
            if key not in keys:
                keys.append(key)
        if not keys:
            raise InputError("targets must not be empty; omit it to score every target", field="targets")
        return keys

    # -- internals ------------------------------------------------------------------

    def _probabilities(self, sentences: list[str], masked: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Return the tone probabilities of the sentences (sentiment) and the masked pairs."""
        if self._joint is None:
            return _proba(self._sentiment_scorer, sentences), _proba(self._target_scorer, masked)
        sentiment, target = self._joint.predict([sentences, masked])
        classes = self._joint.classes_
        return _in_tone_order(sentiment, classes), _in_tone_order(target, classes)

    @cached_property
    def _explainers(self) -> tuple[Explainer, Explainer]:
        return Explainer(self.target_pipeline), Explainer(self.sentiment_pipeline)

    def _score_documents(self, docs, ids, targets, explain) -> list[Analysis]:
        keys = self.resolve_targets(targets)
        flat: list[Span] = [span for spans in docs for span in spans]
        mentions = [self.registry.find_all(s.text, offset=s.start) for s in flat]
        pairs: list[tuple[int, str]] = []
        masked: list[str] = []
        for i, (span, found) in enumerate(zip(flat, mentions, strict=True)):
            for key in keys:
                if found[key]:
                    pairs.append((i, key))
                    masked.append(mask_target(span.text, found, key, offset=span.start))
        sent_proba, target_proba = self._probabilities([s.text for s in flat], masked)
        target_expl = self._explainers[0].explain(masked) if explain else [None] * len(masked)
        tones: dict[tuple[int, str], tuple[Tone, dict | None]] = {}
        for j, pair in enumerate(pairs):
            tones[pair] = (_tone(target_proba[j]), target_expl[j])
        results = []
        i = 0
        for d, spans in enumerate(docs):
            repeats = find_repeats([s.text for s in spans])
            sentences = []
            for index, span in enumerate(spans):
                per_target = {}
                for key in keys:
                    tone, expl = tones.get((i, key), (None, None))
                    per_target[key] = TargetResult(mentions[i][key], tone, expl)
                sentences.append(
                    SentenceResult(
                        index,
                        span.text,
                        span.start,
                        span.end,
                        repeats[index],
                        _tone(sent_proba[i]),
                        per_target,
                    )
                )
                i += 1
            results.append(Analysis(self.info, sentences, keys, id=ids[d] if ids is not None else None))
        return results


def _proba(scorer, texts: list[str]) -> np.ndarray:
    """Return the probabilities of the three tones for each text, in TONES order."""
    if not texts:
        return np.empty((0, len(TONES)))
    if isinstance(scorer, LinearScorer):
        proba = scorer.predict_proba(texts)
    else:
        # The pipelines were checked when fitted: skip scikit-learn's per-call input and
        # parameter checks.
        with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
            proba = scorer.predict_proba(texts)
    return _in_tone_order(proba, scorer.classes_)


def _in_tone_order(proba: np.ndarray, classes) -> np.ndarray:
    classes = [str(c) for c in classes]
    if classes == list(TONES):
        return proba
    full = np.zeros((len(proba), len(TONES)))
    for k, tone in enumerate(classes):
        full[:, TONES.index(tone)] = proba[:, k]
    return full


def _tone(row: np.ndarray) -> Tone:
    probs = {t: float(row[k]) for k, t in enumerate(TONES)}
    return Tone(max(TONES, key=probs.__getitem__), probs)


def _check_text(text: object, field: str) -> None:
    if not isinstance(text, str):
        raise InputError(f"{field} must be a string, not {type(text).__name__}", field=field)
    if not text.strip():
        raise InputError(f"{field} is empty; send some text to score", field=field)
