"""Small timing helpers shared by the benchmarks."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable


def timed(func: Callable[[], object]) -> float:
    """Return the wall time of one call of ``func``, garbage collection settled first."""
    gc.collect()
    started = time.perf_counter()
    func()
    return time.perf_counter() - started


def timed_once(func: Callable[[], object]) -> float:
    """Return the wall time of one call of ``func`` (no garbage collection first: for short calls)."""
    started = time.perf_counter()
    func()
    return time.perf_counter() - started


def median(values: list[float]) -> float:
    """Return the median of ``values``."""
    return statistics.median(values)


def percentile(values: list[float], q: float) -> float:
    """Return the ``q``-th percentile (0-100) of ``values``, nearest rank."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]
