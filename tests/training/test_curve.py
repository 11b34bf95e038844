"""The learning curve: subsets fitted and scored on the test files, and the log-linear fit."""

import math
import shutil
from pathlib import Path

import pytest

from classifier.targets import TargetRegistry
from training.curve import learning_curve, log_fit, main
from training.train import load_split

REPO = Path(__file__).resolve().parents[2]
TINY = REPO / "tests" / "data" / "tiny.csv"
REGISTRY = REPO / "labels" / "targets.toml"


@pytest.fixture
def labels(tmp_path):
    """A labels folder: tiny.csv for training and again as its test file."""
    (tmp_path / "test").mkdir()
    shutil.copy(TINY, tmp_path / "train.csv")
    shutil.copy(TINY, tmp_path / "test" / "test.csv")
    shutil.copy(REGISTRY, tmp_path / "targets.toml")
    return tmp_path


def test_log_fit_recovers_the_gain_per_doubling():
    rows = [1000, 2000, 4000, 8000]
    a, b = log_fit(rows, [0.5 + 0.03 * math.log2(n) for n in rows])
    assert (round(a, 6), round(b, 6)) == (0.5, 0.03)
    with pytest.raises(ValueError, match="two different sizes"):
        log_fit([1000, 1000], [0.6, 0.7])


def test_curve_fits_each_size_and_the_whole_set_once():
    registry = TargetRegistry.from_file(REGISTRY)
    examples = load_split([TINY], registry).examples
    points = learning_curve(examples, examples, registry, [16, len(examples)], repeats=2)
    assert [(p["rows"], p["fits"]) for p in points] == [(16, 2), (len(examples), 1)]
    for p in points:
        assert 0 <= p["target_macro_f1"] <= 1 and {"target_macro_f1_en", "target_macro_f1_fr"} <= p.keys()
    assert learning_curve(examples, examples, registry, [16], repeats=2) == points[:1]  # seeded subsets


def test_main_prints_the_table_and_the_trend(labels, capsys):
    assert main([str(labels), "--sizes", "16", "18", "--repeats", "1"]) == 0
    out = capsys.readouterr().out
    assert "| 16 | 1 |" in out and "| 18 | 1 |" in out
    assert "per doubling of the labels" in out


def test_main_refuses_a_size_beyond_the_data(labels, capsys):
    assert main([str(labels), "--sizes", "500"]) == 1
    assert "size 500 is not between 1 and the 18 training sentences" in capsys.readouterr().err
