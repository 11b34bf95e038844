"""Fitting the pipelines, cross-validation and the hyperparameter search."""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from joblib import Parallel, delayed
from sklearn.model_selection import StratifiedKFold

from classifier.features import DEFAULT_CONFIG, build_pipeline, mask_target
from classifier.targets import TargetRegistry
from training.data import Example
from training.evaluate import score_predictions

__all__ = [
    "SENTIMENT_CONFIG",
    "VARIANTS",
    "clone_config",
    "cross_validate",
    "default_jobs",
    "fit_pipelines",
    "search",
    "target_training_set",
]

# The sentence-sentiment model has no target placeholder, so no context window.
SENTIMENT_CONFIG: dict[str, Any] = {**DEFAULT_CONFIG, "window": 0, "C": 5.0}

# Variants compared by `stance train --search` (5-fold cross-validation on the training
# labels only). "plain" is a separate classifier per target on the unmasked sentence.
# "cues" adds the tone cue words of classifier.cues (the default since it gained about
# 0.03 target macro-F1 in both languages and 0.01 sentiment macro-F1 in cross-validation).
VARIANTS: dict[str, dict[str, Any]] = {
    "masked word+char+window+cues": {},
    "masked word+char+window, no cues": {"cues": False},
    "masked word+char+cues": {"window": 0},
    "masked word+window+cues": {"char_ngrams": None},
    "masked word+char+window+cues, C=5": {"C": 5.0},
    "masked word+char+window+cues, C=20": {"C": 20.0},
    "masked word+char+window+cues, window 6": {"window": 6},
    "masked word+char+window+cues, window 8": {"window": 8},
    "masked word+char+window+cues, no class weights": {"class_weight": None},
    "plain per-target word+char+cues": {"plain": True, "window": 0},
}

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


def target_training_set(examples: Sequence[Example], registry: TargetRegistry) -> tuple[list[str], list[str], int]:
    """Return masked texts and labels for every labelled (sentence, target) pair.

    Pairs whose target is labelled but not detected in the text cannot be masked; they
    are skipped and counted (the third value).
    """
    texts, labels, skipped = [], [], 0
    for ex in examples:
        found = registry.find_all(ex.text)
        for key in registry.keys:
            label = ex.labels.get(key)
            if label is None:
                continue
            if not found[key]:
                skipped += 1
                continue
            texts.append(mask_target(ex.text, found, key))
            labels.append(label)
    return texts, labels, skipped


def fit_pipelines(
    examples: Sequence[Example],
    registry: TargetRegistry,
    config: dict | None = None,
    sentiment_config: dict | None = None,
    *,
    jobs: int = 1,
) -> dict:
    """Fit the target-tone and sentence-sentiment pipelines on ``examples``.

    With ``jobs`` of 2 or more the two pipelines are fitted at the same time, in separate
    processes; the fitted pipelines do not depend on it.
    """
    texts, labels, skipped = target_training_set(examples, registry)
    if len(set(labels)) < 2:
        raise ValueError("the target labels need at least two different tones to fit a model")
    sentiments = [e.sentiment for e in examples]
    if len(set(sentiments)) < 2:
        raise ValueError("the sentiment labels need at least two different tones to fit a model")
    tasks = [
        delayed(build_pipeline(config).fit)(texts, labels),
        delayed(build_pipeline(sentiment_config or SENTIMENT_CONFIG, window=False).fit)(
            [e.text for e in examples], sentiments
        ),
    ]
    target, sentiment = Parallel(n_jobs=max(1, min(2, jobs)))(tasks)
    return {"target": target, "sentiment": sentiment, "pairs": len(texts), "skipped_pairs": skipped}


def _predict(fitted: dict, examples: Sequence[Example], registry: TargetRegistry, plain: bool):
    keys = registry.keys
    pred_targets: list[dict[str, str | None]] = [dict.fromkeys(keys) for _ in examples]
    jobs: list[tuple[int, str]] = []
    inputs: list[str] = []
    for i, ex in enumerate(examples):
        found = registry.find_all(ex.text)
        for key in keys:
            if found[key]:
                jobs.append((i, key))
                inputs.append(ex.text if plain else mask_target(ex.text, found, key))
    if plain:
        for key in keys:
            idx = [j for j, (_, k) in enumerate(jobs) if k == key]
            if idx:
                labels = fitted["plain"][key].predict([inputs[j] for j in idx])
                for j, label in zip(idx, labels, strict=True):
                    pred_targets[jobs[j][0]][key] = str(label)
    elif inputs:
        for (i, key), label in zip(jobs, fitted["target"].predict(inputs), strict=True):
            pred_targets[i][key] = str(label)
    sentiment = [str(s) for s in fitted["sentiment"].predict([e.text for e in examples])]
    return pred_targets, sentiment


