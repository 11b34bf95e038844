"""Load test: 20,000 predict requests at concurrency 16 against `stance serve --workers 2`.

Bounded in count (``--requests``) and time (``--max-seconds``), on 127.0.0.1 only. Every
answer is checked (status 200, one scored sentence per sentence sent). The workers'
resident memory is read after a warm-up and after the run; the test passes with zero
errors and memory within 10%.

    python bench/load.py [--requests 20000] [--concurrency 16] [--max-seconds 600] [--model PATH]

Exit status 0 when it passes, 1 when it does not.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

if __name__ == "__main__":
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench import loadgen, servers
from bench.corpus import document_of, news_sentences

MEMORY_TOLERANCE = 0.10


def _bodies(count: int) -> list[bytes]:
    """Varied bodies: single sentences, pairs, and every tenth a 20-sentence document."""
    sentences = news_sentences(count)
    out = []
    for i in range(count):
        if i % 10 == 9:
            out.append(json.dumps({"text": document_of(20)}).encode())
        elif i % 3 == 0:
            out.append(json.dumps({"sentences": sentences[i : i + 2]}).encode())
        else:
            out.append(json.dumps({"sentences": [sentences[i]]}).encode())
    return out


def _check(status: int, answer: bytes) -> str | None:
    if status != 200:
        return f"HTTP {status}"
    try:
        body = json.loads(answer)
    except ValueError:
        return "answer is not JSON"
    if not body.get("sentences") or "summary" not in body:
        return "answer without sentences or summary"
    return None


def _rss(server: servers.Server) -> dict[int, dict]:
    return {pid: servers.memory(pid) for pid in server.workers()}


def run(model: Path, requests: int = 20_000, concurrency: int = 16, max_seconds: float = 600) -> dict:
    """Run the load test against a fresh `stance serve --workers 2`; return its results."""
    bodies = _bodies(2_000)
    server = servers.stance_server(model, workers=2)
    try:
        cold = _rss(server)
        warm_up = loadgen.python_load(
            "127.0.0.1",
            server.port,
            lambda i: bodies[i % len(bodies)],
            requests=len(bodies),
            concurrency=concurrency,
            max_seconds=max_seconds,
            check=_check,
        )
        before = _rss(server)
        started = time.perf_counter()
        result = loadgen.python_load(
            "127.0.0.1",
            server.port,
            lambda i: bodies[i % len(bodies)],
            requests=requests,
            concurrency=concurrency,
            max_seconds=max_seconds,
            check=_check,
        )
        after = _rss(server)
        workers_replaced = sorted(after) != sorted(before)
        seconds = time.perf_counter() - started
    finally:
        server.stop()
    growth = {
        pid: (after[pid]["rss_mb"] - before[pid]["rss_mb"]) / before[pid]["rss_mb"] for pid in before if pid in after
    }
    errors = sum(result["errors"].values()) + sum(warm_up["errors"].values())
    passed = (
        errors == 0
        and not result["stopped_by_time"]
        and not workers_replaced
        and all(abs(g) <= MEMORY_TOLERANCE for g in growth.values())
    )
    return {
        "requests": result["requests"],
        "warm_up_requests": warm_up["requests"],
        "concurrency": concurrency,
        "seconds": seconds,
        "rps": result["rps"],
        "p50_ms": result["p50_ms"],
        "p99_ms": result["p99_ms"],
        "max_ms": result["max_ms"],
        "errors": {**warm_up["errors"], **result["errors"]},
        "stopped_by_time": result["stopped_by_time"],
        "workers_replaced": workers_replaced,
        "rss_cold_mb": [m["rss_mb"] for m in cold.values()],
        "rss_before_mb": [m["rss_mb"] for m in before.values()],
        "rss_after_mb": [after[pid]["rss_mb"] for pid in before if pid in after],
        "pss_after_mb": [after[pid]["pss_mb"] for pid in before if pid in after],
        "rss_growth": list(growth.values()),
        "passed": passed,
    }


def main(argv: list[str] | None = None) -> int:
    """Run the load test from the command line; print the result as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000, help="requests to send (default 20,000)")
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight (default 16)")
    parser.add_argument("--max-seconds", type=float, default=600, help="stop after this long (default 600)")
    parser.add_argument("--model", help="model file (default: the default model)")
    args = parser.parse_args(argv)
    from classifier import load_model

    model = Path(args.model) if args.model else Path(load_model().path)
    result = run(model, args.requests, args.concurrency, args.max_seconds)
    print(json.dumps(result, indent=2))
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
