"""Refused requests: JSON errors with a stable code, a message that says what to fix, a field."""

from __future__ import annotations

import io
import json

import pytest


def _post(client, body, content_type="application/json"):
    data = body if isinstance(body, bytes) else json.dumps(body)
    return client.post("/v1/predict", data=data, content_type=content_type)


def _error(response) -> dict:
    body = response.get_json()
    assert list(body) == ["error"]
    assert list(body["error"]) == ["code", "message", "field"]
    return body["error"]


@pytest.mark.parametrize(
    ("body", "code", "field", "message"),
    [
        (b"{", "invalid_json", None, "not valid JSON (Expecting property name"),
        (b'{"text": "a",}', "invalid_json", None, "line 1, column"),
        (b"", "invalid_json", None, "the body is empty"),
        (b"  \n ", "invalid_json", None, "the body is empty"),
        (b'{"text": "\xff\xfe"}', "invalid_json", None, "not valid UTF-8 (bad byte at offset 10)"),
        (b'{"text": "a\x00b"}', "invalid_json", None, "Invalid control character"),
        (b"[]", "invalid_type", None, "the body must be a JSON object, not a list"),
        (b'"Ankara"', "invalid_type", None, "not a string"),
        (b"null", "invalid_type", None, "not null"),
        ({}, "missing_input", None, "send one of text, sentences or documents"),
        ({"targets": ["nato"]}, "missing_input", None, "send one of"),
        ({"text": "a", "sentences": ["b"]}, "ambiguous_input", "sentences", "not both text and sentences"),
        ({"sentences": ["a"], "documents": []}, "ambiguous_input", "documents", "send only one"),
        ({"txt": "a"}, "unknown_field", "txt", "unknown field 'txt'"),
        ({"text": "a", "explian": True}, "unknown_field", "explian", "the fields are text, sentences"),
        ({"text": 5}, "invalid_type", "text", "text must be a string, not a number"),
        ({"text": None}, "invalid_type", "text", "not null"),
        ({"text": ["a"]}, "invalid_type", "text", "not a list"),
        ({"text": ""}, "empty_text", "text", "text is empty or only whitespace"),
        ({"text": " \n\t\u3000 "}, "empty_text", "text", "send some text"),
        ({"sentences": "Ankara."}, "invalid_type", "sentences", "sentences must be a list of strings"),
        ({"sentences": []}, "invalid_value", "sentences", "sentences is empty"),
        ({"sentences": ["ok", ""]}, "empty_text", "sentences[1]", "sentences[1] is empty"),
        ({"sentences": ["ok", {"t": 1}]}, "invalid_type", "sentences[1]", "not an object"),
        ({"documents": {"id": "a", "text": "b"}}, "invalid_type", "documents", "documents must be a list"),
        ({"documents": []}, "invalid_value", "documents", "documents is empty"),
        ({"documents": ["Ankara."]}, "invalid_type", "documents[0]", 'must be an object {"id", "text"}'),
        ({"documents": [{"id": "a"}]}, "missing_field", "documents[0].text", "documents[0] has no text"),
        ({"documents": [{"text": "a"}]}, "missing_field", "documents[0].id", "documents[0] has no id"),
        ({"documents": [{"id": 1, "text": "a"}]}, "invalid_type", "documents[0].id", "id must be a string"),
        ({"documents": [{"id": " ", "text": "a"}]}, "invalid_value", "documents[0].id", "non-blank string"),
        ({"documents": [{"id": "x" * 257, "text": "a"}]}, "invalid_value", "documents[0].id", "at most 256"),
        ({"documents": [{"id": "a", "text": "b", "lang": "fr"}]}, "unknown_field", "documents[0].lang", "'lang'"),
        ({"documents": [{"id": "a", "text": " "}]}, "empty_text", "documents[0].text", "documents[0].text is empty"),
        ({"documents": [{"id": "a", "text": 3}]}, "invalid_type", "documents[0].text", "must be a string"),
        (
            {"documents": [{"id": "a", "text": "b"}, {"id": "c", "text": "d"}, {"id": "a", "text": "e"}]},
            "duplicate_id",
            "documents[2].id",
            "'a' is already the id of documents[0]",
        ),
        ({"text": "a", "targets": "nato"}, "invalid_type", "targets", "targets must be a list of target names"),
        ({"text": "a", "targets": []}, "invalid_value", "targets", "omit it to score every target"),
        ({"text": "a", "targets": ["nato", 1]}, "invalid_type", "targets[1]", "must be a target name"),
        ({"text": "a", "targets": ["mars"]}, "unknown_target", "targets", "valid targets: nato, russia, turkey"),
        ({"text": "a", "explain": "true"}, "invalid_type", "explain", "explain must be true or false"),
        ({"text": "a", "explain": 1}, "invalid_type", "explain", "not a number"),
        (b'{"text": "Ankara \\ud800 x"}', "invalid_text", "text", "unpaired surrogate \\ud800 at character 7"),
        (b'{"sentences": ["\\udfff"]}', "invalid_text", "sentences[0]", "send valid Unicode"),
        (b'{"text": NaN}', "invalid_type", "text", "not a number"),
        (b'{"text": 1e999}', "invalid_type", "text", "not a number"),
        (b'{"text": 1' + b"0" * 5000 + b"}", "invalid_json", None, "not usable JSON"),
    ],
)
def test_bad_requests_answer_400_with_code_field_and_message(client, body, code, field, message):
    response = _post(client, body)

    error = _error(response)
    assert response.status_code == 400
    assert (error["code"], error["field"]) == (code, field)
    assert message in error["message"]


