"""Training end to end: model file, checksum, card, cross-validation, refusals."""

import json
from pathlib import Path

import pytest

from classifier import load_model
from training.data import LabelsError
from training.evaluate import NONE, score_predictions
from training.train import train_model

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data"
REGISTRY = REPO / "labels" / "targets.toml"


def test_training_writes_model_checksum_and_card(tmp_path):
    out = tmp_path / "m.joblib"
    model, card = train_model([DATA / "tiny.csv"], out, registry_path=REGISTRY, folds=3, test_paths=[DATA / "tiny.csv"])
    assert out.is_file() and (tmp_path / "m.joblib.sha256").is_file()
    saved = json.loads((tmp_path / "m.card.json").read_text())
    assert saved["version"] == model.info.version
    assert (tmp_path / "m.card.md").read_text().startswith("# Model card: m")
    cv = card["metrics"]["cross_validation"]
    assert cv["folds"] == 3 and cv["n"] == 18
    assert set(cv["by_language"]) == {"en", "fr"}
    assert card["metrics"]["test"]["overall"]["mention_f1"] == 1.0
    assert load_model(out).metrics == card["metrics"]


@pytest.mark.parametrize(
    ("rows", "error", "message"),
    [
        ("a,xx,Ok.,,,,neutral\n", LabelsError, r"labels.csv:2: column lang"),
        ("", ValueError, r"no training examples found \(read: .*labels\.csv\)"),
    ],
    ids=["bad language", "header only"],
)
def test_unusable_labels_stop_training_and_write_nothing(tmp_path, rows, error, message):
    labels = tmp_path / "labels.csv"
    labels.write_text("id,lang,text,nato,russia,turkey,sentiment\n" + rows, encoding="utf-8")
    with pytest.raises(error, match=message):
        train_model([labels], tmp_path / "m.joblib", registry_path=REGISTRY, folds=0)
    assert not (tmp_path / "m.joblib").exists()


def test_score_counts_missed_and_spurious_mentions_as_errors():
    from training.data import Example

    gold = [
        Example("1", "en", "x", {"t": "positive"}, "positive", "f", 2),
        Example("2", "en", "y", {"t": None}, "neutral", "f", 3),
        Example("3", "fr", "z", {"t": "negative"}, "negative", "f", 4),
    ]
    perfect = score_predictions(
        gold, [{"t": "positive"}, {"t": None}, {"t": "negative"}], ["positive", "neutral", "negative"], ["t"]
    )
    assert perfect["overall"]["target_macro_f1"] == 1.0 and perfect["overall"]["mention_f1"] == 1.0
    missed = score_predictions(
        gold, [{"t": None}, {"t": None}, {"t": "negative"}], ["positive", "neutral", "negative"], ["t"]
    )
    assert missed["overall"]["target_macro_f1"] < 1.0 and missed["overall"]["mention_f1"] == round(2 / 3, 4)
    spurious = score_predictions(
        gold, [{"t": "positive"}, {"t": "neutral"}, {"t": "negative"}], ["positive", "neutral", "negative"], ["t"]
    )
    assert spurious["overall"]["mention_f1"] == 0.8
    assert spurious["confusion"]["labels"][-1] == NONE


def test_the_two_models_fitted_in_parallel_equal_those_fitted_one_after_the_other():
    from classifier.targets import TargetRegistry
    from training.fit import fit_pipelines
    from training.train import load_split

    registry = TargetRegistry.from_file(REGISTRY)
    examples = load_split([DATA / "tiny.csv"], registry).examples
    alone = fit_pipelines(examples, registry, jobs=1)
    together = fit_pipelines(examples, registry, jobs=2)
    texts = [e.text for e in examples] + ["xtgtx a salué l'accord", "xothx attacked xtgtx"]
    for part in ("target", "sentiment"):
        assert together[part].predict_proba(texts).tolist() == alone[part].predict_proba(texts).tolist()
    assert together["pairs"] == alone["pairs"] > 0


def test_cross_validation_gives_the_same_metrics_with_folds_in_parallel():
    from classifier.targets import TargetRegistry
    from training.fit import cross_validate
    from training.train import load_split

    registry = TargetRegistry.from_file(REGISTRY)
    examples = load_split([DATA / "tiny.csv"], registry).examples
    messages: list[str] = []
    alone = cross_validate(examples, registry, folds=3, jobs=1)
    together = cross_validate(examples, registry, folds=3, jobs=3, progress=messages.append)
    assert together == alone
    done = [f"cross-validation fold {k}/3 done" for k in (1, 2, 3)]
    assert messages == ["cross-validation: 3 folds, 3 at a time", *done]
