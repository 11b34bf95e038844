"""Fixtures for the HTTP API: ``app``, ``client`` and an OpenAPI checker.

Every response the ``client`` fixture receives is checked against the app's own
``/openapi.json``: its status must be documented for the path and method, and its JSON
body must validate against the documented schema.
"""

from __future__ import annotations

import os
from functools import cache

import jsonschema
import pytest
from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from api.openapi import openapi_document


@cache
def _document() -> dict:
    return openapi_document()


def schema_validator(schema: dict, document: dict | None = None) -> jsonschema.Draft202012Validator:
    """Return a validator for ``schema`` whose ``#/components/...`` references resolve."""
    document = document or _document()
    return jsonschema.Draft202012Validator({**schema, "components": document["components"]})


def check_against_openapi(document: dict, method: str, path: str, response) -> None:
    """Assert that ``response`` is one that ``document`` describes for ``method path``."""
    assert response.headers.get("X-Request-ID"), f"{method} {path}: no X-Request-ID"
    if method in ("HEAD", "OPTIONS"):
        return
    item = document["paths"].get(path)
    if item is None:
        assert response.status_code == 404, f"{path} is not documented but answered {response.status_code}"
        described = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    elif method.lower() not in item:
        assert response.status_code == 405, f"{method} {path} is not documented but answered {response.status_code}"
        described = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    else:
        responses = item[method.lower()]["responses"]
        status = str(response.status_code)
        assert status in responses, f"{method} {path} answered {status}, which /openapi.json does not list"
        described = responses[status]
        if "$ref" in described:
            described = document["components"]["responses"][described["$ref"].rsplit("/", 1)[1]]
    assert response.mimetype == "application/json", f"{method} {path}: {response.mimetype} is not JSON"
    schema = described["content"]["application/json"].get("schema")
    if schema is not None:
        schema_validator(schema, document).validate(response.get_json())


class OpenAPIClient(FlaskClient):
    """A Flask test client that checks every response against the app's /openapi.json."""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        document = self.application.extensions[_DOCUMENT_KEY]
        check_against_openapi(document, response.request.method, response.request.path, response)
        return response


_DOCUMENT_KEY = "openapi-test-document"


def use_openapi_client(app: Flask) -> Flask:
    """Make ``app.test_client()`` an :class:`OpenAPIClient` checking against the app's /openapi.json."""
    app.extensions[_DOCUMENT_KEY] = FlaskClient(app).get("/openapi.json").get_json()
    app.test_client_class = OpenAPIClient
    return app


@pytest.fixture(autouse=True)
def _no_stance_environment(monkeypatch):
    """Keep STANCE_* variables of the machine running the tests out of the apps they build."""
    for name in list(os.environ):
        if name.startswith("STANCE_"):
            monkeypatch.delenv(name)


@pytest.fixture
def make_app(tiny_model):
    """Build an app on the tiny model with extra settings."""

    def make(config: dict | None = None, **kwargs):
        app = create_app({"TESTING": True, **(config or {})}, model=kwargs.pop("model", tiny_model))
        return use_openapi_client(app)

    return make


@pytest.fixture
def app(make_app):
    """The app with its default settings, serving the tiny model."""
    return make_app()


@pytest.fixture
def client(app) -> OpenAPIClient:
    """A test client of ``app`` that checks every response against /openapi.json."""
    return app.test_client()


@pytest.fixture
def schema_errors():
    """Return the validation errors of a JSON value against a named schema of /openapi.json."""

    def errors(name: str, instance: object) -> list[str]:
        validator = schema_validator({"$ref": f"#/components/schemas/{name}"})
        return [error.message for error in validator.iter_errors(instance)]

    return errors
