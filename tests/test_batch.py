"""stance predict: inputs of every kind, outputs, summary, explanations, errors, streaming."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from api import batch
from api.batch import Document, Problem, ScoreOptions, main, score_chunk
from api.tables import SENTENCE_COLUMNS, SUMMARY_COLUMNS, explanation_text, sentence_header

REPO = Path(__file__).resolve().parents[1]
TARGETS = ["nato", "russia", "turkey"]


@pytest.fixture
def predict(tiny_model_path, capsys):
    """Run ``stance predict`` with the tiny model; return (status, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        status = main([*map(str, args), "--model", str(tiny_model_path)])
        captured = capsys.readouterr()
        return status, captured.out, captured.err

    return run


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_jsonl(path: Path, objects: list[object]) -> Path:
    path.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects), encoding="utf-8")
    return path


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# -- text files ---------------------------------------------------------------------------


def test_a_text_file_becomes_one_jsonl_line_shaped_like_the_api(predict, tiny_model, sample_article, tmp_path):
    article = tmp_path / "article.txt"
    article.write_text(sample_article, encoding="utf-8")
    status, out, _ = predict(article)
    assert status == 0
    [line] = jsonl(out)
    expected = tiny_model.analyze_many([sample_article], ids=["article.txt"])[0].to_dict(include_model=False)
    assert line == expected
    assert line["id"] == "article.txt"
    assert len(line["sentences"]) == 12
    assert sum(s["duplicate_of"] is not None for s in line["sentences"]) == 5


def test_csv_output_has_one_row_per_sentence_and_target(predict, tiny_model, sample_article, tmp_path):
    article = tmp_path / "article.txt"
    article.write_text(sample_article, encoding="utf-8")
    out = tmp_path / "scores.csv"
    assert predict(article, "-o", out, "-q")[0] == 0
    with out.open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    assert header == list(SENTENCE_COLUMNS)
    rows = read_rows(out)
    assert len(rows) == 12 * 3
    assert [r["target"] for r in rows[:3]] == TARGETS
    analysis = tiny_model.analyze(sample_article)
    first = analysis.sentences[0]
    russia = next(r for r in rows if r["sentence_index"] == "0" and r["target"] == "russia")
    tone = first.targets["russia"].tone
    assert russia["id"] == "article.txt"
    assert (russia["start"], russia["end"]) == ("0", str(first.end))
    assert russia["text"] == first.text
    assert russia["mentioned"] == "true"
    assert russia["label"] == tone.label
    assert float(russia["score"]) == pytest.approx(tone.score, abs=1e-4)
    assert float(russia["p_negative"]) == pytest.approx(tone.probabilities["negative"], abs=1e-4)
    assert russia["sentiment_label"] == first.sentiment.label
    nato = next(r for r in rows if r["sentence_index"] == "0" and r["target"] == "nato")
    assert (nato["mentioned"], nato["label"], nato["score"], nato["p_positive"]) == ("false", "", "", "")
    repeats = {r["sentence_index"]: r["duplicate_of"] for r in rows if r["duplicate_of"]}
    assert len(repeats) == 5


@pytest.mark.parametrize(("name", "fmt"), [("out.csv", "csv"), ("out.jsonl", "jsonl"), ("out.txt", "jsonl")])
def test_output_format_follows_the_suffix(predict, tmp_path, name, fmt):
    article = tmp_path / "a.txt"
    article.write_text("La Russie menace l'OTAN.", encoding="utf-8")
    out = tmp_path / name
    assert predict(article, "-o", out, "-q")[0] == 0
    first = out.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("id,sentence_index") if fmt == "csv" else json.loads(first)["id"] == "a.txt"


