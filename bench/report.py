"""Writing the benchmark results as Markdown (bench/RESULTS.md)."""

from __future__ import annotations


def _n(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}"


def _x(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}x"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.0f}%"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]


def _goal(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "**not met**")


def markdown(r: dict) -> str:
    """Return the report of one run of bench/run.py."""
    m = r["machine"]
    lines = [
        "# Benchmark results",
        "",
        f"Produced by `{r['command']}` on {r['date']} in {r['seconds'] / 60:.1f} minutes. "
        "Every figure below comes from this one run; rerun the command to refresh them "
        "(see bench/README.md). Speeds are medians over repeated runs, each beside a baseline "
        "measured in the same run, because the machine is shared and its speed varies.",
        "",
        "## Machine",
        "",
    ]
    libs = ", ".join(f"{k} {v}" for k, v in m["libraries"].items())
    load = ", ".join(f"{x:.1f}" for x in m["load_average_at_start"])
    lines += _table(
        ["", ""],
        [
            ["CPU", m["cpu"]],
            ["cores", f"{m['cores']} ({m['usable_cores']} usable)"],
            ["memory", f"{_n(m['memory_gb'], 1)} GB"],
            ["OS", m["os"]],
            ["Python", m["python"]],
            ["libraries", libs],
            ["load generator", m["wrk"]],
            ["load average at start (1, 5, 15 min)", load],
            ["OPENBLAS_NUM_THREADS", str(m["openblas_threads"])],
        ],
    )
    model = r["model"]
    lines += [
        f"Model: `{model['name']}` version {model['version']} ({model['path']}, {_n(model['file_mb'], 1)} MB, "
        f"trained on {_n(model['train_rows'])} labelled sentences).",
        "",
    ]
    for name, error in r.get("failed", {}).items():
        lines += [f"**The {name} section failed:** {error}", ""]
    lines += _headlines(r)
    for name, writer in (
        ("scoring", _scoring),
        ("documents", _documents),
        ("training", _training),
        ("http", _http),
        ("peers", _peers),
        ("load", _load),
    ):
        if name in r:
            lines += writer(r[name], r)
    return "\n".join(lines).rstrip() + "\n"


def _headlines(r: dict) -> list[str]:
    rows = []
    if "scoring" in r:
        last = r["scoring"]["batches"][-1]
        rows.append(
            [
                f"in-process scoring, batch {last['batch']:,}",
                f"{_n(last['ours_per_s'])} sentences/s, {_x(last['ratio'])} the bare pipeline calls",
                "at most 1.5x",
                _goal(last["ratio"] <= 1.5),
            ]
        )
    if "documents" in r:
        d = r["documents"]
        rows.append(
            [
                "documents (`model.analyze`)",
                f"sample article {_n(d['sample']['ms_per_article'], 1)} ms; synthetic 20-40 sentences "
                f"{_n(d['synthetic']['ms_per_article'], 1)} ms per article",
                "",
                "",
            ]
        )
    if "training" in r:
        t = r["training"]
        first = t["runs"][0]
        growth = t["growth"]
        text = f"labels ({first['rows']:,} rows): {_n(first['seconds'], 1)} s, peak {_n(first['peak_mb'])} MB"
        if growth:
            text += f"; time grows as rows^{growth['time_exponent']:.2f} up to {growth['to_rows']:,} rows"
        rows.append(["training (`stance train --folds 0`)", text, "about linear", ""])
    if "http" in r:
        h = r["http"]
        rows.append(
            [
                "HTTP, one sentence, `stance serve --workers 2`",
                f"{_n(h['sentence']['rps'])} requests/s = {_pct(h['share_of_floor'])} of the fixed-JSON floor "
                f"({_n(h['floor']['rps'])}/s); p50 {_n(h['sentence']['p50_ms'], 1)} ms, "
                f"p99 {_n(h['sentence']['p99_ms'], 1)} ms",
                "at least 30%",
                _goal(h["share_of_floor"] >= 0.30),
            ]
        )
        rows.append(
            [
                "HTTP, 20-sentence document",
                f"{_n(h['document']['rps'])} requests/s; p50 {_n(h['document']['p50_ms'], 1)} ms, "
                f"p99 {_n(h['document']['p99_ms'], 1)} ms",
                "",
                "",
            ]
        )
        loaded = h["memory_loaded"]
        rows.append(
            [
                "memory of a serving worker",
                f"RSS {_n(max(w['rss_mb'] for w in loaded))} MB, PSS {_n(max(w['pss_mb'] for w in loaded))} MB; "
                f"model file {_n(h['model_file_mb'], 1)} MB",
                "",
                "",
            ]
        )
    if "load" in r:
        lo = r["load"]
        growth = max((abs(g) for g in lo["rss_growth"]), default=0.0)
        rows.append(
            [
                f"load: {lo['requests']:,} requests at concurrency {lo['concurrency']}",
                f"{sum(lo['errors'].values())} errors, worker RSS change at most {_pct(growth)}",
                "0 errors, within 10%",
                _goal(lo["passed"]),
            ]
        )
    if "peers" in r:
        text = "; ".join(
            f"{row['peer']} {_n(row['per_s'])}/s" for row in r["peers"]["rows"] if row.get("per_s") is not None
        )
        rows.append(["peers on the same sentences", text, "", ""])
    return ["## Headlines", "", *_table(["measure", "result", "goal", ""], rows)]


