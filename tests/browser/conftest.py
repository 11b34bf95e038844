"""Fixtures for the browser tests: a real ``stance serve`` and a headless Chromium.

Chromium and its driver come from Debian (``apt-get install chromium chromium-driver``);
where either is missing the browser tests are skipped with that advice.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
INSTALL_HINT = (
    "the browser tests need Chromium and its driver: run `apt-get install chromium chromium-driver` "
    "(and `pip install -e '.[test]'` for selenium)"
)
_STARTUP_SECONDS = 120
_CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_serving(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + _STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"stance serve exited with status {process.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except urllib.error.HTTPError as exc:
            pytest.fail(f"GET {url} answered {exc.code}; is the page's blueprint registered in create_app?")
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"stance serve did not answer {url} within {_STARTUP_SECONDS} s:\n{log.read_text(errors='replace')}")


@pytest.fixture(scope="module")
def start_server(tiny_model_path, tmp_path_factory) -> Iterator[Callable[..., str]]:
    """Start ``stance serve`` on the tiny model on a free loopback port; return its base URL.

    Keyword arguments become environment variables of the server (e.g.
    ``STANCE_API_TOKEN="..."``). The servers stop when the module's tests are done.
    """
    processes: list[subprocess.Popen] = []

    def start(**env: str) -> str:
        port = _free_port()
        log = tmp_path_factory.mktemp("serve") / "serve.log"
        environment = {k: v for k, v in os.environ.items() if not k.startswith("STANCE_")}
        environment.update(env, OPENBLAS_NUM_THREADS="1")
        command = [sys.executable, "-m", "api", "serve", "--model", str(tiny_model_path)]
        command += ["--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
        with log.open("wb") as out:
            process = subprocess.Popen(command, cwd=REPO, env=environment, stdout=out, stderr=subprocess.STDOUT)
        processes.append(process)
        base = f"http://127.0.0.1:{port}/"
        _wait_until_serving(base, process, log)
        return base

    yield start
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def server(start_server) -> str:
    """The base URL of a ``stance serve`` without access control."""
    return start_server()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """A headless Chromium driven by Selenium, with a fresh profile."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not chromium or not driver_path:
        pytest.skip(INSTALL_HINT)
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.skip(INSTALL_HINT)

    profile = tmp_path_factory.mktemp("chromium-profile")
    downloads = tmp_path_factory.mktemp("downloads")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (*_CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--window-size=1280,1000"):
        options.add_argument(flag)
    options.add_experimental_option(
        "prefs",
        {
            "download.default_directory": str(downloads),
            "download.prompt_for_download": False,
            "download.directory_upgrade": True,
        },
    )
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def downloads(browser, tmp_path) -> Path:
    """A fresh folder that the browser's downloads go to, for one test."""
    folder = tmp_path / "downloads"
    folder.mkdir()
    browser.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(folder)})
    return folder


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """The git-ignored folder where the tests leave screenshots."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
