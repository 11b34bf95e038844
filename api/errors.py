"""JSON errors of the HTTP API: one shape, stable codes, no stack traces to clients.

Every error answers ``{"error": {"code": ..., "message": ..., "field": ...}}``. ``code``
is stable (clients branch on it), ``message`` says what to fix, and ``field`` names the
offending part of the request body (``"documents[2].text"``) or is null.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, g, jsonify
from werkzeug.exceptions import HTTPException

from classifier import InputError, StanceError

__all__ = ["ApiError", "ConfigError", "error_response", "register_error_handlers"]

logger = logging.getLogger("stance.api")

# Codes for the HTTP errors that Flask and Werkzeug raise themselves.
_HTTP_CODES = {
    400: ("bad_request", "the request is malformed; send a JSON body as described at /openapi.json"),
    404: ("not_found", "no such endpoint; see /openapi.json for the endpoints"),
    405: ("method_not_allowed", "this endpoint does not answer that method; see the Allow header"),
    413: ("body_too_large", "the request body is larger than {limit} bytes; send less text per request"),
    415: ("unsupported_media_type", "send the body as JSON with the header Content-Type: application/json"),
}


class ConfigError(StanceError, ValueError):
    """A setting of the HTTP API (``STANCE_*`` or the config mapping) is invalid."""


class ApiError(Exception):
    """A request the API refuses: an HTTP status, a stable code, a message and a field."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        field: str | None = None,
        *,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.headers = headers or {}


def error_response(status: int, code: str, message: str, field: str | None = None) -> Response:
    """Return the JSON error response ``{"error": {"code", "message", "field"}}``."""
    response = jsonify({"error": {"code": code, "message": message, "field": field}})
    response.status_code = status
    return response


def _api_error(exc: ApiError) -> Response:
    response = error_response(exc.status, exc.code, exc.message, exc.field)
    response.headers.update(exc.headers)
    return response


def _input_error(exc: InputError) -> Response:
    # The API checks requests before scoring; this catches what the model refuses anyway.
    return error_response(400, "invalid_input", str(exc), exc.field)


def _http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    if status >= 500:
        return _internal_error(exc)
    code, message = _HTTP_CODES.get(status, (None, None))
    if code is None:
        code = (exc.name or "error").lower().replace(" ", "_").replace("-", "_")
        message = exc.description or exc.name or "request refused"
    if status == 413:
        message = message.format(limit=current_app.config["MAX_CONTENT_LENGTH"])
    response = error_response(status, code, message)
    # Keep the headers the exception carries (Allow for 405, WWW-Authenticate...).
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _internal_error(exc: BaseException) -> Response:
    if isinstance(exc, HTTPException) and (exc.code or 500) < 500:
        return _http_error(exc)
    request_id = g.get("request_id", "-")
    logger.error("unhandled error in request %s", request_id, exc_info=exc)
    return error_response(
        500,
        "internal_error",
        f"the server failed to answer (request id {request_id}); it has been logged, try again or report it",
    )


def register_error_handlers(app: Flask) -> None:
    """Answer every error with JSON: refused requests, HTTP errors and anything unexpected."""
    app.register_error_handler(ApiError, _api_error)
    app.register_error_handler(InputError, _input_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _internal_error)