def _scoring(s: dict, r: dict) -> list[str]:
    lines = [
        "## 1. Scoring in process",
        "",
        f"`model.predict_sentences` on {s['sentences']:,} news sentences (the labelled texts, cycling) against "
        "the two fitted pipelines' `predict_proba` called directly on exactly what our path gives them: "
        "the sentences (sentiment) and the target-masked copies (tone toward each mentioned target), "
        "with scikit-learn's per-call checks off (`sklearn.config_context(assume_finite=True, "
        "skip_parameter_validation=True)`). Our path computes the same probabilities through "
        "`classifier/scoring.py` instead of calling the pipelines. "
        f"Medians of {s['repeats']} runs, ours and bare alternating "
        "(batch size 1: 3 runs on fewer sentences, a loop of single calls).",
        "",
    ]
    lines += _table(
        ["batch size", "sentences", "masked copies", "ours, sentences/s", "bare calls, sentences/s", "ours / bare"],
        [
            [
                f"{b['batch']:,}",
                f"{b['sentences']:,}",
                f"{b['masked_copies']:,}",
                _n(b["ours_per_s"]),
                _n(b["bare_per_s"]),
                _x(b["ratio"]),
            ]
            for b in s["batches"]
        ],
    )
    br = s["breakdown"]
    whole = br["seconds"]["whole path"]
    lines += [
        f"Where the time of one batch of {br['sentences']:,} sentences ({br['masked_copies']:,} masked copies) goes, "
        "each stage timed on its own (medians):",
        "",
    ]
    lines += _table(
        ["stage", "seconds", "share of the whole path"],
        [[name, f"{sec:.3f}", _pct(sec / whole) if whole else "n/a"] for name, sec in br["seconds"].items()],
    )
    prof = s["profile"]
    lines += [
        f"cProfile of one `predict_sentences` call on {s['sentences']:,} sentences "
        f"({prof['total_s']:.2f} s under the profiler), own time by origin:",
        "",
    ]
    lines += _table(
        ["origin", "own time (s)", "share"],
        [[o, f"{t:.3f}", _pct(t / prof["total_s"])] for o, t in prof["by_origin"].items()],
    )
    lines += ["Top functions by own time:", ""]
    lines += _table(
        ["function", "origin", "calls", "own (s)", "cumulative (s)"],
        [
            [f"`{e['function']}`", e["origin"], f"{e['calls']:,}", f"{e['own_s']:.3f}", f"{e['cumulative_s']:.3f}"]
            for e in prof["top"]
        ],
    )
    return lines


