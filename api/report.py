"""A self-contained HTML report of scored files: ``stance report INPUT... -o report.html``.

The inputs are read and scored as by ``stance predict`` (same options), then summarised
in one HTML file that opens offline: an overview chart, a chart over time when the inputs
have a date column, a sortable table of documents, each document's sentences coloured by
tone toward a chosen target with the n-grams behind each label, and the model that
produced the numbers. Charts are drawn with matplotlib (the ``report`` extra) and
embedded as inline SVG; nothing in the file refers to the network.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from api.batch import (
    AtomicOutputs,
    Document,
    Progress,
    Run,
    ScoreOptions,
    add_input_arguments,
    check_input_arguments,
    load_run_model,
    print_problems,
    read_options,
)
from api.console import fail, guarded
from api.tables import cell
from classifier import Analysis, SentenceResult, StanceModel
from classifier.results import TONES

__all__ = ["INSTALL_HINT", "ReportData", "main", "render_report"]

INSTALL_HINT = "install the report extra: pip install -e '.[report]'"

# Okabe-Ito colours (safe for colour-blind readers), with hatching so print in black and
# white still tells the tones apart.
_TONE_COLOURS = {"negative": "#D55E00", "neutral": "#999999", "positive": "#0072B2"}
_TONE_HATCH = {"negative": "///", "neutral": "", "positive": "..."}
_TARGET_STYLES = [("#0072B2", "o", "-"), ("#D55E00", "s", "--"), ("#009E73", "^", "-."), ("#CC79A7", "D", ":")]
_TOP_NGRAMS = 6


def _signed(value: float | None) -> str:
    """Return a score as text with a typographic minus (``−0.12``), or an en dash for none."""
    if value is None:
        return "–"
    return f"{value:+.2f}".replace("-", "\u2212")


def _parse_date(value: object) -> date | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        pass
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


@dataclass
class _Tally:
    """Tone counts and the sum of scores over the unique sentences mentioning a target."""

    counts: Counter = field(default_factory=Counter)
    total: float = 0.0

    @property
    def n(self) -> int:
        return sum(self.counts.values())

    @property
    def mean(self) -> float | None:
        return self.total / self.n if self.n else None

    def add(self, label: str, score: float) -> None:
        self.counts[label] += 1
        self.total += score


class ReportData:
    """Everything a report shows, gathered one scored document at a time.

    The first ``max_texts`` documents keep their sentences for the texts section; every
    document keeps a row in the documents table and counts in the aggregates.
    """

    def __init__(
        self, model: StanceModel, fields: Sequence[str] = (), *, date_column: str = "date", max_texts: int = 100
    ) -> None:
        self.model = model
        self.fields = list(fields)
        self.date_column = date_column if date_column in self.fields else None
        self.max_texts = max_texts
        self.targets: list[str] = []
        self.documents: list[dict] = []
        self.texts: list[dict] = []
        self.sentences = 0
        self.unique_sentences = 0
        self.undated = 0
        self.totals: dict[str, _Tally] = defaultdict(_Tally)
        self.by_date: dict[str, dict[date, _Tally]] = defaultdict(lambda: defaultdict(_Tally))
        self.ngrams: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))

    def name(self, key: str) -> str:
        """Return a target's display name."""
        return self.model.registry[key].name if key in self.model.registry else key

    def add(self, doc: Document, analysis: Analysis) -> None:
        """Count one scored document in."""
        if not self.targets:
            self.targets = list(analysis.targets)
        summary = analysis.summary
        self.sentences += summary["sentences"]
        self.unique_sentences += summary["unique_sentences"]
        day = _parse_date(doc.fields.get(self.date_column)) if self.date_column else None
        if self.date_column and day is None:
            self.undated += 1
        doc_ngrams: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
        for sentence in analysis.sentences:
            if sentence.duplicate_of is not None:
                continue
            for key, result in sentence.targets.items():
                if result.tone is None:
                    continue
                self.totals[key].add(result.tone.label, result.tone.score)
                if day is not None:
                    self.by_date[key][day].add(result.tone.label, result.tone.score)
                for gram in (result.explanation or {}).get(result.tone.label, []):
                    self.ngrams[key][result.tone.label][gram["ngram"]] += gram["weight"]
                    doc_ngrams[key][result.tone.label][gram["ngram"]] += gram["weight"]
        number = len(self.documents) + 1
        self.documents.append(
            {
                "number": number,
                "id": analysis.id,
                "fields": [cell(doc.fields.get(f)) for f in self.fields],
                "summary": summary,
                "shown": len(self.texts) < self.max_texts,
            }
        )
        if len(self.texts) < self.max_texts:
            self.texts.append(
                {
                    "number": number,
                    "id": analysis.id,
                    "fields": [(f, cell(v)) for f in self.fields if (v := doc.fields.get(f)) not in (None, "")],
                    "summary": summary,
                    "sentences": [self._sentence(s) for s in analysis.sentences],
                    "ngrams": {key: _top_by_label(doc_ngrams[key], summary["targets"][key]) for key in self.targets},
                }
            )

    def _sentence(self, sentence: SentenceResult) -> dict:
        tones = {}
        lines = [f"sentence {sentence.index}"]
        if sentence.duplicate_of is not None:
            lines[0] += f" (repeat of sentence {sentence.duplicate_of}; left out of counts and means)"
        lines.append(f"sentiment: {sentence.sentiment.label} {_signed(sentence.sentiment.score)}")
        for key, result in sentence.targets.items():
            if result.tone is None:
                continue
            tone = result.tone
            probs = " · ".join(f"P({t}) {tone.probabilities[t]:.2f}" for t in TONES)
            grams = ", ".join(g["ngram"] for g in (result.explanation or {}).get(tone.label, [])[:3])
            because = f"; n-grams: {grams}" if grams else ""
            lines.append(f"{self.name(key)}: {tone.label} {_signed(tone.score)} ({probs}){because}")
            tones[key] = {"label": tone.label, "score": _signed(tone.score)}
        return {
            "index": sentence.index,
            "duplicate_of": sentence.duplicate_of,
            "segments": _segments(sentence),
            "tones": tones,
            "title": "\n".join(lines),
        }


