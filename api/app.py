"""The Flask app: thin views over the model, JSON in and out, one log line per request.

Endpoints (all described in ``/openapi.json``)::

    POST /v1/predict    score a text, a list of sentences, or a list of documents
    GET  /v1/model      the served model: version, targets, labels, metrics, limits
    GET  /v1/health     the process is up
    GET  /v1/ready      a model is loaded
    GET  /openapi.json  the OpenAPI 3 document
    GET  /              the browser page (``api.page``), outside the JSON API

Settings come from ``DEFAULTS``, then ``STANCE_*`` environment variables, then the
mapping given to :func:`create_app`.
"""

from __future__ import annotations

import functools
import hmac
import json
import logging
import os
import re
import sys
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from flask.logging import has_level_handler
from werkzeug.exceptions import RequestEntityTooLarge

from api.errors import ApiError, ConfigError, register_error_handlers
from api.openapi import openapi_document
from api.page import bp as page
from classifier import Span, StanceModel, load_model, split_sentences

__all__ = ["DEFAULTS", "create_app"]

DEFAULTS: dict[str, Any] = {
    "MODEL": None,  # path of the model file; None: $STANCE_MODEL, else the default model
    "MAX_CONTENT_LENGTH": 1024 * 1024,  # bytes per request body
    "MAX_SENTENCES": 2000,  # sentences per request, over all documents
    "MAX_DOCUMENTS": 100,  # documents per request
    "MAX_SENTENCE_CHARS": 10_000,  # characters per sentence; longer ones are refused (422)
    "API_TOKEN": None,  # when set, /v1/predict and /v1/model need "Authorization: Bearer <token>"
}
_LIMITS = ("MAX_CONTENT_LENGTH", "MAX_SENTENCES", "MAX_DOCUMENTS", "MAX_SENTENCE_CHARS")
# from_prefixed_env parses values as JSON, which would turn a token "123" into a number
# and a path "true" into a bool: these are read back as written.
_RAW_ENV = ("MODEL", "API_TOKEN")
_INPUTS = ("text", "sentences", "documents")
_FIELDS = frozenset((*_INPUTS, "targets", "explain"))
_MAX_ID_CHARS = 256
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
_SURROGATE = re.compile("[\ud800-\udfff]")

logger = logging.getLogger("stance.api")
v1 = Blueprint("v1", __name__, url_prefix="/v1")


def create_app(config: Mapping[str, Any] | None = None, *, model: StanceModel | None = None) -> Flask:
    """Build the app: settings, the model (loaded once), the views and the error handlers.

    ``config`` overrides the defaults and the ``STANCE_*`` environment variables; pass
    ``model`` to serve an already loaded model (tests do), else ``MODEL`` is loaded.
    Raises :class:`classifier.ModelError` for a missing or unusable model and
    :class:`api.errors.ConfigError` for an invalid setting.
    """
    app = Flask(__name__, static_folder=None)  # the page blueprint serves its own files
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("STANCE")
    for key in _RAW_ENV:
        if f"STANCE_{key}" in os.environ:
            app.config[key] = os.environ[f"STANCE_{key}"]
    if config:
        app.config.from_mapping(config)
    _check_config(app.config)
    app.json.sort_keys = False  # keep the documented key order
    app.json.ensure_ascii = False  # UTF-8 text stays readable; lone surrogates are refused on input
    if model is None:
        model = load_model(app.config["MODEL"] or None)
    app.extensions["stance"] = model
    _set_up_logging()
    register_error_handlers(app)
    app.before_request(_start_request)
    app.after_request(_finish_request)
    app.register_blueprint(v1)
    app.register_blueprint(page)
    app.add_url_rule("/openapi.json", "openapi", _openapi, methods=["GET"])
    return app


def _check_config(config: dict) -> None:
    for key in _LIMITS:
        value = config[key]
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"{key} must be a positive whole number (set STANCE_{key}), not {value!r}")
        config[key] = value
    token = config["API_TOKEN"]
    if token is not None and not isinstance(token, str):
        raise ConfigError("API_TOKEN must be a string (set STANCE_API_TOKEN)")
    model = config["MODEL"]
    if model is not None and not isinstance(model, str | os.PathLike):
        raise ConfigError("MODEL must be the path of a model file (set STANCE_MODEL)")


