"""Flat tables of results: one CSV row per sentence and target, one per document and target.

The same columns serve ``stance predict --format csv``, the HTTP API and the browser page's
CSV download, so a spreadsheet built on one works on the others. Columns carried over from
an input file (a date, an outlet) sit right after ``id``; a carried column whose name is
already taken by a result column is renamed ``input_<name>``.

>>> sentence_header(["date"])[:4]
['id', 'date', 'sentence_index', 'start']
>>> explanation_text({"negative": [{"ngram": "menace", "block": "word", "weight": 0.31}]}, "negative")
'negative: menace (+0.31)'
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence

from classifier.results import TONES, Analysis

__all__ = [
    "EXPLANATION_COLUMN",
    "SENTENCE_COLUMNS",
    "SUMMARY_COLUMNS",
    "cell",
    "explanation_text",
    "sentence_header",
    "sentence_rows",
    "summary_header",
    "summary_rows",
]

# One row per sentence and target. Carried input columns go right after "id".
SENTENCE_COLUMNS = (
    "id",
    "sentence_index",
    "start",
    "end",
    "text",
    "duplicate_of",
    "target",
    "mentioned",
    "label",
    "score",
    "p_negative",
    "p_neutral",
    "p_positive",
    "sentiment_label",
    "sentiment_score",
)

# Added last by ``--explain``: the n-grams behind the label, then behind the other tones.
EXPLANATION_COLUMN = "explanation"

# One row per document and target; repeated sentences are left out, as in the API summary.
SUMMARY_COLUMNS = (
    "id",
    "target",
    "mentioned_in",
    "label",
    "score",
    "n_negative",
    "n_neutral",
    "n_positive",
    "sentences",
    "unique_sentences",
    "sentiment_label",
    "sentiment_score",
)


def _number(value: float | None) -> float | str:
    return "" if value is None else round(float(value), 4)


def cell(value: object) -> object:
    """Return ``value`` as a CSV cell: ``""`` for None, ``true``/``false``, JSON for lists and dicts.

    >>> [cell(None), cell(True), cell(3), cell({"a": 1})]
    ['', 'true', 3, '{"a": 1}']
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def _with_fields(columns: Sequence[str], fields: Sequence[str]) -> list[str]:
    taken = set(columns) | {EXPLANATION_COLUMN}
    renamed = [f"input_{name}" if name in taken else name for name in fields]
    return [columns[0], *renamed, *columns[1:]]


def sentence_header(fields: Sequence[str] = (), *, explain: bool = False) -> list[str]:
    """Return the header of the sentence table, with carried ``fields`` after ``id``."""
    header = _with_fields(SENTENCE_COLUMNS, fields)
    return [*header, EXPLANATION_COLUMN] if explain else header


def summary_header(fields: Sequence[str] = ()) -> list[str]:
    """Return the header of the document summary table, with carried ``fields`` after ``id``."""
    return _with_fields(SUMMARY_COLUMNS, fields)


def explanation_text(explanation: Mapping[str, list[dict]] | None, label: str | None) -> str:
    """Return an explanation as compact text: the label's n-grams first, then the other tones'.

    Tones with no n-gram pushing toward them are left out.
    """
    if not explanation:
        return ""
    order = [label] if label in TONES else []
    order += [t for t in TONES if t != label]
    parts = []
    for tone in order:
        grams = explanation.get(tone) or []
        if grams:
            listed = ", ".join(f"{g['ngram']} ({g['weight']:+.2f})" for g in grams)
            parts.append(f"{tone}: {listed}")
    return "; ".join(parts)


def sentence_rows(
    analysis: Analysis, values: Sequence[object] = (), *, explain: bool = False
) -> Iterator[list[object]]:
    """Yield one row per sentence and target, matching ``sentence_header``.

    ``values`` are the carried fields' values, in the header's order. A target the
    sentence does not mention gets ``mentioned`` false and empty tone cells.
    """
    carried = [cell(v) for v in values]
    for sentence in analysis.sentences:
        sentiment = sentence.sentiment
        for key in analysis.targets:
            result = sentence.targets[key]
            tone = result.tone
            probs = tone.probabilities if tone else {}
            row = [
                cell(analysis.id),
                *carried,
                sentence.index,
                sentence.start,
                sentence.end,
                sentence.text,
                cell(sentence.duplicate_of),
                key,
                cell(result.mentioned),
                tone.label if tone else "",
                _number(tone.score if tone else None),
                *(_number(probs.get(t)) for t in TONES),
                sentiment.label,
                _number(sentiment.score),
            ]
            if explain:
                row.append(explanation_text(result.explanation, tone.label if tone else None))
            yield row


def summary_rows(analysis: Analysis, values: Sequence[object] = ()) -> Iterator[list[object]]:
    """Yield one row per target of a document's summary, matching ``summary_header``."""
    carried = [cell(v) for v in values]
    summary = analysis.summary
    sentiment = summary["sentiment"]
    for key in analysis.targets:
        target = summary["targets"][key]
        yield [
            cell(analysis.id),
            *carried,
            key,
            target["mentioned_in"],
            cell(target["label"]),
            _number(target["score"]),
            *(target["counts"][t] for t in TONES),
            summary["sentences"],
            summary["unique_sentences"],
            cell(sentiment["label"]),
            _number(sentiment["score"]),
        ]
