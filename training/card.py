"""The model card: what a model was trained on, how well it does, and how it was built."""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["card_markdown", "write_card"]


def _f(value) -> str:
    return "-" if value is None else f"{value:.3f}"


def card_markdown(card: dict) -> str:
    """Render a model card as Markdown."""
    lines = [f"# Model card: {card['name']}", ""]
    lines.append(f"- created: {card['created_at']}")
    lines.append(f"- version (SHA-256 prefix): {card.get('version', '-')}")
    lines.append(
        f"- training data: {card['data']['train_rows']} sentences from {len(card['data']['train_files'])} file(s), "
        f"SHA-256 {card['data']['train_hash'][:16]}"
    )
    lines.append(f"- test data: {card['data']['test_rows']} sentences, SHA-256 {card['data']['test_hash'][:16]}")
    lines.append(
        f"- target pairs: {card['data']['pairs']} ({card['data']['skipped_pairs']} skipped: labelled but not detected)"
    )
    lines.append(f"- training time: {card['training_seconds']} s")
    lines.append(f"- libraries: {', '.join(f'{k} {v}' for k, v in card['versions'].items())}")
    lines.append("")
    lines.append("## Scores")
    lines.append("")
    lines.append("Target macro-F1 is over the three tones; a missed or spurious mention counts as an error.")
    lines.append("")
    lines.append("| split | scope | n | target macro-F1 | mention F1 | sentiment macro-F1 |")
    lines.append("|---|---|---:|---:|---:|---:|")
    for split in ("cross_validation", "test"):
        m = card["metrics"].get(split)
        if not m or not m.get("n"):
            continue
        label = "cross-validation" if split == "cross_validation" else "test (held out)"
        rows = [("all", m["overall"]), *m["by_language"].items()]
        for scope, b in rows:
            lines.append(
                f"| {label} | {scope} | {b['n']} | {_f(b['target_macro_f1'])} | {_f(b['mention_f1'])} | "
                f"{_f(b['sentiment_macro_f1'])} |"
            )
        for key, b in m["by_target"].items():
            lines.append(f"| {label} | {key} | | {_f(b['target_macro_f1'])} | {_f(b['mention_f1'])} | |")
    for split in ("cross_validation", "test"):
        m = card["metrics"].get(split)
        if not m or not m.get("n"):
            continue
        c = m["confusion"]
        lines += ["", f"### Confusion matrix, targets, {split.replace('_', '-')} (rows gold, columns predicted)", ""]
        lines.append("| | " + " | ".join(c["labels"]) + " |")
        lines.append("|---" * (len(c["labels"]) + 1) + "|")
        for name, row in zip(c["labels"], c["targets"], strict=True):
            lines.append(f"| {name} | " + " | ".join(str(x) for x in row) + " |")
    lines += ["", "## Hyperparameters", "", "```json", json.dumps(card["config"], indent=2), "```"]
    if card.get("search"):
        lines += ["", "## Search (cross-validation on the training labels)", ""]
        lines.append("| variant | target macro-F1 | sentiment macro-F1 | seconds |")
        lines.append("|---|---:|---:|---:|")
        for r in card["search"]:
            lines.append(
                f"| {r['variant']} | {_f(r['target_macro_f1'])} | {_f(r['sentiment_macro_f1'])} | {r['seconds']} |"
            )
    lines.append("")
    return "\n".join(lines)


def write_card(card: dict, model_path: str | Path) -> tuple[Path, Path]:
    """Write ``MODEL.card.json`` and ``MODEL.card.md`` beside the model file."""
    model_path = Path(model_path)
    base = model_path.with_name(model_path.name.removesuffix(".joblib"))
    json_path = base.with_name(base.name + ".card.json")
    md_path = base.with_name(base.name + ".card.md")
    json_path.write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    md_path.write_text(card_markdown(card), encoding="utf-8")
    return json_path, md_path
