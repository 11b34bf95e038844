"""POST /v1/predict: the three inputs, the options, and the response shape."""

from __future__ import annotations

import json

import pytest

TONES = {"negative", "neutral", "positive"}


def test_text_answers_the_model_analysis_of_the_article(client, tiny_model, sample_article):
    response = client.post("/v1/predict", json={"text": sample_article})

    assert response.status_code == 200
    assert response.get_json() == tiny_model.analyze(sample_article).to_dict()


def test_text_response_has_every_sentence_with_offsets_and_repeats(client, tiny_model, sample_article):
    body = client.post("/v1/predict", json={"text": sample_article}).get_json()

    assert list(body) == ["model", "sentences", "summary"]
    assert body["model"] == tiny_model.info.to_dict()
    assert len(body["sentences"]) == 12
    assert [s["index"] for s in body["sentences"]] == list(range(12))
    for sentence in body["sentences"]:
        assert sample_article[sentence["start"] : sentence["end"]] == sentence["text"]
        assert set(sentence["targets"]) == {"nato", "russia", "turkey"}
        for target in sentence["targets"].values():
            for mention in target["mentions"]:
                assert sample_article[mention["start"] : mention["end"]] == mention["text"]
    repeats = [s for s in body["sentences"] if s["duplicate_of"] is not None]
    assert len(repeats) == 5
    assert body["summary"]["sentences"] == 12
    assert body["summary"]["unique_sentences"] == 7


def test_sentences_are_scored_one_each_without_splitting(client, tiny_model):
    sentences = ["M. Dupont est arrivé. Il a parlé à Ankara.", "NATO ministers met in Brussels."]

    response = client.post("/v1/predict", json={"sentences": sentences})

    body = response.get_json()
    assert response.status_code == 200
    assert [s["text"] for s in body["sentences"]] == sentences
    assert [(s["start"], s["end"]) for s in body["sentences"]] == [(0, len(t)) for t in sentences]
    assert body == tiny_model.predict_sentences(sentences).to_dict()


def test_documents_answer_one_analysis_per_document_in_order(client, tiny_model, sample_article):
    documents = [
        {"id": "article", "text": sample_article},
        {"id": "short", "text": "Ankara a salué l'accord avec l'Otan."},
    ]

    response = client.post("/v1/predict", json={"documents": documents})

    body = response.get_json()
    assert response.status_code == 200
    assert list(body) == ["model", "documents"]
    assert body["model"] == tiny_model.info.to_dict()
    assert [d["id"] for d in body["documents"]] == ["article", "short"]
    for document, result in zip(documents, body["documents"], strict=True):
        assert list(result) == ["id", "sentences", "summary"]
        expected = tiny_model.analyze(document["text"]).to_dict(include_model=False)
        assert result == {**expected, "id": document["id"]}


@pytest.mark.parametrize(
    ("targets", "keys"),
    [
        (["nato"], ["nato"]),
        (["NATO", "tUrKeY"], ["nato", "turkey"]),
        (["Russia", "russia"], ["russia"]),
        (None, ["nato", "russia", "turkey"]),
    ],
)
def test_targets_limit_the_scored_targets(client, sample_article, targets, keys):
    body = client.post("/v1/predict", json={"text": sample_article, "targets": targets}).get_json()

    assert all(list(s["targets"]) == keys for s in body["sentences"])
    assert list(body["summary"]["targets"]) == keys


def test_targets_apply_to_every_document(client):
    documents = [{"id": "a", "text": "Moscou menace Ankara."}, {"id": "b", "text": "L'Otan se réunit."}]

    body = client.post("/v1/predict", json={"documents": documents, "targets": ["turkey"]}).get_json()

    assert [list(d["summary"]["targets"]) for d in body["documents"]] == [["turkey"], ["turkey"]]


def test_explain_adds_ngrams_per_tone_to_mentioned_targets_only(client, sample_article):
    body = client.post("/v1/predict", json={"text": sample_article, "explain": True}).get_json()

    explained = 0
    for sentence in body["sentences"]:
        for target in sentence["targets"].values():
            if not target["mentioned"]:
                assert "explanation" not in target
                continue
            explained += 1
            assert set(target["explanation"]) <= TONES
            for ngrams in target["explanation"].values():
                assert all(set(item) == {"ngram", "block", "weight"} for item in ngrams)
                weights = [item["weight"] for item in ngrams]
                assert weights == sorted(weights, reverse=True)
    assert explained > 0


