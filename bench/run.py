"""Run every benchmark and rewrite bench/RESULTS.md (and bench/results.json).

    python bench/run.py            # the full run (about 17 minutes on 2 cores)
    python bench/run.py --quick    # fewer sentences, repeats and requests (about 3.5 minutes)
    python bench/run.py --large    # the full run plus training on 200,000 synthetic rows

Every speed is a median over repeated runs and is given with a baseline measured in the
same run (these machines are shared and noisy): the bare scikit-learn calls for scoring
and documents, a bare TF-IDF + logistic regression fit for training, a fixed-JSON Flask
app under the same gunicorn for HTTP, our own scoring speed for the peers.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # import bench.* and the project, never bench/ modules by bare name

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from bench import documents, fitting, load, peers, report, scoring, web  # noqa: E402
from training.fit import default_jobs  # noqa: E402

SECTIONS = ("scoring", "documents", "http", "peers", "load", "training")
LIBRARIES = (
    "scikit-learn",
    "numpy",
    "scipy",
    "joblib",
    "flask",
    "werkzeug",
    "gunicorn",
    "narwhals",
    "vaderSentiment",
    "textblob",
    "textblob-fr",
    "nltk",
)


def machine() -> dict:
    """Describe the machine: CPU, cores, memory, OS, Python and library versions."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory_gb = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    wrk = "not installed"
    try:
        out = subprocess.run(["wrk", "--version"], capture_output=True, text=True, timeout=10)
        wrk = (out.stdout or out.stderr).split("[")[0].strip() or "installed"
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "usable_cores": default_jobs(),
        "memory_gb": memory_gb,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "libraries": versions,
        "wrk": wrk,
        "load_average_at_start": os.getloadavg(),
        "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks named by the arguments and write the results."""
    parser = argparse.ArgumentParser(description="Run the stance benchmarks and rewrite bench/RESULTS.md.")
    parser.add_argument("--quick", action="store_true", help="a smaller run (about 3.5 minutes)")
    parser.add_argument("--large", action="store_true", help="also train on 200,000 synthetic rows")
    parser.add_argument("--model", help="model file to measure (default: the default model, built if needed)")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, help="run only these sections")
    parser.add_argument("--output", default=str(ROOT / "bench" / "RESULTS.md"), help="where to write the report")
    args = parser.parse_args(argv)

    from classifier import load_model

    started = time.perf_counter()
    command = "python bench/run.py" + "".join(
        f" {flag}" for flag, on in (("--quick", args.quick), ("--large", args.large)) if on
    )
    if args.only:
        command += " --only " + " ".join(args.only)
    if args.model:
        command += f" --model {args.model}"
    sections = args.only or SECTIONS
    print(f"bench: {command}", file=sys.stderr, flush=True)
    source = Path(load_model(args.model).path)
    # Measure a private copy: the default model's cache may be replaced while we run.
    work = Path(tempfile.mkdtemp(prefix="stance-bench-model-"))
    model_path = work / source.name
    shutil.copy(source, model_path)
    shutil.copy(f"{source}.sha256", f"{model_path}.sha256")
    model = load_model(model_path)
    results: dict = {
        "command": command,
        "date": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "machine": machine(),
        "model": {
            "name": model.info.name,
            "version": model.info.version,
            "path": str(source.relative_to(ROOT)) if source.is_relative_to(ROOT) else str(source),
            "file_mb": model_path.stat().st_size / 1e6,
            "train_rows": model.bundle.get("data", {}).get("train_rows"),
            "config": model.bundle.get("config"),
        },
    }

    def section(name: str, func) -> None:
        if name not in sections:
            return
        print(f"bench: {name}...", file=sys.stderr, flush=True)
        begun = time.perf_counter()
        try:
            results[name] = func()
        except Exception as exc:  # one broken section must not lose the others' figures
            results.setdefault("failed", {})[name] = f"{type(exc).__name__}: {exc}"
            print(f"bench: {name} failed: {exc}", file=sys.stderr, flush=True)
            return
        print(f"bench: {name} done in {time.perf_counter() - begun:.0f} s", file=sys.stderr, flush=True)

    section("scoring", lambda: scoring.run(model, args.quick))
    section("documents", lambda: documents.run(model, args.quick, ROOT))
    section("http", lambda: web.run(model_path, args.quick))
    ours = None
    if "scoring" in results:
        ours = results["scoring"]["batches"][-1]["ours_per_s"]
    section("peers", lambda: peers.run(model, args.quick, ours))
    section("load", lambda: load.run(model_path, requests=2_000 if args.quick else 20_000))
    # Training last: it is the longest section and runs on one core, so the HTTP and load
    # figures above are taken before it, on an otherwise idle machine.
    sizes = [] if args.quick else [10_000, 50_000]
    if args.large:
        sizes.append(200_000)
    section("training", lambda: fitting.run(args.quick, sizes))
    results["seconds"] = time.perf_counter() - started
    shutil.rmtree(work, ignore_errors=True)

    output = Path(args.output)
    output.write_text(report.markdown(results), encoding="utf-8")
    output.with_name("results.json").write_text(json.dumps(results, indent=1, default=str) + "\n", encoding="utf-8")
    print(f"bench: wrote {output} in {results['seconds'] / 60:.1f} min", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
