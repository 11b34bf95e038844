"""Targets, their aliases, and finding their mentions in text.

Targets are data: a registry (TOML) lists each target with a display name, its aliases
per language, and the aliases that count only when capitalised. Mentions are whole
words, matched in any case and with or without accents, also after an elision
("d'Ankara") or inside a hyphenated word ("pro-russe").
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from classifier.errors import RegistryError

__all__ = ["Mention", "Target", "TargetRegistry", "fold"]

_COMBINING = "[\u0300-\u036f]*"


class _FoldTable(dict):
    """A ``str.translate`` table mapping each character to exactly one folded character.

    Keeping one character per character keeps offsets in the folded text equal to
    offsets in the original, so a match can be mapped back without bookkeeping.
    """

    def __missing__(self, code: int) -> str:
        char = chr(code)
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)).lower()
        if len(base) != 1:
            lower = char.lower()
            base = lower if len(lower) == 1 else char
        self[code] = base
        return base


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """Return ``text`` lower-cased and without accents, one character per character.

    >>> fold("Erdoğan, TÜRKİYE")
    'erdogan, turkiye'
    """
    return text.translate(_FOLD)


@dataclass(frozen=True, slots=True)
class Mention:
    """A mention of a target: the words as written and their offsets ``[start, end)``."""

    text: str
    start: int
    end: int

    def to_dict(self) -> dict:
        """Return the mention in the JSON shape of the API."""
        return {"text": self.text, "start": self.start, "end": self.end}


def _alias_pattern(alias: str) -> str:
    parts = []
    for char in fold(alias):
        if char.isspace():
            parts.append(r"\s+")
        elif char in "'’":
            parts.append("['’]")
        elif char == "-":
            parts.append(r"[-‐‑–\s]")
        else:
            parts.append(re.escape(char) + _COMBINING)
    return "".join(parts)


@dataclass(frozen=True)
class Target:
    """One target: its key (the CSV column), display name and aliases per language."""

    key: str
    name: str
    aliases: Mapping[str, tuple[str, ...]]
    capitalised: frozenset[str] = frozenset()
    _pattern: re.Pattern = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        words = sorted({a for group in self.aliases.values() for a in group}, key=len, reverse=True)
        if not words:
            raise RegistryError(f"target {self.key!r} has no aliases; give it at least one")
        body = "|".join(_alias_pattern(a) for a in words)
        pattern = re.compile(rf"(?<!\w)(?:{body})(?![\w\u0300-\u036f])")
        object.__setattr__(self, "_pattern", pattern)
        object.__setattr__(self, "_capitalised", frozenset(fold(a) for a in self.capitalised))

    def find(self, text: str, folded: str | None = None, offset: int = 0) -> list[Mention]:
        """Return the mentions of this target in ``text``.

        ``folded`` may pass ``fold(text)`` when several targets search the same text;
        ``offset`` is added to the positions (for a sentence inside a document).
        """
        if folded is None:
            folded = fold(text)
        found = []
        for match in self._pattern.finditer(folded):
            start, end = match.span()
            if self._capitalised and match.group() in self._capitalised:
                if not text[start].isupper():
                    continue
            found.append(Mention(text[start:end], start + offset, end + offset))
        return found

    def to_dict(self) -> dict:
        """Return the target as registry data."""
        data = {"name": self.name, "aliases": {k: list(v) for k, v in self.aliases.items()}}
        if self.capitalised:
            data["capitalised"] = sorted(self.capitalised)
        return data


class TargetRegistry:
    """The ordered set of targets a model scores."""

    def __init__(self, targets: Iterable[Target]) -> None:
        self._targets = {t.key: t for t in targets}
        if not self._targets:
            raise RegistryError("the targets registry is empty; add at least one [targets.KEY]")

    @classmethod
    def from_dict(cls, data: Mapping) -> TargetRegistry:
        """Build a registry from parsed TOML/JSON data (``{"targets": {key: {...}}}``)."""
        table = data.get("targets") if isinstance(data, Mapping) else None
        if not isinstance(table, Mapping):
            raise RegistryError("the registry needs a [targets.KEY] table for each target")
        targets = []
        for key, spec in table.items():
            if not re.fullmatch(r"[a-z][a-z0-9_]*", key):
                raise RegistryError(
                    f"target key {key!r} must be lower-case letters, digits or _ (it is the CSV column)"
                )
            if not isinstance(spec, Mapping) or not isinstance(spec.get("aliases"), Mapping):
                raise RegistryError(f"target {key!r} needs an aliases table, e.g. aliases.en = [...]")
            aliases = {}
            for lang, words in spec["aliases"].items():
                if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
                    raise RegistryError(f"aliases.{lang} of target {key!r} must be a list of non-empty strings")
                aliases[lang] = tuple(words)
            capitalised = spec.get("capitalised", [])
            if not isinstance(capitalised, list):
                raise RegistryError(f"capitalised of target {key!r} must be a list of aliases")
            targets.append(Target(key, str(spec.get("name", key)), aliases, frozenset(capitalised)))
        return cls(targets)

    @classmethod
    def from_file(cls, path: str | Path) -> TargetRegistry:
        """Read a registry from a TOML file."""
        path = Path(path)
        try:
            with path.open("rb") as fh:
                data = tomllib.load(fh)
        except FileNotFoundError:
            raise RegistryError(f"targets registry {path} not found; create it (see labels/README.md)") from None
        except tomllib.TOMLDecodeError as exc:
            raise RegistryError(f"{path}: invalid TOML ({exc}); fix the file") from exc
        return cls.from_dict(data)

    def to_dict(self) -> dict:
        """Return the registry as data that ``from_dict`` reads back."""
        return {"targets": {key: t.to_dict() for key, t in self._targets.items()}}

    @property
    def keys(self) -> list[str]:
        """The target keys, in registry order."""
        return list(self._targets)

    def __getitem__(self, key: str) -> Target:
        return self._targets[key]

    def __iter__(self):
        return iter(self._targets.values())

    def __len__(self) -> int:
        return len(self._targets)

    def __contains__(self, key: object) -> bool:
        return key in self._targets

    def resolve(self, name: str) -> str | None:
        """Return the key of the target called ``name`` (key or display name, any case)."""
        wanted = name.casefold()
        for key, target in self._targets.items():
            if wanted in (key.casefold(), target.name.casefold()):
                return key
        return None

    def find_all(self, text: str, offset: int = 0) -> dict[str, list[Mention]]:
        """Return the mentions of every target in ``text``, keyed by target."""
        folded = fold(text)
        return {key: t.find(text, folded, offset) for key, t in self._targets.items()}
