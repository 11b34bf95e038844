"""The model: masking, result shape, target-dependence, explanations, input refusals."""

import pytest

from classifier import InputError
from classifier.features import OTHER_TOKEN, TARGET_TOKEN, ContextWindow, mask
from classifier.targets import Mention


def test_mask_replaces_target_and_other_mentions():
    text = "Ankara a salué Moscou."
    out = mask(text, [Mention("Ankara", 0, 6)], [Mention("Moscou", 15, 21)])
    assert TARGET_TOKEN in out and OTHER_TOKEN in out
    assert "Ankara" not in out and "Moscou" not in out


def test_context_window_keeps_side_marked_neighbours():
    out = ContextWindow(width=2).fit([]).transform([f"the strike by {TARGET_TOKEN} hit a school"])
    assert out == ["strike_l by_l hit_r school_r"]  # one-letter words are not tokens


def test_context_window_without_placeholder_is_empty():
    assert ContextWindow().fit([]).transform(["no target here"]) == [""]


def test_result_has_the_api_shape(tiny_model):
    body = tiny_model.analyze("Ankara a accueilli des pourparlers. Il pleut.").to_dict()
    assert set(body) == {"model", "sentences", "summary"}
    assert set(body["model"]) == {"name", "version", "created_at"}
    first = body["sentences"][0]
    assert set(first) == {"index", "text", "start", "end", "duplicate_of", "sentiment", "targets"}
    assert set(first["sentiment"]["probabilities"]) == {"negative", "neutral", "positive"}
    turkey = first["targets"]["turkey"]
    assert turkey["mentioned"] is True and turkey["mentions"][0]["text"] == "Ankara"
    assert turkey["label"] in ("negative", "neutral", "positive")
    probs = turkey["probabilities"]
    assert abs(sum(probs.values()) - 1) < 1e-3
    assert abs(turkey["score"] - (probs["positive"] - probs["negative"])) < 1e-3
    nato = first["targets"]["nato"]
    assert nato == {"mentioned": False, "mentions": [], "label": None, "score": None, "probabilities": None}


def test_offsets_are_document_offsets(tiny_model):
    text = "Il pleut. Moscou a menacé Ankara."
    second = tiny_model.analyze(text).sentences[1]
    assert text[second.start : second.end] == second.text
    for target in second.targets.values():
        for m in target.mentions:
            assert text[m.start : m.end] == m.text


def test_same_sentence_can_get_different_tones_per_target(tiny_model):
    s = tiny_model.predict_sentences(["La Turquie a salué l'Otan, mais Moscou a menacé l'Otan."]).sentences[0]
    assert {"nato", "russia", "turkey"} <= {k for k, t in s.targets.items() if t.mentioned}
    assert s.targets["russia"].tone.probabilities != s.targets["turkey"].tone.probabilities


def test_summary_leaves_out_repeats(tiny_model, sample_article):
    analysis = tiny_model.analyze(sample_article)
    summary = analysis.summary
    assert summary["sentences"] == 12 and summary["unique_sentences"] == 7
    assert sum(summary["sentiment"]["counts"].values()) == 7
    turkey_mentions = sum(1 for s in analysis.sentences if s.duplicate_of is None and s.targets["turkey"].mentioned)
    assert summary["targets"]["turkey"]["mentioned_in"] == turkey_mentions


def test_predict_sentences_does_not_split(tiny_model):
    analysis = tiny_model.predict_sentences(["Une phrase. Une autre.", "Trois."])
    assert [(s.start, s.end) for s in analysis.sentences] == [(0, 22), (0, 6)]


def test_analyze_split_scores_given_sentences_like_analyze(tiny_model, sample_article):
    from classifier import split_sentences

    other = "La Russie dénonce l'Otan. Ankara se tait."
    split = [split_sentences(sample_article), split_sentences(other)]
    analyses = tiny_model.analyze_split(split, ids=["a", "b"], targets=["turkey"])
    assert [a.to_dict() for a in analyses] == [
        a.to_dict() for a in tiny_model.analyze_many([sample_article, other], ids=["a", "b"], targets=["turkey"])
    ]
    assert [s.start for s in analyses[1].sentences] == [0, 26]


def test_target_subset_and_names(tiny_model):
    s = tiny_model.analyze("Ankara et Moscou.", targets=["Turkey"]).sentences[0]
    assert list(s.targets) == ["turkey"]


@pytest.mark.parametrize(
    ("call", "field", "message"),
    [
        (lambda m: m.analyze("   "), "text", "empty"),
        (lambda m: m.analyze(42), "text", "must be a string"),
        (lambda m: m.predict_sentences(["ok", ""]), "sentences[1]", "empty"),
        (
            lambda m: m.analyze("ok", targets=["EU"]),
            "targets",
            "unknown target 'EU'; valid targets: nato, russia, turkey",
        ),
        (lambda m: m.analyze("ok", targets=[]), "targets", "must not be empty"),
        (lambda m: m.analyze("ok", targets="nato"), "targets", "list of target names"),
    ],
)
def test_bad_input_raises_input_error_with_field(tiny_model, call, field, message):
    with pytest.raises(InputError, match=message) as info:
        call(tiny_model)
    assert info.value.field == field


def test_explanations_list_ngrams_per_tone(tiny_model):
    s = tiny_model.predict_sentences(["Russian missiles struck a school."], explain=True).sentences[0]
    expl = s.targets["russia"].explanation
    assert set(expl) == {"negative", "neutral", "positive"}
    label = s.targets["russia"].tone.label
    assert expl[label], "the predicted tone has at least one n-gram pushing toward it"
    weights = [e["weight"] for e in expl[label]]
    assert weights == sorted(weights, reverse=True) and all(w > 0 for w in weights)
    assert "explanation" in s.to_dict()["targets"]["russia"]
    assert "explanation" not in s.to_dict()["targets"]["nato"]


def test_model_scores_with_the_pipelines_probabilities(tiny_model):
    texts = ["Ankara a salué l'accord avec Moscou.", "Moscow threatened NATO allies.", "Il pleut."]
    result = tiny_model.predict_sentences(texts)
    expected = tiny_model.sentiment_pipeline.predict_proba(texts)
    classes = [str(c) for c in tiny_model.sentiment_pipeline.classes_]
    for sentence, row in zip(result.sentences, expected, strict=True):
        for tone, p in zip(classes, row, strict=True):
            assert sentence.sentiment.probabilities[tone] == pytest.approx(p, abs=1e-6)
