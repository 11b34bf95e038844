"""Reading labelled CSVs: every problem named with file, line and column."""

from pathlib import Path

import pytest

from classifier.targets import TargetRegistry
from training.check import near_duplicates, registry_warnings
from training.data import read_labels

REPO = Path(__file__).resolve().parents[2]
HEADER = "id,lang,text,nato,russia,turkey,sentiment,topic\n"


@pytest.fixture(scope="module")
def registry():
    return TargetRegistry.from_file(REPO / "labels" / "targets.toml")


def read(tmp_path, registry, body: str | bytes, header: str = HEADER):
    path = tmp_path / "f.csv"
    if isinstance(body, bytes):
        path.write_bytes(header.encode() + body)
    else:
        path.write_text(header + body, encoding="utf-8")
    return read_labels([path], registry)


def messages(data):
    return [str(p) for p in data.problems]


def test_good_file_reads_every_row(tmp_path, registry):
    data = read(
        tmp_path, registry, 'a1,en,"Ankara hosted talks.",,,positive,positive,x\na2,fr,"Il pleut.",,,,neutral,\n'
    )
    assert not data.problems
    assert [e.id for e in data.examples] == ["a1", "a2"]
    assert data.examples[0].labels == {"nato": None, "russia": None, "turkey": "positive"}


@pytest.mark.parametrize(
    ("body", "line", "column", "message"),
    [
        ('a1,de,"Ankara hosted talks.",,,positive,positive,x\n', 2, "lang", "lang is 'de'"),
        ('a1,en,"  ",,,,neutral,x\n', 2, "text", "empty text"),
        ('a1,en,"Ankara hosted talks.",,,good,positive,x\n', 2, "turkey", "unknown label 'good'"),
        ('a1,en,"Ankara hosted talks.",,,positive,,x\n', 2, "sentiment", "sentiment is ''"),
        ('a1,en,"Ok.",,,,neutral,x\na1,en,"Fine.",,,,neutral,x\n', 3, "id", "duplicate id 'a1'"),
        (',en,"Ok.",,,,neutral,x\n', 2, "id", "empty id"),
        ("a1,en,Ok, really.,,,,neutral,x\n", 2, None, "9 fields, but the header has 8"),
        ('a1,en,"Ok.",,,,neutral,x\na2,en,"unterminated,,,,neutral,x\n', 3, None, "malformed CSV"),
    ],
)
def test_errors_name_line_and_column(tmp_path, registry, body, line, column, message):
    data = read(tmp_path, registry, body)
    errors = data.errors
    assert errors, "an error must be reported"
    assert errors[0].line == line and errors[0].column == column
    assert message in errors[0].message
    assert str(errors[0]).startswith(f"{tmp_path / 'f.csv'}:{line}")


def test_latin1_file_is_refused_with_line(tmp_path, registry):
    data = read(
        tmp_path, registry, 'a1,fr,"Il pleut.",,,,neutral,x\na2,fr,"Caf\xe9 cr\xe8me.",,,,neutral,x\n'.encode("latin-1")
    )
    assert data.errors[0].line == 3 and "not valid UTF-8" in data.errors[0].message


def test_bom_is_accepted(tmp_path, registry):
    data = read(tmp_path, registry, "a1,en,Ok.,,,,neutral,x\n", header="\ufeff" + HEADER)
    assert not data.problems and len(data.examples) == 1


def test_embedded_newlines_and_quotes_are_read(tmp_path, registry):
    data = read(tmp_path, registry, 'a1,en,"He said ""no""\nand left.",,,,negative,x\na2,en,Ok.,,,,neutral,x\n')
    assert not data.problems
    assert data.examples[0].text == 'He said "no"\nand left.'
    assert data.examples[1].line == 4


def test_semicolon_delimiter_is_explained(tmp_path, registry):
    data = read(tmp_path, registry, "a1;en;Ok.;;;;neutral\n", header="id;lang;text;nato;russia;turkey;sentiment\n")
    assert "separate the columns with commas" in data.errors[0].message


def test_missing_columns(tmp_path, registry):
    data = read(tmp_path, registry, "a1,en,Ok.,neutral\n", header="id,lang,text,sentiment\n")
    assert "missing target column(s) nato, russia, turkey" in data.errors[0].message
    data = read(tmp_path, registry, "a1,en,Ok.\n", header="id,lang,text\n")
    assert "missing column(s) sentiment" in data.errors[0].message


def test_unknown_target_column(tmp_path, registry):
    data = read(
        tmp_path,
        registry,
        "a1,en,The EU met.,,,,positive,neutral\n",
        header="id,lang,text,nato,russia,turkey,sentiment,eu\n",
    )
    assert data.errors[0].column == "eu" and "not a target in the registry" in data.errors[0].message


def test_unreadable_file(tmp_path, registry):
    data = read_labels([tmp_path / "missing.csv"], registry)
    assert "cannot read the file" in data.errors[0].message


def test_truncated_file(tmp_path, registry):
    path = tmp_path / "t.csv"
    path.write_text(HEADER + 'a1,en,"Ok.",,,,neutral,x\na2,en,"Cut in the mid', encoding="utf-8")
    data = read_labels([path], registry)
    assert data.errors and data.errors[0].line == 3


def test_registry_warnings_both_ways(tmp_path, registry):
    data = read(
        tmp_path,
        registry,
        'a1,en,"Ankara hosted talks.",,,,positive,x\na2,en,"The alliance met.",neutral,,,neutral,x\n',
    )
    warnings = registry_warnings(data.examples, registry)
    assert [(w.line, w.column) for w in warnings] == [(2, "turkey"), (3, "nato")]
    assert "mentions turkey (Ankara) but the turkey label is empty" in warnings[0].message


def test_a_note_explains_a_warning(tmp_path, registry):
    data = read(
        tmp_path, registry, 'a1,en,"Ankara hosted talks.",,,,positive,x,place only\n', header=HEADER.strip() + ",note\n"
    )
    assert [w.severity for w in registry_warnings(data.examples, registry)] == ["explained"]


def test_near_duplicate_detection_threshold():
    from training.data import Example

    def ex(i, text):
        return Example(str(i), "en", text, {}, "neutral", "f.csv", i)

    items = [
        ex(1, "Russia and Turkey signed a new gas deal on Monday in Ankara"),
        ex(2, "Russia and Turkey signed a new gas deal on Tuesday in Ankara"),
        ex(3, "Completely different words are here for the test"),
        ex(4, "russia AND turkey signed a new gas deal on monday in ankara!"),
    ]
    pairs = {(i, j) for i, j, _ in near_duplicates(items)}
    assert pairs == {(0, 1), (0, 3), (1, 3)}