def _top_by_label(counters: dict[str, Counter], target_summary: dict) -> list[dict]:
    return [
        {
            "label": label,
            "count": target_summary["counts"][label],
            "ngrams": [g for g, w in counters[label].most_common(_TOP_NGRAMS) if w > 0],
        }
        for label in TONES
        if target_summary["counts"][label]
    ]


def _segments(sentence: SentenceResult) -> list[tuple[str, str | None]]:
    """Cut a sentence's text into plain runs and target mentions (``(text, target or None)``)."""
    spans = sorted(
        (m.start - sentence.start, m.end - sentence.start, key)
        for key, result in sentence.targets.items()
        for m in result.mentions
    )
    out: list[tuple[str, str | None]] = []
    at = 0
    for start, end, key in spans:
        if start < at or end > len(sentence.text):
            continue  # overlapping mentions: keep the first
        if start > at:
            out.append((sentence.text[at:start], None))
        out.append((sentence.text[start:end], key))
        at = end
    if at < len(sentence.text):
        out.append((sentence.text[at:], None))
    return out


# -- charts -------------------------------------------------------------------------------


def _svg(figure, prefix: str) -> str:
    """Return a matplotlib figure as inline SVG, with its ids prefixed and no XML preamble."""
    buffer = io.StringIO()
    # No date (reproducible files) and no Dublin Core block (it is made of URLs).
    metadata = {"Date": None, "Creator": None, "Format": None, "Type": None}
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata=metadata)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.DOTALL)
    # Namespaces are implied in HTML; keeping them would put URLs in the file.
    svg = re.sub(r'\s+xmlns(?::xlink)?="[^"]*"', "", svg)
    svg = svg.replace("xlink:href=", "href=")
    svg = re.sub(r'(\bid="|url\(#|href="#)', rf"\g<1>{prefix}-", svg)
    return svg.replace("<svg ", f'<svg role="img" aria-labelledby="{prefix}-title" ', 1)