def _fit_variant(train: Sequence[Example], registry: TargetRegistry, variant: dict) -> dict:
    config = {k: v for k, v in variant.items() if k != "plain"}
    if not variant.get("plain"):
        return fit_pipelines(train, registry, config)
    fitted = {"plain": {}}
    for key in registry.keys:
        rows = [e for e in train if e.labels.get(key)]
        fitted["plain"][key] = build_pipeline(config, window=False).fit(
            [e.text for e in rows], [e.labels[key] for e in rows]
        )
    fitted["sentiment"] = build_pipeline(SENTIMENT_CONFIG, window=False).fit(
        [e.text for e in train], [e.sentiment for e in train]
    )
    return fitted


def default_jobs() -> int:
    """Return the number of CPU cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _fit_and_predict(train: list[Example], held: list[Example], registry: TargetRegistry, variant: dict):
    fitted = _fit_variant(train, registry, variant)
    return _predict(fitted, held, registry, bool(variant.get("plain")))


def cross_validate(
    examples: Sequence[Example],
    registry: TargetRegistry,
    variant: dict | None = None,
    *,
    folds: int = 5,
    jobs: int | None = None,
    progress: Progress = _quiet,
) -> dict:
    """Return metrics of ``folds``-fold cross-validation, pooled over the held-out folds.

    Folds split sentences (not pairs), stratified by language and sentiment, so every
    pair of a sentence is held out together; the metrics are the same as on the test set.
    ``jobs`` folds are fitted at a time, in separate processes (default: one per CPU core,
    at most ``folds``); the results do not depend on it.
    """
    examples = list(examples)
    strata = [f"{e.lang}-{e.sentiment}" for e in examples]
    if min(Counter(strata).values()) < folds:  # small data: stratify by sentiment only
        strata = [e.sentiment for e in examples]
    if min(Counter(strata).values()) < folds:
        strata = [0] * len(examples)
    splits = list(StratifiedKFold(n_splits=folds, shuffle=True, random_state=0).split(examples, strata))
    jobs = max(1, min(folds, jobs or default_jobs()))
    progress(f"cross-validation: {folds} folds" + (f", {jobs} at a time" if jobs > 1 else ""))
    tasks = (
        delayed(_fit_and_predict)([examples[i] for i in tr], [examples[i] for i in te], registry, variant or {})
        for tr, te in splits
    )
    pred_targets: list = [None] * len(examples)
    pred_sentiment: list = [None] * len(examples)
    outputs = Parallel(n_jobs=jobs, return_as="generator")(tasks)
    for k, ((_, test_idx), (pt, ps)) in enumerate(zip(splits, outputs, strict=True), start=1):
        progress(f"cross-validation fold {k}/{folds} done")
        for i, t, s in zip(test_idx, pt, ps, strict=True):
            pred_targets[i] = t
            pred_sentiment[i] = s
    metrics = score_predictions(examples, pred_targets, pred_sentiment, registry.keys)
    metrics["folds"] = folds
    return metrics


def search(
    examples: Sequence[Example],
    registry: TargetRegistry,
    *,
    folds: int = 5,
    jobs: int | None = None,
    progress: Progress = _quiet,
) -> tuple[dict, list[dict]]:
    """Cross-validate every variant in VARIANTS; return the best config and all results.

    Only masked variants can be chosen (the model serves one masked pipeline); the plain
    per-target variant is reported for comparison.
    """
    results = []
    for name, variant in VARIANTS.items():
        started = time.perf_counter()
        progress(f"search: {name}")
        metrics = cross_validate(examples, registry, variant, folds=folds, jobs=jobs)
        results.append(
            {
                "variant": name,
                "config": {k: v for k, v in variant.items()},
                "target_macro_f1": metrics["overall"]["target_macro_f1"],
                "sentiment_macro_f1": metrics["overall"]["sentiment_macro_f1"],
                "seconds": round(time.perf_counter() - started, 1),
            }
        )
    choosable = [r for r in results if not r["config"].get("plain")]
    best = max(choosable, key=lambda r: r["target_macro_f1"] or 0)
    return {**DEFAULT_CONFIG, **best["config"]}, results


def clone_config(config: dict) -> dict:
    """Return a copy of a config that is safe to store in a bundle."""
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in config.items()}
