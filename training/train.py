"""Training a model end to end: read, fit, cross-validate, evaluate, write model and card."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from classifier.features import DEFAULT_CONFIG
from classifier.model import StanceModel
from classifier.persist import library_versions, save_bundle
from classifier.results import TONES
from classifier.targets import TargetRegistry
from training.card import write_card
from training.data import LabelledSet, expand_paths, read_labels
from training.evaluate import evaluate_model
from training.fit import SENTIMENT_CONFIG, clone_config, cross_validate, default_jobs, fit_pipelines, search

__all__ = ["REGISTRY_FILE", "find_registry", "load_split", "train_model"]

REGISTRY_FILE = "targets.toml"


def _quiet(_: str) -> None:
    pass


def find_registry(paths: Sequence[str | Path], registry: str | Path | None = None) -> Path:
    """Return the registry to use: the given one, else ``targets.toml`` beside the data."""
    if registry is not None:
        return Path(registry)
    for raw in paths:
        path = Path(raw)
        folder = path if path.is_dir() else path.parent
        for candidate in (folder / REGISTRY_FILE, folder.parent / REGISTRY_FILE):
            if candidate.is_file():
                return candidate
    from training.data import default_labels_dir

    return default_labels_dir() / REGISTRY_FILE


def load_split(paths: Sequence[str | Path], registry: TargetRegistry, *, test: bool = False) -> LabelledSet:
    """Read the training (or, with ``test=True``, the test) files named by ``paths``."""
    files = expand_paths(paths, test=test)
    data = read_labels(files, registry)
    data.raise_for_errors()
    return data


def train_model(
    train_paths: Sequence[str | Path],
    output: str | Path,
    *,
    test_paths: Sequence[str | Path] | None = None,
    registry_path: str | Path | None = None,
    config: dict | None = None,
    run_search: bool = False,
    folds: int = 5,
    jobs: int | None = None,
    name: str | None = None,
    progress: Callable[[str], None] = _quiet,
) -> tuple[StanceModel, dict]:
    """Train on ``train_paths``, evaluate on ``test_paths``, write the model and its card.

    With no ``test_paths``, a folder among ``train_paths`` that has a ``test/`` subfolder
    gives the test files. ``folds`` = 0 skips cross-validation. Returns the saved model
    and its card. ``jobs`` is how many processes fit at a time: cross-validation folds,
    then the two models of the final fit (default: one per CPU core).
    """
    started = time.perf_counter()
    registry_file = find_registry(train_paths, registry_path)
    registry = TargetRegistry.from_file(registry_file)
    progress(f"reading training labels ({registry_file.name}: {', '.join(registry.keys)})")
    train = load_split(train_paths, registry)
    if not train.examples:
        read = ", ".join(train.files) if train.files else "no CSV file"
        raise ValueError(f"no training examples found (read: {read}); give CSV files with rows under their header")
    if test_paths is None:
        test_paths = [p for p in train_paths if Path(p).is_dir() and (Path(p) / "test").is_dir()]
        test = load_split(test_paths, registry, test=True) if test_paths else LabelledSet()
    else:
        test = load_split(test_paths, registry)
    chosen = {**DEFAULT_CONFIG, **(config or {})}
    search_results = None
    if run_search:
        chosen, search_results = search(train.examples, registry, folds=folds or 5, jobs=jobs, progress=progress)
    metrics: dict = {}
    if folds:
        metrics["cross_validation"] = cross_validate(
            train.examples, registry, {k: v for k, v in chosen.items()}, folds=folds, jobs=jobs, progress=progress
        )
    jobs = jobs or default_jobs()
    progress(f"fitting on {len(train.examples)} sentences" + (" (both models at once)" if jobs > 1 else ""))
    fitted = fit_pipelines(train.examples, registry, chosen, SENTIMENT_CONFIG, jobs=jobs)
    bundle = {
        "name": name or Path(output).name.removesuffix(".joblib"),
        "pipelines": {"target": fitted["target"], "sentiment": fitted["sentiment"]},
        "registry": registry.to_dict(),
        "labels": list(TONES),
        "config": clone_config(chosen),
        "sentiment_config": clone_config(SENTIMENT_CONFIG),
    }
    if test.examples:
        progress(f"evaluating on {len(test.examples)} test sentences")
        metrics["test"] = evaluate_model(StanceModel(bundle), test.examples)
    data = {
        "train_files": [Path(f).name for f in train.files],
        "train_rows": len(train.examples),
        "train_hash": train.digest,
        "test_files": [Path(f).name for f in test.files],
        "test_rows": len(test.examples),
        "test_hash": test.digest or hashlib.sha256(b"").hexdigest(),
        "pairs": fitted["pairs"],
        "skipped_pairs": fitted["skipped_pairs"],
    }
    bundle["data"] = data
    bundle["metrics"] = metrics
    bundle["training_seconds"] = round(time.perf_counter() - started, 1)
    progress(f"writing {output}")
    digest = save_bundle(bundle, output)
    from classifier.persist import load_model

    model = load_model(output)
    card = {
        "name": bundle["name"],
        "version": digest[:12],
        "sha256": digest,
        "created_at": model.info.created_at,
        "data": data,
        "metrics": metrics,
        "config": bundle["config"],
        "sentiment_config": bundle["sentiment_config"],
        "search": search_results,
        "training_seconds": bundle["training_seconds"],
        "versions": library_versions(),
    }
    write_card(card, output)
    return model, card
