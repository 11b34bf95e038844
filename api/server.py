"""Running the app under gunicorn, with the model loaded once before the workers fork.

``stance serve`` calls :func:`serve`. Gunicorn settings beyond host, port and workers
(``--timeout``, ``--keep-alive``, TLS files...) can be given in ``GUNICORN_CMD_ARGS``.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
from collections.abc import Mapping
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from api.app import create_app
from classifier import StanceError

__all__ = ["serve"]

logger = logging.getLogger("stance.api")

# A request that takes longer than this is stopped (its worker is replaced): the
# server keeps serving the others. GUNICORN_CMD_ARGS="--timeout N" changes it.
TIMEOUT_SECONDS = 60


class StanceServer(BaseApplication):
    """A gunicorn application serving an already built Flask app (``preload_app``).

    Settings apply in order: ``defaults``, then ``GUNICORN_CMD_ARGS``, then ``options``
    (which win, like a command line).
    """

    def __init__(self, app: Flask, options: Mapping[str, Any], defaults: Mapping[str, Any] | None = None) -> None:
        self.application = app
        self.options = dict(options)
        self.defaults = dict(defaults or {})
        super().__init__()

    def load_config(self) -> None:
        """Set gunicorn's settings from the defaults, GUNICORN_CMD_ARGS and the options."""
        for key, value in self.defaults.items():
            if key in self.cfg.settings:  # older gunicorns lack some settings
                self.cfg.set(key, value)
        from_env = self.cfg.parser().parse_args(self.cfg.get_cmd_args_from_env())
        for key, value in vars(from_env).items():
            if value is not None and key != "args":
                self.cfg.set(key.lower(), value)
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        """Return the app built before forking."""
        return self.application


def _bind(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    model_path: str | os.PathLike | None = None,
    config: Mapping[str, Any] | None = None,
) -> int:
    """Serve the HTTP API under gunicorn until stopped; return the exit status.

    The model (``model_path``, else ``STANCE_MODEL``, else the default model) is loaded
    once, before the workers fork. ``config`` overrides the app's settings. A missing or
    unusable model or an invalid setting prints one line to stderr and returns 1.
    """
    if not isinstance(workers, int) or workers < 1:
        print(f"stance serve: error: --workers must be at least 1, not {workers!r}", file=sys.stderr)
        return 2
    if not isinstance(port, int) or not 0 <= port <= 65535:
        print(f"stance serve: error: --port must be between 0 and 65535, not {port!r}", file=sys.stderr)
        return 2
    settings = dict(config or {})
    if model_path is not None:
        settings["MODEL"] = os.fspath(model_path)
    try:
        app = create_app(settings)
    except StanceError as exc:
        message = " ".join(str(exc).split())
        print(f"stance serve: error: {message}", file=sys.stderr)
        return 1
    model = app.extensions["stance"]
    logger.info(
        "stance: serving model %s version %s (created %s) from %s on http://%s with %d worker%s",
        model.info.name,
        model.info.version,
        model.info.created_at or "unknown",
        os.path.abspath(model.path) if model.path else "memory",
        _bind(host, port),
        workers,
        "" if workers == 1 else "s",
    )
    # No control socket: its default path is shared by every gunicorn of the user.
    defaults = {"timeout": TIMEOUT_SECONDS, "proc_name": "stance", "control_socket_disable": True}
    options = {"bind": _bind(host, port), "workers": workers, "preload_app": True}
    master = os.getpid()
    # The model is loaded for good: keep the garbage collector from walking it in every
    # worker (and from touching its pages, which the forked workers share).
    gc.collect()
    gc.freeze()
    try:
        StanceServer(app, options, defaults).run()
    except SystemExit as exc:
        if os.getpid() != master:
            raise  # a forked worker ending: let it leave as gunicorn means it to
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0