def _documents(d: dict, r: dict) -> list[str]:
    s, syn = d["sample"], d["synthetic"]
    lines = [
        "## 2. Documents",
        "",
        "`model.analyze(text)` per article, against the bare pipeline calls on the same article's "
        "sentences and masked copies (so the difference is splitting, mention detection, masking, "
        "repeats and result objects). Each article is timed on its own, ours and bare alternately; "
        "ms per article are medians over the articles, \"ours / bare\" the ratio of the total times.",
        "",
    ]
    lines += _table(
        ["articles", "sentences", "ms per article (median)", "bare calls, ms", "ours / bare", "sentences/s"],
        [
            [
                f"the sample article ({s['chars']:,} characters) x {s['articles']}",
                f"{s['sentences']:,}",
                _n(s["ms_per_article"], 2),
                _n(s["bare_ms_per_article"], 2),
                _x(s["ratio"]),
                _n(s["sentences_per_s"]),
            ],
            [
                f"{syn['articles']:,} synthetic articles of 20-40 sentences "
                f"({_n(syn['chars_mean'])} characters on average)",
                f"{syn['sentences']:,}",
                _n(syn["ms_per_article"], 2),
                _n(syn["bare_ms_per_article"], 2),
                _x(syn["ratio"]),
                _n(syn["sentences_per_s"]),
            ],
        ],
    )
    lines += [
        f"The same {syn['articles']:,} articles in one `analyze_many` call: "
        f"{_n(syn['analyze_many_ms_per_article'], 2)} ms per article.",
        "",
        _worst(d["worst_request"]),
        "",
        "Sentence splitting on long texts (the sample article repeated; it stays linear):",
        "",
    ]
    lines += _table(
        ["copies", "characters", "seconds", "MB/s"],
        [
            [f"{x['copies']:,}", f"{x['chars']:,}", f"{x['seconds']:.4f}", f"{x['mb_per_s']:.2f}"]
            for x in d["split_scaling"]
        ],
    )
    return lines


def _worst(w: dict) -> str:
    return (
        f"The costliest request the API's default limits let through, {w['sentences']:,} sentences of "
        f"{w['chars_each']:,} characters (about 1 MB) that each name all three targets, takes "
        f"{w['seconds']:.1f} s of one worker in `predict_sentences` (before JSON encoding)."
    )


def _training(t: dict, r: dict) -> list[str]:
    lines = [
        "## 3. Training",
        "",
        "`stance train FILES -o MODEL --folds 0` in its own process (OPENBLAS_NUM_THREADS=1; the target-tone and "
        "sentiment models are fitted at the same time, in two processes, when two cores are free): wall time and "
        "peak resident memory (of all its processes together, sampled every 0.25 s). Synthetic corpora join "
        "two random labelled sentences of one language per row (real wording, plausible labels). Baseline: a "
        "bare scikit-learn fit on the same rows (word 1-2 gram TF-IDF + newton-cg logistic regression on the "
        "sentiment), in its own process. "
        "One run per corpus (the large ones take minutes).",
        "",
    ]
    lines += _table(
        [
            "corpus",
            "rows",
            "seconds",
            "peak MB",
            "model MB",
            "bare fit s",
            "bare peak MB",
            "ours / bare",
            "s per 1,000 rows",
        ],
        [
            [
                x["corpus"],
                f"{x['rows']:,}",
                _n(x["seconds"], 1),
                _n(x["peak_mb"]),
                _n(x["model_mb"], 1),
                _n(x["bare_seconds"], 1),
                _n(x["bare_peak_mb"]),
                _x(x["ratio"]),
                _n(1000 * x["seconds"] / x["rows"], 2) if x["seconds"] else "n/a",
            ]
            for x in t["runs"]
        ],
    )
    failed = [x for x in t["runs"] if x["status"] != 0]
    for x in failed:
        lines += [f"`{x['corpus']}` failed ({x['status']}): {x['error'][-300:]}", ""]
    g = t["growth"]
    if g:
        lines += [
            f"Growth from {g['from_rows']:,} to {g['to_rows']:,} rows: time ~ rows^{g['time_exponent']:.2f}, "
            f"peak memory ~ rows^{g['memory_exponent']:.2f} (1.00 is linear).",
            "",
        ]
    return lines


