"""Score files of articles: ``stance predict INPUT... [-o OUT] [--format jsonl|csv]``.

Inputs are ``.txt`` files (one document each), ``.csv`` and ``.jsonl`` files (one document
per row), folders of them (recursively) and ``-`` for standard input. They are read
lazily, scored in chunks (in worker processes with ``--jobs``) and written as they come,
so memory stays flat whatever the input size. A file output is written to a temporary
file beside it and renamed into place at the end: a failed run never leaves a
half-written file, and never replaces a good one.

``stance report`` reads its inputs through the same :class:`Run`.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import multiprocessing
import os
import re
import signal
import sys
import tempfile
import time
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TextIO

from api.console import fail, guarded
from api.tables import sentence_header, sentence_rows, summary_header, summary_rows
from classifier import Analysis, InputError, StanceError, StanceModel, load_model
from classifier.sentences import find_repeats

__all__ = [
    "INPUT_FORMATS",
    "AtomicOutputs",
    "BatchError",
    "Document",
    "Problem",
    "Progress",
    "ReadOptions",
    "Run",
    "ScoreOptions",
    "add_input_arguments",
    "check_input_arguments",
    "load_run_model",
    "main",
    "print_problems",
    "read_options",
    "score_chunk",
]

INPUT_FORMATS = {".txt": "txt", ".csv": "csv", ".jsonl": "jsonl"}

# A chunk is scored in one batch: up to this many documents, or characters of text, or
# sentences with --sentences. Big enough for the vectorisers' batch speed, small enough
# that memory stays flat.
_CHUNK_DOCUMENTS = 64
_CHUNK_CHARACTERS = 200_000
_CHUNK_SENTENCES = 1024
_LISTED_PROBLEMS = 1000
# Bytes that are not UTF-8 are read as lone surrogates (errors="surrogateescape"), so a
# bad row can be reported with its line and skipped without losing the rest of the file.
_BAD_BYTES = re.compile("[\udc80-\udcff]")
_HINT_SKIP = "--on-error skip skips bad inputs and goes on"


class BatchError(StanceError):
    """An input cannot be scored and the run stops (``--on-error fail``)."""


@dataclass(frozen=True, slots=True)
class Problem:
    """An input that could not be scored: where (``file:line``) and why."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass(frozen=True, slots=True)
class Document:
    """One unit to score: a document's text, or with ``--sentences`` its list of sentences.

    ``fields`` holds the input row's other columns, carried through to the output;
    ``where`` locates the document for messages (``file`` or ``file:line``).
    """

    id: str
    text: str
    where: str
    fields: dict = field(default_factory=dict)
    sentences: tuple[str, ...] | None = None

    @property
    def size(self) -> int:
        """Return the number of characters to score."""
        return len(self.text) if self.sentences is None else sum(map(len, self.sentences))


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """How to read inputs: the text and id columns, stdin's format, and ``--sentences``.

    ``id_column`` None means ``id`` when present, else ``file:line`` as the id.
    """

    text_column: str = "text"
    id_column: str | None = None
    input_format: str = "txt"
    sentences: bool = False


@dataclass(frozen=True, slots=True)
class ScoreOptions:
    """How to score: the targets (None for all), explanations, and ``--sentences``."""

    targets: tuple[str, ...] | None = None
    explain: bool = False
    sentences: bool = False


# -- reading --------------------------------------------------------------------------------


class _Meter:
    """Bytes read so far across the inputs, for the progress bar."""

    def __init__(self) -> None:
        self.finished = 0
        self.current = None

    def position(self) -> int:
        return self.finished + (self.current() if self.current else 0)


