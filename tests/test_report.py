"""stance report: one self-contained HTML file with charts, tables, texts and the model."""

from __future__ import annotations

import csv
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

pytest.importorskip("matplotlib", reason="install the report extra: pip install -e '.[report]'")

from api.batch import Document
from api.report import INSTALL_HINT, ReportData, main, render_report
from classifier import StanceModel

EXTERNAL = re.compile(r"^\s*(?:https?:)?//", re.IGNORECASE)


class Page(HTMLParser):
    """A parsed report: every element with its attributes, and the text of styles and scripts."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None], list[str]]] = []
        self.styles: list[str] = []
        self.scripts: list[str] = []
        self._stack: list[str] = []
        self._ids: list[list[str]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.elements.append((tag, attributes, [t for t in self._stack]))
        if attributes.get("style"):
            self.styles.append(attributes["style"])
        if tag not in ("meta", "link", "br", "img", "input", "path", "use", "rect", "circle", "line", "stop"):
            self._stack.append(f"{tag}#{attributes.get('id', '')}.{attributes.get('class', '')}")

    def handle_startendtag(self, tag, attrs):
        attributes = dict(attrs)
        self.elements.append((tag, attributes, [t for t in self._stack]))
        if attributes.get("style"):
            self.styles.append(attributes["style"])

    def handle_endtag(self, tag):
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i].startswith(f"{tag}#"):
                del self._stack[i:]
                break

    def handle_data(self, data):
        if self._stack and self._stack[-1].startswith("style#"):
            self.styles.append(data)
        if self._stack and self._stack[-1].startswith("script#"):
            self.scripts.append(data)

    def find(self, tag: str, **attrs: str) -> list[tuple[str, dict, list[str]]]:
        """Return the elements named ``tag`` whose attributes contain ``attrs`` (class: one of its classes)."""
        found = []
        for name, attributes, parents in self.elements:
            if name != tag:
                continue
            ok = True
            for key, wanted in attrs.items():
                key = key.rstrip("_")
                value = attributes.get(key) or ""
                ok = ok and (wanted in value.split() if key == "class" else value == wanted)
            if ok:
                found.append((name, attributes, parents))
        return found

    def inside(self, tag: str, parent: str) -> list[tuple[str, dict, list[str]]]:
        """Return the ``tag`` elements that have an ancestor whose description contains ``parent``."""
        return [e for e in self.elements if e[0] == tag and any(parent in p for p in e[2])]


def assert_offline(html: str) -> None:
    page = Page(html)
    for tag, attributes, _ in page.elements:
        for name in ("src", "href", "xlink:href", "action", "poster", "data", "srcset", "formaction"):
            value = attributes.get(name)
            assert value is None or not EXTERNAL.match(value), f"<{tag} {name}={value!r}>"
        assert tag not in ("link", "iframe", "object", "embed"), f"<{tag}> may load something"
        assert not (tag == "script" and "src" in attributes), "external script"
        assert not (tag == "img" and not (attributes.get("src") or "").startswith("data:")), "image not inline"
    for css in page.styles:
        assert "@import" not in css
        for url in re.findall(r"url\(\s*['\"]?([^)'\"]*)", css):
            assert url.startswith(("#", "data:")), f"url({url})"


@pytest.fixture(scope="module")
def report(tiny_model_path, sample_article, tmp_path_factory) -> tuple[str, Path]:
    """A report on the sample article and a CSV of dated articles."""
    folder = tmp_path_factory.mktemp("report")
    (folder / "sample.txt").write_text(sample_article, encoding="utf-8")
    with (folder / "news.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "date", "outlet", "text"])
        writer.writerow(["a", "2024-01-02", "Le Monde", "La Russie menace l'OTAN. Ankara salue l'accord."])
        writer.writerow(["b", "2024-01-05", "AFP", "Moscou critique la Turquie. La Turquie rejette les critiques."])
        writer.writerow(["c", "2024-02-10", "Reuters", "NATO welcomed Turkey's decision. Russia condemned it."])
    out = folder / "report.html"
    inputs = [str(folder / "news.csv"), str(folder / "sample.txt")]
    assert main([*inputs, "-o", str(out), "--model", str(tiny_model_path)]) == 0
    return out.read_text(encoding="utf-8"), folder


def test_report_is_one_offline_file(report):
    html, _ = report
    assert_offline(html)
    assert "http://" not in html and "https://" not in html
    page = Page(html)
    [csp] = page.find("meta", **{"http-equiv": "Content-Security-Policy"})
    assert "default-src 'none'" in csp[1]["content"]


def test_offline_check_catches_external_references():
    for bad in (
        '<script src="https://cdn.example/x.js"></script>',
        '<link rel="stylesheet" href="//fonts.example/css">',
        '<img src="http://example.com/a.png">',
        "<style>@import 'x.css';</style>",
        "<div style=\"background: url(http://example.com/a.png)\"></div>",
        '<svg><use href="https://example.com/s.svg#a"/></svg>',
    ):
        with pytest.raises(AssertionError):
            assert_offline(f"<html><body>{bad}</body></html>")


def test_report_has_the_overview_and_time_charts_as_inline_svg(report):
    page = Page(report[0])
    assert page.find("figure", id="overview-chart") and page.find("figure", id="time-chart")
    overview = page.inside("svg", "figure#overview-chart")
    over_time = page.inside("svg", "figure#time-chart")
    assert len(overview) == 1 and len(over_time) == 1
    assert len(page.inside("path", "figure#overview-chart")) > 9  # bars for three tones and three targets
    assert len(page.inside("path", "figure#time-chart")) > 3
    ids = [a["id"] for _, a, _ in page.elements if a.get("id")]
    assert len(ids) == len(set(ids)), "ids must be unique across the inlined charts"


def test_overview_table_gives_shares_and_mean_scores(report, tiny_model, sample_article):
    html, _ = report
    page = Page(html)
    rows = page.inside("tr", "section#overview")
    assert len(rows) == 1 + 3  # header and one row per target
    assert "Sentences</dt><dd>18 (13 unique; 5 repeats left out of counts and means)" in html
    assert "Top n-grams behind each label" in html


def test_documents_table_lists_every_document_in_input_order(report):
    html, _ = report
    page = Page(html)
    [table] = page.find("table", id="documents-table")
    assert "sortable" in table[1]["class"]
    links = [a["href"] for _, a, parents in page.elements if parents and any("documents-table" in p for p in parents)
             and a.get("href")]
    assert links == ["#doc-1", "#doc-2", "#doc-3", "#doc-4"]
    headers = [h for h in page.inside("button", "table#documents-table")]
    assert len(headers) == 2 + 2 + 2 + 3  # #, id, date, outlet, sentences, sentiment, three targets
    assert "aria-sort" in "".join(page.scripts)


def test_each_sentence_is_coloured_by_tone_with_scores_and_repeats_marked(report, tiny_model, sample_article):
    page = Page(report[0])
    sentences = page.inside("span", "article#doc-4")
    sentences = [s for s in sentences if "s" in (s[1].get("class") or "").split()]
    assert len(sentences) == 12
    repeats = [s for s in sentences if "repeat" in s[1]["class"].split()]
    assert len(repeats) == 5
    expected = tiny_model.analyze(sample_article).sentences[0]
    first = sentences[0][1]
    assert first["data-t-russia"] == expected.targets["russia"].tone.label
    assert "data-t-nato" not in first  # not mentioned: left plain
    assert "Russia: " in first["title"] and "P(negative)" in first["title"]
    assert f"{expected.targets['russia'].tone.score:+.2f}".replace("-", "\u2212") in first["title"]
    assert "repeat of sentence" in repeats[0][1]["title"]
    marks = [m for m in page.inside("span", "article#doc-4") if m[1].get("class") == "m"]
    assert {m[1]["data-for"] for m in marks} == {"russia", "turkey", "nato"}


def test_a_select_switches_the_target_and_the_first_is_shown_without_script(report):
    html, _ = report
    page = Page(html)
    [body] = page.find("body")
    assert body[1]["data-target"] == "nato"
    options = [a.get("value") for t, a, _ in page.elements if t == "option"]
    assert options == ["nato", "russia", "turkey"]
    css = "".join(page.styles)
    for key in options:
        assert f'[data-target="{key}"] .s[data-t-{key}="negative"]' in css
    assert 'setAttribute("data-target"' in "".join(page.scripts)
    assert "@media print" in css


def test_top_ngrams_behind_each_label_are_listed_per_document_and_target(report):
    page = Page(report[0])
    lists = [e for e in page.inside("ul", "article#doc-4") if "why" in (e[1].get("class") or "")]
    assert [e[1]["data-for"] for e in lists] == ["nato", "russia", "turkey"]
    grams = page.inside("code", "article#doc-4")
    assert len(grams) >= 3


def test_model_name_version_and_missing_test_scores_are_shown(report, tiny_model):
    html, _ = report
    model_section = html[html.index('<section id="model"') :]
    assert tiny_model.info.name in model_section and tiny_model.info.version in model_section
    assert "records no test scores" in model_section


def test_model_test_scores_are_shown_when_recorded(tiny_model, tiny_model_path, sample_article):
    metrics = {
        "test": {
            "n": 812,
            "overall": {"n": 812, "target_macro_f1": 0.8123, "mention_f1": 0.991, "sentiment_macro_f1": 0.7771},
            "by_language": {"fr": {"n": 400, "target_macro_f1": 0.8, "mention_f1": 0.99, "sentiment_macro_f1": 0.76}},
            "by_target": {"nato": {"n": 812, "target_macro_f1": 0.83, "mention_f1": 0.995}},
        }
    }
    model = StanceModel({**tiny_model.bundle, "metrics": metrics}, path=str(tiny_model_path), sha256=tiny_model.sha256)
    data = ReportData(model)
    data.add(Document("a", sample_article, "a"), model.analyze(sample_article, explain=True))
    html = render_report(data)
    assert "Scores on the held-out test set" in html
    for number in ("0.812", "0.991", "0.777", "0.830", "language: fr", "target: NATO"):
        assert number in html
    assert "records no test scores" not in html
    assert_offline(html)


def test_no_date_column_means_no_time_chart(tiny_model_path, sample_article, tmp_path):
    (tmp_path / "a.txt").write_text(sample_article, encoding="utf-8")
    out = tmp_path / "r.html"
    assert main([str(tmp_path / "a.txt"), "-o", str(out), "--model", str(tiny_model_path)]) == 0
    page = Page(out.read_text(encoding="utf-8"))
    assert page.find("figure", id="overview-chart")
    assert not page.find("figure", id="time-chart")
    assert "have no date column" in out.read_text(encoding="utf-8")


def test_time_chart_groups_by_month_over_long_spans_and_reads_another_date_column(tiny_model_path, tmp_path):
    source = tmp_path / "year.csv"
    with source.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "published", "text"])
        for month in range(1, 13):
            writer.writerow([f"m{month}", f"2023-{month:02d}-15T08:00:00", "La Russie menace l'OTAN."])
    out = tmp_path / "r.html"
    assert main([str(source), "-o", str(out), "--model", str(tiny_model_path), "--date-column", "published"]) == 0
    html = out.read_text(encoding="utf-8")
    assert Page(html).find("figure", id="time-chart")
    assert "Mean score per month" in html


def test_max_texts_limits_the_texts_but_not_the_table(tiny_model_path, tmp_path):
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.txt").write_text("La Russie menace l'OTAN.", encoding="utf-8")
    out = tmp_path / "out" / "r.html"
    assert main([str(tmp_path), "-o", str(out), "--model", str(tiny_model_path), "--max-texts", "1"]) == 0
    page = Page(out.read_text(encoding="utf-8"))
    assert len([e for e in page.find("article", class_="doc")]) == 1
    assert len(page.inside("tr", "table#documents-table")) == 1 + 3
    assert "The full text of the first 1 of 3 documents" in out.read_text(encoding="utf-8")


def test_missing_matplotlib_says_how_to_install_it(tmp_path, monkeypatch, capsys):
    (tmp_path / "a.txt").write_text("La Russie menace l'OTAN.", encoding="utf-8")
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    out = tmp_path / "r.html"
    assert main([str(tmp_path / "a.txt"), "-o", str(out)]) == 1
    assert f"stance: error: {INSTALL_HINT}" in capsys.readouterr().err
    assert INSTALL_HINT == "install the report extra: pip install -e '.[report]'"
    assert not out.exists()


def test_bad_input_fails_and_writes_no_report(tiny_model_path, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_bytes("id,text\na,Bonjour.\nb,Ankara a salué l'accord.\n".encode("latin-1"))
    out = tmp_path / "r.html"
    out.write_text("previous report", encoding="utf-8")
    assert main([str(bad), "-o", str(out), "--model", str(tiny_model_path)]) == 1
    assert "bad.csv:3: not valid UTF-8" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "previous report"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_skipped_inputs_are_listed_in_the_report(tiny_model_path, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_bytes("id,text\na,La Russie menace l'OTAN.\nb,Ankara a salué l'accord.\n".encode("latin-1"))
    out = tmp_path / "r.html"
    assert main([str(bad), "-o", str(out), "--model", str(tiny_model_path), "--on-error", "skip"]) == 0
    assert "skipped 1 input(s)" in capsys.readouterr().err
    html = out.read_text(encoding="utf-8")
    page = Page(html)
    assert page.find("section", id="skipped")
    assert "bad.csv:3: not valid UTF-8" in html
