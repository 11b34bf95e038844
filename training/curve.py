"""Learning curve: how the held-out scores grow with the number of training sentences.

    python -m training.curve [LABELS_DIR] [--sizes 1000 2000 4000] [--repeats 2] [--goal 0.75]

Fits the default recipe on random subsets of the training sentences and scores every fit
on the test files, then fits ``F1 = a + b * log2(rows)`` to the means. The fit says how
much each doubling of the labels has bought so far; the rows at which it would reach
``--goal`` are an extrapolation (curves like this one usually flatten), not a promise.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from collections.abc import Sequence
from pathlib import Path
from statistics import mean

from classifier.model import StanceModel
from classifier.results import TONES
from classifier.targets import TargetRegistry
from training.data import Example
from training.evaluate import evaluate_model
from training.fit import fit_pipelines

__all__ = ["learning_curve", "log_fit", "main"]

_SCORES = ("target_macro_f1", "sentiment_macro_f1")


def learning_curve(
    train: Sequence[Example],
    test: Sequence[Example],
    registry: TargetRegistry,
    sizes: Sequence[int],
    repeats: int = 2,
) -> list[dict]:
    """Return, per size, the mean test scores of fits on ``repeats`` random subsets.

    The full training set is fitted once (every subset of it is the same). Subsets are
    drawn with seeds 0, 1, ... so a rerun gives the same figures.
    """
    points = []
    for size in sizes:
        if not 0 < size <= len(train):
            raise ValueError(f"size {size} is not between 1 and the {len(train)} training sentences")
        runs = []
        for seed in range(repeats if size < len(train) else 1):
            subset = random.Random(seed).sample(list(train), size) if size < len(train) else list(train)
            fitted = fit_pipelines(subset, registry)
            model = StanceModel(
                {
                    "registry": registry.to_dict(),
                    "labels": list(TONES),
                    "pipelines": {"target": fitted["target"], "sentiment": fitted["sentiment"]},
                }
            )
            metrics = evaluate_model(model, test)
            run = {name: metrics["overall"][name] for name in _SCORES}
            for lang, scores in metrics["by_language"].items():
                run[f"target_macro_f1_{lang}"] = scores["target_macro_f1"]
            runs.append(run)
        point = {"rows": size, "fits": len(runs)}
        point.update({name: round(mean(r[name] for r in runs), 4) for name in runs[0]})
        points.append(point)
    return points


def log_fit(rows: Sequence[int], scores: Sequence[float]) -> tuple[float, float]:
    """Least-squares ``score = a + b * log2(rows)``; return ``(a, b)`` (b: gain per doubling).

    >>> a, b = log_fit([1000, 2000, 4000], [0.60, 0.62, 0.64])
    >>> round(b, 4), round(a + b * math.log2(8000), 4)
    (0.02, 0.66)
    """
    if len(set(rows)) < 2:
        raise ValueError("a fit needs at least two different sizes")
    xs = [math.log2(n) for n in rows]
    mx, my = mean(xs), mean(scores)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, scores, strict=True)) / sum((x - mx) ** 2 for x in xs)
    return my - b * mx, b


def _table(points: list[dict]) -> str:
    langs = sorted(k.removeprefix("target_macro_f1_") for k in points[0] if k.startswith("target_macro_f1_"))
    head = ["training sentences", "fits", "target macro-F1", *(f"target ({lang})" for lang in langs), "sentiment"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---:|" * len(head)]
    for p in points:
        cells = [f"{p['rows']:,}", str(p["fits"]), f"{p['target_macro_f1']:.3f}"]
        cells += [f"{p[f'target_macro_f1_{lang}']:.3f}" for lang in langs]
        cells.append(f"{p['sentiment_macro_f1']:.3f}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the learning curve of the labels as a Markdown table, with the log-linear fit."""
    from api.console import guarded
    from training.data import default_labels_dir
    from training.train import find_registry, load_split

    parser = argparse.ArgumentParser(prog="python -m training.curve", description=__doc__.splitlines()[0])
    parser.add_argument("labels", nargs="?", help="labels folder with a test/ subfolder (default: the repository's)")
    parser.add_argument("--sizes", nargs="+", type=int, help="training sizes (default: 1/8, 1/4, 1/2, 3/4 and all)")
    parser.add_argument("--repeats", type=int, default=2, help="random subsets per size (default 2)")
    parser.add_argument("--goal", type=float, default=0.75, help="target macro-F1 to extrapolate to (default 0.75)")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be 1 or more")

    def run() -> int:
        folder = Path(args.labels) if args.labels else default_labels_dir()
        registry = TargetRegistry.from_file(find_registry([folder]))
        train = load_split([folder], registry).examples
        test = load_split([folder], registry, test=True).examples
        if not train or not test:
            raise ValueError(f"{folder} needs training CSV files and a test/ folder of labelled CSV files")
        n = len(train)
        sizes = args.sizes or sorted({max(1, n // 8), n // 4, n // 2, 3 * n // 4, n})
        points = learning_curve(train, test, registry, sizes, args.repeats)
        print(_table(points))
        if len(points) >= 2:
            a, b = log_fit([p["rows"] for p in points], [p["target_macro_f1"] for p in points])
            print(f"\ntarget macro-F1 = {a:.3f} + {b:.4f} * log2(rows): {b:+.3f} per doubling of the labels", end="")
            if b > 0:
                print(f"; {args.goal} at about {2 ** ((args.goal - a) / b):,.0f} sentences if the trend held")
            else:
                print("; no gain from more labels in this range")
        return 0

    return guarded(run, interrupted="nothing was written", value_errors=True)


if __name__ == "__main__":
    sys.exit(main())