class _Source:
    """One input: a file or standard input, in one of the formats of ``INPUT_FORMATS``."""

    def __init__(
        self, path: Path | None, kind: str, name: str, label: str, options: ReadOptions, meter: _Meter
    ) -> None:
        self.path = path
        self.kind = kind
        self.name = name  # the document id of a .txt file, and the prefix of FILE:LINE ids
        self.label = label  # the path as the user gave it, for messages
        self.options = options
        self.meter = meter
        self._stdin: TextIO | None = None
        self._pushback: list[str] = []

    @property
    def size(self) -> int | None:
        """Return the input's size in bytes (None for standard input)."""
        try:
            return self.path.stat().st_size if self.path else None
        except OSError:
            return 0

    # Opening -----------------------------------------------------------------------

    def _open(self) -> TextIO:
        if self.path is not None:
            binary = open(self.path, "rb")
            self.meter.current = binary.tell
            return io.TextIOWrapper(binary, encoding="utf-8-sig", errors="surrogateescape", newline="")
        if self._stdin is None:
            raw = getattr(sys.stdin, "buffer", None)
            self._stdin = (
                io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline="")
                if raw is not None
                else sys.stdin
            )
        return self._stdin

    def _lines(self, stream: TextIO) -> Iterator[str]:
        while self._pushback:
            yield self._pushback.pop(0)
        # Not `yield from`: closing this generator early (after peeking) must not close stdin.
        for line in stream:  # noqa: UP028
            yield line

    def _close(self, stream: TextIO) -> None:
        if self.path is not None:
            stream.close()
            self.meter.current = None
            self.meter.finished += self.size or 0

    # Carried columns ------------------------------------------------------------------

    def columns(self) -> list[str]:
        """Return the names of the columns carried to the output (none for text files).

        A CSV file's are its header's; a JSONL file's are the keys of its first object.
        Standard input is peeked without losing what was read.
        """
        if self.kind == "txt":
            return []
        try:
            stream = self._open()
        except OSError:
            return []
        consumed: list[str] = []

        def tap() -> Iterator[str]:
            for line in self._lines(stream):
                consumed.append(line)
                yield line

        try:
            if self.kind == "csv":
                names = [n.strip() for n in next(csv.reader(tap()), [])]
            else:
                names = []
                for line in tap():
                    if line.strip():
                        first = json.loads(line)
                        names = list(first) if isinstance(first, dict) else []
                        break
        except (csv.Error, ValueError, OSError):
            names = []
        if self.path is None:
            self._pushback = consumed
        else:
            stream.close()
            self.meter.current = None
        id_column = self.options.id_column or "id"
        return [n for n in names if n not in (self.options.text_column, id_column)]

    # Records --------------------------------------------------------------------------

    def records(self) -> Iterator[Document | Problem]:
        """Yield the documents of this input, and a :class:`Problem` for each bad one."""
        try:
            if self.kind == "txt":
                yield from self._txt()
                return
            stream = self._open()
            try:
                reader = self._csv if self.kind == "csv" else self._jsonl
                yield from reader(self._lines(stream))
            finally:
                self._close(stream)
        except OSError as exc:
            yield Problem(self.label, f"cannot read the file ({exc.strerror or exc}); check its path and permissions")

    def _txt(self) -> Iterator[Document | Problem]:
        if self.path is not None:
            data = self.path.read_bytes()
            self.meter.finished += len(data)
        else:
            raw = getattr(sys.stdin, "buffer", None)
            data = raw.read() if raw is not None else sys.stdin.read().encode("utf-8", "surrogateescape")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            yield Problem(f"{self.label}:{line}", _not_utf8(data[exc.start]))
            return
        if not text.strip():
            yield Problem(self.label, "the file is empty; nothing to score")
            return
        doc_id = "stdin" if self.path is None else self.name
        if not self.options.sentences:
            yield Document(doc_id, text, self.label)
            return
        lines = tuple(line.strip() for line in text.splitlines() if line.strip())
        yield Document(doc_id, "", self.label, sentences=lines)

    def _document(self, doc_id: str, text: str, where: str, fields: dict) -> Document:
        if self.options.sentences:
            return Document(doc_id, "", where, fields, sentences=(text.strip(),))
        return Document(doc_id, text, where, fields)

    def _default_id(self, line: int) -> str:
        return f"{'stdin' if self.path is None else self.name}:{line}"

    def _csv(self, lines: Iterator[str]) -> Iterator[Document | Problem]:
        text_column, id_column = self.options.text_column, self.options.id_column
        reader = csv.reader(lines)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            yield Problem(f"{self.label}:1", f"the header is not valid CSV ({exc}); fix the file")
            return
        if not header:
            yield Problem(self.label, f"the file is empty; expected a header row with a {text_column!r} column")
            return
        header = [name.strip() for name in header]
        if _BAD_BYTES.search("".join(header)):
            yield Problem(f"{self.label}:1", _not_utf8(_bad_byte(header)))
            return
        if text_column not in header:
            yield Problem(self.label, _missing_column(text_column, header, "--text-column"))
            return
        if id_column is not None and id_column not in header:
            yield Problem(self.label, _missing_column(id_column, header, "--id-column"))
            return
        id_name = id_column or "id"
        text_at = header.index(text_column)
        id_at = header.index(id_name) if id_name in header else None
        carried = [(i, n) for i, n in enumerate(header) if n not in (text_column, id_name)]
        start = reader.line_num + 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield Problem(f"{self.label}:{start}", f"malformed CSV row ({exc}); fix the quoting")
                start = reader.line_num + 1
                continue
            line, start = start, reader.line_num + 1
            if not row:
                continue
            where = f"{self.label}:{line}"
            if len(row) != len(header):
                yield Problem(
                    where,
                    f"{len(row)} fields where the header has {len(header)}; check the quotes and commas of this row",
                )
                continue
            if _BAD_BYTES.search("".join(row)):
                yield Problem(where, _not_utf8(_bad_byte(row)))
                continue
            text = row[text_at]
            if not text.strip():
                yield Problem(where, f"column {text_column!r} is empty; nothing to score")
                continue
            doc_id = row[id_at].strip() if id_at is not None else self._default_id(line)
            if not doc_id:
                yield Problem(where, f"column {id_name!r} is empty; give every row an id")
                continue
            yield self._document(doc_id, text, where, {n: row[i] for i, n in carried})

    def _jsonl(self, lines: Iterator[str]) -> Iterator[Document | Problem]:
        text_column, id_column = self.options.text_column, self.options.id_column
        id_name = id_column or "id"
        first = True
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            where = f"{self.label}:{number}"
            if _BAD_BYTES.search(line):
                yield Problem(where, _not_utf8(_bad_byte([line])))
                continue
            try:
                obj = json.loads(line)
            except ValueError as exc:
                reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
                yield Problem(where, f"not valid JSON ({reason}); each line must hold one JSON object")
                continue
            if not isinstance(obj, dict):
                yield Problem(where, f"expected a JSON object, found {_json_type(obj)}; each line must hold one object")
                continue
            if first:
                first = False
                for name, option in ((text_column, "--text-column"), (id_column, "--id-column")):
                    if name is not None and name not in obj:
                        yield Problem(self.label, _missing_column(name, list(obj), option, kind="key"))
                        return
            text = obj.get(text_column)
            if text_column not in obj:
                yield Problem(where, f"no key {text_column!r} in this object; every line needs one")
                continue
            if not isinstance(text, str):
                yield Problem(where, f"key {text_column!r} is {_json_type(text)}; it must be a string")
                continue
            if not text.strip():
                yield Problem(where, f"key {text_column!r} is empty; nothing to score")
                continue
            if id_name in obj:
                raw_id = obj[id_name]
                if isinstance(raw_id, bool) or not isinstance(raw_id, str | int):
                    yield Problem(where, f"key {id_name!r} is {_json_type(raw_id)}; it must be a string or an integer")
                    continue
                doc_id = str(raw_id).strip()
                if not doc_id:
                    yield Problem(where, f"key {id_name!r} is empty; give every object an id")
                    continue
            elif id_column is not None:
                yield Problem(where, f"no key {id_name!r} in this object; every line needs one")
                continue
            else:
                doc_id = self._default_id(number)
            fields = {k: v for k, v in obj.items() if k not in (text_column, id_name)}
            yield self._document(doc_id, text, where, fields)