def test_format_option_overrides_the_suffix(predict, tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("La Russie menace l'OTAN.", encoding="utf-8")
    status, out, _ = predict(article, "--format", "csv")
    assert status == 0 and out.startswith("id,sentence_index")


# -- CSV and JSONL inputs -------------------------------------------------------------------


def test_csv_rows_are_documents_and_other_columns_are_carried(predict, tmp_path):
    source = write_csv(
        tmp_path / "news.csv",
        ["date", "id", "text", "outlet"],
        [
            ["2024-01-02", "a", "La Russie menace l'OTAN. Ankara salue l'accord.", "Le Monde"],
            ["2024-01-03", "b", "Moscou critique la Turquie.", "AFP"],
        ],
    )
    out = tmp_path / "out.csv"
    assert predict(source, "-o", out, "-q")[0] == 0
    rows = read_rows(out)
    assert list(rows[0])[:3] == ["id", "date", "outlet"]
    assert [(r["id"], r["sentence_index"], r["date"], r["outlet"]) for r in rows[::3]] == [
        ("a", "0", "2024-01-02", "Le Monde"),
        ("a", "1", "2024-01-02", "Le Monde"),
        ("b", "0", "2024-01-03", "AFP"),
    ]
    status, text, _ = predict(source)
    assert status == 0
    lines = jsonl(text)
    assert [(d["id"], d["fields"]) for d in lines] == [
        ("a", {"date": "2024-01-02", "outlet": "Le Monde"}),
        ("b", {"date": "2024-01-03", "outlet": "AFP"}),
    ]
    assert list(lines[0]) == ["id", "fields", "sentences", "summary"]


def test_jsonl_rows_are_documents_with_ids_or_line_numbers(predict, tmp_path):
    source = write_jsonl(
        tmp_path / "news.jsonl",
        [
            {"id": 7, "text": "Erdogan salue Poutine.", "outlet": "X", "tags": ["a", "b"]},
            {"text": "NATO welcomed Turkey."},
        ],
    )
    status, out, _ = predict(source, "--format", "csv")
    assert status == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["id"], r["outlet"], r["tags"]) for r in rows[::3]] == [
        ("7", "X", '["a", "b"]'),
        ("news.jsonl:2", "", ""),
    ]


def test_text_and_id_columns_can_be_chosen(predict, tmp_path):
    source = write_csv(
        tmp_path / "news.csv", ["doc", "body", "id"], [["d1", "La Russie menace l'OTAN.", "other"]]
    )
    status, out, _ = predict(source, "--text-column", "body", "--id-column", "doc")
    assert status == 0
    [line] = jsonl(out)
    assert line["id"] == "d1"
    assert line["fields"] == {"id": "other"}
    assert line["sentences"][0]["text"] == "La Russie menace l'OTAN."


def test_a_carried_column_named_like_a_result_column_is_renamed(predict, tmp_path):
    source = write_csv(tmp_path / "news.csv", ["id", "text", "label"], [["a", "La Russie menace l'OTAN.", "gold"]])
    status, out, _ = predict(source, "--format", "csv")
    assert status == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["input_label"] == "gold"
    assert rows[0]["label"] in ("negative", "neutral", "positive")


def test_sentences_option_takes_each_row_as_one_sentence(predict, tmp_path):
    source = write_csv(
        tmp_path / "s.csv",
        ["id", "text"],
        [["s1", "La Russie menace l'OTAN. Ankara salue l'accord."], ["s2", "Moscou critique la Turquie."]],
    )
    status, out, _ = predict(source, "--sentences")
    assert status == 0
    lines = jsonl(out)
    assert [(d["id"], len(d["sentences"])) for d in lines] == [("s1", 1), ("s2", 1)]
    assert lines[0]["sentences"][0]["text"] == "La Russie menace l'OTAN. Ankara salue l'accord."
    assert lines[1]["sentences"][0]["index"] == 0


def test_sentences_option_takes_each_line_of_a_text_file_as_one_sentence(predict, tiny_model, tmp_path):
    lines = [
        "La Russie menace l'OTAN. Ankara salue l'accord.",
        "Moscou critique la Turquie.",
        "",
        "Moscou critique la Turquie.",
    ]
    source = tmp_path / "lines.txt"
    source.write_text("\n".join(lines), encoding="utf-8")
    status, out, _ = predict(source, "--sentences")
    assert status == 0
    [doc] = jsonl(out)
    assert [s["text"] for s in doc["sentences"]] == [line for line in lines if line]
    assert [s["duplicate_of"] for s in doc["sentences"]] == [None, None, 1]
    expected = tiny_model.predict_sentences([line for line in lines if line])
    assert [s["targets"]["russia"]["score"] for s in doc["sentences"]] == [
        s.to_dict()["targets"]["russia"]["score"] for s in expected.sentences
    ]


