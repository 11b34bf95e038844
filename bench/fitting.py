"""Training: wall time and peak memory of `stance train` on the labels and on synthetic corpora.

Each run is a separate process (so its peak resident memory is its own), with
OPENBLAS_NUM_THREADS=1. The baseline, run the same way on the same rows, is a bare
scikit-learn fit: one word 1-2 gram TfidfVectorizer and a LogisticRegression on the
sentence sentiments.
"""

from __future__ import annotations

import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.corpus import write_training_corpus

BARE_FIT = """
import csv, sys
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
rows = []
for path in sys.argv[1:]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows.extend(csv.DictReader(fh))
texts = [r["text"] for r in rows]
X = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True).fit_transform(texts)
LogisticRegression(solver="newton-cg", max_iter=1000).fit(X, [r["sentiment"] for r in rows])
"""


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STANCE_", "GUNICORN_"))}
    env["OPENBLAS_NUM_THREADS"] = "1"
    env["OMP_NUM_THREADS"] = "1"
    return env


# Runs the command from a small process and prints its peak RSS: a child forked from the
# (large) benchmark process itself would report at least the benchmark's own RSS, since
# Linux keeps the high-water mark of the forking process across exec.
PEAK_RSS = """
import resource, subprocess, sys
status = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(status)
"""


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
SAMPLE_EVERY = 0.25  # seconds between two readings of the process group's memory


def _group_rss(group: int) -> int:
    """Return the summed resident memory (bytes) of the processes in process group ``group``."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()  # the fields after the command name
        except OSError:
            continue
        if int(fields[2]) == group:  # field 5, pgrp; field 24 is rss in pages
            total += int(fields[21]) * _PAGE
    return total


def measure(command: list[str], cwd: Path, timeout: float) -> dict:
    """Run ``command``; return its wall time, peak RSS (MB) and exit status.

    The peak is the larger of the largest single process's high-water mark and the
    highest sum over the command's processes seen every SAMPLE_EVERY seconds: a fit
    whose two models run in separate processes holds both at once.
    """
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", PEAK_RSS, *command],
        cwd=cwd,
        env=_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = started + timeout
    group_peak = 0
    next_sample = started if os.path.isdir("/proc") else math.inf  # no /proc: the high-water mark only
    while True:
        pid, status, _ = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        now = time.perf_counter()
        if now > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            os.wait4(process.pid, 0)
            return {"seconds": None, "peak_mb": None, "status": "timed out", "stderr": ""}
        if now >= next_sample:
            group_peak = max(group_peak, _group_rss(process.pid))
            next_sample = now + SAMPLE_EVERY
        time.sleep(0.05)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    stderr = process.stderr.read().decode(errors="replace")
    peak = process.stdout.read().decode().split()
    process.stderr.close()
    process.stdout.close()
    return {
        "seconds": seconds,
        "peak_mb": max(int(peak[-1]) / 1024, group_peak / 2**20) if peak else None,  # Linux gives kilobytes
        "status": process.returncode,
        "stderr": stderr[-2000:],
    }


def _stance() -> list[str]:
    return [sys.executable, "-m", "api"]


def run(quick: bool, sizes: list[int], timeout: float = 3600) -> dict:
    """Run the training benchmark; return its results."""
    from training.data import default_labels_dir

    started = time.perf_counter()
    labels = default_labels_dir()
    work = Path(tempfile.mkdtemp(prefix="stance-bench-train-"))
    rows = []
    try:
        shutil.copy(labels / "targets.toml", work / "targets.toml")
        label_files = sorted(str(p) for p in labels.glob("*.csv"))
        corpora: list[tuple[str, int, list[str]]] = [("labels/*.csv", _count_rows(label_files), label_files)]
        for size in sizes:
            path = write_training_corpus(work / f"synthetic-{size}.csv", size)
            corpora.append((f"synthetic {size:,}", size, [str(path)]))
        for name, count, files in corpora:
            train = [*_stance(), "train", *files, "-o", str(work / "model.joblib"), "--folds", "0", "-q"]
            ours = measure(train, work, timeout)
            bare = measure([sys.executable, "-c", BARE_FIT, *files], work, timeout)
            size_mb = (work / "model.joblib").stat().st_size / 1e6 if (work / "model.joblib").exists() else None
            rows.append(
                {
                    "corpus": name,
                    "rows": count,
                    "seconds": ours["seconds"],
                    "peak_mb": ours["peak_mb"],
                    "status": ours["status"],
                    "model_mb": size_mb,
                    "bare_seconds": bare["seconds"],
                    "bare_peak_mb": bare["peak_mb"],
                    "ratio": ours["seconds"] / bare["seconds"] if ours["seconds"] and bare["seconds"] else None,
                    "error": ours["stderr"] if ours["status"] != 0 else "",
                }
            )
            (work / "model.joblib").unlink(missing_ok=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"runs": rows, "growth": growth(rows), "seconds": time.perf_counter() - started}


def _count_rows(files: list[str]) -> int:
    import csv

    total = 0
    for path in files:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            total += sum(1 for _ in csv.DictReader(fh))
    return total


def growth(rows: list[dict]) -> dict | None:
    """Fit time ~ rows^k and memory ~ rows^k over the synthetic corpora; return the exponents."""
    synthetic = [r for r in rows if r["corpus"].startswith("synthetic") and r["seconds"]]
    if len(synthetic) < 2:
        return None
    first, last = synthetic[0], synthetic[-1]
    scale = math.log(last["rows"] / first["rows"])
    return {
        "from_rows": first["rows"],
        "to_rows": last["rows"],
        "time_exponent": math.log(last["seconds"] / first["seconds"]) / scale,
        "memory_exponent": math.log(last["peak_mb"] / first["peak_mb"]) / scale,
        "seconds_per_1000_rows": [1000 * r["seconds"] / r["rows"] for r in synthetic],
    }
