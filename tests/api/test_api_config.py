"""create_app settings: defaults, then STANCE_* variables, then the mapping; the model loaded once."""

from __future__ import annotations

import pytest
from flask import Flask
from gunicorn.util import import_app

import api.app
from api import create_app
from api.errors import ConfigError
from classifier import ModelError


def test_defaults_are_the_documented_limits(tiny_model):
    app = create_app(model=tiny_model)

    assert {key: app.config[key] for key in api.app.DEFAULTS} == {
        "MODEL": None,
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "MAX_SENTENCES": 2000,
        "MAX_DOCUMENTS": 100,
        "MAX_SENTENCE_CHARS": 10_000,
        "API_TOKEN": None,
    }


def test_environment_variables_override_defaults_and_the_mapping_overrides_both(tiny_model, monkeypatch):
    monkeypatch.setenv("STANCE_MAX_SENTENCES", "5")
    monkeypatch.setenv("STANCE_MAX_DOCUMENTS", "7")
    monkeypatch.setenv("STANCE_MAX_CONTENT_LENGTH", "2048")

    app = create_app({"MAX_DOCUMENTS": 3}, model=tiny_model)

    assert (app.config["MAX_SENTENCES"], app.config["MAX_DOCUMENTS"], app.config["MAX_CONTENT_LENGTH"]) == (5, 3, 2048)


def test_the_environment_limits_apply_to_requests(tiny_model, monkeypatch):
    monkeypatch.setenv("STANCE_MAX_SENTENCES", "1")
    client = create_app(model=tiny_model).test_client()

    response = client.post("/v1/predict", json={"sentences": ["Un.", "Deux."]})

    assert response.status_code == 422


@pytest.mark.parametrize("token", ["123", "0123", "true", "null", "1e3", '"quoted"', "[1]"])
def test_a_token_from_the_environment_is_kept_exactly_as_written(tiny_model, monkeypatch, token):
    monkeypatch.setenv("STANCE_API_TOKEN", token)
    client = create_app(model=tiny_model).test_client()

    right = client.get("/v1/model", headers={"Authorization": f"Bearer {token}"})
    wrong = client.get("/v1/model", headers={"Authorization": "Bearer 1000.0"})

    assert (right.status_code, wrong.status_code) == (200, 401)


def test_the_model_is_loaded_from_stance_model(tiny_model, tiny_model_path, monkeypatch):
    monkeypatch.setenv("STANCE_MODEL", str(tiny_model_path))

    app = create_app()

    assert app.extensions["stance"].info == tiny_model.info


def test_the_model_is_loaded_from_the_model_setting(tiny_model, tiny_model_path):
    app = create_app({"MODEL": tiny_model_path})

    assert app.extensions["stance"].info == tiny_model.info


def test_a_missing_model_file_stops_the_app_from_being_built(tmp_path):
    with pytest.raises(ModelError, match="not found"):
        create_app({"MODEL": str(tmp_path / "missing.joblib")})


@pytest.mark.parametrize("key", ["MAX_CONTENT_LENGTH", "MAX_SENTENCES", "MAX_DOCUMENTS", "MAX_SENTENCE_CHARS"])
@pytest.mark.parametrize("value", [0, -1, "abc", True, 1.5, None])
def test_an_invalid_limit_is_refused_with_the_variable_to_fix(tiny_model, key, value):
    with pytest.raises(ConfigError, match=f"{key} must be a positive whole number \\(set STANCE_{key}\\)"):
        create_app({key: value}, model=tiny_model)


def test_a_limit_given_as_digits_is_read_as_a_number(tiny_model):
    app = create_app({"MAX_SENTENCES": " 12 "}, model=tiny_model)

    assert app.config["MAX_SENTENCES"] == 12


@pytest.mark.parametrize(("key", "value"), [("API_TOKEN", 123), ("MODEL", 5)])
def test_settings_of_the_wrong_type_are_refused(tiny_model, key, value):
    with pytest.raises(ConfigError, match=f"STANCE_{key}"):
        create_app({key: value}, model=tiny_model)


def test_importing_the_package_builds_no_app():
    assert not [name for name, value in vars(api.app).items() if isinstance(value, Flask)]


def test_gunicorn_can_build_the_app_from_its_factory(tiny_model, tiny_model_path, monkeypatch):
    monkeypatch.setenv("STANCE_MODEL", str(tiny_model_path))

    app = import_app("api:create_app()")

    assert isinstance(app, Flask)
    assert app.test_client().get("/v1/ready").get_json()["model"] == tiny_model.info.to_dict()


def test_apps_do_not_share_settings(make_app):
    small = make_app({"MAX_SENTENCES": 1}).test_client()
    large = make_app().test_client()

    body = {"sentences": ["Un.", "Deux."]}

    assert (small.post("/v1/predict", json=body).status_code, large.post("/v1/predict", json=body).status_code) == (
        422,
        200,
    )
