"""Hostile bodies: whatever a client sends, the answer is never a 5xx and the app keeps serving."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api import create_app


def _nest(depth: int) -> bytes:
    return b'{"text": ' + b"[" * depth + b"]" * depth + b"}"


HOSTILE = {
    "deep nesting past the parser": b"[" * 200_000 + b"]" * 200_000,
    "deep nesting of objects": b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
    "deep nesting within the parser": _nest(900),
    "a huge array of sentences": json.dumps({"sentences": ["a"] * 200_000}).encode(),
    "a huge array of documents": json.dumps({"documents": [{}] * 200_000}).encode(),
    "a huge array of targets": json.dumps({"text": "Ankara.", "targets": ["nato"] * 100_000}).encode(),
    "a huge array of numbers": b'{"sentences": [' + b"1," * 300_000 + b"1]}",
    "wrong types everywhere": json.dumps({"text": {"a": [1, 2]}, "targets": {}, "explain": []}).encode(),
    "invalid UTF-8": b'{"text": "\xc3\x28 \xa0\xa1 \xf0\x28\x8c\xbc"}',
    "overlong UTF-8": b'{"text": "\xc0\xaf"}',
    "UTF-16 body": '{"text": "Ankara."}'.encode("utf-16"),
    "raw NUL bytes": b'{"text": "a\x00b"}\x00',
    "escaped NUL": b'{"text": "Ankara\\u0000 Moscou\\u0000."}',
    "only NULs": b'{"text": "\\u0000\\u0000"}',
    "a 100,000-character sentence": json.dumps({"text": "x" * 100_000}).encode(),
    "a 100,000-character word in sentences": json.dumps({"sentences": ["Ankara" * 20_000]}).encode(),
    "emoji": json.dumps({"text": "🇷🇺🤝🇹🇷 " * 2000}).encode(),
    "emoji as surrogate pairs": b'{"text": "\\ud83d\\ude00 Ankara."}',
    "right-to-left text": json.dumps({"text": "‏روسيا‎ تهدد \u202eتركيا\u202c. " * 500}).encode(),
    "control characters": json.dumps({"text": "".join(chr(c) for c in range(1, 32)) + "Ankara."}).encode(),
    "a surrogate as a key": b'{"\\ud800": "x", "text": "a"}',
    "a 100,000-character key": json.dumps({"k" * 100_000: 1}).encode(),
    "a 100,000-character target": json.dumps({"text": "a", "targets": ["t" * 100_000]}).encode(),
    "a 100,000-character id": json.dumps({"documents": [{"id": "i" * 100_000, "text": "a"}]}).encode(),
    "duplicate keys": b'{"text": "Ankara.", "text": "Moscou."}',
    "a key that is a prototype name": b'{"__proto__": {"text": "a"}, "constructor": 1}',
    "numbers out of range": b'{"text": -1e400, "explain": 1e400}',
    "a 100,000-digit number": b'{"text": ' + b"9" * 100_000 + b"}",
    "a lone quote": b'"',
    "trailing garbage": b'{"text": "Ankara."} {"text": "x"}',
    "a bare string": b'"Ankara."',
    "a bare number": b"42",
    "whitespace only": b" \t\r\n" * 1000,
    "a 10 MB body": b'{"text": "' + b"Ankara. " * 1_310_720 + b'"}',
}


@pytest.mark.parametrize("body", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_bodies_never_answer_5xx(client, body):
    response = client.post("/v1/predict", data=body, content_type="application/json")

    assert 400 <= response.status_code < 500 or response.status_code == 200
    assert "error" in response.get_json() or "sentences" in response.get_json()


def test_the_app_keeps_serving_after_every_hostile_body(client, sample_article):
    for body in HOSTILE.values():
        client.post("/v1/predict", data=body, content_type="application/json")

    response = client.post("/v1/predict", json={"text": sample_article})

    assert response.status_code == 200
    assert len(response.get_json()["sentences"]) == 12


def test_a_key_with_a_lone_surrogate_is_named_safely_in_the_error(client):
    response = client.post("/v1/predict", data=b'{"\\ud800": 1}', content_type="application/json")

    error = response.get_json()["error"]
    assert response.status_code == 400
    assert error["code"] == "unknown_field"
    assert error["field"] is None
    assert "\\ud800" in error["message"]
    response.get_data().decode("utf-8")  # the answer is valid UTF-8


def test_long_client_strings_are_cut_in_error_messages(client):
    response = client.post("/v1/predict", json={"text": "a", "targets": ["t" * 100_000]})

    assert response.status_code == 400
    assert len(response.get_data()) < 500


@pytest.fixture(scope="module")
def shared_client(tiny_model):
    app = create_app({"TESTING": True}, model=tiny_model)
    return app.test_client()


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=20,
)
_documents = st.lists(
    st.fixed_dictionaries({"id": st.text(max_size=5), "text": st.text(max_size=80)}) | _json_values, max_size=4
)
_bodies = (
    st.fixed_dictionaries(
        {},
        optional={
            "text": st.text(max_size=200) | _json_values,
            "sentences": st.lists(st.text(max_size=60), max_size=5) | _json_values,
            "documents": _documents,
            "targets": st.lists(st.sampled_from(["nato", "Russia", "TURKEY", "mars", ""]), max_size=3) | _json_values,
            "explain": st.booleans() | _json_values,
        },
    )
    | _json_values
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=_bodies)
def test_generated_bodies_never_answer_5xx(shared_client, body):
    response = shared_client.post("/v1/predict", data=json.dumps(body), content_type="application/json")

    assert response.status_code in (200, 400, 422)


@settings(max_examples=200, deadline=None)
@given(raw=st.binary(max_size=300))
def test_generated_bytes_never_answer_5xx(shared_client, raw):
    response = shared_client.post("/v1/predict", data=raw, content_type="application/json")

    assert response.status_code in (200, 400, 422)
