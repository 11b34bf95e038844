"""Requests generated from the API's own /openapi.json: never a 5xx, always a documented JSON answer.

Bodies are drawn from the request schemas (valid ones), then broken in one place (a
required field dropped, an unknown field added, a value of the wrong type), and sent to
every documented path with every method, through the Flask test client on the tiny model.
"""

from __future__ import annotations

import json
import re

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api import create_app

FUZZ = settings(
    max_examples=120,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
# Text drawn from everything JSON can carry (lone surrogates included) plus news words
# that trigger mention detection.
WORDS = ["Ankara", "l'Otan", "NATO", "Russie", "Moscow", "Erdoğan", "turkey", ". ", "\n", " « ", "»", "M.", "U.S."]
TEXT = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(WORDS) | st.text(max_size=5), max_size=15).map(" ".join),
)


@pytest.fixture(scope="module")
def app(tiny_model):
    return create_app({"TESTING": True}, model=tiny_model)


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def document(client) -> dict:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def _resolve(schema: dict, document: dict) -> dict:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        schema = {**document["components"]["schemas"][name], **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def from_schema(schema: dict, document: dict) -> st.SearchStrategy:
    """Return a strategy for JSON values valid against ``schema`` (the subset the API uses)."""
    schema = _resolve(schema, document)
    if "oneOf" in schema or "anyOf" in schema:
        return st.one_of([from_schema(s, document) for s in schema.get("oneOf", schema.get("anyOf"))])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    types = schema.get("type", "object")
    if isinstance(types, list):
        return st.one_of([from_schema({**schema, "type": t}, document) for t in types])
    if types == "null":
        return st.none()
    if types == "boolean":
        return st.booleans()
    if types == "integer":
        return st.integers(schema.get("minimum"), schema.get("maximum"))
    if types == "number":
        return st.floats(schema.get("minimum"), schema.get("maximum"), allow_nan=False)
    if types == "string":
        strings = TEXT.filter(lambda s: schema.get("minLength", 0) <= len(s) <= schema.get("maxLength", 10**9))
        if "pattern" in schema:
            pattern = re.compile(schema["pattern"])
            strings = strings.filter(lambda s: pattern.search(s) is not None)
        return strings
    if types == "array":
        return st.lists(from_schema(schema.get("items", {}), document), min_size=schema.get("minItems", 0), max_size=4)
    properties = schema.get("properties", {})
    required = schema.get("required", [])
    return st.fixed_dictionaries(
        {name: from_schema(properties[name], document) for name in required},
        optional={name: from_schema(s, document) for name, s in properties.items() if name not in required},
    )


def _json_values() -> st.SearchStrategy:
    return st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
        max_leaves=8,
    )


@st.composite
def broken(draw, valid: st.SearchStrategy) -> object:
    """A valid body broken in one place: a field dropped, an unknown one added, a type changed."""
    body = draw(valid)
    action = draw(st.sampled_from(["drop", "add", "retype", "nest"]))
    if action == "drop" and body:
        body.pop(draw(st.sampled_from(sorted(body))))
    elif action == "add":
        body[draw(st.text(min_size=1, max_size=10))] = draw(_json_values())
    elif action == "retype" and body:
        body[draw(st.sampled_from(sorted(body)))] = draw(_json_values())
    else:
        return draw(st.sampled_from([[body], {"body": body}, json.dumps(body)]))
    return body


def _check_answer(document: dict, method: str, path: str, response) -> None:
    assert response.status_code < 500, f"{method} {path} answered {response.status_code}: {response.get_data()[:300]!r}"
    assert response.mimetype == "application/json"
    body = response.get_json()
    item = document["paths"].get(path, {})
    operation = item.get(method.lower())
    if operation is None or response.status_code >= 400:
        assert set(body) == {"error"}
        _validator({"$ref": "#/components/schemas/Error"}, document).validate(body)
        return
    described = operation["responses"][str(response.status_code)]
    schema = described["content"]["application/json"].get("schema")
    if schema is not None:
        _validator(schema, document).validate(body)


def _validator(schema: dict, document: dict) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator({**schema, "components": document["components"]})


def _request_schema(document: dict) -> dict:
    return document["paths"]["/v1/predict"]["post"]["requestBody"]["content"]["application/json"]["schema"]


def test_every_documented_path_answers_every_method_without_5xx(client, document):
    for path in [*document["paths"], "/v1", "/v1/predict/", "/v2/predict", "/%00", "/.." * 20]:
        for method in METHODS:
            response = client.open(path, method=method, json={"text": "Ankara."})
            _check_answer(document, method, path, response)


