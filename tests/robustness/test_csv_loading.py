"""Damaged labelled CSV files: a clear error naming the file and line, never a partial model."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.cli import main
from classifier.targets import TargetRegistry
from training.data import read_labels

REPO = Path(__file__).resolve().parents[2]
REGISTRY_FILE = REPO / "labels" / "targets.toml"
REGISTRY = TargetRegistry.from_file(REGISTRY_FILE)
TINY = (REPO / "tests" / "data" / "tiny.csv").read_bytes()
TINY_LINES = TINY.count(b"\n") + 1


def _train(csv_path: Path, output: Path) -> int:
    return main(["train", str(csv_path), "-o", str(output), "--registry", str(REGISTRY_FILE), "--folds", "0", "-q"])


def _mangle(name: str) -> bytes:
    text = TINY.decode("utf-8")
    lines = text.splitlines(keepends=True)
    if name == "truncated inside a quoted text":
        cut = TINY.index(b"swift help")
        return TINY[:cut]
    if name == "truncated inside a row":
        return "".join(lines[:5]).encode() + lines[5].encode()[:20]
    if name == "truncated inside a UTF-8 character":
        cut = TINY.index("é".encode()) + 1
        return TINY[:cut]
    if name == "semicolons":
        return text.replace(",", ";").encode()
    if name == "tabs":
        return text.replace(",", "\t").encode()
    if name == "Latin-1":
        return text.encode("latin-1")
    if name == "UTF-16":
        return text.encode("utf-16")
    if name == "unbalanced quote":
        return (
            "".join(lines[:3]).encode()
            + lines[3].replace('"', "", 1).replace(",", '","', 1).encode()
            + "".join(lines[4:]).encode()
        )
    if name == "NUL byte":
        return TINY.replace(b"Brussels", b"Brus\x00sels")
    if name == "empty":
        return b""
    raise AssertionError(name)


# (damage, expected line, words expected in the message)
DAMAGED = [
    ("truncated inside a quoted text", None, "malformed CSV"),
    ("truncated inside a row", 6, "malformed CSV"),
    ("truncated inside a UTF-8 character", None, "not valid UTF-8"),
    ("semicolons", 1, "separate the columns with commas"),
    ("tabs", 1, "separate the columns with commas"),
    ("Latin-1", None, "not valid UTF-8"),
    ("UTF-16", 1, "not valid UTF-8"),
    ("unbalanced quote", None, ""),
    ("NUL byte", 4, "NUL byte"),
    ("empty", 1, "empty file"),
]


@pytest.mark.parametrize(("damage", "line", "words"), DAMAGED, ids=[d[0] for d in DAMAGED])
def test_damaged_file_is_refused_with_file_and_line_and_no_model(tmp_path, capsys, damage, line, words):
    csv_path = tmp_path / "labels.csv"
    csv_path.write_bytes(_mangle(damage))
    output = tmp_path / "model.joblib"
    assert _train(csv_path, output) == 1
    err = capsys.readouterr().err
    assert err.startswith("stance: error:")
    assert "Traceback" not in err
    assert f"{csv_path}:" in err, err
    if line is not None:
        assert f"{csv_path}:{line}:" in err, err
    assert words in err
    assert not output.exists()
    assert list(tmp_path.iterdir()) == [csv_path], "a failed training left files behind"


def test_failed_training_keeps_the_previous_model_intact(tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_bytes(TINY)
    output = tmp_path / "model.joblib"
    assert _train(good, output) == 0
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    bad = tmp_path / "good.csv"
    bad.write_bytes(_mangle("truncated inside a quoted text"))
    assert _train(bad, output) == 1
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.name != "good.csv"}
    assert after == {k: v for k, v in before.items() if k != "good.csv"}


def test_one_bad_file_among_good_ones_stops_training(tmp_path, capsys):
    good = tmp_path / "a.csv"
    good.write_bytes(TINY)
    bad = tmp_path / "b.csv"
    bad.write_bytes(TINY.decode().replace("t1", "u1").encode("latin-1"))
    output = tmp_path / "model.joblib"
    assert (
        main(["train", str(good), str(bad), "-o", str(output), "--registry", str(REGISTRY_FILE), "--folds", "0"]) == 1
    )
    assert f"{bad}:" in capsys.readouterr().err
    assert not output.exists()


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_line_endings_and_a_bom_are_read(tmp_path, newline):
    text = "\ufeff" + TINY.decode().replace("\n", newline)
    path = tmp_path / "f.csv"
    path.write_bytes(text.encode())
    data = read_labels([path], REGISTRY)
    assert not data.problems
    assert len(data.examples) == TINY_LINES - 2
    assert data.examples[0].id == "t01"


def test_embedded_newlines_and_doubled_quotes_keep_line_numbers(tmp_path):
    body = (
        'q1,en,"She said ""NATO is ready""\nand left,\r\nquickly.",positive,,,positive\n'
        'q2,en,"Russia, again.",,negative,,negative\n'
        'q3,en,He said "no" twice.,,,,neutral\n'
        "q4,en,Bad row with, a comma.,,,,neutral\n"
    )
    path = tmp_path / "f.csv"
    path.write_text(TINY.decode().splitlines(keepends=True)[0] + body, encoding="utf-8", newline="")
    data = read_labels([path], REGISTRY)
    assert data.examples[0].text == 'She said "NATO is ready"\nand left,\r\nquickly.'
    assert data.examples[2].text == 'He said "no" twice.'
    assert [e.line for e in data.examples] == [2, 5, 6]
    assert [(p.line, "fields" in p.message) for p in data.errors] == [(7, True)]


# Bytes that break CSV files in practice: quotes, separators, line ends, NUL, invalid UTF-8.
HOSTILE = st.sampled_from(
    [b'"', b",", b";", b"\t", b"\n", b"\r", b"\r\n", b"\x00", b"\xff", b"\xc3", b"\xef\xbb\xbf", b"\\"]
)


@st.composite
def damaged_files(draw) -> bytes:
    data = bytearray(TINY)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        pos = draw(st.integers(min_value=0, max_value=len(data)))
        action = draw(st.sampled_from(["insert", "replace", "truncate"]))
        if action == "truncate":
            del data[pos:]
        elif action == "insert":
            data[pos:pos] = draw(HOSTILE)
        elif pos < len(data):
            data[pos : pos + 1] = draw(HOSTILE)
    return bytes(data)


@settings(
    max_examples=150,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(damaged_files())
def test_any_damage_gives_located_problems_or_clean_rows(tmp_path, raw):
    path = tmp_path / "f.csv"
    path.write_bytes(raw)
    data = read_labels([path], REGISTRY)
    lines = raw.count(b"\n") + raw.count(b"\r") + 1
    for problem in data.problems:
        assert problem.path == str(path)
        assert 1 <= problem.line <= lines
        assert str(problem).startswith(f"{path}:{problem.line}")
    for example in data.examples:
        assert example.text.strip() and example.sentiment in ("negative", "neutral", "positive")
        assert "\x00" not in example.text
