"""The stance command: subcommands, exit statuses, messages."""

import subprocess
import sys
from pathlib import Path

import pytest

from api.cli import main

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"
REGISTRY = REPO / "labels" / "targets.toml"


def test_help_lists_subcommands(capsys):
    assert main([]) == 2
    out = capsys.readouterr().out
    for name in ("train", "evaluate", "predict", "report", "serve", "labels"):
        assert name in out


def test_unknown_subcommand(capsys):
    assert main(["fly"]) == 2
    assert "unknown subcommand 'fly'" in capsys.readouterr().err


def test_train_then_evaluate(tmp_path, capsys):
    out = tmp_path / "m.joblib"
    args = ["train", str(DATA / "tiny.csv"), "-o", str(out), "--registry", str(REGISTRY), "--folds", "0", "-q"]
    assert main(args) == 0
    assert "model written to" in capsys.readouterr().out
    assert main(["evaluate", str(out), str(DATA / "tiny.csv")]) == 0
    assert "target macro-F1" in capsys.readouterr().out
    assert main(["evaluate", str(out), str(DATA / "tiny.csv"), "--min-f1", "1.01"]) == 1
    assert "below --min-f1" in capsys.readouterr().err


def test_train_reports_label_errors_without_trace(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,lang,text,nato,russia,turkey,sentiment\na,en,Ok.,,,,great\n", encoding="utf-8")
    assert main(["train", str(bad), "-o", str(tmp_path / "m.joblib"), "--registry", str(REGISTRY), "-q"]) == 1
    err = capsys.readouterr().err
    assert "bad.csv:2: column sentiment: error: sentiment is 'great'" in err
    assert "Traceback" not in err
    assert not (tmp_path / "m.joblib").exists()


def test_train_missing_input(tmp_path, capsys):
    assert main(["train", str(tmp_path / "nope"), "-o", str(tmp_path / "m.joblib")]) == 1
    assert "no such file or folder" in capsys.readouterr().err


def test_evaluate_refuses_a_bad_model(tmp_path, capsys):
    assert main(["evaluate", str(tmp_path / "nope.joblib")]) == 1
    assert "not found; train one" in capsys.readouterr().err


def test_labels_check_reports_errors_with_location(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,lang,text,nato,russia,turkey,sentiment\na,en,Ankara met.,,,,neutral\n", encoding="utf-8")
    assert main(["labels", "check", str(bad), "--registry", str(REGISTRY)]) == 1
    out = capsys.readouterr().out
    assert "bad.csv:2: column turkey: warning: the text mentions turkey (Ankara)" in out


def test_labels_check_passes_on_a_clean_file(capsys):
    assert main(["labels", "check", str(DATA / "tiny.csv"), "--registry", str(REGISTRY)]) == 0
    assert "0 error(s), 0 warning(s)" in capsys.readouterr().out


def test_labels_stats_writes_between_markers(tmp_path, capsys):
    readme = tmp_path / "README.md"
    readme.write_text("intro\n<!-- counts:start -->\nold\n<!-- counts:end -->\nend\n")
    assert main(["labels", "stats", str(DATA / "tiny.csv"), "--registry", str(REGISTRY), "--write", str(readme)]) == 0
    text = readme.read_text()
    assert "old" not in text and "### Training: 18 sentences" in text and text.endswith("end\n")


@pytest.mark.parametrize("args", [["serve", "--workers", "0"], ["train", "--folds", "1", "-o", "x"]])
def test_bad_usage_exits_2(args):
    with pytest.raises(SystemExit) as info:
        main(args)
    assert info.value.code == 2


def test_python_dash_m_works():
    done = subprocess.run([sys.executable, "-m", "api", "--help"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "subcommands" in done.stdout


def test_labels_check_finds_near_duplicates_across_train_and_test(tmp_path, capsys):
    (tmp_path / "test").mkdir()
    (tmp_path / "targets.toml").write_text(REGISTRY.read_text(encoding="utf-8"), encoding="utf-8")
    header = "id,lang,text,nato,russia,turkey,sentiment\n"
    (tmp_path / "train.csv").write_text(
        header + 'a1,en,"Russia and Turkey signed a new gas deal on Monday in Ankara.",,positive,positive,positive\n',
        encoding="utf-8",
    )
    (tmp_path / "test" / "held.csv").write_text(
        header + 'b1,en,"Russia and Turkey signed a new gas deal on Tuesday in Ankara.",,positive,positive,positive\n',
        encoding="utf-8",
    )
    assert main(["labels", "check", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "held.csv:2: column text: error: near-duplicate (Jaccard 0.8" in out
    assert "train.csv:2 (id a1)" in out


def _raise(exc: BaseException):
    def work() -> int:
        raise exc

    return work


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (FileNotFoundError(2, "No such file or directory", "in.csv"), "in.csv: No such file or directory"),
        (PermissionError(13, "Permission denied"), "Permission denied"),
        (KeyboardInterrupt(), "interrupted; nothing was written"),
    ],
)
def test_guarded_turns_user_failures_into_one_error_line(exc, expected, capsys):
    from api.console import guarded

    assert guarded(_raise(exc), interrupted="nothing was written") == 1
    assert capsys.readouterr().err == f"stance: error: {expected}\n"


def test_guarded_reports_value_errors_only_when_asked(capsys):
    from api.console import guarded

    assert guarded(_raise(ValueError("one tone only")), interrupted="-", value_errors=True) == 1
    assert capsys.readouterr().err == "stance: error: one tone only\n"
    with pytest.raises(ValueError, match="one tone only"):
        guarded(_raise(ValueError("one tone only")), interrupted="-")


@pytest.mark.parametrize(("flag", "message"), [("--folds=1", "--folds must be 0"), ("--jobs=0", "--jobs must be 1")])
def test_train_refuses_unusable_fold_and_job_counts(flag, message, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["train", str(DATA / "tiny.csv"), "-o", str(tmp_path / "m.joblib"), flag])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "m.joblib").exists()