def _not_utf8(byte: int) -> str:
    return f"not valid UTF-8 (byte 0x{byte:02x}); save the file as UTF-8"


def _bad_byte(values: Sequence[str]) -> int:
    match = _BAD_BYTES.search("".join(values))
    return ord(match.group()) - 0xDC00 if match else 0


def _missing_column(name: str, present: Sequence[str], option: str, kind: str = "column") -> str:
    listed = ", ".join(repr(p) for p in present) or "none"
    where = "the header" if kind == "column" else "the first object"
    return f"no {kind} {name!r} in {where} (found: {listed}); choose the right one with {option}"


def _json_type(value: object) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


def _expand(
    inputs: Sequence[str], options: ReadOptions, meter: _Meter, exclude: Sequence[Path]
) -> Iterator[_Source | Problem]:
    """Yield the sources named by the command line, folders expanded recursively."""
    skip = {p.resolve() for p in exclude}
    seen_stdin = False
    for raw in inputs:
        if raw == "-":
            if not seen_stdin:
                seen_stdin = True
                yield _Source(None, options.input_format, "stdin", "stdin", options, meter)
            continue
        path = Path(raw)
        if path.is_dir():
            found = [
                p
                for p in sorted(path.rglob("*"))
                if p.suffix.lower() in INPUT_FORMATS
                and p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
                and p.resolve() not in skip
            ]
            if not found:
                yield Problem(str(path), "no .txt, .csv or .jsonl files in this folder")
            for p in found:
                name = p.relative_to(path).as_posix()
                yield _Source(p, INPUT_FORMATS[p.suffix.lower()], name, str(p), options, meter)
        elif path.is_file():
            kind = INPUT_FORMATS.get(path.suffix.lower())
            if kind is None:
                yield Problem(str(path), "not a .txt, .csv or .jsonl file; convert it or rename it")
            else:
                yield _Source(path, kind, path.name, raw, options, meter)
        else:
            yield Problem(str(path), "no such file or folder")


