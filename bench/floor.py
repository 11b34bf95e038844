"""The floor of the HTTP benchmark: a Flask app answering a fixed JSON, under stance's gunicorn.

It runs under the same gunicorn application class and settings as `stance serve` (sync
workers, preloaded app, the same timeout), so the gap between the two is what stance's
views, parsing and scoring cost. Run: ``python bench/floor.py --port 8001 --workers 2``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from flask import Flask, jsonify, request

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from api.server import TIMEOUT_SECONDS, StanceServer  # noqa: E402

ANSWER = {"sentences": [], "summary": {"sentences": 0}}


def create_floor_app() -> Flask:
    """Build the minimal app: /v1/predict reads the body and answers a fixed JSON."""
    app = Flask(__name__)

    @app.post("/v1/predict")
    def predict():
        request.get_data()
        return jsonify(ANSWER)

    @app.get("/v1/health")
    def health():
        return jsonify({"status": "ok"})

    return app


def main(argv: list[str] | None = None) -> int:
    """Serve the floor app on 127.0.0.1."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    defaults = {"timeout": TIMEOUT_SECONDS, "proc_name": "stance-floor", "control_socket_disable": True}
    options = {"bind": f"127.0.0.1:{args.port}", "workers": args.workers, "preload_app": True}
    StanceServer(create_floor_app(), options, defaults).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
