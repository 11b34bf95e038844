"""Starting servers on free loopback ports, finding their workers, reading their memory."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment() -> dict[str, str]:
    """The environment for servers: no STANCE_/GUNICORN_ settings of the caller, one BLAS thread."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STANCE_", "GUNICORN_"))}
    env["OPENBLAS_NUM_THREADS"] = "1"
    env["PYTHONPATH"] = str(ROOT)
    return env


@dataclass
class Server:
    """A running server process on 127.0.0.1 and its log."""

    name: str
    process: subprocess.Popen
    port: int
    log_path: Path
    _log: object = field(repr=False, default=None)

    @property
    def base(self) -> str:
        """The server's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def workers(self) -> list[int]:
        """Return the pids of the server's worker processes (children of the master)."""
        return sorted(children(self.process.pid))

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 30 s) and close its log."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log:
            self._log.close()
        self.log_path.unlink(missing_ok=True)


def start(name: str, command: list[str], port: int, workers: int, timeout: float = 300) -> Server:
    """Start ``command`` (a server listening on ``port``) and wait until its workers answer."""
    fd, log_name = tempfile.mkstemp(prefix=f"stance-bench-{name}-", suffix=".log")
    os.close(fd)
    log = open(log_name, "w")
    process = subprocess.Popen(
        command, stdout=log, stderr=subprocess.STDOUT, env=environment(), cwd=ROOT, stdin=subprocess.DEVNULL
    )
    server = Server(name, process, port, Path(log_name), log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            text = server.log_path.read_text(errors="replace")
            server.stop()
            raise RuntimeError(f"{name} stopped with status {process.returncode}:\n{text[-3000:]}")
        if len(server.workers()) >= workers and get(f"{server.base}/v1/health") == 200:
            return server
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"{name} did not answer within {timeout} s")


def stance_server(model: Path, workers: int = 2) -> Server:
    """Start `stance serve --workers N --model MODEL` on a free loopback port."""
    port = free_port()
    command = [sys.executable, "-m", "api", "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(workers), "--model", str(model)]
    return start("stance", command, port, workers)


def floor_server(workers: int = 2) -> Server:
    """Start the fixed-JSON Flask app (bench/floor.py) under the same gunicorn settings."""
    port = free_port()
    command = [sys.executable, str(ROOT / "bench" / "floor.py"), "--port", str(port), "--workers", str(workers)]
    return start("floor", command, port, workers)


def get(url: str) -> int:
    """Return the status of GET ``url`` (0 when nothing answers)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def post(url: str, body: dict) -> tuple[int, dict | None]:
    """POST ``body`` as JSON; return the status and the decoded answer."""
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, None


def children(pid: int) -> set[int]:
    """Return the pids whose parent is ``pid``."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.add(int(entry.name))
    return found


def memory(pid: int) -> dict[str, float]:
    """Return the resident (RSS), proportional (PSS) and unshared (USS) memory of ``pid``, in MB."""
    values: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("Rss", "Pss", "Private_Clean", "Private_Dirty"):
            values[key] = int(rest.split()[0]) / 1024
    return {
        "rss_mb": values.get("Rss", 0.0),
        "pss_mb": values.get("Pss", 0.0),
        "uss_mb": values.get("Private_Clean", 0.0) + values.get("Private_Dirty", 0.0),
    }