def test_a_folder_is_read_recursively_with_relative_ids(predict, tmp_path):
    folder = tmp_path / "articles"
    (folder / "2024" / "jan").mkdir(parents=True)
    (folder / "b.txt").write_text("La Russie menace l'OTAN.", encoding="utf-8")
    (folder / "2024" / "jan" / "a.txt").write_text("Ankara salue l'accord.", encoding="utf-8")
    write_csv(folder / "2024" / "rows.csv", ["id", "text"], [["r1", "Moscou critique la Turquie."]])
    write_jsonl(folder / "2024" / "rows.jsonl", [{"id": "j1", "text": "NATO welcomed Turkey."}])
    (folder / "notes.md").write_text("not an input", encoding="utf-8")
    (folder / ".hidden.txt").write_text("Ignored.", encoding="utf-8")
    status, out, _ = predict(folder)
    assert status == 0
    assert [d["id"] for d in jsonl(out)] == ["2024/jan/a.txt", "r1", "j1", "b.txt"]


def test_a_folder_does_not_read_the_runs_own_output(predict, tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text("La Russie menace l'OTAN.", encoding="utf-8")
    out = folder / "scores.csv"
    assert predict(folder, "-o", out, "-q")[0] == 0
    assert predict(folder, "-o", out, "-q")[0] == 0
    assert {r["id"] for r in read_rows(out)} == {"a.txt"}


@pytest.mark.parametrize(
    ("fmt", "data", "ids"),
    [
        ("txt", "La Russie menace l'OTAN. Ankara salue l'accord.", ["stdin"]),
        ("csv", "id,text,date\nx,La Russie menace.,2024-01-01\ny,Ankara salue l'accord.,2024-01-02\n", ["x", "y"]),
        ("jsonl", '{"text": "La Russie menace l\'OTAN.", "date": "2024"}\n', ["stdin:1"]),
    ],
)
def test_standard_input_in_each_format(tiny_model_path, fmt, data, ids):
    done = subprocess.run(
        [sys.executable, "-m", "api", "predict", "-", "--input-format", fmt, "--model", str(tiny_model_path), "-q"],
        input=data.encode("utf-8"),
        capture_output=True,
        check=False,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr.decode()
    lines = jsonl(done.stdout.decode("utf-8"))
    assert [d["id"] for d in lines] == ids
    if fmt != "txt":
        assert "date" in lines[0]["fields"]


def test_targets_option_keeps_only_the_given_targets(predict, tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("La Russie menace l'OTAN.", encoding="utf-8")
    status, out, _ = predict(article, "--format", "csv", "--targets", "Russia")
    assert status == 0
    assert {r["target"] for r in csv.DictReader(io.StringIO(out))} == {"russia"}
    status, out, _ = predict("--targets", "nato, turkey", article, "--format", "csv")
    assert status == 0
    assert [r["target"] for r in csv.DictReader(io.StringIO(out))] == ["nato", "turkey"]
    status, _, err = predict(article, "--targets", "EU")
    assert status == 1 and "unknown target 'EU'; valid targets: nato, russia, turkey" in err


# -- summary and explanations ---------------------------------------------------------------


def test_summary_has_one_row_per_document_and_target(predict, tiny_model, sample_article, tmp_path):
    article = tmp_path / "article.txt"
    article.write_text(sample_article, encoding="utf-8")
    other = write_csv(tmp_path / "more.csv", ["id", "text", "outlet"], [["m", "Moscou critique la Turquie.", "AFP"]])
    summary = tmp_path / "summary.csv"
    assert predict(article, other, "-o", tmp_path / "out.jsonl", "--summary", summary, "-q")[0] == 0
    with summary.open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    assert header == ["id", "outlet", *SUMMARY_COLUMNS[1:]]
    rows = read_rows(summary)
    assert [(r["id"], r["target"]) for r in rows] == [("article.txt", t) for t in TARGETS] + [("m", t) for t in TARGETS]
    expected = tiny_model.analyze(sample_article).summary
    for row in rows[:3]:
        target = expected["targets"][row["target"]]
        assert int(row["mentioned_in"]) == target["mentioned_in"]
        assert row["label"] == (target["label"] or "")
        assert [int(row[f"n_{t}"]) for t in ("negative", "neutral", "positive")] == [
            target["counts"][t] for t in ("negative", "neutral", "positive")
        ]
        assert (row["sentences"], row["unique_sentences"]) == ("12", "7")
        assert row["sentiment_label"] == expected["sentiment"]["label"]
        assert float(row["sentiment_score"]) == pytest.approx(expected["sentiment"]["score"], abs=1e-4)
    assert rows[3]["outlet"] == "AFP"
    nato = rows[3]
    assert (nato["mentioned_in"], nato["label"], nato["score"]) == ("0", "", "")


def test_explain_adds_the_ngrams_behind_each_label(predict, tiny_model, tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("La Russie menace l'OTAN.", encoding="utf-8")
    plain = predict(article, "--format", "csv")[1]
    assert "explanation" not in plain.splitlines()[0]
    status, out, _ = predict(article, "--format", "csv", "--explain")
    assert status == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == sentence_header(explain=True)
    expected = tiny_model.analyze("La Russie menace l'OTAN.", explain=True).sentences[0]
    for row in rows:
        result = expected.targets[row["target"]]
        if not result.mentioned:
            assert row["explanation"] == ""
            continue
        assert row["explanation"] == explanation_text(result.explanation, result.tone.label)
        assert row["explanation"].startswith(f"{row['label']}: ")
        top = result.explanation[row["label"]][0]
        assert f"{top['ngram']} ({top['weight']:+.2f})" in row["explanation"]


def test_explanation_text_puts_the_label_first_and_leaves_empty_tones_out():
    explanation = {
        "negative": [{"ngram": "menace", "block": "word", "weight": 0.31}],
        "neutral": [],
        "positive": [
            {"ngram": "salue", "block": "word", "weight": 0.2},
            {"ngram": "[TARGET] a", "block": "word", "weight": 0.05},
        ],
    }
    assert explanation_text(explanation, "positive") == (
        "positive: salue (+0.20), [TARGET] a (+0.05); negative: menace (+0.31)"
    )
    assert explanation_text(None, None) == ""


# -- parallel workers ---------------------------------------------------------------------


def test_jobs_give_the_same_output_in_the_same_order(predict, tmp_path):
    sentences = ["La Russie menace l'OTAN.", "Ankara salue l'accord.", "Moscou critique la Turquie.", "Il pleut."]
    rows = [[f"d{i}", f"{sentences[i % 4]} {sentences[(i * 7) % 4]}", f"2024-01-{i % 28 + 1:02d}"] for i in range(150)]
    source = write_csv(tmp_path / "many.csv", ["id", "text", "date"], rows)
    outputs = {}
    for jobs in ("1", "3"):
        out, summary = tmp_path / f"out{jobs}.csv", tmp_path / f"sum{jobs}.csv"
        assert predict(source, "-o", out, "--summary", summary, "--explain", "--jobs", jobs, "-q")[0] == 0
        outputs[jobs] = (out.read_bytes(), summary.read_bytes())
    assert outputs["1"] == outputs["3"]
    assert [r["id"] for r in read_rows(tmp_path / "out3.csv")][::6][:3] == ["d0", "d1", "d2"]


def _die(docs):
    os._exit(3)


@pytest.mark.skipif(sys.platform != "linux", reason="workers inherit the patched function only when forked")
def test_a_dead_worker_fails_the_run_cleanly(predict, tmp_path, monkeypatch):
    source = write_csv(tmp_path / "s.csv", ["id", "text"], [[f"d{i}", "La Russie menace l'OTAN."] for i in range(10)])
    out = tmp_path / "out.csv"
    monkeypatch.setattr(batch, "_score_in_worker", _die)
    status, _, err = predict(source, "-o", out, "--jobs", "2")
    assert status == 1
    assert "a worker process died" in err and "Traceback" not in err
    assert not out.exists() and not leftovers(tmp_path)


# -- bad input ----------------------------------------------------------------------------


def _bad_inputs(tmp_path: Path) -> dict[str, Path]:
    files = {}
    files["no_text_column"] = write_csv(tmp_path / "cols.csv", ["id", "body"], [["a", "Texte."]])
    files["latin1"] = tmp_path / "latin1.csv"
    files["latin1"].write_bytes("id,text\na,Bonjour.\nb,Ankara a salué l'accord.\n".encode("latin-1"))
    files["fields"] = tmp_path / "fields.csv"
    files["fields"].write_text('id,text\na,Bonjour.\nb,"Deux, champs",trop\n', encoding="utf-8")
    files["empty_text"] = write_csv(tmp_path / "empty.csv", ["id", "text"], [["a", "Bonjour."], ["b", "  "]])
    files["empty_id"] = write_csv(tmp_path / "noid.csv", ["id", "text"], [["", "Bonjour."]])
    files["bad_json"] = tmp_path / "bad.jsonl"
    files["bad_json"].write_text('{"text": "Bonjour."}\n{"text": "oops"\n', encoding="utf-8")
    files["json_array"] = write_jsonl(tmp_path / "array.jsonl", [{"text": "Bonjour."}, ["text"]])
    files["json_no_key"] = write_jsonl(tmp_path / "nokey.jsonl", [{"body": "Bonjour."}])
    files["json_later_no_key"] = write_jsonl(tmp_path / "later.jsonl", [{"text": "Bonjour."}, {"body": "x"}])
    files["json_number"] = write_jsonl(tmp_path / "number.jsonl", [{"text": 42}])
    files["json_bad_id"] = write_jsonl(tmp_path / "badid.jsonl", [{"id": [1], "text": "Bonjour."}])
    files["empty_txt"] = tmp_path / "empty.txt"
    files["empty_txt"].write_text("  \n", encoding="utf-8")
    files["latin1_txt"] = tmp_path / "latin1.txt"
    files["latin1_txt"].write_bytes("Bonjour.\nAnkara a salué l'accord.\n".encode("latin-1"))
    files["empty_csv"] = tmp_path / "nothing.csv"
    files["empty_csv"].write_text("", encoding="utf-8")
    files["docx"] = tmp_path / "article.docx"
    files["docx"].write_bytes(b"PK")
    files["missing"] = tmp_path / "missing.txt"
    files["empty_folder"] = tmp_path / "empty_folder"
    files["empty_folder"].mkdir()
    return files


@pytest.mark.parametrize(
    ("case", "extra", "message"),
    [
        (
            "no_text_column",
            [],
            "cols.csv: no column 'text' in the header (found: 'id', 'body'); choose the right one with --text-column",
        ),
        ("no_text_column", ["--text-column", "body", "--id-column", "key"], "cols.csv: no column 'key' in the header"),
        ("latin1", [], "latin1.csv:3: not valid UTF-8 (byte 0xe9); save the file as UTF-8"),
        ("fields", [], "fields.csv:3: 3 fields where the header has 2"),
        ("empty_text", [], "empty.csv:3: column 'text' is empty; nothing to score"),
        ("empty_id", [], "noid.csv:2: column 'id' is empty"),
        ("bad_json", [], "bad.jsonl:2: not valid JSON"),
        ("json_array", [], "array.jsonl:2: expected a JSON object, found an array"),
        ("json_no_key", [], "nokey.jsonl: no key 'text' in the first object (found: 'body')"),
        ("json_later_no_key", [], "later.jsonl:2: no key 'text' in this object"),
        ("json_number", [], "number.jsonl:1: key 'text' is a number; it must be a string"),
        ("json_bad_id", [], "badid.jsonl:1: key 'id' is an array; it must be a string or an integer"),
        ("empty_txt", [], "empty.txt: the file is empty; nothing to score"),
        ("latin1_txt", [], "latin1.txt:2: not valid UTF-8 (byte 0xe9)"),
        ("empty_csv", [], "nothing.csv: the file is empty; expected a header row with a 'text' column"),
        ("docx", [], "article.docx: not a .txt, .csv or .jsonl file"),
        ("missing", [], "missing.txt: no such file or folder"),
        ("empty_folder", [], "empty_folder: no .txt, .csv or .jsonl files in this folder"),
    ],
)
def test_bad_input_fails_naming_file_and_line_and_writes_nothing(predict, tmp_path, case, extra, message):
    source = _bad_inputs(tmp_path)[case]
    out = tmp_path / "out" / "scores.csv"
    status, _, err = predict(source, *extra, "-o", out)
    assert status == 1
    assert message in err
    assert err.startswith("stance: error: ") and "--on-error skip" in err
    assert "Traceback" not in err
    assert not out.exists()
    assert not (out.parent.exists() and leftovers(out.parent))


def test_skip_goes_on_and_lists_the_skipped_inputs(predict, tmp_path):
    files = _bad_inputs(tmp_path)
    good = write_csv(tmp_path / "good.csv", ["id", "text"], [["g1", "La Russie menace l'OTAN."]])
    out = tmp_path / "out.jsonl"
    status, _, err = predict(
        files["latin1"], files["bad_json"], good, files["missing"], "-o", out, "--on-error", "skip"
    )
    assert status == 0
    assert [d["id"] for d in jsonl(out.read_text(encoding="utf-8"))] == ["a", "bad.jsonl:1", "g1"]
    assert "stance: skipped 3 input(s):" in err
    lines = err.splitlines()
    assert any(line.startswith("  ") and "latin1.csv:3: not valid UTF-8" in line for line in lines)
    assert any("bad.jsonl:2: not valid JSON" in line for line in lines)
    assert any("missing.txt: no such file or folder" in line for line in lines)
    assert "scored 3 document(s)" in err


def test_skip_with_nothing_left_fails_and_writes_nothing(predict, tmp_path):
    files = _bad_inputs(tmp_path)
    out = tmp_path / "out.csv"
    status, _, err = predict(files["empty_txt"], files["json_no_key"], "-o", out, "--on-error", "skip")
    assert status == 1
    assert "stance: skipped 2 input(s):" in err and "no document was scored; nothing was written" in err
    assert not out.exists() and not leftovers(tmp_path)


def test_a_failed_run_keeps_the_previous_output(predict, tmp_path):
    files = _bad_inputs(tmp_path)
    good = write_csv(tmp_path / "good.csv", ["id", "text"], [["g1", "La Russie menace l'OTAN."]])
    out, summary = tmp_path / "out.csv", tmp_path / "summary.csv"
    out.write_text("previous good output\n", encoding="utf-8")
    summary.write_text("previous summary\n", encoding="utf-8")
    status, _, _ = predict(good, files["fields"], "-o", out, "--summary", summary)
    assert status == 1
    assert out.read_text(encoding="utf-8") == "previous good output\n"
    assert summary.read_text(encoding="utf-8") == "previous summary\n"
    assert not leftovers(tmp_path)


def test_an_interrupted_run_keeps_the_previous_output(predict, tmp_path, monkeypatch):
    rows = [[f"d{i}", "La Russie menace l'OTAN."] for i in range(200)]
    source = write_csv(tmp_path / "many.csv", ["id", "text"], rows)
    out = tmp_path / "out.csv"
    out.write_text("previous\n", encoding="utf-8")
    real = batch.score_chunk
    calls = []

    def interrupted(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(batch, "score_chunk", interrupted)
    status, _, err = predict(source, "-o", out)
    assert status == 1 and "interrupted" in err
    assert out.read_text(encoding="utf-8") == "previous\n"
    assert not leftovers(tmp_path)


def test_a_document_the_model_refuses_is_reported_and_the_others_scored(tiny_model):
    docs = [
        Document("a", "La Russie menace l'OTAN.", "a.csv:2"),
        Document("b", "   ", "a.csv:3"),
        Document("c", "Ankara salue l'accord.", "a.csv:4"),
    ]
    results = score_chunk(tiny_model, docs, ScoreOptions())
    assert [r.id for r in results if not isinstance(r, Problem)] == ["a", "c"]
    assert isinstance(results[1], Problem) and str(results[1]).startswith("a.csv:3: ")


@pytest.mark.parametrize(
    "args", [["--jobs", "0"], ["--text-column", ""], ["--id-column", "text"], ["-o", "x.csv", "--summary", "x.csv"]]
)
def test_bad_usage_exits_2(args, tmp_path):
    with pytest.raises(SystemExit) as info:
        main([str(tmp_path / "a.txt"), *args])
    assert info.value.code == 2


# -- terminal progress --------------------------------------------------------------------


def _run_with_stderr(args: list[str], stderr: int) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "api", "predict", *args], stdout=subprocess.PIPE, stderr=stderr, check=False, cwd=REPO
    )


def test_progress_bar_only_on_a_terminal(tiny_model_path, tmp_path):
    source = write_csv(tmp_path / "s.csv", ["id", "text"], [[f"d{i}", "La Russie menace l'OTAN."] for i in range(100)])
    args = [str(source), "--model", str(tiny_model_path), "-o", str(tmp_path / "o.csv")]
    piped = _run_with_stderr(args, subprocess.PIPE)
    assert piped.returncode == 0
    assert b"\r" not in piped.stderr and b"%" not in piped.stderr
    controller, terminal = pty.openpty()
    try:
        done = _run_with_stderr(args, terminal)
        os.close(terminal)
        seen = b""
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(controller)
    assert done.returncode == 0
    assert b"stance: [" in seen and b"100%" in seen and b"100 documents" in seen


# -- streaming memory ---------------------------------------------------------------------

# Runs a command and prints the peak resident memory (KiB) of its process tree.
_PEAK = "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); " \
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"


def _peak_kib(args: list[str]) -> int:
    done = subprocess.run(
        [sys.executable, "-c", _PEAK, sys.executable, "-m", "api", "predict", *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    return int(done.stdout.strip().splitlines()[-1])


def _generated_csv(path: Path, documents: int, per_document: int) -> Path:
    subjects = ["La Russie", "Ankara", "L'OTAN", "Le gouvernement", "Moscou", "La Turquie", "Le ministre"]
    verbs = ["salue", "critique", "menace", "soutient", "observe", "rejette"]
    objects = ["l'accord", "le projet", "les sanctions", "la réforme", "les négociations", "le contrat"]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "date", "text"])
        n = 0
        for d in range(documents):
            sentences = []
            for _ in range(per_document):
                sentences.append(f"{subjects[n % 7]} {verbs[n % 6]} {objects[n % 5]} numéro {n}.")
                n += 1
            writer.writerow([f"doc{d}", f"2024-{d % 12 + 1:02d}-01", " ".join(sentences)])
    return path


@pytest.mark.slow
def test_memory_stays_flat_on_a_large_input(tiny_model_path, tmp_path):
    small = _generated_csv(tmp_path / "small.csv", 50, 20)
    large = _generated_csv(tmp_path / "large.csv", 10_000, 20)
    common = ["--model", str(tiny_model_path), "--summary", str(tmp_path / "summary.csv"), "-q"]
    small_kib = _peak_kib([str(small), "-o", str(tmp_path / "small.out.csv"), *common])
    large_kib = _peak_kib([str(large), "-o", str(tmp_path / "large.out.csv"), *common])
    with (tmp_path / "large.out.csv").open(encoding="utf-8", newline="") as fh:
        rows = sum(1 for _ in fh) - 1
    assert rows == 200_000 * 3
    print(f"peak RSS: {small_kib / 1024:.0f} MiB for 1,000 sentences, {large_kib / 1024:.0f} MiB for 200,000")
    assert large_kib < small_kib + 150 * 1024
