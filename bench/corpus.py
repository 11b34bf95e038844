"""Inputs for the benchmarks, all built from the labelled sentences of ``labels/``.

Speeds are only realistic on realistic text: every input here is made of the project's
own news sentences (cycled, or recombined with a fixed seed), never of random words.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

from classifier.targets import TargetRegistry
from training.data import Example, default_labels_dir, expand_paths, read_labels

SEED = 20240611


def labelled_examples(labels_dir: Path | None = None) -> tuple[list[Example], TargetRegistry]:
    """Return the training examples of ``labels/`` and its registry."""
    labels_dir = labels_dir or default_labels_dir()
    registry = TargetRegistry.from_file(labels_dir / "targets.toml")
    data = read_labels(expand_paths([labels_dir]), registry)
    data.raise_for_errors()
    return data.examples, registry


def news_sentences(count: int, labels_dir: Path | None = None) -> list[str]:
    """Return ``count`` news sentences: the labelled texts in file order, cycling."""
    texts = [e.text for e in labelled_examples(labels_dir)[0]]
    return [texts[i % len(texts)] for i in range(count)]


def articles(count: int, low: int = 20, high: int = 40, labels_dir: Path | None = None) -> list[str]:
    """Return ``count`` articles of ``low`` to ``high`` labelled sentences, in paragraphs of 2-4."""
    texts = [e.text for e in labelled_examples(labels_dir)[0]]
    rng = random.Random(SEED)
    out = []
    for _ in range(count):
        chosen = rng.sample(texts, rng.randint(low, high))
        paragraphs, i = [], 0
        while i < len(chosen):
            size = rng.randint(2, 4)
            paragraphs.append(_join(chosen[i : i + size]))
            i += size
        out.append("\n\n".join(paragraphs))
    return out


def _join(sentences: list[str]) -> str:
    """Join sentences into running text; one without final punctuation (a headline) ends its line."""
    out = ""
    for sentence in sentences:
        if out:
            out += " " if out.rstrip()[-1] in ".!?»\"”" else "\n\n"
        out += sentence
    return out


def document_of(sentences: int, labels_dir: Path | None = None) -> str:
    """Return one document of exactly ``sentences`` labelled sentences (for the HTTP benchmark)."""
    return _join(news_sentences(sentences, labels_dir))


def write_training_corpus(path: Path, rows: int, labels_dir: Path | None = None) -> Path:
    """Write a labelled CSV of ``rows`` synthetic rows: two random sentences of one language joined.

    A row's target labels are the first sentence's where it has one, else the second's; its
    sentiment is the first sentence's. The wording is real, the labels only plausible, so
    the file measures training cost, not accuracy.
    """
    examples, registry = labelled_examples(labels_dir)
    by_lang: dict[str, list[Example]] = {}
    for example in examples:
        by_lang.setdefault(example.lang, []).append(example)
    langs = sorted(by_lang)
    rng = random.Random(SEED + rows)
    keys = registry.keys
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "lang", "text", *keys, "sentiment"])
        for i in range(rows):
            lang = langs[i % len(langs)]
            first, second = rng.sample(by_lang[lang], 2)
            labels = [first.labels.get(k) or second.labels.get(k) or "" for k in keys]
            writer.writerow([f"syn-{i:06d}", lang, f"{first.text} {second.text}", *labels, first.sentiment])
    return path