# -- scoring --------------------------------------------------------------------------------


def score_chunk(model: StanceModel, docs: Sequence[Document], options: ScoreOptions) -> list[Analysis | Problem]:
    """Score documents in one batch; return an :class:`Analysis` or a :class:`Problem` for each."""
    try:
        if not options.sentences:
            return list(
                model.analyze_many(
                    [d.text for d in docs], ids=[d.id for d in docs], targets=options.targets, explain=options.explain
                )
            )
        flat = [s for d in docs for s in d.sentences]
        together = model.predict_sentences(flat, targets=options.targets, explain=options.explain)
        return list(_split(together, docs))
    except InputError as exc:
        if len(docs) == 1:
            return [Problem(docs[0].where, str(exc))]
        return [result for doc in docs for result in score_chunk(model, [doc], options)]


def _split(together: Analysis, docs: Sequence[Document]) -> Iterator[Analysis]:
    """Cut one analysis of many documents' sentences back into one analysis per document."""
    position = 0
    for doc in docs:
        own = together.sentences[position : position + len(doc.sentences)]
        position += len(doc.sentences)
        repeats = find_repeats(list(doc.sentences))
        sentences = [replace(s, index=i, duplicate_of=repeats[i]) for i, s in enumerate(own)]
        yield Analysis(together.model, sentences, together.targets, id=doc.id)


def _chunks(docs: Iterator[Document], sentences: bool) -> Iterator[list[Document]]:
    chunk: list[Document] = []
    weight = 0
    limit = _CHUNK_SENTENCES if sentences else _CHUNK_CHARACTERS
    for doc in docs:
        chunk.append(doc)
        weight += len(doc.sentences) if sentences else doc.size
        if weight >= limit or (not sentences and len(chunk) >= _CHUNK_DOCUMENTS):
            yield chunk
            chunk, weight = [], 0
    if chunk:
        yield chunk


_worker: dict = {}


def _init_worker(model_path: str, options: ScoreOptions) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops the pool
    _worker["options"] = options
    try:
        _worker["model"] = load_model(model_path)
    except StanceError as exc:  # raised again with the first chunk: an initializer must not fail
        _worker["error"] = exc


