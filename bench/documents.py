"""Documents: ``model.analyze`` on the sample article and on synthetic articles.

The baseline is the bare pipelines' ``predict_proba`` on exactly the sentences and masked
copies of each article; splitting, mention detection and result objects are the rest.
"""

from __future__ import annotations

import time

from bench.scoring import bare_call, bare_inputs
from bench.stats import median, timed, timed_once
from classifier.model import StanceModel
from classifier.sentences import split_sentences

SAMPLE = "shared/sample-article-fr.txt"


def _per_article(model: StanceModel, texts: list[str]) -> dict:
    """Time each article on its own, ours and the bare calls alternately; medians over the articles."""
    prepared = [bare_inputs(model, [s.text for s in split_sentences(t)]) for t in texts]
    ours_ms, bare_ms = [], []
    for text, inputs in zip(texts, prepared, strict=True):
        bare_ms.append(1000 * timed_once(lambda i=inputs: bare_call(model, i)))
        ours_ms.append(1000 * timed_once(lambda t=text: model.analyze(t)))
    sentences = sum(len(p[0]) for p in prepared)
    return {
        "articles": len(texts),
        "sentences": sentences,
        "ms_per_article": median(ours_ms),
        "mean_ms_per_article": sum(ours_ms) / len(ours_ms),
        "bare_ms_per_article": median(bare_ms),
        "ratio": sum(ours_ms) / sum(bare_ms),
        "sentences_per_s": 1000 * sentences / sum(ours_ms),
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


def worst_request(model: StanceModel, body_bytes: int = 1 << 20, sentences: int = 2000) -> dict:
    """Time the costliest request the API's default limits let through.

    ``sentences`` sentences filling a ``body_bytes`` body, each naming every target (so each
    is scored once for sentiment and once per target).
    """
    from bench.corpus import news_sentences

    per = body_bytes // sentences - 10  # JSON quotes and commas
    words = " ".join(news_sentences(40))
    head = "Ankara, l'Otan et Moscou : "
    sentence = (head + words)[:per]
    texts = [sentence] * sentences
    seconds = timed(lambda: model.predict_sentences(texts))
    return {"sentences": sentences, "chars_each": len(sentence), "seconds": seconds}


def run(model: StanceModel, quick: bool, root) -> dict:
    """Run the documents benchmark; return its results."""
    from bench.corpus import articles

    started = time.perf_counter()
    sample = (root.parent / SAMPLE).read_text(encoding="utf-8")
    synthetic = articles(150 if quick else 1_000)
    model.analyze_many(synthetic[:20])  # warm up
    sample_result = _per_article(model, [sample] * (50 if quick else 200))
    synthetic_result = _per_article(model, synthetic)
    many_s = timed(lambda: model.analyze_many(synthetic))
    return {
        "sample": {**sample_result, "chars": len(sample)},
        "synthetic": {
            **synthetic_result,
            "chars_mean": sum(map(len, synthetic)) / len(synthetic),
            "analyze_many_ms_per_article": 1000 * many_s / len(synthetic),
        },
        "worst_request": worst_request(model, sentences=500 if quick else 2000),
        "split_scaling": split_scaling(sample, (1, 10, 100) if quick else (1, 10, 100, 1000)),
        "seconds": time.perf_counter() - started,
    }
