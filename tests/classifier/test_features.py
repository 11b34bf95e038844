"""Features: tone cue words, the cue transformer and the pipeline's feature blocks."""

import re
import unicodedata

import joblib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer

from classifier.cues import CATEGORIES, cue_category, is_boundary, tokens
from classifier.explain import Explainer
from classifier.features import (
    DEFAULT_CONFIG,
    OTHER_TOKEN,
    TARGET_TOKEN,
    ContextWindow,
    CueFeatures,
    WordTfidfVectorizer,
    build_pipeline,
    display_feature,
    mask,
)
from classifier.targets import Mention

T, OTHER = TARGET_TOKEN, OTHER_TOKEN


def cue_tokens(text: str, **params) -> list[str]:
    return CueFeatures(**params).fit([]).transform([text])[0].split()


@pytest.mark.parametrize(
    ("word", "category"),
    [
        ("condamne", "criticism"),  # condamné, accents removed by tokens()
        ("condemned", "criticism"),
        ("accused", "criticism"),
        ("bombarde", "hostile"),
        ("invaded", "hostile"),
        ("hostile", "hostile"),
        ("mediated", "constructive"),
        ("pourparlers", "constructive"),
        ("hosted", "constructive"),
        ("effondrement", "loss"),
        ("declined", "loss"),
        ("salue", "praise"),
        ("praised", "praise"),
    ],
)
def test_cue_category_finds_english_and_french_cues(word, category):
    assert cue_category(word) == category


@pytest.mark.parametrize("word", ["schedule", "tuesday", "meeting", "minister", "x", ""])
def test_cue_category_ignores_ordinary_words(word):
    assert cue_category(word) is None


def test_cue_lists_are_folded_lower_case_and_unique():
    entries = [e for stems in CATEGORIES.values() for e in stems]
    assert all(e == tokens(e.rstrip("="))[0] + ("=" if e.endswith("=") else "") for e in entries)
    assert len(entries) == len(set(entries))


def test_tokens_fold_case_and_accents_and_keep_clause_marks():
    assert tokens("Ankara a DÉNONCÉ « l'attaque », mais") == [
        "ankara",
        "a",
        "denonce",
        "«",
        "l",
        "attaque",
        "»",
        ",",
        "mais",
    ]
    assert tokens("İmamoğlu, Erdoğan") == ["imamoglu", ",", "erdogan"]  # "İ".lower() has a combining dot
    assert [is_boundary(t) for t in ("«", ",", "but", "mais", "attaque")] == [True, True, True, True, False]


def test_cue_side_depends_on_which_side_of_the_placeholder_the_cue_is():
    assert "c_criticism_r" in cue_tokens(f"{T} condemned {OTHER}")
    assert "c_criticism_l" in cue_tokens(f"{OTHER} condemned {T}")
    assert "c_criticism_r" not in cue_tokens(f"{OTHER} condemned {T}")


def test_cue_beyond_a_clause_boundary_is_near_but_not_in_the_clause():
    feats = cue_tokens(f"{T} signed, but {OTHER} attacked")
    assert "w_hostile_r" in feats
    assert "c_hostile_r" not in feats
    assert "c_constructive_r" in feats


def test_cue_far_from_the_placeholder_counts_only_for_the_sentence():
    feats = cue_tokens(f"{T} said on Monday in a long statement read out to reporters that {OTHER} attacked")
    assert "s_hostile" in feats
    assert not [f for f in feats if f.startswith(("w_hostile", "c_hostile"))]


@pytest.mark.parametrize(
    "text",
    [f"{T} did not attack the convoy", f"{T} n'a pas attaqué le convoi", f"{T} a agi sans menacer personne"],
)
def test_negated_cue_gets_its_own_category(text):
    feats = cue_tokens(text)
    assert "s_not_hostile" in feats and "s_hostile" not in feats


def test_negation_stops_at_a_clause_boundary():
    assert "s_hostile" in cue_tokens(f"{T} did not comment, {OTHER} attacked")


