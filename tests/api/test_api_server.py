"""api.server.serve: clear failures before start-up, and a real gunicorn answering real HTTP."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from api.server import serve


def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("stance serve: error: ")
    return lines[0]


def test_serve_refuses_a_missing_model_with_one_line_and_status_1(tmp_path, capsys):
    missing = tmp_path / "missing.joblib"

    status = serve("127.0.0.1", 0, 1, missing)

    line = _one_error_line(capsys)
    assert status == 1
    assert f"model file {missing} not found" in line


def test_serve_refuses_a_corrupt_model_with_one_line_and_status_1(tiny_model_path, tmp_path, capsys):
    corrupt = tmp_path / "corrupt.joblib"
    shutil.copy(tiny_model_path, corrupt)
    shutil.copy(f"{tiny_model_path}.sha256", f"{corrupt}.sha256")
    with corrupt.open("r+b") as fh:
        fh.seek(100)
        fh.write(b"\0" * 64)

    status = serve("127.0.0.1", 0, 1, corrupt)

    assert status == 1
    assert "checksum mismatch" in _one_error_line(capsys)


def test_serve_refuses_an_unreadable_model_with_a_matching_checksum(tmp_path, capsys):
    import hashlib

    garbage = tmp_path / "garbage.joblib"
    garbage.write_bytes(b"not a model\n" * 10)
    digest = hashlib.sha256(garbage.read_bytes()).hexdigest()
    (tmp_path / "garbage.joblib.sha256").write_text(f"{digest}  garbage.joblib\n")

    status = serve("127.0.0.1", 0, 1, garbage)

    assert status == 1
    assert "not a readable stance model" in _one_error_line(capsys)


def test_serve_refuses_an_invalid_setting(tiny_model_path, capsys):
    status = serve("127.0.0.1", 0, 1, tiny_model_path, config={"MAX_SENTENCES": 0})

    assert status == 1
    assert "MAX_SENTENCES must be a positive whole number" in _one_error_line(capsys)


@pytest.mark.parametrize(("workers", "port", "message"), [(0, 8000, "--workers"), (1, 70000, "--port")])
def test_serve_refuses_bad_workers_or_port_with_status_2(tiny_model_path, capsys, workers, port, message):
    status = serve("127.0.0.1", port, workers, tiny_model_path)

    assert status == 2
    assert message in _one_error_line(capsys)


# -- the real server -----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _request(url: str, body: dict | bytes | None = None, headers: dict | None = None) -> tuple[int, dict, dict]:
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), json.loads(error.read())


def _wait_until_up(base: str, process: subprocess.Popen, log_path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server stopped with {process.returncode}:\n{log_path.read_text()}")
        try:
            if _request(f"{base}/v1/health")[0] == 200:
                return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"the server did not answer within 90 s:\n{log_path.read_text()}")


@pytest.fixture
def live_server(tiny_model_path, tmp_path):
    """Run ``serve`` in a subprocess on a free loopback port with a token; yield its base URL."""
    port = _free_port()
    log_path = tmp_path / "server.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STANCE_", "GUNICORN_"))}
    env["STANCE_API_TOKEN"] = "live-token"
    call = f"serve('127.0.0.1', {port}, 2, {str(tiny_model_path)!r})"
    code = f"import sys; from api.server import serve; sys.exit({call})"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-c", code], stdout=log, stderr=subprocess.STDOUT, env=env, cwd=tmp_path
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process, log_path)
        yield base, process, log_path
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.mark.slow
def test_serve_answers_real_http_requests_until_stopped(live_server, tiny_model, sample_article, schema_errors):
    base, process, log_path = live_server
    token = {"Authorization": "Bearer live-token"}

    health = _request(f"{base}/v1/health")
    ready = _request(f"{base}/v1/ready")
    unauthorised = _request(f"{base}/v1/predict", {"text": sample_article})
    status, headers, body = _request(
        f"{base}/v1/predict", {"text": sample_article}, {**token, "X-Request-ID": "live-1"}
    )
    documents = _request(
        f"{base}/v1/predict", {"documents": [{"id": "a", "text": sample_article}], "explain": True}, token
    )
    malformed = _request(f"{base}/v1/predict", b'{"text": ', token)
    too_long = _request(f"{base}/v1/predict", {"text": "x" * 100_000}, token)
    missing = _request(f"{base}/nowhere")
    with ThreadPoolExecutor(8) as pool:
        article = {"text": sample_article}
        parallel = list(pool.map(lambda _: _request(f"{base}/v1/predict", article, token)[0], range(8)))
    model = _request(f"{base}/v1/model", headers=token)

    assert (health[0], health[2]) == (200, {"status": "ok"})
    assert ready[2]["model"] == tiny_model.info.to_dict()
    assert (unauthorised[0], unauthorised[2]["error"]["code"]) == (401, "unauthorized")
    assert status == 200
    assert headers["X-Request-ID"] == "live-1"
    assert body == tiny_model.analyze(sample_article).to_dict()
    assert schema_errors("Analysis", body) == []
    assert documents[0] == 200
    assert schema_errors("DocumentsAnalysis", documents[2]) == []
    assert (malformed[0], malformed[2]["error"]["code"]) == (400, "invalid_json")
    assert (too_long[0], too_long[2]["error"]["code"]) == (422, "sentence_too_long")
    assert (missing[0], missing[2]["error"]["code"]) == (404, "not_found")
    assert parallel == [200] * 8
    assert model[2]["name"] == "tiny"

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    log = log_path.read_text()
    assert log.count(f"serving model tiny version {tiny_model.info.version}") == 1
    assert str(tiny_model.path) in log
    requests = [json.loads(line) for line in log.splitlines() if line.startswith('{"request_id"')]
    assert len(requests) >= 17
    live_1 = next(r for r in requests if r["request_id"] == "live-1")
    assert (live_1["method"], live_1["path"], live_1["status"], live_1["sentences"]) == ("POST", "/v1/predict", 200, 12)
    assert "Tchemezov" not in log
