"""The browser page for analysts: ``GET /`` and its script, style sheet and icon.

The page is one HTML file, one style sheet and one script of our own, served by the app
itself with a Content-Security-Policy that lets the page load and call nothing but its
own origin. It talks to the service only through the public HTTP API (``GET /v1/model``,
``POST /v1/predict``), like any other client.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, render_template_string

from api.tables import EXPLANATION_COLUMN, SENTENCE_COLUMNS

__all__ = ["CONTENT_SECURITY_POLICY", "bp"]

STATIC = Path(__file__).parent / "static"

# Everything from our own origin, nothing inline, no plugins, no framing.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

bp = Blueprint("page", __name__, static_folder="static", static_url_path="/assets")


@bp.get("/")
def index() -> str:
    """Serve the page, with the CSV columns of ``stance predict --format csv`` in a data attribute."""
    source = (STATIC / "index.html").read_text(encoding="utf-8")
    return render_template_string(
        source, csv_columns=list(SENTENCE_COLUMNS), explanation_column=EXPLANATION_COLUMN
    )


@bp.after_request
def _protect(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    return response