def test_position_features_say_where_the_placeholder_stands():
    assert "pos_first" in cue_tokens(f"The {T} army shelled the town")
    assert "pos_first" not in cue_tokens(f"Troops shelled the town, {T} said")
    assert "prev_by" in cue_tokens(f"The town was shelled by {T}")
    assert "other_before" in cue_tokens(f"{OTHER} shelled {T}")
    assert "other_after" in cue_tokens(f"{T} shelled {OTHER}")
    assert not [f for f in cue_tokens(f"{T} shelled {OTHER}", position=False) if f.startswith(("pos_", "other_"))]


def test_text_without_cues_or_placeholder_gives_a_placeholder_token():
    assert CueFeatures().fit([]).transform(["The meeting is on Monday."]) == ["none"]


def test_cue_features_follow_the_estimator_contract():
    est = CueFeatures(width=3, position=False)
    assert est.get_params() == {"width": 3, "position": False, "token": T, "other": OTHER}
    assert clone(est).get_params() == est.get_params()
    assert est.fit(["x"]) is est


def test_default_pipeline_has_word_char_window_and_cue_blocks():
    assert DEFAULT_CONFIG["cues"] is True
    blocks = [name for name, _ in build_pipeline().named_steps["features"].transformer_list]
    assert blocks == ["word", "char", "window", "cues"]
    sentiment = [name for name, _ in build_pipeline(window=False).named_steps["features"].transformer_list]
    assert sentiment == ["word", "char", "cues"]
    assert [n for n, _ in build_pipeline({"cues": False}).named_steps["features"].transformer_list] == [
        "word",
        "char",
        "window",
    ]


def test_cue_block_lets_a_model_generalise_to_unseen_cue_words(tmp_path):
    # Trained on "attacked"/"praised", the model meets "bombarded"/"hailed": no word
    # n-gram links those to a tone, only the cue categories do.
    texts = [f"{T} attacked the border post", f"{T} praised the new partners", f"{T} meets in Oslo"] * 6
    labels = ["negative", "positive", "neutral"] * 6
    unseen = [f"{T} bombarded villages", f"{T} hailed volunteers"]
    config = {"char_ngrams": None, "window": 0}
    with_cues = build_pipeline(config).fit(texts, labels)
    without = build_pipeline({**config, "cues": False}).fit(texts, labels)
    assert list(with_cues.predict(unseen)) == ["negative", "positive"]
    assert list(without.predict(unseen)) != ["negative", "positive"]
    path = tmp_path / "pipeline.joblib"
    joblib.dump(with_cues, path)
    assert list(joblib.load(path).predict(unseen)) == ["negative", "positive"]


def test_explainer_names_cue_features(tiny_model):
    names = Explainer(tiny_model.target_pipeline).names
    assert ("cues", "hostile word after [TARGET], same clause") in names  # "Russian missiles struck"
    analysis = tiny_model.analyze("Russian missiles bombarded Kharkiv overnight.", explain=True)
    explanation = analysis.sentences[0].targets["russia"].explanation
    assert {item["block"] for items in explanation.values() for item in items} <= {"word", "char", "window", "cues"}


@pytest.mark.parametrize(
    ("feature", "shown"),
    [
        ("s_praise", "praise word in the sentence"),
        ("s_not_loss", "negated loss word in the sentence"),
        ("w_criticism_r", "criticism word after [TARGET]"),
        ("c_hostile_l", "hostile word before [TARGET], same clause"),
        ("c_not_constructive_r", "negated constructive word after [TARGET], same clause"),
        ("pos_first", "[TARGET] first in the sentence"),
        ("pos_early", "[TARGET] in the first words"),
        ("prev_against", "against [TARGET]"),
        ("other_before", "[OTHER] before [TARGET]"),
        ("none", "no cue word"),
    ],
)
def test_cue_features_are_shown_in_words(feature, shown):
    assert display_feature(f"cues__{feature}") == ("cues", shown)


def test_masked_french_sentence_gives_its_cues():
    text = "L'Otan a condamné l'attaque russe."
    masked = mask(text, [Mention("Otan", 2, 6)], [Mention("russe", 28, 33)])
    feats = set(CueFeatures().fit([]).transform([masked])[0].split())
    assert {"s_criticism", "c_criticism_r", "s_hostile", "pos_first", "other_after"} <= feats


# Whitespace-separated pieces are analysed one by one (and remembered); on any text that
# must give what the regular expressions give on the whole text.
_ANY_TEXT = st.text(st.characters(codec="utf-8"), max_size=80)