@pytest.mark.parametrize(
    ("config", "body", "code", "field", "message"),
    [
        (
            {"MAX_SENTENCES": 3},
            {"sentences": ["a", "b", "c", "d"]},
            "too_many_sentences",
            "sentences",
            "the request has 4 sentences, more than the limit of 3",
        ),
        (
            {"MAX_SENTENCES": 3},
            {"text": "Un. Deux. Trois. Quatre."},
            "too_many_sentences",
            "text",
            "more than 3 sentences",
        ),
        (
            {"MAX_SENTENCES": 3},
            {"documents": [{"id": "a", "text": "Un. Deux."}, {"id": "b", "text": "Trois. Quatre."}]},
            "too_many_sentences",
            "documents[1].text",
            "STANCE_MAX_SENTENCES",
        ),
        (
            {"MAX_DOCUMENTS": 2},
            {"documents": [{"id": str(i), "text": "a"} for i in range(3)]},
            "too_many_documents",
            "documents",
            "the request has 3 documents, more than the limit of 2; send them in several requests",
        ),
        (
            {"MAX_SENTENCE_CHARS": 10},
            {"sentences": ["short", "much too long"]},
            "sentence_too_long",
            "sentences[1]",
            "sentences[1] has 13 characters, more than the limit of 10",
        ),
        (
            {"MAX_SENTENCE_CHARS": 10},
            {"text": "Court. Une phrase trop longue."},
            "sentence_too_long",
            "text",
            "sentence 1 (text[7:30]) has 23 characters",
        ),
        (
            {"MAX_SENTENCE_CHARS": 10},
            {"documents": [{"id": "a", "text": "Court."}, {"id": "b", "text": "x" * 11}]},
            "sentence_too_long",
            "documents[1].text",
            "STANCE_MAX_SENTENCE_CHARS",
        ),
    ],
)
def test_requests_over_a_limit_answer_422(make_app, config, body, code, field, message):
    client = make_app(config).test_client()

    response = _post(client, body)

    error = _error(response)
    assert response.status_code == 422
    assert (error["code"], error["field"]) == (code, field)
    assert message in error["message"]


def test_a_100000_character_sentence_is_refused_by_default_with_422(client):
    response = _post(client, {"text": "Ankara et Moscou " * 6000})

    error = _error(response)
    assert response.status_code == 422
    assert error["code"] == "sentence_too_long"
    assert "more than the limit of 10000" in error["message"]


@pytest.mark.parametrize("size", [1024 * 1024 + 1, 10 * 1024 * 1024])
def test_a_body_over_the_default_limit_answers_413(client, size):
    body = b'{"text": "' + b"a" * (size - 12) + b'"}'

    response = _post(client, body)

    assert response.status_code == 413
    assert _error(response)["code"] == "body_too_large"
    assert "larger than 1048576 bytes" in _error(response)["message"]