def _score_in_worker(docs: list[Document]) -> list[Analysis | Problem]:
    if "error" in _worker:
        raise _worker["error"]
    return score_chunk(_worker["model"], docs, _worker["options"])


class Run:
    """Read inputs, score them in order and keep count; iterate for ``(Document, Analysis)``.

    Bad inputs stop the run with a :class:`BatchError` (``on_error="fail"``) or are
    skipped and recorded in ``problems`` (``on_error="skip"``). ``exclude`` names files
    that a folder must not contribute (the run's own outputs).
    """

    def __init__(
        self,
        inputs: Sequence[str],
        model: StanceModel,
        read: ReadOptions | None = None,
        score: ScoreOptions | None = None,
        *,
        jobs: int = 1,
        on_error: str = "fail",
        exclude: Sequence[Path] = (),
    ) -> None:
        self.model = model
        self.read = read = read or ReadOptions()
        self.score = score or ScoreOptions()
        self.jobs = jobs
        self.on_error = on_error
        self.meter = _Meter()
        self.problems: list[Problem] = []
        self.skipped = 0
        self.documents = 0
        self.sentences = 0
        self.sources: list[_Source] = []
        for item in _expand(inputs, read, self.meter, exclude):
            if isinstance(item, Problem):
                self._problem(item)
            else:
                self.sources.append(item)
        if jobs > 1 and not model.path:
            raise BatchError("--jobs needs a model saved in a file; save it or use --jobs 1")

    @property
    def total_bytes(self) -> int | None:
        """Return the inputs' total size, or None when standard input is among them."""
        sizes = [s.size for s in self.sources]
        return None if None in sizes else sum(sizes)

    def fields(self) -> list[str]:
        """Return the carried columns of every input, in order of first appearance."""
        names: dict[str, None] = {}
        for source in self.sources:
            names.update(dict.fromkeys(source.columns()))
        return list(names)

    def _problem(self, problem: Problem) -> None:
        if self.on_error == "fail":
            raise BatchError(f"{problem} ({_HINT_SKIP})")
        self.skipped += 1
        if len(self.problems) < _LISTED_PROBLEMS:
            self.problems.append(problem)

    def _documents(self) -> Iterator[Document]:
        for source in self.sources:
            for record in source.records():
                if isinstance(record, Problem):
                    self._problem(record)
                else:
                    yield record

    def _scored(self) -> Iterator[tuple[Document, Analysis | Problem]]:
        chunks = _chunks(self._documents(), self.score.sentences)
        if self.jobs <= 1:
            for docs in chunks:
                yield from zip(docs, score_chunk(self.model, docs, self.score), strict=True)
            return
        # Forking shares the imported libraries with the workers; elsewhere, spawn.
        context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
        pool = ProcessPoolExecutor(self.jobs, context, _init_worker, (self.model.path, self.score))
        pending: deque = deque()
        try:
            for docs in chunks:
                pending.append((docs, pool.submit(_score_in_worker, docs)))
                # A few chunks in flight per worker keeps them busy without reading far ahead.
                if len(pending) > 2 * self.jobs:
                    docs, future = pending.popleft()
                    yield from zip(docs, future.result(), strict=True)
            while pending:
                docs, future = pending.popleft()
                yield from zip(docs, future.result(), strict=True)
        except BrokenProcessPool as exc:
            raise BatchError("a worker process died (out of memory?); try a smaller --jobs") from exc
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def __iter__(self) -> Iterator[tuple[Document, Analysis]]:
        for doc, result in self._scored():
            if isinstance(result, Problem):
                self._problem(result)
                continue
            self.documents += 1
            self.sentences += len(result.sentences)
            yield doc, result


# -- progress and outputs -------------------------------------------------------------------


