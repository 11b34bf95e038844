"""Checks across labelled files: near-duplicate texts and labels that disagree with the registry."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence

from classifier.results import TONES
from classifier.targets import TargetRegistry, fold
from training.data import Example, Problem

__all__ = ["NEAR_DUPLICATE", "balance", "check_examples", "counts_table", "near_duplicates", "registry_warnings"]

NEAR_DUPLICATE = 0.8
_WORD = re.compile(r"\w+")


def _words(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(fold(text)))


def near_duplicates(examples: Sequence[Example], threshold: float = NEAR_DUPLICATE) -> list[tuple[int, int, float]]:
    """Return pairs (i, j, jaccard) of examples whose word sets overlap by ``threshold`` or more.

    Uses prefix filtering: two sets with Jaccard >= t must share one of the first
    ``|A| - ceil(t |A|) + 1`` words of each, taken in a fixed (rarest first) order.
    """
    sets = [_words(e.text) for e in examples]
    freq = Counter(w for s in sets for w in s)
    ordered = [sorted(s, key=lambda w: (freq[w], w)) for s in sets]
    index: dict[str, list[int]] = defaultdict(list)
    pairs = []
    for i, words in enumerate(ordered):
        size = len(words)
        if size == 0:
            continue
        prefix = size - math.ceil(threshold * size) + 1
        candidates = set()
        for w in words[:prefix]:
            candidates.update(index[w])
            index[w].append(i)
        for j in candidates:
            other = sets[j]
            small, large = sorted((size, len(other)))
            if small < threshold * large:
                continue
            jac = len(sets[i] & other) / len(sets[i] | other)
            if jac >= threshold:
                pairs.append((j, i, jac))
    return sorted(pairs)


def registry_warnings(examples: Sequence[Example], registry: TargetRegistry) -> list[Problem]:
    """Warn where labels and the registry disagree (alias without label, label without alias)."""
    out = []
    for ex in examples:
        found = registry.find_all(ex.text)
        for key in registry.keys:
            mentioned = bool(found[key])
            labelled = ex.labels.get(key) is not None
            if mentioned and not labelled:
                words = ", ".join(sorted({m.text for m in found[key]}))
                msg = f"the text mentions {key} ({words}) but the {key} label is empty"
            elif labelled and not mentioned:
                msg = f"{key} is labelled but none of its aliases occurs in the text"
            else:
                continue
            severity = "explained" if ex.note else "warning"
            out.append(Problem(ex.path, ex.line, key, msg, severity))
    return out


def check_examples(train: Sequence[Example], test: Sequence[Example], registry: TargetRegistry) -> list[Problem]:
    """Return the cross-file problems of a corpus: duplicates, near-duplicates, registry warnings."""
    everything = [*train, *test]
    problems = []
    for i, j, jac in near_duplicates(everything):
        a, b = everything[i], everything[j]
        kind = "duplicate" if jac == 1.0 else f"near-duplicate (Jaccard {jac:.2f})"
        problems.append(
            Problem(b.path, b.line, "text", f"{kind} of {a.path}:{a.line} (id {a.id}); rewrite or remove one")
        )
    problems.extend(registry_warnings(everything, registry))
    return problems


def balance(examples: Sequence[Example], keys: Sequence[str]) -> dict:
    """Return the corpus balance figures that the data card reports."""
    n = len(examples)
    langs = Counter(e.lang for e in examples)
    multi = sum(
        1
        for e in examples
        if len([k for k in keys if e.labels[k]]) >= 2 and len({e.labels[k] for k in keys if e.labels[k]}) >= 2
    )
    none = sum(1 for e in examples if not any(e.labels[k] for k in keys))
    targets = {}
    for key in keys:
        tones = Counter(e.labels[key] for e in examples if e.labels[key])
        total = sum(tones.values())
        targets[key] = {"referred": total, **{t: tones[t] for t in TONES}}
    return {
        "rows": n,
        "langs": dict(langs),
        "multi_target_different_tones": multi,
        "no_target": none,
        "targets": targets,
        "sentiment": dict(Counter(e.sentiment for e in examples)),
    }


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:.0f}%" if b else "-"


def counts_table(splits: dict[str, Sequence[Example]], keys: Sequence[str]) -> str:
    """Return Markdown tables of counts per split, language, target and tone."""
    lines = []
    for split, examples in splits.items():
        b = balance(examples, keys)
        n = b["rows"]
        lines.append(f"### {split}: {n} sentences")
        lines.append("")
        lines.append("| language | rows | share |")
        lines.append("|---|---:|---:|")
        for lang in sorted(b["langs"]):
            lines.append(f"| {lang} | {b['langs'][lang]} | {_pct(b['langs'][lang], n)} |")
        lines.append("")
        lines.append("| target | language | referred | share of rows | positive | neutral | negative |")
        lines.append("|---|---|---:|---:|---:|---:|---:|")
        for key in keys:
            for lang in [*sorted(b["langs"]), "all"]:
                subset = [e for e in examples if lang == "all" or e.lang == lang]
                tb = balance(subset, keys)["targets"][key]
                ref = tb["referred"]
                lines.append(
                    f"| {key} | {lang} | {ref} | {_pct(ref, len(subset))} | "
                    + " | ".join(f"{tb[t]} ({_pct(tb[t], ref)})" for t in ("positive", "neutral", "negative"))
                    + " |"
                )
        s = b["sentiment"]
        lines.append("")
        lines.append(
            f"Overall sentiment: positive {s.get('positive', 0)} ({_pct(s.get('positive', 0), n)}), "
            f"neutral {s.get('neutral', 0)} ({_pct(s.get('neutral', 0), n)}), "
            f"negative {s.get('negative', 0)} ({_pct(s.get('negative', 0), n)}). "
            f"Two or more targets with different tones: {b['multi_target_different_tones']} "
            f"({_pct(b['multi_target_different_tones'], n)}). "
            f"No target: {b['no_target']} ({_pct(b['no_target'], n)})."
        )
        lines.append("")
    return "\n".join(lines)
