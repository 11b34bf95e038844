"""Result objects: one shape shared by the Python API, the command line and the HTTP API."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

from classifier.targets import Mention

__all__ = [
    "TONES",
    "Analysis",
    "ModelInfo",
    "SentenceResult",
    "TargetResult",
    "Tone",
]

TONES = ("negative", "neutral", "positive")


def _r(value: float) -> float:
    return round(float(value), 4)


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """What produced a result: the model's name, version (SHA-256 prefix) and creation time."""

    name: str
    version: str
    created_at: str

    def to_dict(self) -> dict:
        """Return the JSON shape of the API's ``model`` object."""
        return {"name": self.name, "version": self.version, "created_at": self.created_at}


@dataclass(frozen=True, slots=True)
class Tone:
    """A predicted tone: label, probabilities of the three tones, and P(positive) - P(negative)."""

    label: str
    probabilities: dict[str, float]

    @property
    def score(self) -> float:
        """Signed score in [-1, 1]: P(positive) - P(negative)."""
        return self.probabilities["positive"] - self.probabilities["negative"]

    def to_dict(self) -> dict:
        """Return ``{"label", "score", "probabilities"}``."""
        return {
            "label": self.label,
            "score": _r(self.score),
            "probabilities": {t: _r(self.probabilities[t]) for t in TONES},
        }


@dataclass(frozen=True, slots=True)
class TargetResult:
    """The tone of one sentence toward one target (``tone`` is None when not mentioned)."""

    mentions: list[Mention]
    tone: Tone | None
    explanation: dict | None = None

    @property
    def mentioned(self) -> bool:
        """Whether the sentence refers to the target."""
        return bool(self.mentions)

    def to_dict(self) -> dict:
        """Return the JSON shape of one entry of a sentence's ``targets`` object."""
        data = {
            "mentioned": self.mentioned,
            "mentions": [m.to_dict() for m in self.mentions],
            "label": self.tone.label if self.tone else None,
            "score": _r(self.tone.score) if self.tone else None,
            "probabilities": ({t: _r(self.tone.probabilities[t]) for t in TONES} if self.tone else None),
        }
        if self.explanation is not None:
            data["explanation"] = self.explanation
        return data


@dataclass(frozen=True, slots=True)
class SentenceResult:
    """One sentence: its text and offsets, repeat marker, sentiment and per-target tones."""

    index: int
    text: str
    start: int
    end: int
    duplicate_of: int | None
    sentiment: Tone
    targets: dict[str, TargetResult]

    def to_dict(self) -> dict:
        """Return the JSON shape of one element of the API's ``sentences`` list."""
        return {
            "index": self.index,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "duplicate_of": self.duplicate_of,
            "sentiment": self.sentiment.to_dict(),
            "targets": {key: t.to_dict() for key, t in self.targets.items()},
        }


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _summarise(tones: list[Tone]) -> dict:
    counts = {t: 0 for t in TONES}
    for tone in tones:
        counts[tone.label] += 1
    if not tones:
        return {"label": None, "score": None, "counts": counts}
    mean_probs = {t: sum(x.probabilities[t] for x in tones) / len(tones) for t in TONES}
    return {
        "label": max(TONES, key=lambda t: (counts[t], mean_probs[t])),
        "score": _r(_mean([x.score for x in tones])),
        "counts": counts,
    }


@dataclass(frozen=True)
class Analysis:
    """The scored sentences of one document (or of a list of sentences), with a summary.

    The summary leaves repeated sentences out. Its ``label`` for the sentiment and for
    each target is the most frequent label over the unique sentences concerned (a tie goes
    to the tone with the higher mean probability); ``score`` is the mean signed score.
    """

    model: ModelInfo
    sentences: list[SentenceResult]
    targets: list[str]
    id: str | None = None
    extra: dict = field(default_factory=dict)

    @cached_property
    def summary(self) -> dict:
        """Return the document summary in the API's JSON shape."""
        unique = [s for s in self.sentences if s.duplicate_of is None]
        sentiment = _summarise([s.sentiment for s in unique])
        targets = {}
        for key in self.targets:
            tones = [s.targets[key].tone for s in unique if s.targets[key].tone is not None]
            targets[key] = {"mentioned_in": len(tones), **_summarise(tones)}
        return {
            "sentences": len(self.sentences),
            "unique_sentences": len(unique),
            "sentiment": sentiment,
            "targets": targets,
        }

    def to_dict(self, *, include_model: bool = True) -> dict:
        """Return the API's JSON shape.

        With ``include_model`` (the default): ``{"model", "sentences", "summary"}``, the
        response to a ``text`` or ``sentences`` request. Without it: ``{"id", "sentences",
        "summary"}``, one element of a ``documents`` response.
        """
        body: dict = {}
        if include_model:
            body["model"] = self.model.to_dict()
        else:
            body["id"] = self.id
        body["sentences"] = [s.to_dict() for s in self.sentences]
        body["summary"] = self.summary
        return body