class Progress:
    """A one-line progress bar on a terminal; silent when ``stream`` is not one."""

    def __init__(self, run: Run, stream: TextIO | None = None) -> None:
        self.run = run
        self.stream = stream = stream or sys.stderr
        self.enabled = stream.isatty()
        self.total = run.total_bytes
        self.started = time.monotonic()
        self.shown = 0.0
        self.width = 0

    def update(self, *, force: bool = False) -> None:
        """Redraw the bar, at most ten times a second."""
        now = time.monotonic()
        if not self.enabled or (not force and now - self.shown < 0.1):
            return
        self.shown = now
        run = self.run
        rate = run.sentences / max(now - self.started, 1e-9)
        counts = f"{run.documents:,} documents  {run.sentences:,} sentences  {rate:,.0f} sentences/s"
        if self.total:
            done = min(run.meter.position() / self.total, 1.0)
            filled = int(done * 24)
            line = f"stance: [{'#' * filled}{'.' * (24 - filled)}] {done:4.0%}  {counts}"
        else:
            line = f"stance: {counts}"
        self.width = max(self.width, len(line))
        self.stream.write("\r" + line.ljust(self.width))
        self.stream.flush()

    def close(self) -> None:
        """Erase the bar."""
        if self.enabled and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()


class AtomicOutputs:
    """Output files written to temporary names beside them, renamed into place by ``commit``.

    Leaving the ``with`` block without committing (an error, Ctrl-C) removes the
    temporary files, so an existing file is never replaced by a half-written one.
    ``open(None)`` returns standard output.
    """

    def __init__(self) -> None:
        self._pending: list[tuple[TextIO, str, Path]] = []

    def open(self, path: str | Path | None, *, newline: str | None = None) -> TextIO:
        """Return a stream to write ``path`` (standard output for None)."""
        if path is None:
            return sys.stdout
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        stream = open(fd, "w", encoding="utf-8", newline=newline)
        self._pending.append((stream, tmp, path))
        return stream

    def commit(self) -> None:
        """Close every file and move it into place."""
        for stream, _tmp, _path in self._pending:
            stream.close()
        for _stream, tmp, path in self._pending:
            os.chmod(tmp, 0o666 & ~_umask())
            os.replace(tmp, path)
        self._pending = []

    def __enter__(self) -> AtomicOutputs:
        return self

    def __exit__(self, *exc_info: object) -> None:
        for stream, tmp, _path in self._pending:
            stream.close()
            if os.path.exists(tmp):
                os.unlink(tmp)
        self._pending = []


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# -- the command ----------------------------------------------------------------------------


def add_input_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options shared by ``stance predict`` and ``stance report``."""
    parser.add_argument(
        "inputs", nargs="+", metavar="INPUT", help=".txt, .csv or .jsonl files, folders, or - for stdin"
    )
    parser.add_argument("--model", metavar="PATH", help="model file (default: $STANCE_MODEL, else the default model)")
    parser.add_argument(
        "--text-column", default="text", metavar="NAME", help="CSV column or JSONL key holding the text (default text)"
    )
    parser.add_argument(
        "--id-column",
        metavar="NAME",
        help="CSV column or JSONL key holding the document id (default id, else FILE:LINE)",
    )
    parser.add_argument(
        "--input-format", choices=["txt", "csv", "jsonl"], default="txt", help="format of standard input (default txt)"
    )
    parser.add_argument(
        "--sentences",
        action="store_true",
        help="take each row (each line of a .txt) as one sentence, without splitting",
    )
    parser.add_argument(
        "--targets",
        type=lambda text: [t.strip() for t in text.split(",") if t.strip()],
        metavar="T1,T2",
        help="score only these targets, comma-separated (default all)",
    )
    parser.add_argument(
        "--on-error", choices=["fail", "skip"], default="fail", help="stop at a bad input, or skip it and go on"
    )
    parser.add_argument("--jobs", type=int, default=1, metavar="N", help="worker processes (default 1)")


def check_input_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Exit with a usage error when the shared options do not make sense."""
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    if not args.text_column.strip():
        parser.error("--text-column must not be empty")
    if args.id_column is not None and args.id_column == args.text_column:
        parser.error("--id-column and --text-column must differ")


