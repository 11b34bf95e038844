"""The ``stance`` command: train, evaluate, predict, report, serve and check labels.

Each subcommand is a thin ``main(argv) -> int`` that parses its arguments, calls the
floors below, and prints. Errors that stance raises on purpose are printed as one line
(``stance: error: ...``) with exit status 1; wrong usage exits with status 2.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from api.console import fail, guarded

__all__ = ["main"]

# Subcommands and the modules holding their main(argv) -> int.
COMMANDS: dict[str, tuple[str, str]] = {
    "train": ("api.cli", "train_main"),
    "evaluate": ("api.cli", "evaluate_main"),
    "predict": ("api.batch", "main"),
    "report": ("api.report", "main"),
    "serve": ("api.cli", "serve_main"),
    "labels": ("api.cli", "labels_main"),
}

_HELP = {
    "train": "train a model from labelled CSV files",
    "evaluate": "print a model's metrics on labelled CSV files",
    "predict": "score text, CSV or JSONL files into JSONL or CSV",
    "report": "write a self-contained HTML report of scored files",
    "serve": "run the HTTP API (and the browser page) under gunicorn",
    "labels": "check labelled files and print their counts",
}


def _progress(message: str) -> None:
    print(f"stance: {message}", file=sys.stderr, flush=True)


def _guard(func: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    return guarded(lambda: func(args), interrupted="nothing was written", value_errors=True)


# -- train ------------------------------------------------------------------------------


def train_main(argv: Sequence[str] | None = None) -> int:
    """Train a model: ``stance train [LABELS_DIR|CSV...] -o MODEL``."""
    parser = argparse.ArgumentParser(prog="stance train", description=_HELP["train"])
    parser.add_argument("inputs", nargs="*", help="labels folder or CSV files (default: the repository's labels/)")
    parser.add_argument("-o", "--output", required=True, help="model file to write (e.g. models/mine.joblib)")
    parser.add_argument("--test", nargs="+", metavar="CSV", help="held-out files (default: the folder's test/)")
    parser.add_argument("--registry", help="targets registry (default: targets.toml beside the data)")
    parser.add_argument("--search", action="store_true", help="cross-validate the variants and keep the best")
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds, 0 to skip (default 5)")
    parser.add_argument(
        "--jobs", type=int, help="processes fitting at a time: folds, then the two models (default: one per core)"
    )
    parser.add_argument("--name", help="model name shown by the API (default: the file name)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress messages")
    args = parser.parse_args(argv)
    if args.folds == 1 or args.folds < 0:
        parser.error("--folds must be 0 (no cross-validation) or at least 2")
    if args.jobs is not None and args.jobs < 1:
        parser.error("--jobs must be 1 or more")
    return _guard(_train, args)


def _train(args: argparse.Namespace) -> int:
    from training.data import default_labels_dir
    from training.evaluate import format_metrics
    from training.train import train_model

    inputs = args.inputs or [default_labels_dir()]
    for path in inputs:
        if not Path(path).exists():
            return fail(f"{path}: no such file or folder")
    model, card = train_model(
        inputs,
        args.output,
        test_paths=args.test,
        registry_path=args.registry,
        run_search=args.search,
        folds=args.folds,
        jobs=args.jobs,
        name=args.name,
        progress=(lambda _m: None) if args.quiet else _progress,
    )
    print(f"model written to {args.output} (version {model.info.version}, {card['training_seconds']} s)")
    for split, title in (("cross_validation", "cross-validation"), ("test", "test (held out)")):
        if split in card["metrics"]:
            print(format_metrics(card["metrics"][split], title))
    return 0


# -- evaluate ---------------------------------------------------------------------------


def evaluate_main(argv: Sequence[str] | None = None) -> int:
    """Evaluate a model: ``stance evaluate MODEL [CSV...] [--min-f1 X]``."""
    parser = argparse.ArgumentParser(prog="stance evaluate", description=_HELP["evaluate"])
    parser.add_argument("model", help="model file")
    parser.add_argument("inputs", nargs="*", help="labelled CSV files or folders (default: labels/test/)")
    parser.add_argument("--min-f1", type=float, help="exit 1 if the overall target macro-F1 is below this")
    parser.add_argument("--json", action="store_true", help="print the metrics as JSON")
    args = parser.parse_args(argv)
    return _guard(_evaluate, args)


def _evaluate(args: argparse.Namespace) -> int:
    from classifier import load_model
    from training.data import default_labels_dir, expand_paths, read_labels
    from training.evaluate import evaluate_model, format_metrics

    model = load_model(args.model)
    inputs = args.inputs or [default_labels_dir() / "test"]
    data = read_labels(expand_paths(inputs), model.registry)
    data.raise_for_errors()
    if not data.examples:
        return fail("no labelled rows found in the given files")
    metrics = evaluate_model(model, data.examples)
    if args.json:
        print(json.dumps(metrics, indent=2))
    else:
        print(format_metrics(metrics, f"{model.info.name} ({model.info.version}) on {len(data.examples)} sentences"))
    f1 = metrics["overall"]["target_macro_f1"] or 0.0
    if args.min_f1 is not None and f1 < args.min_f1:
        return fail(f"target macro-F1 {f1:.4f} is below --min-f1 {args.min_f1}")
    return 0


# -- labels -----------------------------------------------------------------------------


def labels_main(argv: Sequence[str] | None = None) -> int:
    """Check labelled files or print their counts: ``stance labels check|stats [PATH...]``."""
    parser = argparse.ArgumentParser(prog="stance labels", description=_HELP["labels"])
    sub = parser.add_subparsers(dest="action", required=True)
    check = sub.add_parser("check", help="validate files; exit 1 on any error or unexplained warning")
    check.add_argument("paths", nargs="*", help="labels folders or CSV files (default: labels/ and labels/test/)")
    check.add_argument("--registry", help="targets registry (default: targets.toml beside the data)")
    stats = sub.add_parser("stats", help="print the counts table of the data card")
    stats.add_argument("paths", nargs="*", help="labels folder (default: labels/)")
    stats.add_argument("--registry", help="targets registry (default: targets.toml beside the data)")
    stats.add_argument("--write", metavar="README", help="replace the table between the markers in this file")
    args = parser.parse_args(argv)
    return _guard(_labels_check if args.action == "check" else _labels_stats, args)


def _split_paths(paths: Sequence[str]) -> tuple[list[Path], list[Path]]:
    from training.data import default_labels_dir, expand_paths

    if not paths:
        paths = [str(default_labels_dir())]
    train, test = [], []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            train.extend(expand_paths([path]))
            if (path / "test").is_dir():
                test.extend(expand_paths([path], test=True))
        else:
            (test if path.parent.name == "test" else train).append(path)
    return train, test


def _labels_check(args: argparse.Namespace) -> int:
    from classifier.targets import TargetRegistry
    from training.check import check_examples
    from training.data import read_labels
    from training.train import find_registry

    train_files, test_files = _split_paths(args.paths)
    registry = TargetRegistry.from_file(find_registry(args.paths or [str(p) for p in train_files], args.registry))
    train = read_labels(train_files, registry)
    test = read_labels(test_files, registry)
    problems = [*train.problems, *test.problems, *check_examples(train.examples, test.examples, registry)]
    for problem in problems:
        print(problem)
    errors = sum(p.severity == "error" for p in problems)
    warnings = sum(p.severity == "warning" for p in problems)
    explained = sum(p.severity == "explained" for p in problems)
    files = len(train_files) + len(test_files)
    rows = len(train.examples) + len(test.examples)
    print(
        f"{files} files, {rows} rows ({len(train.examples)} training, {len(test.examples)} test): "
        f"{errors} error(s), {warnings} warning(s), {explained} explained"
    )
    return 1 if errors or warnings else 0


_MARK_START, _MARK_END = "<!-- counts:start -->", "<!-- counts:end -->"


def _labels_stats(args: argparse.Namespace) -> int:
    from classifier.targets import TargetRegistry
    from training.check import counts_table
    from training.data import read_labels
    from training.train import find_registry

    train_files, test_files = _split_paths(args.paths)
    registry = TargetRegistry.from_file(find_registry(args.paths or [str(p) for p in train_files], args.registry))
    train = read_labels(train_files, registry)
    test = read_labels(test_files, registry)
    splits = {"Training": train.examples}
    if test_files:
        splits["Test"] = test.examples
    table = counts_table(splits, registry.keys)
    if not args.write:
        print(table)
        return 0
    readme = Path(args.write)
    text = readme.read_text(encoding="utf-8")
    if _MARK_START not in text or _MARK_END not in text:
        return fail(f"{readme} has no {_MARK_START} ... {_MARK_END} markers to replace")
    head, rest = text.split(_MARK_START, 1)
    _, tail = rest.split(_MARK_END, 1)
    readme.write_text(f"{head}{_MARK_START}\n{table}\n{_MARK_END}{tail}", encoding="utf-8")
    print(f"counts written to {readme}")
    return 0


# -- serve ------------------------------------------------------------------------------


def serve_main(argv: Sequence[str] | None = None) -> int:
    """Run the service: ``stance serve [--host] [--port] [--workers] [--model]``."""
    parser = argparse.ArgumentParser(prog="stance serve", description=_HELP["serve"])
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--model", help="model file (default: $STANCE_MODEL, else the default model)")
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    if not 0 <= args.port <= 65535:
        parser.error("--port must be between 0 and 65535")
    from api.server import serve

    return _guard(lambda a: serve(a.host, a.port, a.workers, a.model), args)


# -- entry point ------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``stance SUBCOMMAND ...`` and return its exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        width = max(len(c) for c in COMMANDS)
        lines = [f"  {name:<{width}}  {_HELP[name]}" for name in COMMANDS]
        print("usage: stance SUBCOMMAND [ARGS...]\n\nsubcommands:\n" + "\n".join(lines))
        print("\nRun `stance SUBCOMMAND --help` for the options of each.")
        return 0 if argv else 2
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        fail(f"unknown subcommand {name!r}; choose from {', '.join(COMMANDS)}")
        return 2
    module, attr = COMMANDS[name]
    return getattr(importlib.import_module(module), attr)(rest)
