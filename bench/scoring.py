"""In-process scoring: our whole path against the bare scikit-learn calls it makes.

The bare calls are the two fitted pipelines' ``predict_proba`` on exactly the inputs of our
path: the sentences (sentiment) and the target-masked copies (tone toward each mentioned
target), with scikit-learn's per-call checks off. Our path computes the same probabilities
through ``classifier/scoring.py``; on top of that it detects mentions, masks and builds the
result objects.
"""

from __future__ import annotations

import cProfile
import io
import json
import pstats
import time
from collections.abc import Callable

import sklearn

from bench.stats import median, timed
from classifier.features import mask_target
from classifier.model import StanceModel


def bare_inputs(model: StanceModel, sentences: list[str]) -> tuple[list[str], list[str]]:
    """Return the inputs of the sentiment and the target models in our path for ``sentences``."""
    keys = model.registry.keys
    masked = []
    for sentence in sentences:
        found = model.registry.find_all(sentence)
        for key in keys:
            if found[key]:
                masked.append(mask_target(sentence, found, key))
    return sentences, masked


def bare_call(model: StanceModel, inputs: tuple[list[str], list[str]]) -> None:
    """Call the two pipelines directly on those inputs."""
    texts, masked = inputs
    with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
        model.sentiment_pipeline.predict_proba(texts)
        if masked:
            model.target_pipeline.predict_proba(masked)


def _batches(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def compare(
    ours: Callable[[], object], bare: Callable[[], object], repeats: int
) -> tuple[float, float, list[float], list[float]]:
    """Time ``ours`` and ``bare`` alternately ``repeats`` times; return both medians and all runs."""
    ours_runs, bare_runs = [], []
    for _ in range(repeats):
        bare_runs.append(timed(bare))
        ours_runs.append(timed(ours))
    return median(ours_runs), median(bare_runs), ours_runs, bare_runs


def bench_batches(model: StanceModel, sentences: list[str], batch_sizes: dict[int, int], repeats: int) -> list[dict]:
    """Sentences per second of ``predict_sentences`` and of the bare calls, per batch size.

    ``batch_sizes`` maps a batch size to how many of ``sentences`` to score with it (batch
    size 1 is timed on fewer sentences: it is a loop of small calls).
    """
    rows = []
    for size, count in batch_sizes.items():
        batches = _batches(sentences[:count], size)
        prepared = [bare_inputs(model, batch) for batch in batches]
        pairs = sum(len(p[1]) for p in prepared)

        def ours(batches=batches) -> None:
            for batch in batches:
                model.predict_sentences(batch)

        def bare(prepared=prepared) -> None:
            for inputs in prepared:
                bare_call(model, inputs)

        ours(batches[:2])  # warm up caches (fold table, regexes)
        ours_s, bare_s, ours_runs, bare_runs = compare(ours, bare, repeats)
        n = len(sentences[:count])
        rows.append(
            {
                "batch": min(size, n),
                "sentences": n,
                "masked_copies": pairs,
                "ours_per_s": n / ours_s,
                "bare_per_s": n / bare_s,
                "ratio": ours_s / bare_s,
                "ours_runs_s": ours_runs,
                "bare_runs_s": bare_runs,
            }
        )
    return rows


def stage_breakdown(model: StanceModel, sentences: list[str], repeats: int) -> dict:
    """Split one batch's time into mention detection, masking, scoring and the rest."""
    keys = model.registry.keys

    def mentions() -> list:
        return [model.registry.find_all(s) for s in sentences]

    found = mentions()

    def masking() -> list[str]:
        out = []
        for sentence, f in zip(sentences, found, strict=True):
            for key in keys:
                if f[key]:
                    out.append(mask_target(sentence, f, key))
        return out

    masked = masking()

    def scoring() -> None:
        # Both models in the one compiled pass that predict_sentences makes (classifier/scoring.py).
        model._probabilities(sentences, masked)

    def whole() -> object:
        return model.predict_sentences(sentences)

    analysis = whole()

    def to_json() -> str:
        return json.dumps(analysis.to_dict(), ensure_ascii=False)

    parts = {"mention detection": mentions, "masking": masking, "scoring, both models": scoring}
    times = {name: median([timed(f) for _ in range(repeats)]) for name, f in {**parts, "whole path": whole}.items()}
    times["result objects and the rest"] = max(0.0, times["whole path"] - sum(times[p] for p in parts))
    times["to_dict + json.dumps (HTTP only)"] = median([timed(to_json) for _ in range(repeats)])
    return {"sentences": len(sentences), "masked_copies": len(masked), "seconds": times}


def profile(model: StanceModel, sentences: list[str], top: int = 15) -> dict:
    """Profile one ``predict_sentences`` call; return the time by origin and the top functions."""
    profiler = cProfile.Profile()
    profiler.enable()
    model.predict_sentences(sentences)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=io.StringIO())
    by_origin: dict[str, float] = {}
    entries = []
    for (filename, line, name), (_, ncalls, tottime, cumtime, _) in stats.stats.items():
        origin = "numpy" if "numpy" in name else _origin(filename)  # numpy's C methods report no file
        by_origin[origin] = by_origin.get(origin, 0.0) + tottime
        entries.append((tottime, cumtime, ncalls, origin, _short(filename, line, name)))
    entries.sort(reverse=True)
    total = sum(by_origin.values())
    return {
        "total_s": total,
        "by_origin": dict(sorted(by_origin.items(), key=lambda kv: -kv[1])),
        "top": [
            {"function": f, "origin": o, "calls": n, "own_s": t, "cumulative_s": c} for t, c, n, o, f in entries[:top]
        ],
    }


def _origin(filename: str) -> str:
    for marker, origin in (
        ("/classifier/", "stance (classifier/)"),
        ("/sklearn/", "scikit-learn"),
        ("/scipy/", "scipy"),
        ("/numpy/", "numpy"),
        ("/joblib/", "joblib"),
    ):
        if marker in filename:
            return origin
    if filename.startswith("~") or filename.startswith("<"):
        return "builtins (str, re, list...)"
    return "Python standard library"


def _short(filename: str, line: int, name: str) -> str:
    if filename == "~":
        return name
    parts = filename.split("/")
    return f"{'/'.join(parts[-2:])}:{line}({name})"


def run(model: StanceModel, quick: bool) -> dict:
    """Run the scoring benchmark; return its results."""
    from bench.corpus import news_sentences

    count = 2_000 if quick else 10_000
    repeats = 3
    sentences = news_sentences(count)
    started = time.perf_counter()
    batches = bench_batches(model, sentences, {1: 200 if quick else 500}, 3)
    batches += bench_batches(model, sentences, {100: count, 10_000: count}, repeats)
    breakdown = stage_breakdown(model, sentences, repeats)
    prof = profile(model, sentences)
    return {
        "sentences": count,
        "repeats": repeats,
        "batches": batches,
        "breakdown": breakdown,
        "profile": prof,
        "seconds": time.perf_counter() - started,
    }