def _http(h: dict, r: dict) -> list[str]:
    lines = [
        "## 4. HTTP",
        "",
        f"Loopback, {h['connections']} connections, load generator: {h['floor']['generator']} on the same cores. "
        f"Medians of {h['repeats']} runs of {h['seconds_per_run']} s after a warm-up. The floor is a Flask app "
        "answering a fixed JSON to the same POST, under the same gunicorn application class and settings "
        "(2 sync workers, preloaded app); then `stance serve --workers 2` with the model above.",
        "",
    ]
    rows = []
    for name, key in (
        ("floor: fixed JSON", "floor"),
        ("stance: one sentence", "sentence"),
        ("stance: 20-sentence document", "document"),
    ):
        x = h[key]
        rows.append(
            [
                name,
                _n(x["rps"]),
                _pct(x["rps"] / h["floor"]["rps"]),
                _n(x["p50_ms"], 1),
                _n(x["p99_ms"], 1),
                f"{x['requests']:,}",
                str(x["errors"]),
            ]
        )
    lines += _table(["endpoint", "requests/s", "share of floor", "p50 ms", "p99 ms", "requests", "errors"], rows)
    lines += [
        "## 5. Memory",
        "",
        f"Model file: {_n(h['model_file_mb'], 2)} MB. Worker memory from /proc/PID/smaps_rollup (RSS counts "
        "pages shared with the master and the other worker; PSS splits them; USS is the worker's own):",
        "",
    ]
    rows = []
    for name, key in (
        ("floor worker", "floor_memory"),
        ("stance worker, idle", "memory_idle"),
        ("stance worker, after the runs", "memory_loaded"),
    ):
        for w in h[key]:
            rows.append([name, _n(w["rss_mb"]), _n(w["pss_mb"]), _n(w["uss_mb"])])
    master = h["master_memory"]
    rows.append(["stance master", _n(master["rss_mb"]), _n(master["pss_mb"]), _n(master["uss_mb"])])
    lines += _table(["process", "RSS MB", "PSS MB", "USS MB"], rows)
    return lines


def _peers(p: dict, r: dict) -> list[str]:
    lines = [
        "## 6. Peers",
        "",
        f"Lexicon tools from PyPI on the same {p['sentences']:,} sentences (half French, half English), "
        "medians of 3 runs. They score overall polarity only (no targets) and VADER and TextBlob know "
        'English only; "vs ours" divides by our batch speed from section 1.',
        "",
    ]
    lines += _table(
        ["tool", "sentences/s", "vs ours"],
        [
            [x["peer"], _n(x.get("per_s")), _x(x.get("vs_ours")) if x.get("per_s") else x.get("note", "")]
            for x in p["rows"]
        ],
    )
    return lines


def _load(lo: dict, r: dict) -> list[str]:
    lines = [
        "## Load test",
        "",
        f"`bench/load.py`: {lo['requests']:,} predict requests (single sentences, pairs, and every tenth a "
        f"20-sentence document) at concurrency {lo['concurrency']} against `stance serve --workers 2` on "
        f"127.0.0.1, after {lo['warm_up_requests']:,} warm-up requests. Every answer is checked.",
        "",
    ]
    lines += _table(
        ["", ""],
        [
            ["result", "passed" if lo["passed"] else "**failed**"],
            ["requests, seconds", f"{lo['requests']:,} in {lo['seconds']:.1f} s ({_n(lo['rps'])}/s)"],
            ["latency p50 / p99 / max", f"{_n(lo['p50_ms'], 1)} / {_n(lo['p99_ms'], 1)} / {_n(lo['max_ms'], 1)} ms"],
            ["errors", str(lo["errors"] or 0)],
            ["stopped by the time bound", str(lo["stopped_by_time"])],
            ["workers replaced during the run", str(lo["workers_replaced"])],
            ["worker RSS: cold, after warm-up, after the run (MB)", _rss_rows(lo)],
            ["worker RSS change during the run", ", ".join(f"{100 * g:+.1f}%" for g in lo["rss_growth"])],
        ],
    )
    return lines


def _rss_rows(lo: dict) -> str:
    return "; ".join(
        f"{c:.0f}, {b:.0f}, {a:.0f}"
        for c, b, a in zip(lo["rss_cold_mb"], lo["rss_before_mb"], lo["rss_after_mb"], strict=False)
    )