@settings(max_examples=200, deadline=None)
@given(left=_ANY_TEXT, right=_ANY_TEXT)
def test_context_window_equals_the_whole_text_reading(left, right):
    text = f"{left} {TARGET_TOKEN} {right}"
    words = re.findall(r"(?u)\b\w\w+\b", text.lower())
    expected = []
    for i, word in enumerate(words):
        if word == TARGET_TOKEN:
            expected += [w + "_l" for w in words[max(0, i - 4) : i]] + [w + "_r" for w in words[i + 1 : i + 5]]
    assert ContextWindow(width=4).fit([]).transform([text]) == [" ".join(expected)]


@settings(max_examples=200, deadline=None)
@given(text=_ANY_TEXT)
def test_cue_tokens_equal_the_whole_text_reading(text):
    pattern = r"\w[\w\u0300-\u036f]*|[,;:«»\"“”()—–]"
    folded = [
        "".join(c for c in unicodedata.normalize("NFKD", t) if not unicodedata.combining(c)) if not t.isascii() else t
        for t in re.findall(pattern, text.lower())
    ]
    assert tokens(text) == folded


# Texts where analysing word by word could differ from the whole text: accents, combining
# marks and spacing diacritics that fold into a space, non-breaking and other Unicode
# spaces, a Greek final sigma, dotted capital I, tabs and runs of blanks.
_WORD_BY_WORD_TEXTS = [
    "L'Otan a salué l'accord signé à Ankara, « une étape » selon M. Çavuşoğlu.",
    "NATO\u00a0allies met in\u2009Brussels;\ttalks   resumed\n\nafter a pause.",
    "a\u00a8b e\u0301te\u0301 \u0301x ΟΔΟΣ ΟΔΟΣ. İSTANBUL ﬁnal ½",
    "",
    "   ",
]


@pytest.mark.parametrize("accents", [None, "unicode", "ascii"])
def test_word_by_word_vectoriser_equals_tfidf_vectoriser(accents):
    params = {"analyzer": "char_wb", "ngram_range": (2, 5), "strip_accents": accents, "sublinear_tf": True}
    ours = WordTfidfVectorizer(**params)
    theirs = TfidfVectorizer(**params)
    assert ours.fit_transform(_WORD_BY_WORD_TEXTS).toarray().tolist() == (
        theirs.fit_transform(_WORD_BY_WORD_TEXTS).toarray().tolist()
    )
    assert ours.vocabulary_ == theirs.vocabulary_
    probe = ["Erdoğan et l'OTAN\u00a0: ΟΔΟΣ", "new words entirely"]
    assert ours.transform(probe).toarray().tolist() == theirs.transform(probe).toarray().tolist()


@settings(max_examples=200, deadline=None)
@given(texts=st.lists(_ANY_TEXT, min_size=1, max_size=4))
def test_word_by_word_analysis_equals_the_whole_text_analysis(texts):
    params = {"analyzer": "char_wb", "ngram_range": (1, 4), "strip_accents": "unicode"}
    analyze = WordTfidfVectorizer(**params).build_analyzer()
    whole = TfidfVectorizer(**params).build_analyzer()
    for text in texts:
        assert sorted(analyze(text)) == sorted(whole(text))


def test_word_by_word_vectoriser_keeps_other_analysers_and_its_parameters():
    vectoriser = WordTfidfVectorizer(ngram_range=(1, 2), min_df=2)
    words = ["ankara", "hails", "moscow", "ankara hails", "hails moscow"]
    assert vectoriser.build_analyzer()("Ankara hails Moscow") == words
    assert clone(vectoriser).get_params() == vectoriser.get_params()


def test_word_by_word_vectoriser_survives_a_joblib_round_trip(tmp_path):
    fitted = WordTfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4)).fit(_WORD_BY_WORD_TEXTS)
    joblib.dump(fitted, tmp_path / "v.joblib")
    loaded = joblib.load(tmp_path / "v.joblib")
    probe = ["Ankara et l'Otan", "NATO\u00a0allies"]
    assert loaded.transform(probe).toarray().tolist() == fitted.transform(probe).toarray().tolist()