def read_options(args: argparse.Namespace) -> ReadOptions:
    """Return the reading options given on the command line."""
    return ReadOptions(args.text_column, args.id_column, args.input_format, args.sentences)


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stance predict",
        description="Score text, CSV or JSONL files into JSONL (one line per document) or CSV "
        "(one row per sentence and target).",
    )
    add_input_arguments(parser)
    parser.add_argument("-o", "--output", metavar="OUT", help="file to write (default: standard output)")
    parser.add_argument(
        "--format", choices=["jsonl", "csv"], help="output format (default: from -o's suffix, else jsonl)"
    )
    parser.add_argument("--summary", metavar="CSV", help="also write one row per document and target to this file")
    parser.add_argument("--explain", action="store_true", help="add the n-grams behind each label")
    parser.add_argument("-q", "--quiet", action="store_true", help="no closing message on stderr")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``stance predict`` and return its exit status."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    check_input_arguments(parser, args)
    if args.output and args.summary and Path(args.output).resolve() == Path(args.summary).resolve():
        parser.error("--summary must name another file than -o")
    return guarded(lambda: _predict(args), interrupted="no output file was written")


def load_run_model(args: argparse.Namespace) -> StanceModel:
    """Load the model named on the command line and check ``--targets`` against it."""
    model = load_model(args.model)
    if args.targets:
        model.resolve_targets(args.targets)
    return model


def print_problems(run: Run) -> None:
    """List the skipped inputs on stderr."""
    if not run.skipped:
        return
    print(f"stance: skipped {run.skipped} input(s):", file=sys.stderr)
    for problem in run.problems:
        print(f"  {problem}", file=sys.stderr)
    if run.skipped > len(run.problems):
        print(f"  ... and {run.skipped - len(run.problems)} more", file=sys.stderr)


def _predict(args: argparse.Namespace) -> int:
    model = load_run_model(args)
    fmt = args.format or ("csv" if args.output and args.output.lower().endswith(".csv") else "jsonl")
    exclude = [Path(p) for p in (args.output, args.summary) if p]
    targets = tuple(model.resolve_targets(args.targets)) if args.targets else None
    run = Run(
        args.inputs,
        model,
        read_options(args),
        ScoreOptions(targets, args.explain, args.sentences),
        jobs=args.jobs,
        on_error=args.on_error,
        exclude=exclude,
    )
    fields = run.fields()
    progress = Progress(run)
    started = time.monotonic()
    with AtomicOutputs() as outputs:
        out = outputs.open(args.output, newline="" if fmt == "csv" else None)
        if fmt == "csv":
            writer = csv.writer(out)
            writer.writerow(sentence_header(fields, explain=args.explain))
        summary = None
        if args.summary:
            summary = csv.writer(outputs.open(args.summary, newline=""))
            summary.writerow(summary_header(fields))
        try:
            for doc, analysis in run:
                values = [doc.fields.get(name) for name in fields]
                if fmt == "csv":
                    writer.writerows(sentence_rows(analysis, values, explain=args.explain))
                else:
                    out.write(_json_line(analysis, doc.fields) + "\n")
                if summary is not None:
                    summary.writerows(summary_rows(analysis, values))
                progress.update()
            progress.update(force=True)
        finally:
            progress.close()
        if not run.documents:
            print_problems(run)
            return fail("no document was scored; nothing was written")
        outputs.commit()
    if args.output is None:
        sys.stdout.flush()
    print_problems(run)
    if not args.quiet:
        where = f" into {args.output}" if args.output else ""
        print(
            f"stance: scored {run.documents:,} document(s), {run.sentences:,} sentence(s){where} "
            f"with {model.info.name} ({model.info.version}) in {time.monotonic() - started:.1f} s",
            file=sys.stderr,
        )
    return 0


def _json_line(analysis: Analysis, fields: dict) -> str:
    body = analysis.to_dict(include_model=False)
    if fields:
        body = {"id": body["id"], "fields": fields, "sentences": body["sentences"], "summary": body["summary"]}
    return json.dumps(body, ensure_ascii=False)