@pytest.mark.parametrize("explain", [False, None])
def test_without_explain_there_is_no_explanation(client, sample_article, explain):
    body = client.post("/v1/predict", json={"text": sample_article, "explain": explain}).get_json()

    assert not any("explanation" in t for s in body["sentences"] for t in s["targets"].values())


def test_explain_works_with_sentences_and_documents(client):
    by_sentences = client.post("/v1/predict", json={"sentences": ["Moscou menace Ankara."], "explain": True})
    by_documents = client.post(
        "/v1/predict", json={"documents": [{"id": "x", "text": "Moscou menace Ankara."}], "explain": True}
    )

    assert "explanation" in by_sentences.get_json()["sentences"][0]["targets"]["russia"]
    assert "explanation" in by_documents.get_json()["documents"][0]["sentences"][0]["targets"]["turkey"]


@pytest.mark.parametrize(
    "text",
    [
        "L'Otan 🚀🇹🇷 salue Ankara 👍🏽. Moscou proteste 😡.",
        "روسيا تهدد تركيا. Ankara répond.",
        "רוסיה וטורקיה. NATO meets.",
        "Moscou\x00menace\x01Ankara\x7f.\u200b\u202e inversé.",
        "Ankara\u0301 e\u0301te\u0301 ﬁn. Ｍｏｓｃｏｕ.",
        "\ufeff\t  Ankara  \r\n\r\n  Moscou  ",
    ],
)
def test_any_unicode_text_is_scored_with_exact_offsets(client, text):
    response = client.post("/v1/predict", json={"text": text})

    body = response.get_json()
    assert response.status_code == 200
    assert body["sentences"]
    for sentence in body["sentences"]:
        assert text[sentence["start"] : sentence["end"]] == sentence["text"]


def test_response_is_utf8_json_with_text_unescaped(client):
    response = client.post("/v1/predict", json={"text": "L'Otan salue Ankara 👍."})

    raw = response.get_data()
    assert "👍".encode() in raw
    assert json.loads(raw.decode("utf-8"))["sentences"][0]["text"] == "L'Otan salue Ankara 👍."


@pytest.mark.parametrize(
    "content_type", ["application/json; charset=utf-8", "application/json;charset=UTF-8", "application/vnd.stance+json"]
)
def test_json_content_types_with_parameters_are_accepted(client, content_type):
    response = client.post("/v1/predict", data=b'{"text": "Ankara."}', content_type=content_type)

    assert response.status_code == 200


def test_a_utf8_byte_order_mark_is_accepted(client):
    response = client.post("/v1/predict", data='\ufeff{"text": "Ankara."}'.encode(), content_type="application/json")

    assert response.status_code == 200


def test_limits_allow_requests_exactly_at_the_limit(make_app):
    client = make_app({"MAX_SENTENCES": 3, "MAX_DOCUMENTS": 2, "MAX_SENTENCE_CHARS": 20}).test_client()

    by_text = client.post("/v1/predict", json={"text": "Ankara parle. Moscou aussi. Et l'Otan."})
    by_sentences = client.post("/v1/predict", json={"sentences": ["a" * 20, "b", "c"]})
    by_documents = client.post(
        "/v1/predict", json={"documents": [{"id": "1", "text": "Un. Deux."}, {"id": "2", "text": "Trois."}]}
    )

    assert [r.status_code for r in (by_text, by_sentences, by_documents)] == [200, 200, 200]


def test_a_100000_character_sentence_is_scored_when_the_limit_allows(make_app):
    client = make_app({"MAX_SENTENCE_CHARS": 200_000}).test_client()
    text = ("Ankara et Moscou " * 6250)[:100_000]

    response = client.post("/v1/predict", json={"text": text})

    body = response.get_json()
    assert response.status_code == 200
    assert len(body["sentences"]) == 1
    assert body["sentences"][0]["end"] - body["sentences"][0]["start"] == len(text.strip())


def test_request_bodies_of_these_tests_match_the_documented_request_schema(schema_errors, sample_article):
    bodies = [
        {"text": sample_article},
        {"sentences": ["a", "b"], "targets": ["NATO"], "explain": True},
        {"documents": [{"id": "a", "text": "x"}], "targets": None, "explain": None},
    ]

    assert [schema_errors("PredictRequest", body) for body in bodies] == [[], [], []]
