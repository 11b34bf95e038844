"""Documents: ``model.analyze`` on the sample article and on synthetic articles.

The baseline is the bare pipelines' ``predict_proba`` on exactly the sentences and masked
copies of each article; splitting, mention detection and result objects are the rest.
"""

from __future__ import annotations

import time

from bench.scoring import bare_call, bare_inputs, compare
from bench.stats import median, timed
from classifier.model import StanceModel
from classifier.sentences import split_sentences

SAMPLE = "shared/sample-article-fr.txt"


def _per_article(model: StanceModel, texts: list[str], repeats: int) -> dict:
    prepared = [bare_inputs(model, [s.text for s in split_sentences(t)]) for t in texts]

    def ours() -> None:
        for text in texts:
            model.analyze(text)

    def bare() -> None:
        for inputs in prepared:
            bare_call(model, inputs)

    ours_s, bare_s, ours_runs, _ = compare(ours, bare, repeats)
    sentences = sum(len(p[0]) for p in prepared)
    return {
        "articles": len(texts),
        "sentences": sentences,
        "ms_per_article": 1000 * ours_s / len(texts),
        "bare_ms_per_article": 1000 * bare_s / len(texts),
        "ratio": ours_s / bare_s,
        "articles_per_s": len(texts) / ours_s,
        "sentences_per_s": sentences / ours_s,
        "runs_s": ours_runs,
    }


def split_scaling(text: str, factors: tuple[int, ...] = (1, 10, 100, 1000)) -> list[dict]:
    """Time the sentence splitter on ``text`` repeated ``factor`` times (it should stay linear)."""
    rows = []
    for factor in factors:
        long_text = "\n\n".join([text] * factor)
        seconds = median([timed(lambda t=long_text: split_sentences(t)) for _ in range(3)])
        rows.append(
            {"copies": factor, "chars": len(long_text), "seconds": seconds, "mb_per_s": len(long_text) / seconds / 1e6}
        )
    return rows


def run(model: StanceModel, quick: bool, root) -> dict:
    """Run the documents benchmark; return its results."""
    from bench.corpus import articles

    started = time.perf_counter()
    repeats = 3 if quick else 5
    sample = (root.parent / SAMPLE).read_text(encoding="utf-8")
    synthetic = articles(150 if quick else 1_000)
    sample_result = _per_article(model, [sample] * 50, repeats)
    batch = model.analyze_many(synthetic[:50])  # warm up
    del batch
    synthetic_result = _per_article(model, synthetic, 1 if quick else 3)
    many_s = median([timed(lambda: model.analyze_many(synthetic)) for _ in range(1 if quick else 3)])
    return {
        "sample": {**sample_result, "chars": len(sample)},
        "synthetic": {
            **synthetic_result,
            "chars_mean": sum(map(len, synthetic)) / len(synthetic),
            "analyze_many_ms_per_article": 1000 * many_s / len(synthetic),
        },
        "split_scaling": split_scaling(sample, (1, 10, 100) if quick else (1, 10, 100, 1000)),
        "seconds": time.perf_counter() - started,
    }