def _figure(width: float, height: float):
    import matplotlib
    from matplotlib.figure import Figure

    matplotlib.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "stance", "font.size": 10})
    return Figure(figsize=(width, height), layout="constrained")


def overview_chart(data: ReportData) -> str | None:
    """Draw each target's share of tones and mean score; None when no target is mentioned."""
    keys = [k for k in data.targets if data.totals[k].n]
    if not keys:
        return None
    figure = _figure(7.5, 0.55 * len(keys) + 1.3)
    shares, means = figure.subplots(1, 2, sharey=True, width_ratios=[3, 2])
    names = [f"{data.name(k)} (n={data.totals[k].n})" for k in keys][::-1]
    left = [0.0] * len(keys)
    for tone in TONES:
        values = [100 * data.totals[k].counts[tone] / data.totals[k].n for k in keys][::-1]
        shares.barh(
            names, values, left=left, color=_TONE_COLOURS[tone], hatch=_TONE_HATCH[tone],
            edgecolor="white", linewidth=0.5, label=tone,
        )
        for y, (x, v) in enumerate(zip(left, values, strict=True)):
            if v >= 12:
                shares.text(x + v / 2, y, f"{v:.0f}%", ha="center", va="center", color="black", fontsize=8,
                            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8})
        left = [a + b for a, b in zip(left, values, strict=True)]
    shares.set_xlim(0, 100)
    shares.set_xlabel("share of sentences mentioning the target (%)")
    shares.legend(ncols=3, loc="lower left", bbox_to_anchor=(0, 1.02), frameon=False, fontsize=8)
    scores = [data.totals[k].mean for k in keys][::-1]
    means.axvline(0, color="#555555", linewidth=0.8)
    means.hlines(range(len(keys)), 0, scores, color="#555555", linewidth=1.5)
    means.scatter(scores, range(len(keys)), color="black", zorder=3)
    for y, score in enumerate(scores):
        means.annotate(_signed(score), (score, y), textcoords="offset points", xytext=(0, 7), ha="center", fontsize=8)
    means.set_xlim(-1, 1)
    means.set_xlabel("mean score (−1 negative … +1 positive)")
    means.grid(axis="x", color="#dddddd", linewidth=0.5)
    return _svg(figure, "overview")


def time_chart(data: ReportData) -> tuple[str | None, str]:
    """Draw each target's mean score per day (or month, over long spans); return the SVG and the period."""
    days = sorted({d for k in data.targets for d in data.by_date[k]})
    if not days:
        return None, "day"
    monthly = (days[-1] - days[0]).days > 92
    period = "month" if monthly else "day"
    figure = _figure(7.5, 3.2)
    axes = figure.subplots()
    for i, key in enumerate(data.targets):
        grouped: dict[date, _Tally] = defaultdict(_Tally)
        for day, tally in data.by_date[key].items():
            bucket = grouped[day.replace(day=1) if monthly else day]
            bucket.counts.update(tally.counts)
            bucket.total += tally.total
        if not grouped:
            continue
        xs = sorted(grouped)
        colour, marker, style = _TARGET_STYLES[i % len(_TARGET_STYLES)]
        axes.plot(xs, [grouped[x].mean for x in xs], marker=marker, linestyle=style, color=colour,
                  label=data.name(key), markersize=5)
    axes.axhline(0, color="#555555", linewidth=0.8)
    axes.set_ylim(-1.05, 1.05)
    axes.set_ylabel(f"mean score per {period}")
    axes.grid(color="#dddddd", linewidth=0.5)
    axes.legend(ncols=len(data.targets), loc="lower left", bbox_to_anchor=(0, 1.02), frameon=False, fontsize=8)
    if len(days) == 1:
        axes.set_xticks(days)
    figure.autofmt_xdate()
    return _svg(figure, "over-time"), period


# -- the page -----------------------------------------------------------------------------