@FUZZ
@given(data=st.data())
def test_bodies_valid_against_the_schema_are_scored_or_refused_by_a_limit(client, document, data):
    body = data.draw(from_schema(_request_schema(document), document))
    _validator(_request_schema(document), document).validate(body)
    response = client.post("/v1/predict", json=body)
    _check_answer(document, "POST", "/v1/predict", response)
    # The schema cannot say that targets must exist or that document ids must differ:
    # those, and the size limits, are the only refusals a schema-valid body may get.
    if response.status_code != 200:
        code = response.get_json()["error"]["code"]
        assert code in {"unknown_target", "duplicate_id", "too_many_sentences", "sentence_too_long"}, code


@FUZZ
@given(data=st.data())
def test_bodies_broken_in_one_place_get_a_documented_answer(client, document, data):
    body = data.draw(broken(from_schema(_request_schema(document), document)))
    response = client.post("/v1/predict", json=body)
    _check_answer(document, "POST", "/v1/predict", response)
    if response.status_code == 200:
        _validator(_request_schema(document), document).validate(body)


@FUZZ
@given(data=st.data())
def test_any_json_to_any_path_gets_a_documented_answer(client, document, data):
    path = data.draw(st.sampled_from(list(document["paths"])))
    method = data.draw(st.sampled_from(METHODS))
    body = data.draw(_json_values())
    response = client.open(path, method=method, data=json.dumps(body), content_type="application/json")
    _check_answer(document, method, path, response)


# Hostile requests beyond the bodies of tests/api: odd headers, media types and sizes.
HOSTILE_REQUESTS = {
    "no content type": {"data": b'{"text": "Ankara."}', "content_type": None},
    "form encoded": {"data": b"text=Ankara", "content_type": "application/x-www-form-urlencoded"},
    "multipart": {"data": b"--x\r\n\r\n--x--", "content_type": "multipart/form-data; boundary=x"},
    "JSON with a Latin-1 charset": {
        "data": '{"text": "Café à Ankara."}'.encode("latin-1"),
        "content_type": "application/json; charset=latin-1",
    },
    "a JSON-like media type": {"data": b'{"text": "Ankara."}', "content_type": "application/merge-patch+json"},
    "a content type 10 kB long": {"data": b"{}", "content_type": "application/json; x=" + "a" * 10_000},
    "a wrong Content-Length": {"data": b'{"text": "Ankara."}', "headers": {"Content-Length": "5"}},
    "a negative Content-Length": {"data": b'{"text": "Ankara."}', "headers": {"Content-Length": "-1"}},
    "an absurd Content-Length": {"data": b'{"text": "Ankara."}', "headers": {"Content-Length": "9" * 30}},
    "a chunked body past the limit": {"data": b'{"text": "' + b"a" * (1 << 20) + b'"}', "headers": {}},
    "a 100 kB header": {"data": b'{"text": "Ankara."}', "headers": {"X-Junk": "j" * 100_000}},
    "a request id with a header inside": {"data": b"{}", "headers": {"X-Request-ID": "a: b; Set-Cookie"}},
    "a bearer with NUL": {"data": b'{"text": "Ankara."}', "headers": {"Authorization": "Bearer \x00\xff"}},
    "a query string": {"data": b'{"text": "Ankara."}', "query_string": "text=" + "%00" * 1000},
    "a megabyte of short sentences": {"json": {"text": "Le chat. " * 110_000}},
    "a megabyte of mentions in one sentence": {"json": {"text": "Ankara et Moscou " * 60_000}},
    "sentences naming every target": {"json": {"sentences": ["Ankara, l'Otan et Moscou."] * 300}},
    "2,001 sentences": {"json": {"sentences": ["Ankara."] * 2001}},
}


@pytest.mark.parametrize("request_args", HOSTILE_REQUESTS.values(), ids=HOSTILE_REQUESTS.keys())
def test_hostile_requests_get_a_documented_answer(client, document, request_args):
    args = {"content_type": "application/json", **request_args}
    if args["content_type"] is None:
        del args["content_type"]
    response = client.post("/v1/predict", **args)
    _check_answer(document, "POST", "/v1/predict", response)
    assert re.fullmatch(r"[A-Za-z0-9._-]{1,128}", response.headers["X-Request-ID"])


def test_the_app_still_scores_after_the_fuzzing(client, tiny_model):
    response = client.post("/v1/predict", json={"text": "Ankara a salué l'accord."})
    assert response.status_code == 200
    assert response.get_json() == tiny_model.analyze("Ankara a salué l'accord.").to_dict()
