"""Faults of a real `stance serve`: bad model files at start-up, a worker killed under load."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import joblib
import pytest
import sklearn

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STANCE_", "GUNICORN_"))}
    env["OPENBLAS_NUM_THREADS"] = "1"
    return env


def _serve_command(model: Path, port: int, workers: int = 1) -> list[str]:
    return [sys.executable, "-m", "api", "serve", "--port", str(port), "--workers", str(workers), "--model", str(model)]


def _write_checksum(path: Path) -> None:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    Path(f"{path}.sha256").write_text(f"{digest}  {path.name}\n", encoding="utf-8")


def _copy_model(source: Path, target: Path) -> Path:
    shutil.copy(source, target)
    shutil.copy(f"{source}.sha256", f"{target}.sha256")
    return target


def _from_another_sklearn(source: Path, target: Path) -> Path:
    """Write the bundle as another scikit-learn version would have: every version string changed."""
    joblib.dump(joblib.load(source), target)  # uncompressed, so the version strings are plain bytes
    current = sklearn.__version__.encode()
    other = (b"0" if current[:1] != b"0" else b"9") + current[1:]  # same length: pickle lengths stay right
    raw = target.read_bytes()
    assert raw.count(current) >= 2, "the pickle should name the scikit-learn version of the bundle and estimators"
    target.write_bytes(raw.replace(current, other))
    _write_checksum(target)
    return target


def _bad_model(kind: str, good: Path, folder: Path) -> Path:
    path = folder / f"{kind.replace(' ', '-')}.joblib"
    if kind == "missing":
        return path
    if kind == "missing checksum":
        shutil.copy(good, path)
        return path
    if kind == "other scikit-learn":
        return _from_another_sklearn(good, path)
    raw = good.read_bytes()
    if kind == "truncated":
        _copy_model(good, path)
        path.write_bytes(raw[: len(raw) // 2])
    elif kind == "truncated, checksum updated":
        path.write_bytes(raw[: len(raw) // 2])
        _write_checksum(path)
    elif kind == "corrupted, checksum updated":
        middle = len(raw) // 2
        path.write_bytes(raw[:middle] + bytes(b ^ 0x5A for b in raw[middle : middle + 256]) + raw[middle + 256 :])
        _write_checksum(path)
    elif kind == "not a model":
        path.write_bytes(json.dumps({"format": "stance-model"}).encode())
        _write_checksum(path)
    elif kind == "empty":
        path.write_bytes(b"")
        _write_checksum(path)
    return path


BAD_MODELS = {
    "missing": "not found",
    "missing checksum": "checksum file",
    "truncated": "checksum mismatch",
    "truncated, checksum updated": "not a readable stance model",
    "corrupted, checksum updated": "not a readable stance model",
    "not a model": "not a readable stance model",
    "empty": "not a readable stance model",
    "other scikit-learn": "made with scikit-learn",
}


@pytest.mark.parametrize(("kind", "words"), BAD_MODELS.items(), ids=BAD_MODELS.keys())
def test_stance_serve_refuses_a_bad_model_with_one_clear_line(tiny_model_path, tmp_path, kind, words):
    model = _bad_model(kind, tiny_model_path, tmp_path)
    result = subprocess.run(
        _serve_command(model, _free_port()),
        capture_output=True,
        text=True,
        timeout=120,
        env=_environment(),
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("stance serve: error:") and str(model) in lines[0]
    assert words in lines[0]
    assert "retrain" in lines[0] or "train one" in lines[0]
    assert "Traceback" not in result.stderr + result.stdout


# -- a worker killed under load --------------------------------------------------------------


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name (field 2) may hold spaces: the parent pid follows its closing parenthesis.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.add(int(entry.name))
    return found


def _predict(base: str, text: str) -> int:
    request = urllib.request.Request(
        f"{base}/v1/predict", data=json.dumps({"text": text}).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0  # connection refused or reset


def _wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"timed out after {seconds} s waiting for {what}")


@pytest.fixture
def server(tiny_model_path, tmp_path):
    """`stance serve --workers 2` on a free loopback port; yields (base URL, process)."""
    port = _free_port()
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(
        _serve_command(tiny_model_path, port, workers=2),
        stdout=log,
        stderr=subprocess.STDOUT,
        env=_environment(),
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(lambda: process.poll() is not None or _predict(base, "Ankara.") == 200, 90, "the server")
        assert process.poll() is None, (tmp_path / "server.log").read_text()
        yield base, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()


def test_a_killed_worker_is_replaced_and_the_service_keeps_answering(server, sample_article):
    base, process = server
    _wait_for(lambda: len(_children(process.pid)) == 2, 30, "two workers")
    workers = _children(process.pid)
    statuses: list[int] = []
    stop = threading.Event()

    def load() -> None:
        while not stop.is_set():
            statuses.append(_predict(base, sample_article))

    threads = [threading.Thread(target=load) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        _wait_for(lambda: len(statuses) >= 20, 60, "requests before the kill")
        victim = min(workers)
        os.kill(victim, signal.SIGKILL)
        _wait_for(lambda: len(_children(process.pid) - workers) == 1, 60, "a new worker")
        after_kill = len(statuses)
        _wait_for(lambda: len(statuses) >= after_kill + 40, 60, "requests after the replacement")
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    now = _children(process.pid)
    assert victim not in now and len(now) == 2
    assert process.poll() is None, "the master must survive a worker's death"
    # Only requests in flight on the killed worker (at most one per load thread) may fail.
    assert len([s for s in statuses if s != 200]) <= len(threads)
    assert set(statuses[after_kill + len(threads) :]) == {200}
    assert all(_predict(base, sample_article) == 200 for _ in range(10))
