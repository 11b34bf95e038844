"""The service around the predictions: health, readiness, model, OpenAPI, request ids, logs, token."""

from __future__ import annotations

import hmac
import json
import logging
import re
from pathlib import Path

import jsonschema
import pytest

import api
from api.openapi import openapi_document

# -- health, readiness, model --------------------------------------------------------------


def test_health_answers_ok(client):
    response = client.get("/v1/health")

    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})


def test_ready_names_the_loaded_model(client, tiny_model):
    response = client.get("/v1/ready")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ready", "model": tiny_model.info.to_dict()}


def test_model_describes_version_targets_labels_metrics_versions_and_limits(client, tiny_model):
    body = client.get("/v1/model").get_json()

    assert body["name"] == "tiny"
    assert body["version"] == tiny_model.info.version == body["sha256"][:12]
    assert body["created_at"] == tiny_model.info.created_at
    assert list(body["targets"]) == ["nato", "russia", "turkey"]
    assert body["targets"]["nato"]["name"] == "NATO"
    assert "Otan" in [a.capitalize() for a in body["targets"]["nato"]["aliases"]["fr"]]
    assert body["targets"]["turkey"]["capitalised"] == ["Turkey"]
    assert body["labels"] == ["negative", "neutral", "positive"]
    assert body["metrics"] == tiny_model.metrics
    assert body["versions"]["scikit-learn"] == tiny_model.bundle["versions"]["scikit-learn"]
    assert body["limits"] == {
        "max_body_bytes": 1024 * 1024,
        "max_sentences": 2000,
        "max_documents": 100,
        "max_sentence_chars": 10_000,
    }


def test_model_does_not_reveal_the_server_file_path(client, tiny_model):
    raw = client.get("/v1/model").get_data(as_text=True)

    assert str(tiny_model.path) not in raw


# -- the OpenAPI document ---------------------------------------------------------------


def test_openapi_is_served_as_json(client):
    response = client.get("/openapi.json")

    assert response.status_code == 200
    assert response.get_json()["openapi"] == "3.1.0"
    assert response.get_json() == openapi_document()


def test_openapi_describes_every_route_of_the_api_and_no_other(app):
    routes = {
        (rule.rule, method.lower())
        for rule in app.url_map.iter_rules()
        if not rule.endpoint.startswith("page.")  # the browser page is not part of the JSON API
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    documented = {(path, method) for path, item in openapi_document()["paths"].items() for method in item}

    assert routes == documented


def test_openapi_schemas_are_valid_json_schemas_whose_references_resolve():
    document = openapi_document()
    text = json.dumps(document)

    for schema in document["components"]["schemas"].values():
        jsonschema.Draft202012Validator.check_schema(schema)
    for kind, name in re.findall(r'"#/components/(\w+)/(\w+)"', text):
        assert name in document["components"][kind], f"#/components/{kind}/{name} does not resolve"


def test_openapi_lists_every_error_code_the_api_uses():
    source = "".join(p.read_text(encoding="utf-8") for p in Path(api.__file__).parent.glob("*.py"))
    used = set(re.findall(r'(?:ApiError|error_response)\(\s*\d{3},\s*"([a-z_]+)"', source))
    used |= set(re.findall(r'\d{3}: \("([a-z_]+)"', source))  # Werkzeug's errors
    used |= {"too_many_sentences", "too_many_documents"}  # built as f"too_many_{what}"
    error = openapi_document()["components"]["schemas"]["Error"]["properties"]["error"]

    assert len(used) > 15
    assert used - set(error["properties"]["code"]["enum"]) == set()


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"text": ""},
        {"text": "a", "sentences": ["b"]},
        {"text": "a", "extra": 1},
        {"sentences": []},
        {"documents": [{"id": "a"}]},
        {"text": "a", "explain": "yes"},
        {"text": "a", "targets": []},
    ],
)
def test_the_request_schema_refuses_what_the_api_refuses_as_malformed(client, schema_errors, body):
    response = client.post("/v1/predict", json=body)

    assert response.status_code == 400
    assert schema_errors("PredictRequest", body)


# -- request ids ----------------------------------------------------------------------------


@pytest.mark.parametrize("given", ["abc", "req-1.2_3", "A" * 128, "0"])
def test_a_sane_request_id_is_echoed(client, given):
    response = client.get("/v1/health", headers={"X-Request-ID": given})

    assert response.headers["X-Request-ID"] == given


@pytest.mark.parametrize("given", ["", "a" * 129, "has space", "a/b", "<script>", "é", "a;b=c"])
def test_an_insane_request_id_is_replaced_by_a_new_one(client, given):
    response = client.get("/v1/health", headers={"X-Request-ID": given})

    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])


