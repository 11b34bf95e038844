"""Evaluation: target macro-F1 (missed and spurious mentions count as errors), mention F1,
sentence-sentiment macro-F1, per target and per language, with confusion matrices."""

from __future__ import annotations

from collections.abc import Sequence

from sklearn.metrics import confusion_matrix, f1_score

from classifier.model import StanceModel
from classifier.results import TONES
from training.data import Example

__all__ = ["NONE", "evaluate_model", "format_metrics", "score_predictions"]

NONE = "none"  # the target is not referred to (gold) or not detected (prediction)


def _macro_f1(gold: list[str], pred: list[str]) -> float | None:
    pairs = [(g, p) for g, p in zip(gold, pred, strict=True) if not (g == NONE and p == NONE)]
    if not pairs:
        return None
    g, p = zip(*pairs, strict=True)
    present = [t for t in TONES if t in g or t in p]  # a tone absent from both is not scored
    return round(float(f1_score(g, p, labels=present, average="macro", zero_division=0)), 4)


def _mention_f1(gold: list[str], pred: list[str]) -> float | None:
    tp = sum(1 for g, p in zip(gold, pred, strict=True) if g != NONE and p != NONE)
    fp = sum(1 for g, p in zip(gold, pred, strict=True) if g == NONE and p != NONE)
    fn = sum(1 for g, p in zip(gold, pred, strict=True) if g != NONE and p == NONE)
    if tp + fp + fn == 0:
        return None
    return round(2 * tp / (2 * tp + fp + fn), 4)


def score_predictions(
    examples: Sequence[Example],
    predicted_targets: Sequence[dict[str, str | None]],
    predicted_sentiment: Sequence[str],
    keys: Sequence[str],
) -> dict:
    """Compute every metric from gold examples and predictions aligned with them."""
    langs = sorted({e.lang for e in examples})
    out: dict = {"n": len(examples), "by_language": {}, "by_target": {}}

    def block(idx: list[int], targets: Sequence[str]) -> dict:
        gold, pred = [], []
        for i in idx:
            for key in targets:
                gold.append(examples[i].labels[key] or NONE)
                pred.append(predicted_targets[i][key] or NONE)
        sg = [examples[i].sentiment for i in idx]
        sp = [predicted_sentiment[i] for i in idx]
        return {
            "n": len(idx),
            "target_macro_f1": _macro_f1(gold, pred),
            "mention_f1": _mention_f1(gold, pred),
            "sentiment_macro_f1": (
                round(float(f1_score(sg, sp, labels=list(TONES), average="macro", zero_division=0)), 4) if idx else None
            ),
            "_gold": gold,
            "_pred": pred,
        }

    everything = list(range(len(examples)))
    overall = block(everything, keys)
    labels = [*TONES, NONE]
    out["overall"] = {k: v for k, v in overall.items() if not k.startswith("_")}
    out["confusion"] = {
        "labels": labels,
        "targets": confusion_matrix(overall["_gold"], overall["_pred"], labels=labels).tolist(),
        "sentiment": confusion_matrix(
            [e.sentiment for e in examples], list(predicted_sentiment), labels=list(TONES)
        ).tolist(),
    }
    for lang in langs:
        b = block([i for i, e in enumerate(examples) if e.lang == lang], keys)
        out["by_language"][lang] = {k: v for k, v in b.items() if not k.startswith("_")}
    for key in keys:
        b = block(everything, [key])
        entry = {k: v for k, v in b.items() if not k.startswith("_") and k != "sentiment_macro_f1"}
        for lang in langs:
            lb = block([i for i, e in enumerate(examples) if e.lang == lang], [key])
            entry[lang] = lb["target_macro_f1"]
        out["by_target"][key] = entry
    return out


def evaluate_model(model: StanceModel, examples: Sequence[Example]) -> dict:
    """Score ``model`` on labelled examples, each text taken as one sentence."""
    keys = [k for k in model.targets]
    if not examples:
        return {"n": 0}
    analysis = model.predict_sentences([e.text for e in examples])
    pred_targets = [
        {k: s.targets[k].tone.label if s.targets[k].tone else None for k in keys} for s in analysis.sentences
    ]
    pred_sentiment = [s.sentiment.label for s in analysis.sentences]
    return score_predictions(examples, pred_targets, pred_sentiment, keys)


def format_metrics(metrics: dict, title: str = "") -> str:
    """Return metrics as a short plain-text table."""
    if not metrics.get("n"):
        return f"{title}: no examples"
    lines = [title] if title else []
    o = metrics["overall"]
    lines.append(
        f"  overall   n={o['n']:<5} target macro-F1 {o['target_macro_f1']}  mention F1 {o['mention_f1']}  "
        f"sentiment macro-F1 {o['sentiment_macro_f1']}"
    )
    for lang, b in metrics["by_language"].items():
        lines.append(
            f"  {lang:<9} n={b['n']:<5} target macro-F1 {b['target_macro_f1']}  mention F1 {b['mention_f1']}  "
            f"sentiment macro-F1 {b['sentiment_macro_f1']}"
        )
    for key, b in metrics["by_target"].items():
        per_lang = "  ".join(f"{k} {v}" for k, v in b.items() if len(k) == 2)
        lines.append(f"  {key:<9} target macro-F1 {b['target_macro_f1']}  mention F1 {b['mention_f1']}  {per_lang}")
    return "\n".join(lines)
