"""Reading and validating labelled CSV files.

Every problem is reported with its file, line and column, so a user can go straight to
the cell to fix. Errors stop training; warnings (labels that disagree with the targets
registry) are reported and may be explained in a ``note`` column.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from classifier.errors import StanceError
from classifier.results import TONES
from classifier.targets import TargetRegistry

__all__ = [
    "LANGS",
    "REQUIRED",
    "Example",
    "LabelledSet",
    "LabelsError",
    "Problem",
    "default_labels_dir",
    "expand_paths",
    "read_labels",
]

LANGS = ("fr", "en")
REQUIRED = ("id", "lang", "text", "sentiment")


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled sentence."""

    id: str
    lang: str
    text: str
    labels: dict[str, str | None]
    sentiment: str
    path: str
    line: int
    note: str = ""


@dataclass(frozen=True, slots=True)
class Problem:
    """A problem found in a labelled file, with where it is."""

    path: str
    line: int
    column: str | None
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}"
        if self.column:
            where += f": column {self.column}"
        return f"{where}: {self.severity}: {self.message}"


class LabelsError(StanceError):
    """Labelled files have errors; ``problems`` lists them all."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        shown = "\n".join(str(p) for p in errors[:20])
        more = f"\n... and {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__(f"{len(errors)} error(s) in the labelled data; fix them and run again:\n{shown}{more}")


@dataclass
class LabelledSet:
    """Examples read from labelled files, the problems found, and a hash of the data."""

    examples: list[Example] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    digest: str = ""

    @property
    def errors(self) -> list[Problem]:
        """The problems that make the data unusable."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """The problems that deserve a look but do not stop training."""
        return [p for p in self.problems if p.severity == "warning"]

    def raise_for_errors(self) -> None:
        """Raise LabelsError if any error was found."""
        if self.errors:
            raise LabelsError(self.problems)


def default_labels_dir() -> Path:
    """Return the repository's ``labels/`` folder (next to the installed packages)."""
    return Path(__file__).resolve().parent.parent / "labels"


def expand_paths(paths: Iterable[str | Path], *, test: bool = False) -> list[Path]:
    """Turn folders into their labelled CSV files; keep files as given.

    A folder gives its ``*.csv`` files, or, with ``test=True``, those of its ``test/``
    subfolder (or its own if it has no ``test/``).
    """
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            folder = path / "test" if test and (path / "test").is_dir() else path
            out.extend(sorted(folder.glob("*.csv")))
        else:
            out.append(path)
    return out


def _looks_like_target(rows: list[list[str]], index: int, width: int) -> bool:
    values = {r[index].strip() for r in rows if len(r) == width} - {""}
    return bool(values) and values <= set(TONES)


def read_labels(paths: Iterable[str | Path], registry: TargetRegistry) -> LabelledSet:
    """Read labelled CSV files, collecting every problem instead of stopping at the first."""
    result = LabelledSet()
    digest = hashlib.sha256()
    seen_ids: dict[str, str] = {}
    for path in paths:
        path = Path(path)
        result.files.append(str(path))
        try:
            raw = path.read_bytes()
        except OSError as exc:
            result.problems.append(Problem(str(path), 0, None, f"cannot read the file ({exc.strerror or exc})"))
            continue
        digest.update(path.name.encode() + b"\0" + raw)
        _read_one(path, raw, registry, result, seen_ids)
    result.digest = digest.hexdigest()
    return result


def _read_one(path: Path, raw: bytes, registry, result: LabelledSet, seen_ids: dict[str, str]) -> None:
    name = str(path)
    problems = result.problems
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        problems.append(
            Problem(name, line, str(col), "not valid UTF-8 (Latin-1 or Windows-1252?); re-save the file as UTF-8")
        )
        return
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        problems.append(Problem(name, line, None, "contains a NUL byte; is this really a CSV file?"))
        return
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for row in reader:
            rows.append((line, row))
            line = reader.line_num + 1
    except csv.Error as exc:
        problems.append(Problem(name, line, None, f"malformed CSV ({exc}); check the quotes on this row"))
        return
    if not rows:
        problems.append(Problem(name, 1, None, "empty file; it needs a header and rows"))
        return
    header = [h.strip() for h in rows[0][1]]
    if len(header) == 1 and any(d in header[0] for d in ";\t|"):
        problems.append(Problem(name, 1, None, "the header is a single column: separate the columns with commas"))
        return
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        problems.append(
            Problem(
                name,
                1,
                None,
                f"missing column(s) {', '.join(missing)}; the header needs id,lang,text,<targets>,sentiment",
            )
        )
        return
    absent = [k for k in registry.keys if k not in header]
    if absent:
        problems.append(
            Problem(
                name,
                1,
                None,
                f"missing target column(s) {', '.join(absent)}; "
                "add them (leave cells empty where the target is not referred to)",
            )
        )
        return
    data_rows = [r for _, r in rows[1:]]
    for index, column in enumerate(header):
        if column in REQUIRED or column in registry:
            continue
        if _looks_like_target(data_rows, index, len(header)):
            problems.append(
                Problem(
                    name,
                    1,
                    column,
                    f"column {column!r} holds tone labels but is not a target in the registry; "
                    "add it to targets.toml or rename it",
                )
            )
    position = {c: i for i, c in enumerate(header)}
    for line, row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue  # blank line
        if len(row) != len(header):
            problems.append(
                Problem(
                    name,
                    line,
                    None,
                    f"{len(row)} fields, but the header has {len(header)}; quote texts that contain commas",
                )
            )
            continue
        cell = {c: row[i] for c, i in position.items()}
        ok = True
        rid = cell["id"].strip()
        if not rid:
            problems.append(Problem(name, line, "id", "empty id"))
            ok = False
        elif rid in seen_ids:
            problems.append(Problem(name, line, "id", f"duplicate id {rid!r} (first in {seen_ids[rid]})"))
            ok = False
        else:
            seen_ids[rid] = f"{name}:{line}"
        lang = cell["lang"].strip()
        if lang not in LANGS:
            problems.append(Problem(name, line, "lang", f"lang is {lang!r}; use one of {', '.join(LANGS)}"))
            ok = False
        sentence = cell["text"]
        if not sentence.strip():
            problems.append(Problem(name, line, "text", "empty text"))
            ok = False
        sentiment = cell["sentiment"].strip()
        if sentiment not in TONES:
            problems.append(
                Problem(name, line, "sentiment", f"sentiment is {sentiment!r}; use one of {', '.join(TONES)}")
            )
            ok = False
        labels: dict[str, str | None] = {}
        for key in registry.keys:
            value = cell[key].strip()
            if value and value not in TONES:
                problems.append(
                    Problem(name, line, key, f"unknown label {value!r}; use one of {', '.join(TONES)}, or leave empty")
                )
                ok = False
            labels[key] = value or None
        if ok:
            result.examples.append(
                Example(rid, lang, sentence, labels, sentiment, name, line, cell.get("note", "").strip())
            )
