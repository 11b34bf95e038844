"""Peers: lexicon sentiment tools from PyPI, timed on the same news sentences as our model.

VADER and TextBlob score English only; textblob-fr is TextBlob with a French lexicon. Each
is timed on every sentence (the way a user would run it on mixed news), and TextBlob is
also timed with textblob-fr on the French sentences and the English lexicon on the rest.
They are optional (the ``bench`` extra): a peer that is not installed is reported as such.
"""

from __future__ import annotations

import time

from bench.stats import median, timed


def _peers() -> dict:
    found = {}
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        vader = SentimentIntensityAnalyzer()
        found["VADER (vaderSentiment)"] = lambda texts, langs: [vader.polarity_scores(t) for t in texts]
    except ImportError:
        found["VADER (vaderSentiment)"] = None
    try:
        from textblob import TextBlob

        found["TextBlob (English lexicon)"] = lambda texts, langs: [TextBlob(t).sentiment for t in texts]
        try:
            from textblob_fr import PatternAnalyzer, PatternTagger

            tagger, analyzer = PatternTagger(), PatternAnalyzer()

            def by_language(texts, langs):
                return [
                    TextBlob(t, pos_tagger=tagger, analyzer=analyzer).sentiment
                    if lang == "fr"
                    else TextBlob(t).sentiment
                    for t, lang in zip(texts, langs, strict=True)
                ]

            found["TextBlob + textblob-fr (by language)"] = by_language
        except ImportError:
            found["TextBlob + textblob-fr (by language)"] = None
    except ImportError:
        found["TextBlob (English lexicon)"] = None
    return found


def run(model, quick: bool, ours_per_s: float | None) -> dict:
    """Time each peer on the benchmark sentences; ``ours_per_s`` is our speed on the same ones."""
    from bench.corpus import labelled_examples

    started = time.perf_counter()
    examples = labelled_examples()[0]
    count = 2_000 if quick else 10_000
    chosen = [examples[i % len(examples)] for i in range(count)]
    texts = [e.text for e in chosen]
    langs = [e.lang for e in chosen]
    repeats = 3
    rows = []
    for name, func in _peers().items():
        if func is None:
            rows.append({"peer": name, "per_s": None, "note": "not installed (pip install -e '.[bench]')"})
            continue
        func(texts[:50], langs[:50])  # load lexicons
        seconds = median([timed(lambda f=func: f(texts, langs)) for _ in range(repeats)])
        per_s = count / seconds
        rows.append({"peer": name, "per_s": per_s, "vs_ours": per_s / ours_per_s if ours_per_s else None})
    return {"sentences": count, "rows": rows, "seconds": time.perf_counter() - started}
