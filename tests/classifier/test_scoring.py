import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import MultinomialNB
from sklearn.pipeline import FeatureUnion, Pipeline

from classifier.features import build_pipeline, mask
from classifier.scoring import LinearScorer
from classifier.targets import Mention

# Texts as the target model sees them: mentions replaced by the placeholders.
TEXTS = [
    "xtgtx a salué l'accord signé avec xothx.",
    "xtgtx threatened xothx allies with new missiles.",
    "Les ministres se réuniront à Bruxelles, au siège de xtgtx.",
    "xtgtx welcomed Finland as its newest member.",
    "La xtgtx a bombardé des dépôts de céréales.",
    "xtgtx's lira fell again on Monday.",
]
TONES = ["positive", "negative", "neutral", "positive", "negative", "negative"]
UNSEEN = [
    "Le Kremlin a accusé l'Otan d'attiser les tensions.",
    "",
    "!!! ???",
    "Ünïcödé ½ 𝔘𝔫𝔦 " * 20,
    mask("Ankara hails Moscow", [Mention("Ankara", 0, 6)], [Mention("Moscow", 13, 19)]),
]


@pytest.mark.parametrize("config", [{}, {"cues": False, "window": 0}, {"char_ngrams": None}, {"class_weight": None}])
def test_compiled_scorer_reproduces_the_pipeline(config):
    pipeline = build_pipeline(config).fit(TEXTS * 2, TONES * 2)
    scorer = LinearScorer.compile(pipeline)
    assert scorer is not None
    np.testing.assert_allclose(scorer.predict_proba(UNSEEN), pipeline.predict_proba(UNSEEN), atol=1e-6)
    np.testing.assert_allclose(scorer.predict_proba(TEXTS), pipeline.predict_proba(TEXTS), atol=1e-6)
    assert list(scorer.classes_) == list(pipeline.classes_)


def test_compiled_scorer_handles_a_batch_of_one_and_of_none():
    pipeline = build_pipeline().fit(TEXTS, TONES)
    scorer = LinearScorer.compile(pipeline)
    one = scorer.predict_proba(UNSEEN[:1])
    assert one.shape == (1, 3) and one.sum() == pytest.approx(1.0)
    assert scorer.predict_proba([]).shape == (0, 3)


def test_vectoriser_settings_are_carried_over():
    vec = TfidfVectorizer(sublinear_tf=False, use_idf=False, norm=None, ngram_range=(1, 2))
    pipeline = Pipeline([("features", FeatureUnion([("w", vec)])), ("clf", LogisticRegression())])
    pipeline.fit(TEXTS * 2, TONES * 2)
    scorer = LinearScorer.compile(pipeline)
    assert scorer is not None
    np.testing.assert_allclose(scorer.predict_proba(UNSEEN), pipeline.predict_proba(UNSEEN), atol=1e-6)


@pytest.mark.parametrize(
    "pipeline",
    [
        Pipeline([("features", FeatureUnion([("w", TfidfVectorizer())])), ("clf", MultinomialNB())]),
        Pipeline([("features", FeatureUnion([("w", CountVectorizer())])), ("clf", LogisticRegression())]),
        Pipeline([("w", TfidfVectorizer()), ("clf", LogisticRegression())]),
        Pipeline([("features", FeatureUnion([("w", TfidfVectorizer(binary=True))])), ("clf", LogisticRegression())]),
    ],
    ids=["other classifier", "counts without tf-idf", "no feature union", "binary tf"],
)
def test_pipelines_it_cannot_reproduce_are_left_to_scikit_learn(pipeline):
    pipeline.fit(TEXTS * 2, TONES * 2)
    assert LinearScorer.compile(pipeline) is None


def test_two_class_pipelines_are_left_to_scikit_learn():
    pipeline = build_pipeline().fit(TEXTS, ["positive", "negative"] * 3)
    assert LinearScorer.compile(pipeline) is None


def test_a_scorer_that_disagrees_with_its_pipeline_is_refused(monkeypatch):
    pipeline = build_pipeline().fit(TEXTS, TONES)
    real = pipeline.predict_proba
    monkeypatch.setattr(pipeline, "predict_proba", lambda texts: real(texts)[:, ::-1])
    assert LinearScorer.compile(pipeline) is None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(st.characters(codec="utf-8"), max_size=120))
def test_compiled_scorer_equals_the_pipeline_on_any_text(fitted, text):
    pipeline, scorer = fitted
    texts = [text, text + " xtgtx " + text]
    np.testing.assert_allclose(scorer.predict_proba(texts), pipeline.predict_proba(texts), atol=1e-6)


@pytest.fixture(scope="module")
def fitted():
    """A pipeline fitted on texts with accents, ligatures and spacing marks, and its scorer."""
    extra = ["xtgtx a réussi l’œuvre ¨ fiancée ﬁn", "Ǆemal ΣΟΦΙΑ xothx\u00a0a\u2003b", "İstanbul xtgtx ´ cafe\u0301"]
    pipeline = build_pipeline().fit(TEXTS + extra, [*TONES, "positive", "neutral", "negative"])
    return pipeline, LinearScorer.compile(pipeline)


def test_a_joined_scorer_gives_each_part_its_own_probabilities():
    target = build_pipeline().fit(TEXTS * 2, TONES * 2)
    sentiment = build_pipeline({"char_ngrams": (3, 4)}, window=False).fit(TEXTS[::-1] * 2, TONES * 2)
    joined = LinearScorer.join(LinearScorer.compile(sentiment), LinearScorer.compile(target))
    sentences, masked = UNSEEN[:3], UNSEEN[2:] + TEXTS[:2]
    got_sentiment, got_target = joined.predict([sentences, masked])
    np.testing.assert_allclose(got_sentiment, sentiment.predict_proba(sentences), atol=1e-6)
    np.testing.assert_allclose(got_target, target.predict_proba(masked), atol=1e-6)
    empty, only = joined.predict([[], masked])
    assert empty.shape == (0, 3)
    np.testing.assert_allclose(only, target.predict_proba(masked), atol=1e-6)
    with pytest.raises(ValueError, match="2 part"):
        joined.predict([masked])


def test_scorers_with_different_classes_are_not_joined():
    three = LinearScorer.compile(build_pipeline().fit(TEXTS, TONES))
    other = LinearScorer.compile(build_pipeline().fit(TEXTS, ["good", "bad", "meh"] * 2))
    assert LinearScorer.join(three, other) is None