class _StderrHandler(logging.StreamHandler):
    """Write to whatever ``sys.stderr`` is at the time (servers and test runners swap it)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def _set_up_logging() -> None:
    # Like Flask's own logger: add a handler only when nothing else would print INFO.
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)
    if not has_level_handler(logger):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)


# -- per-request bookkeeping -------------------------------------------------------------


def _start_request() -> None:
    g.started = time.perf_counter()
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
    g.sentences = 0


def _finish_request(response: Response) -> Response:
    request_id = g.get("request_id") or uuid.uuid4().hex
    response.headers["X-Request-ID"] = request_id
    response.headers["X-Content-Type-Options"] = "nosniff"
    started = g.get("started", time.perf_counter())
    # Never the body: only what is needed to trace and measure the request.
    line = {
        "request_id": request_id,
        "method": request.method,
        "path": request.path,
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        "sentences": g.get("sentences", 0),
    }
    logger.info(json.dumps(line))
    return response


def _model() -> StanceModel | None:
    return current_app.extensions.get("stance")


def _require_token(view: Callable) -> Callable:
    """Refuse the request with 401 unless it carries the configured bearer token."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        token = current_app.config["API_TOKEN"]
        if token:
            scheme, _, given = request.headers.get("Authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not given.strip():
                raise _unauthorized("this endpoint needs the header Authorization: Bearer <token>")
            # WSGI gives headers as latin-1 text: encode back to the bytes that were sent.
            sent = given.strip().encode("latin-1", "replace")
            if not hmac.compare_digest(sent, token.encode("utf-8")):
                raise _unauthorized("the bearer token is not valid; check the token the server was given")
        return view(*args, **kwargs)

    return wrapper


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, "unauthorized", message, headers={"WWW-Authenticate": 'Bearer realm="stance"'})


# -- views ------------------------------------------------------------------------------


@v1.get("/health")
def health() -> Response:
    """Answer that the process is up."""
    return jsonify({"status": "ok"})


@v1.get("/ready")
def ready() -> Response:
    """Answer whether a model is loaded and which one."""
    model = _model()
    if model is None:
        raise ApiError(503, "not_ready", "no model is loaded yet; retry in a moment")
    return jsonify({"status": "ready", "model": model.info.to_dict()})


@v1.get("/model")
@_require_token
def model_details() -> Response:
    """Describe the served model: version, targets, labels, metrics, library versions, limits."""
    model = _served_model()
    config = current_app.config
    return jsonify(
        {
            **model.info.to_dict(),
            "sha256": model.sha256,
            "targets": {
                target.key: {
                    "name": target.name,
                    "aliases": {lang: list(words) for lang, words in target.aliases.items()},
                    "capitalised": sorted(target.capitalised),
                }
                for target in model.registry
            },
            "labels": list(model.bundle.get("labels", ["negative", "neutral", "positive"])),
            "metrics": model.metrics,
            "versions": dict(model.bundle.get("versions", {})),
            "limits": {
                "max_body_bytes": config["MAX_CONTENT_LENGTH"],
                "max_sentences": config["MAX_SENTENCES"],
                "max_documents": config["MAX_DOCUMENTS"],
                "max_sentence_chars": config["MAX_SENTENCE_CHARS"],
            },
        }
    )


@v1.post("/predict")
@_require_token
def predict() -> Response:
    """Score a text, a list of sentences or a list of documents."""
    model = _served_model()
    wanted = parse_predict(_read_json(), model, current_app.config)
    g.sentences = wanted.sentence_count
    return jsonify(score(model, wanted))


def _openapi() -> Response:
    return jsonify(openapi_document())


def _served_model() -> StanceModel:
    model = _model()
    if model is None:
        raise ApiError(503, "not_ready", "no model is loaded yet; retry in a moment")
    return model


# -- reading and checking a predict request ---------------------------------------------


@dataclass(frozen=True)
class PredictRequest:
    """A checked ``/v1/predict`` body: which input, its texts, and the options."""

    kind: str  # "text", "sentences" or "documents"
    texts: list[str]
    ids: list[str] | None
    targets: list[str] | None
    explain: bool
    split: list[list[Span]] | None  # the sentences of each text, checked (None for "sentences")

    @property
    def sentence_count(self) -> int:
        """How many sentences the request scores."""
        return len(self.texts) if self.split is None else sum(map(len, self.split))


def score(model: StanceModel, wanted: PredictRequest) -> dict:
    """Score a checked request and return the response body."""
    options = {"targets": wanted.targets, "explain": wanted.explain}
    if wanted.kind == "sentences":
        return model.predict_sentences(wanted.texts, **options).to_dict()
    analyses = model.analyze_split(wanted.split, ids=wanted.ids, **options)
    if wanted.kind == "text":
        return analyses[0].to_dict()
    return {
        "model": model.info.to_dict(),
        "documents": [analysis.to_dict(include_model=False) for analysis in analyses],
    }