def _metrics_rows(metrics: dict, name) -> list[dict]:
    rows = []
    overall = metrics.get("overall", {})
    rows.append({"scope": "overall", **overall})
    for lang, block in sorted(metrics.get("by_language", {}).items()):
        rows.append({"scope": f"language: {lang}", **block})
    for key, block in metrics.get("by_target", {}).items():
        rows.append({"scope": f"target: {name(key)}", **block, "sentiment_macro_f1": None})
    return rows


def render_report(data: ReportData, *, title: str = "Stance report", inputs: Sequence[str] = (),
                  skipped: Sequence[str] = (), skipped_count: int = 0) -> str:
    """Return the whole report as one HTML page."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("api", "templates"), autoescape=select_autoescape(["html"]))
    env.filters["signed"] = _signed
    time_svg, period = time_chart(data)
    model = data.model
    splits = [
        (label, _metrics_rows(model.metrics[split], data.name))
        for split, label in (("test", "held-out test set"), ("cross_validation", "cross-validation"))
        if model.metrics.get(split, {}).get("n")
    ]
    overview = [
        {
            "key": key,
            "name": data.name(key),
            "n": data.totals[key].n,
            "shares": {t: (100 * data.totals[key].counts[t] / data.totals[key].n if data.totals[key].n else None)
                       for t in TONES},
            "mean": data.totals[key].mean,
            "ngrams": [
                {"label": t, "ngrams": [g for g, w in data.ngrams[key][t].most_common(_TOP_NGRAMS) if w > 0]}
                for t in TONES
                if data.totals[key].counts[t]
            ],
        }
        for key in data.targets
    ]
    return env.get_template("report.html").render(
        title=title,
        generated=datetime.now(UTC).replace(microsecond=0).isoformat(),
        inputs=inputs,
        data=data,
        targets=[(k, data.name(k)) for k in data.targets],
        overview=overview,
        overview_svg=overview_chart(data),
        time_svg=time_svg,
        period=period,
        tones=TONES,
        model=model,
        model_file=Path(model.path).name if model.path else None,
        splits=splits,
        skipped=skipped,
        skipped_count=skipped_count,
    )


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stance report",
        description="Score text, CSV or JSONL files and write a self-contained HTML report with charts.",
    )
    add_input_arguments(parser)
    parser.add_argument("-o", "--output", required=True, metavar="OUT", help="HTML file to write (e.g. report.html)")
    parser.add_argument("--title", default="Stance report", help="the report's title")
    parser.add_argument(
        "--date-column",
        default="date",
        metavar="NAME",
        help="column holding each document's date, for the time chart (default date)",
    )
    parser.add_argument(
        "--max-texts", type=int, default=100, metavar="N",
        help="show the full text of at most this many documents (default 100); the table lists them all",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``stance report`` and return its exit status."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    check_input_arguments(parser, args)
    if args.max_texts < 0:
        parser.error("--max-texts must be 0 or more")
    try:
        import matplotlib  # noqa: F401 - only checking that the extra is installed
    except ImportError:
        return fail(INSTALL_HINT)
    return guarded(lambda: _report(args), interrupted="no report was written")


def _report(args: argparse.Namespace) -> int:
    model = load_run_model(args)
    targets = tuple(model.resolve_targets(args.targets)) if args.targets else None
    run = Run(
        args.inputs,
        model,
        read_options(args),
        ScoreOptions(targets, explain=True, sentences=args.sentences),
        jobs=args.jobs,
        on_error=args.on_error,
        exclude=[Path(args.output)],
    )
    data = ReportData(model, run.fields(), date_column=args.date_column, max_texts=args.max_texts)
    progress = Progress(run)
    try:
        for doc, analysis in run:
            data.add(doc, analysis)
            progress.update()
        progress.update(force=True)
    finally:
        progress.close()
    print_problems(run)
    if not run.documents:
        return fail("no document was scored; no report was written")
    page = render_report(
        data,
        title=args.title,
        inputs=args.inputs,
        skipped=[str(p) for p in run.problems],
        skipped_count=run.skipped,
    )
    with AtomicOutputs() as outputs:
        outputs.open(args.output).write(page)
        outputs.commit()
    print(f"stance: report on {run.documents:,} document(s) written to {args.output}", file=sys.stderr)
    return 0