def test_the_body_limit_is_configurable(make_app):
    client = make_app({"MAX_CONTENT_LENGTH": 100}).test_client()

    small = _post(client, {"text": "Ankara."})
    large = _post(client, {"text": "Ankara. " * 20})

    assert (small.status_code, large.status_code) == (200, 413)


@pytest.mark.parametrize(("limit", "status"), [(100, 413), (10_000, 200)])
def test_a_chunked_body_without_length_is_held_to_the_limit(make_app, limit, status):
    client = make_app({"MAX_CONTENT_LENGTH": limit}).test_client()
    body = json.dumps({"text": "Ankara. " * 50}).encode()

    response = client.post(
        "/v1/predict",
        input_stream=io.BytesIO(body),
        content_type="application/json",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True, "CONTENT_LENGTH": ""},
    )

    assert response.status_code == status


@pytest.mark.parametrize(
    ("content_type", "data"),
    [
        ("text/plain", '{"text": "Ankara."}'),
        ("application/x-www-form-urlencoded", "text=Ankara."),
        ("multipart/form-data; boundary=x", "--x--"),
        (None, '{"text": "Ankara."}'),
    ],
)
def test_a_body_that_is_not_json_answers_415(client, content_type, data):
    response = client.post("/v1/predict", data=data, content_type=content_type)

    assert response.status_code == 415
    assert _error(response)["code"] == "unsupported_media_type"
    assert "Content-Type: application/json" in _error(response)["message"]


@pytest.mark.parametrize(
    "path", ["/v1", "/v1/", "/v1/predictions", "/v2/predict", "/static/app.js", "/assets/nothing.js", "/v1/predict/x"]
)
def test_unknown_paths_answer_404_json(client, path):
    response = client.get(path)

    assert response.status_code == 404
    assert _error(response)["code"] == "not_found"


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("GET", "/v1/predict", "POST"),
        ("PUT", "/v1/predict", "POST"),
        ("POST", "/v1/health", "GET"),
        ("DELETE", "/v1/model", "GET"),
        ("POST", "/openapi.json", "GET"),
    ],
)
def test_wrong_methods_answer_405_json_with_allow(client, method, path, allowed):
    response = client.open(path, method=method)

    assert response.status_code == 405
    assert _error(response)["code"] == "method_not_allowed"
    assert allowed in response.headers["Allow"]


def test_an_unexpected_failure_answers_500_json_without_trace_and_is_logged(client, tiny_model, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("internal detail 42")

    monkeypatch.setattr(tiny_model, "analyze_split", broken)

    response = client.post("/v1/predict", json={"text": "Ankara."}, headers={"X-Request-ID": "boom-1"})

    error = _error(response)
    raw = response.get_data(as_text=True)
    assert response.status_code == 500
    assert error["code"] == "internal_error"
    assert "boom-1" in error["message"]
    assert "Traceback" not in raw
    assert "internal detail" not in raw
    logged = [r for r in caplog.records if r.exc_info]
    assert len(logged) == 1
    assert "boom-1" in logged[0].getMessage()
    assert "internal detail 42" in caplog.text


def test_the_server_keeps_serving_after_a_failure(client, tiny_model, monkeypatch):
    monkeypatch.setattr(tiny_model, "predict_sentences", lambda *a, **k: 1 / 0)
    failed = client.post("/v1/predict", json={"sentences": ["Ankara."]})
    monkeypatch.undo()

    again = client.post("/v1/predict", json={"sentences": ["Ankara."]})

    assert (failed.status_code, again.status_code) == (500, 200)


def test_an_input_error_from_the_model_answers_400(client, tiny_model, monkeypatch):
    from classifier import InputError

    def refuse(*args, **kwargs):
        raise InputError("text is not usable; send another", field="text")

    monkeypatch.setattr(tiny_model, "analyze_split", refuse)

    response = client.post("/v1/predict", json={"text": "Ankara."})

    assert response.status_code == 400
    assert _error(response) == {"code": "invalid_input", "message": "text is not usable; send another", "field": "text"}


def test_without_a_model_predict_and_ready_answer_503(app):
    app.extensions["stance"] = None
    client = app.test_client()

    predict = client.post("/v1/predict", json={"text": "Ankara."})
    ready = client.get("/v1/ready")
    health = client.get("/v1/health")

    assert (predict.status_code, ready.status_code, health.status_code) == (503, 503, 200)
    assert _error(ready)["code"] == "not_ready"