def _read_json() -> object:
    if not request.is_json:
        raise ApiError(
            415,
            "unsupported_media_type",
            "send the body as JSON with the header Content-Type: application/json",
        )
    raw = request.get_data(cache=False)  # raises 413 past MAX_CONTENT_LENGTH
    if request.content_length is None and len(raw) >= current_app.config["MAX_CONTENT_LENGTH"]:
        # A body sent without Content-Length (chunked) is cut at the limit, silently.
        raise RequestEntityTooLarge()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(
            400, "invalid_json", f"the body is not valid UTF-8 (bad byte at offset {exc.start}); send UTF-8 JSON"
        ) from None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise ApiError(400, "invalid_json", 'the body is empty; send a JSON object such as {"text": "..."}')
    try:
        return json.loads(text)
    except RecursionError:
        raise ApiError(400, "invalid_json", "the JSON is nested too deeply; send a flat object") from None
    except json.JSONDecodeError as exc:
        raise ApiError(
            400, "invalid_json", f"the body is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from None
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        raise ApiError(400, "invalid_json", f"the body is not usable JSON ({exc})") from None


def parse_predict(body: object, model: StanceModel, config: Mapping[str, Any]) -> PredictRequest:
    """Check a ``/v1/predict`` body against the API's rules and limits.

    Raises :class:`ApiError`: 400 for a malformed request, 422 past a configured limit.
    """
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_type", f"the body must be a JSON object, not {_json_type(body)}")
    for name in body:
        if name not in _FIELDS:
            raise ApiError(
                400,
                "unknown_field",
                f"unknown field {_show(name)}; the fields are text, sentences, documents, targets and explain",
                _safe_field(name),
            )
    given = [name for name in _INPUTS if name in body]
    if not given:
        raise ApiError(400, "missing_input", "send one of text, sentences or documents")
    if len(given) > 1:
        raise ApiError(
            400,
            "ambiguous_input",
            f"send only one of text, sentences or documents, not both {given[0]} and {given[1]}",
            given[1],
        )
    explain = body.get("explain")
    if explain is None:
        explain = False
    if not isinstance(explain, bool):
        raise ApiError(400, "invalid_type", f"explain must be true or false, not {_json_type(explain)}", "explain")
    targets = _parse_targets(body.get("targets"), model)
    kind = given[0]
    if kind == "text":
        texts, ids = [_check_text(body["text"], "text")], None
    elif kind == "sentences":
        texts, ids = _parse_sentences(body["sentences"], config), None
    else:
        texts, ids = _parse_documents(body["documents"], config)
    split = None if kind == "sentences" else _split_checked(texts, ids, config)
    return PredictRequest(kind, texts, ids, targets, explain, split)


def _parse_targets(value: object, model: StanceModel) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise ApiError(
            400, "invalid_type", f"targets must be a list of target names, not {_json_type(value)}", "targets"
        )
    if not value:
        raise ApiError(400, "invalid_value", "targets is empty; omit it to score every target", "targets")
    valid = ", ".join(model.registry.keys)
    for i, name in enumerate(value):
        if not isinstance(name, str):
            raise ApiError(
                400, "invalid_type", f"targets[{i}] must be a target name, not {_json_type(name)}", f"targets[{i}]"
            )
        if model.registry.resolve(name) is None:
            raise ApiError(400, "unknown_target", f"unknown target {_show(name)}; valid targets: {valid}", "targets")
    return list(value)


def _parse_sentences(value: object, config: Mapping[str, Any]) -> list[str]:
    if not isinstance(value, list):
        raise ApiError(
            400, "invalid_type", f"sentences must be a list of strings, not {_json_type(value)}", "sentences"
        )
    if not value:
        raise ApiError(400, "invalid_value", "sentences is empty; send at least one sentence", "sentences")
    limit = config["MAX_SENTENCES"]
    if len(value) > limit:
        raise _too_many("sentences", len(value), limit, "sentences")
    texts = [_check_text(item, f"sentences[{i}]") for i, item in enumerate(value)]
    for i, text in enumerate(texts):
        _check_length(text, f"sentences[{i}]", config, f"sentences[{i}]")
    return texts


def _parse_documents(value: object, config: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    if not isinstance(value, list):
        raise ApiError(
            400,
            "invalid_type",
            f'documents must be a list of {{"id", "text"}} objects, not {_json_type(value)}',
            "documents",
        )
    if not value:
        raise ApiError(400, "invalid_value", "documents is empty; send at least one document", "documents")
    limit = config["MAX_DOCUMENTS"]
    if len(value) > limit:
        raise _too_many("documents", len(value), limit, "documents")
    texts, ids, seen = [], [], {}
    for i, document in enumerate(value):
        where = f"documents[{i}]"
        if not isinstance(document, dict):
            raise ApiError(
                400, "invalid_type", f'{where} must be an object {{"id", "text"}}, not {_json_type(document)}', where
            )
        for name in document:
            if name not in ("id", "text"):
                raise ApiError(
                    400,
                    "unknown_field",
                    f"unknown field {_show(name)} in {where}; a document has only id and text",
                    f"{where}.{_safe_field(name) or '?'}",
                )
        for name in ("id", "text"):
            if name not in document:
                raise ApiError(
                    400,
                    "missing_field",
                    f"{where} has no {name}; give each document an id and a text",
                    f"{where}.{name}",
                )
        doc_id = document["id"]
        if not isinstance(doc_id, str):
            raise ApiError(400, "invalid_type", f"{where}.id must be a string, not {_json_type(doc_id)}", f"{where}.id")
        if not doc_id.strip() or len(doc_id) > _MAX_ID_CHARS or _SURROGATE.search(doc_id):
            raise ApiError(
                400,
                "invalid_value",
                f"{where}.id must be a non-blank string of at most {_MAX_ID_CHARS} valid Unicode characters",
                f"{where}.id",
            )
        if doc_id in seen:
            raise ApiError(
                400,
                "duplicate_id",
                f"{where}.id {_show(doc_id)} is already the id of documents[{seen[doc_id]}]; give each document "
                "its own id",
                f"{where}.id",
            )
        seen[doc_id] = i
        ids.append(doc_id)
        texts.append(_check_text(document["text"], f"{where}.text"))
    return texts, ids


def _check_text(value: object, field: str) -> str:
    if not isinstance(value, str):
        raise ApiError(400, "invalid_type", f"{field} must be a string, not {_json_type(value)}", field)
    if not value.strip():
        raise ApiError(400, "empty_text", f"{field} is empty or only whitespace; send some text to score", field)
    bad = _SURROGATE.search(value)
    if bad:
        raise ApiError(
            400,
            "invalid_text",
            f"{field} has an unpaired surrogate \\u{ord(bad.group()):04x} at character {bad.start()}; "
            "send valid Unicode",
            field,
        )
    return value


def _split_checked(texts: list[str], ids: list[str] | None, config: Mapping[str, Any]) -> list[list[Span]]:
    """Split each text into sentences, checking the sentence count and lengths against the limits."""
    limit = config["MAX_SENTENCES"]
    count = 0
    split = []
    for d, text in enumerate(texts):
        field = "text" if ids is None else f"documents[{d}].text"
        spans = split_sentences(text)
        for index, span in enumerate(spans):
            where = f"sentence {index} ({field}[{span.start}:{span.end}])"
            _check_length(span.text, where, config, field)
        count += len(spans)
        if count > limit:
            raise _too_many("sentences", f"more than {limit}", limit, field)
        split.append(spans)
    return split


def _check_length(text: str, what: str, config: Mapping[str, Any], field: str) -> None:
    limit = config["MAX_SENTENCE_CHARS"]
    if len(text) > limit:
        raise ApiError(
            422,
            "sentence_too_long",
            f"{what} has {len(text)} characters, more than the limit of {limit}; split it into shorter "
            "sentences (or raise STANCE_MAX_SENTENCE_CHARS on the server)",
            field,
        )


def _too_many(what: str, count: object, limit: int, field: str) -> ApiError:
    setting = "MAX_SENTENCES" if what == "sentences" else "MAX_DOCUMENTS"
    return ApiError(
        422,
        f"too_many_{what}",
        f"the request has {count} {what}, more than the limit of {limit}; send them in several requests "
        f"(or raise STANCE_{setting} on the server)",
        field,
    )


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _show(value: str, limit: int = 60) -> str:
    """Quote a client's string for a message: escaped, and cut when long."""
    shown = repr(value[:limit])
    return shown + "..." if len(value) > limit else shown


def _safe_field(name: str) -> str | None:
    """Return ``name`` for the error's field if it is short printable text, else None."""
    if len(name) <= 60 and name.isprintable() and not _SURROGATE.search(name):
        return name
    return None
