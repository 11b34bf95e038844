"""HTTP: requests/s and latency of `stance serve --workers 2` against a fixed-JSON floor app.

Both run under the same gunicorn settings on 127.0.0.1, one after the other, with the
same load generator (wrk when installed, else Python threads) at 16 connections. The
floor is what the server, Flask and the load generator cost on this machine; stance's
single-sentence throughput is reported as a share of it. Memory is read from the
workers' /proc/PID/smaps_rollup after the runs.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from bench import loadgen, servers
from bench.corpus import document_of, news_sentences
from bench.stats import median

CONNECTIONS = 16


def _drive(server: servers.Server, body: dict, seconds: float, repeats: int) -> dict:
    url = f"{server.base}/v1/predict"
    if loadgen.have_wrk():
        loadgen.wrk(url, body, CONNECTIONS, 2)  # warm up
        runs = [loadgen.wrk(url, body, CONNECTIONS, seconds) for _ in range(repeats)]
    else:
        raw = json.dumps(body).encode()

        def check(status: int, answer: bytes) -> str | None:
            return None if status == 200 else f"HTTP {status}"

        runs = []
        for _ in range(repeats):
            run = loadgen.python_load(
                "127.0.0.1",
                server.port,
                lambda i: raw,
                requests=10**9,
                concurrency=CONNECTIONS,
                max_seconds=seconds,
                check=check,
            )
            run["non_2xx"] = sum(run["errors"].values())
            run["socket_errors"] = 0
            runs.append(run)
    return {
        "rps": median([r["rps"] for r in runs]),
        "p50_ms": median([r["p50_ms"] for r in runs]),
        "p99_ms": median([r["p99_ms"] for r in runs]),
        "requests": sum(r["requests"] for r in runs),
        "errors": sum(r["non_2xx"] + r["socket_errors"] for r in runs),
        "rps_runs": [r["rps"] for r in runs],
        "generator": runs[0]["generator"],
    }


def _workers_memory(server: servers.Server) -> list[dict]:
    return [{"pid": pid, **servers.memory(pid)} for pid in server.workers()]


def run(model: Path, quick: bool) -> dict:
    """Run the HTTP and memory benchmarks; return their results."""
    started = time.perf_counter()
    seconds, repeats = (5, 1) if quick else (10, 3)
    sentence = {"sentences": [news_sentences(2)[1]]}
    document = {"text": document_of(20)}
    results: dict = {"connections": CONNECTIONS, "seconds_per_run": seconds, "repeats": repeats}

    floor = servers.floor_server()
    try:
        results["floor"] = _drive(floor, sentence, seconds, repeats)
        results["floor_memory"] = _workers_memory(floor)
    finally:
        floor.stop()

    stance = servers.stance_server(model)
    try:
        status, answer = servers.post(f"{stance.base}/v1/predict", document)
        if status != 200 or len(answer["sentences"]) != 20:
            raise RuntimeError(f"the 20-sentence document came back with status {status} and other sentences")
        results["memory_idle"] = _workers_memory(stance)
        results["master_memory"] = servers.memory(stance.process.pid)
        results["sentence"] = _drive(stance, sentence, seconds, repeats)
        results["document"] = _drive(stance, document, seconds, repeats)
        results["memory_loaded"] = _workers_memory(stance)
    finally:
        stance.stop()
    results["share_of_floor"] = results["sentence"]["rps"] / results["floor"]["rps"]
    results["model_file_mb"] = model.stat().st_size / 1e6
    results["seconds"] = time.perf_counter() - started
    return results
