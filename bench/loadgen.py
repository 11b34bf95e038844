"""Load generators for loopback servers: wrk (with a Lua script for the POST body) or Python threads."""

from __future__ import annotations

import http.client
import json
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from bench.stats import percentile

_WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [==[{body}]==]
"""


def have_wrk() -> bool:
    """Tell whether the wrk load generator is installed."""
    return shutil.which("wrk") is not None


def wrk(url: str, body: dict, connections: int, seconds: float, threads: int = 2) -> dict:
    """Run wrk against ``url`` POSTing ``body``; return requests/s, latency percentiles and errors."""
    text = json.dumps(body)  # ASCII only: safe inside a Lua long string
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_WRK_SCRIPT.format(body=text))
    try:
        out = subprocess.run(
            [
                "wrk",
                f"-t{threads}",
                f"-c{connections}",
                f"-d{seconds}s",
                "--timeout",
                "30s",
                "--latency",
                "-s",
                script.name,
                url,
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 120,
            check=True,
        ).stdout
    finally:
        Path(script.name).unlink()
    return parse_wrk(out)


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * _UNITS[unit]


def parse_wrk(out: str) -> dict:
    """Read requests/s, p50/p90/p99 latency (ms), request count and errors from wrk's output."""
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}
    for q in ("50", "90", "99"):
        match = re.search(rf"^\s+{q}(?:\.000)?%\s+(\S+)", out, re.MULTILINE)
        result[f"p{q}_ms"] = _ms(match.group(1)) if match else None
    result["requests"] = int(re.search(r"(\d+) requests in", out).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    result["non_2xx"] = int(non_2xx.group(1)) if non_2xx else 0
    result["socket_errors"] = sum(int(g) for g in sockets.groups()) if sockets else 0
    result["generator"] = "wrk"
    return result


def python_load(
    host: str,
    port: int,
    bodies: Callable[[int], bytes],
    *,
    requests: int,
    concurrency: int,
    max_seconds: float,
    check: Callable[[int, bytes], str | None],
) -> dict:
    """Send ``requests`` POSTs to /v1/predict from ``concurrency`` threads, stopping at ``max_seconds``.

    ``bodies(i)`` gives the i-th body; ``check(status, answer)`` returns an error kind or
    None. Every request opens its own connection (gunicorn's sync workers close them).
    """
    lock = threading.Lock()
    state = {"next": 0}
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    deadline = time.monotonic() + max_seconds

    def worker() -> None:
        while True:
            with lock:
                i = state["next"]
                if i >= requests or time.monotonic() > deadline:
                    return
                state["next"] = i + 1
            body = bodies(i)
            started = time.perf_counter()
            try:
                connection = http.client.HTTPConnection(host, port, timeout=60)
                connection.request("POST", "/v1/predict", body=body, headers={"Content-Type": "application/json"})
                response = connection.getresponse()
                answer = response.read()
                connection.close()
                error = check(response.status, answer)
            except OSError as exc:
                error = f"connection: {type(exc).__name__}"
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                if error:
                    errors[error] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "seconds": seconds,
        "rps": len(latencies) / seconds if seconds else 0.0,
        "p50_ms": percentile(latencies, 50),
        "p90_ms": percentile(latencies, 90),
        "p99_ms": percentile(latencies, 99),
        "max_ms": max(latencies) if latencies else None,
        "errors": dict(errors),
        "stopped_by_time": len(latencies) < requests,
        "generator": f"Python threads ({concurrency})",
    }