def test_every_request_gets_its_own_id(client):
    ids = {client.get("/v1/health").headers["X-Request-ID"] for _ in range(5)}

    assert len(ids) == 5


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/nowhere", 404), ("GET", "/v1/predict", 405), ("POST", "/v1/predict", 415)],
)
def test_errors_carry_a_request_id_too(client, method, path, status):
    response = client.open(path, method=method, headers={"X-Request-ID": "err-1"})

    assert (response.status_code, response.headers["X-Request-ID"]) == (status, "err-1")


# -- request logs -------------------------------------------------------------------------


def _request_lines(caplog) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "stance.api" and not r.exc_info]


def test_one_json_line_is_logged_per_request_without_the_text(client, caplog, sample_article):
    caplog.set_level(logging.INFO, logger="stance.api")

    client.post("/v1/predict", json={"text": sample_article}, headers={"X-Request-ID": "log-1"})

    lines = _request_lines(caplog)
    assert len(lines) == 1
    line = lines[0]
    assert list(line) == ["request_id", "method", "path", "status", "duration_ms", "sentences"]
    assert line["request_id"] == "log-1"
    assert (line["method"], line["path"], line["status"], line["sentences"]) == ("POST", "/v1/predict", 200, 12)
    assert line["duration_ms"] >= 0
    assert "Russie" not in caplog.text
    assert "Tchemezov" not in caplog.text


def test_refused_requests_are_logged_with_their_status_and_no_text(client, caplog):
    caplog.set_level(logging.INFO, logger="stance.api")

    client.post("/v1/predict", json={"text": "Secret Ankara.", "targets": ["mars"]})
    client.get("/v1/nowhere?q=secret")

    lines = _request_lines(caplog)
    assert [(line["status"], line["path"], line["sentences"]) for line in lines] == [
        (400, "/v1/predict", 0),
        (404, "/v1/nowhere", 0),
    ]
    assert "ecret" not in caplog.text


def test_documents_log_the_sentences_of_all_documents(client, caplog):
    caplog.set_level(logging.INFO, logger="stance.api")
    documents = [{"id": "a", "text": "Un. Deux."}, {"id": "b", "text": "Trois."}]

    client.post("/v1/predict", json={"documents": documents})

    assert _request_lines(caplog)[0]["sentences"] == 3


# -- the bearer token -----------------------------------------------------------------------


@pytest.fixture
def guarded(make_app):
    return make_app({"API_TOKEN": "s3cret-token"}).test_client()


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "needs the header Authorization: Bearer <token>"),
        ({"Authorization": "Bearer"}, "needs the header"),
        ({"Authorization": "Basic czNjcmV0LXRva2Vu"}, "needs the header"),
        ({"Authorization": "Bearer wrong"}, "the bearer token is not valid"),
        ({"Authorization": "Bearer s3cret-token-and-more"}, "not valid"),
        ({"Authorization": "Bearer S3CRET-TOKEN"}, "not valid"),
        ({"Authorization": "Bearer s3crèt-token"}, "not valid"),
    ],
)
@pytest.mark.parametrize(("method", "path"), [("POST", "/v1/predict"), ("GET", "/v1/model")])
def test_with_a_token_predict_and_model_answer_401_without_it(guarded, method, path, headers, message):
    response = guarded.open(path, method=method, headers=headers, json={"text": "Ankara."})

    error = response.get_json()["error"]
    assert response.status_code == 401
    assert error["code"] == "unauthorized"
    assert message in error["message"]
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="stance"'


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
def test_with_the_token_predict_and_model_answer(guarded, scheme):
    headers = {"Authorization": f"{scheme} s3cret-token"}

    predict = guarded.post("/v1/predict", json={"text": "Ankara."}, headers=headers)
    model = guarded.get("/v1/model", headers=headers)

    assert (predict.status_code, model.status_code) == (200, 200)


@pytest.mark.parametrize("path", ["/v1/health", "/v1/ready", "/openapi.json"])
def test_health_readiness_and_openapi_stay_open_with_a_token(guarded, path):
    assert guarded.get(path).status_code == 200


def test_the_token_is_checked_before_the_body(guarded):
    response = guarded.post("/v1/predict", data=b"{", content_type="application/json")

    assert response.status_code == 401


def test_the_token_is_compared_in_constant_time(guarded, monkeypatch):
    calls = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr("api.app.hmac.compare_digest", spy)

    guarded.get("/v1/model", headers={"Authorization": "Bearer nope"})

    assert calls == [(b"nope", b"s3cret-token")]


def test_a_non_ascii_token_works(make_app):
    client = make_app({"API_TOKEN": "clé-secrète"}).test_client()
    sent = "clé-secrète".encode().decode("latin-1")  # what a client's UTF-8 bytes look like in WSGI

    response = client.get("/v1/model", headers={"Authorization": f"Bearer {sent}"})

    assert response.status_code == 200


def test_an_empty_token_means_no_access_control(make_app):
    client = make_app({"API_TOKEN": ""}).test_client()

    assert client.get("/v1/model").status_code == 200
