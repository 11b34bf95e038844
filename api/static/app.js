// stance page: send the article to POST /v1/predict and show each sentence's tone
// toward the chosen target. Talks only to this page's own origin; keeps the access
// token in this closure and nowhere else.
"use strict";

(() => {
  const TONES = ["negative", "neutral", "positive"];
  const SYMBOL = { negative: "−", neutral: "○", positive: "+" };
  const MAX_FILE_BYTES = 10 * 1024 * 1024;
  const NARROW = window.matchMedia("(max-width: 60rem)");

  const state = {
    token: null, // the bearer token, in memory only
    targets: [], // [{key, name}] from GET /v1/model
    limits: null, // the service's limits from GET /v1/model, when it gives them
    result: null, // the parsed response of POST /v1/predict
    raw: "", // the response body as received, for the JSON download
    analysed: null, // the text the result is about
    order: [], // target keys of the result, in the response's order
    explained: false, // whether the result holds explanations
    selected: null, // the target whose tones colour the sentences
    active: null, // index of the sentence shown in the details panel
    docId: "text", // the CSV id column: the file name when the text came from a file
    busy: false,
    retry: false, // analyse again once a token has been given
  };

  const $ = (id) => document.getElementById(id);

  // -- small helpers ----------------------------------------------------------------

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key in node && !key.startsWith("aria") && !key.startsWith("data")) node[key] = value;
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  const plural = (n, one, many) => `${n.toLocaleString("en")} ${n === 1 ? one : many || one + "s"}`;
  const minus = (s) => s.replace("-", "−");
  const signed = (x) => (x === null || x === undefined ? "–" : minus((x > 0 ? "+" : "") + x.toFixed(2)));
  const prob = (x) => (x === null || x === undefined ? "–" : x.toFixed(2));
  const targetName = (key) => (state.targets.find((t) => t.key === key) || { name: key }).name;

  // -- talking to the service -------------------------------------------------------

  class ApiError extends Error {
    constructor(status, code, message, field) {
      super(message);
      this.status = status;
      this.code = code;
      this.field = field;
    }
  }

  async function call(method, path, body) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (state.token) headers.Authorization = `Bearer ${state.token}`;
    let response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: "no-store",
        credentials: "omit",
      });
    } catch (err) {
      throw new ApiError(0, "unreachable", "The service could not be reached. Check that it is still running, then try again.", null);
    }
    const raw = await response.text();
    let data = null;
    try {
      data = raw ? JSON.parse(raw) : null;
    } catch (err) {
      data = null;
    }
    if (!response.ok) {
      const detail = data && data.error ? data.error : {};
      const fallback = `The service answered ${response.status} ${response.statusText}`.trim() + ".";
      throw new ApiError(response.status, detail.code || `http_${response.status}`, detail.message || fallback, detail.field || null);
    }
    if (data === null || typeof data !== "object") {
      throw new ApiError(response.status, "bad_response", "The service answered with something that is not JSON; is this the stance service?", null);
    }
    return { data, raw };
  }

  // -- the model, its targets and the token --------------------------------------------

  // GET /v1/model gives the targets as {key: {name, aliases, ...}}, in registry order.
  function readTargets(targets) {
    return Object.entries(targets || {}).map(([key, t]) => ({ key, name: (t && t.name) || key }));
  }

  function describeModel(model) {
    const info = $("model-info");
    const created = (model.created_at || "").slice(0, 10);
    const parts = [el("strong", { text: `Model ${model.name}` }), ` · version ${model.version}`];
    if (created) parts.push(` · created ${created}`);
    const test = model.metrics && model.metrics.test && model.metrics.test.overall;
    if (test) {
      const f = (x) => (typeof x === "number" ? x.toFixed(2) : "–");
      parts.push(
        ` · held-out test (${plural(test.n || 0, "sentence")}): target macro-F1 ${f(test.target_macro_f1)},` +
          ` mention F1 ${f(test.mention_f1)}, sentiment macro-F1 ${f(test.sentiment_macro_f1)}`,
      );
    } else {
      parts.push(" · no held-out test scores in its model card");
    }
    info.replaceChildren(...parts);
  }

  function bytes(n) {
    if (n >= 1048576) return `${+(n / 1048576).toFixed(1)} MiB`;
    if (n >= 1024) return `${+(n / 1024).toFixed(1)} KiB`;
    return plural(n, "byte");
  }

  function describeLimits() {
    const limits = state.limits;
    $("limits").textContent = limits
      ? ` The service takes up to ${bytes(limits.max_body_bytes)} and ${plural(limits.max_sentences, "sentence")} per request.`
      : "";
  }

  function showTargetChoices() {
    const box = $("target-choices");
    const previous = new Set(checkedTargets());
    box.replaceChildren(
      ...state.targets.map((t) => {
        const input = el("input", { type: "checkbox", name: "targets", value: t.key, id: `target-${t.key}` });
        input.checked = previous.size === 0 || previous.has(t.key);
        return el("label", { for: `target-${t.key}` }, input, t.name);
      }),
    );
  }

  function checkedTargets() {
    return [...document.querySelectorAll('#target-choices input[name="targets"]:checked')].map((i) => i.value);
  }

  async function loadModel() {
    try {
      const { data } = await call("GET", "v1/model");
      state.targets = readTargets(data.targets);
      state.limits = data.limits || null;
      describeModel(data);
      describeLimits();
      showTargetChoices();
      return true;
    } catch (err) {
      if (err.status === 401) {
        askForToken(state.token ? "The service refused this token. Check it and enter it again." : null);
        $("model-info").textContent = "The model description needs an access token.";
      } else {
        $("model-info").textContent = `The model description could not be loaded: ${err.message}`;
        $("target-choices").replaceChildren(el("span", { class: "help", text: "All targets will be scored." }));
      }
      return false;
    }
  }

  function askForToken(message) {
    const panel = $("token-panel");
    $("token-message").textContent =
      message ||
      "This service asks for an access token. Ask whoever runs it for one. " +
        "The page keeps it only while this tab is open and sends it with each request.";
    panel.hidden = false;
    $("token-input").value = "";
    $("token-input").focus();
  }

  async function useToken(event) {
    event.preventDefault();
    const value = $("token-input").value.trim();
    if (!value) {
      $("token-message").textContent = "Enter the access token first.";
      $("token-input").focus();
      return;
    }
    state.token = value;
    $("token-input").value = "";
    $("token-message").textContent = "Checking the token…";
    const ok = await loadModel();
    if (ok) {
      $("token-panel").hidden = true;
      setStatus("Token accepted.");
      if (state.retry) {
        state.retry = false;
        analyse();
      } else {
        $("text").focus();
      }
    }
  }

  // -- status and errors ---------------------------------------------------------------

  function setStatus(message, busy) {
    const status = $("status");
    status.textContent = message;
    status.classList.toggle("busy", Boolean(busy));
  }

  const ERROR_TITLES = {
    0: "No connection to the service",
    400: "The text could not be analysed",
    401: "Access token needed",
    404: "Not found",
    413: "The text is too long",
    415: "The request was not understood",
    422: "Too many sentences",
  };
  const ERROR_HINTS = {
    413: "Split the article into shorter parts and analyse each.",
    422: "Split the article into shorter parts and analyse each.",
  };

  function showError(title, message, field, hint) {
    const box = $("error");
    const where = field ? el("p", {}, "Field: ", el("code", { text: field })) : null;
    box.replaceChildren(
      el("h2", { text: title }),
      el("p", { class: "error-message", text: message }),
      where,
      hint ? el("p", { text: hint }) : null,
    );
    box.hidden = false;
    box.focus();
  }

  function clearError() {
    $("error").hidden = true;
    $("error").replaceChildren();
  }

  function showApiError(err) {
    const title = ERROR_TITLES[err.status] || (err.status >= 500 ? "The service had a problem" : `Error ${err.status}`);
    const hint = ERROR_HINTS[err.status] || (err.status >= 500 ? "Try again in a moment; if it persists, tell whoever runs the service." : null);
    showError(title, err.message, err.field, hint);
  }

  // -- the text: count, files ---------------------------------------------------------

  function updateCount() {
    const text = $("text").value;
    const changed = state.result !== null && text !== state.analysed;
    $("text-count").textContent =
      plural(Array.from(text).length, "character") + (changed ? " · changed since the analysis below" : "");
  }

  async function loadFile(file) {
    clearError();
    if (!/\.txt$/i.test(file.name) && file.type !== "text/plain") {
      showError("Not a text file", `“${file.name}” is not a .txt file. Save the article as plain text (.txt) and try again.`, null);
      return;
    }
    if (file.size > MAX_FILE_BYTES) {
      showError("File too large", `“${file.name}” is ${(file.size / 1048576).toFixed(1)} MiB; the page reads files up to 10 MiB.`, null);
      return;
    }
    let text;
    try {
      text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(await file.arrayBuffer());
    } catch (err) {
      showError("Not UTF-8 text", `“${file.name}” is not UTF-8 text. Save it as UTF-8 and try again.`, null);
      return;
    }
    $("text").value = text;
    state.docId = file.name;
    updateCount();
    setStatus(`Loaded ${file.name} (${plural(Array.from(text).length, "character")}).`);
  }

  // -- analysing -----------------------------------------------------------------------

  function setBusy(busy) {
    state.busy = busy;
    const button = $("analyse");
    button.disabled = busy;
    button.textContent = busy ? "Analysing…" : "Analyse";
    $("analyse-form").setAttribute("aria-busy", busy ? "true" : "false");
  }

  async function analyse(event) {
    if (event) event.preventDefault();
    if (state.busy) return;
    clearError();
    const text = $("text").value;
    const chosen = checkedTargets();
    if (state.targets.length && !chosen.length) {
      $("analyse-form").dataset.state = "failed";
      showError("No target chosen", "Tick at least one target to score.", "targets");
      return;
    }
    const body = { text };
    if (state.targets.length && chosen.length < state.targets.length) body.targets = chosen;
    const explain = $("explain").checked;
    if (explain) body.explain = true;
    // A body past the limit may be cut off by the server before it can answer: say so first.
    const size = new TextEncoder().encode(JSON.stringify(body)).length;
    if (state.limits && size > state.limits.max_body_bytes) {
      $("analyse-form").dataset.state = "failed";
      showError(
        ERROR_TITLES[413],
        `The request would be ${bytes(size)}; this service takes at most ${bytes(state.limits.max_body_bytes)} per request.`,
        "text",
        ERROR_HINTS[413],
      );
      return;
    }

    setBusy(true);
    $("analyse-form").dataset.state = "busy";
    setStatus(`Analysing ${plural(Array.from(text).length, "character")}… the sentences appear here when the service answers.`, true);
    try {
      const { data, raw } = await call("POST", "v1/predict", body);
      state.result = data;
      state.raw = raw;
      state.analysed = text;
      state.explained = explain;
      state.order = Object.keys(data.summary.targets);
      if (!state.order.includes(state.selected)) state.selected = state.order[0] || null;
      state.active = null;
      showResults();
      updateCount();
      const repeats = data.sentences.filter((s) => s.duplicate_of !== null).length;
      setStatus(`Analysed ${plural(data.sentences.length, "sentence")}, ${plural(repeats, "repeat")}.`);
      $("analyse-form").dataset.state = "done";
      $("results-heading").focus();
    } catch (err) {
      $("analyse-form").dataset.state = "failed";
      setStatus("");
      if (err.status === 401) {
        state.retry = true;
        askForToken(state.token ? "The service refused this token. Check it and enter it again." : null);
      } else {
        showApiError(err);
      }
    } finally {
      setBusy(false);
    }
  }

  // -- results -------------------------------------------------------------------------

  function showResults() {
    $("results").hidden = false;
    showTabs();
    showSummary();
    showSentences();
    showDetails();
  }

  function showTabs() {
    const tabs = $("target-tabs");
    tabs.replaceChildren(
      ...state.order.map((key) => {
        const selected = key === state.selected;
        return el("button", {
          type: "button",
          role: "tab",
          id: `tab-${key}`,
          "aria-selected": selected ? "true" : "false",
          "aria-controls": "reading",
          tabindex: selected ? "0" : "-1",
          "data-target": key,
          text: targetName(key),
        });
      }),
    );
    $("reading").setAttribute("aria-labelledby", state.selected ? `tab-${state.selected}` : "results-heading");
  }

  function selectTarget(key, focus) {
    if (!state.order.includes(key)) return;
    state.selected = key;
    showTabs();
    showSummary();
    showSentences();
    showDetails();
    if (focus) $(`tab-${key}`).focus();
  }

  function onTabKey(event) {
    const keys = state.order;
    const at = keys.indexOf(state.selected);
    const moves = { ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1, Home: 0, End: keys.length - 1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    selectTarget(keys[(moves[event.key] + keys.length) % keys.length], true);
  }

  function toneBar(counts) {
    const total = TONES.reduce((n, t) => n + counts[t], 0);
    const bar = el("span", { class: "bar", "aria-hidden": "true" });
    for (const tone of TONES) {
      if (!counts[tone]) continue;
      const part = el("span", { class: `tone-${tone}` });
      part.style.width = `${(100 * counts[tone]) / total}%`;
      bar.append(part);
    }
    return total ? bar : null;
  }

  function summaryCard(title, entry, mentioned, selected) {
    const counts = el(
      "ul",
      { class: "counts" },
      TONES.map((t) => el("li", {}, `${SYMBOL[t]} ${entry.counts[t]} ${t}`)),
    );
    const mean = entry.label
      ? el("p", {}, "Mean score ", el("strong", { text: signed(entry.score) }), ` (${SYMBOL[entry.label]} ${entry.label})`)
      : el("p", { text: "No tone: not mentioned." });
    return el("li", { class: selected ? "selected" : null }, el("h4", { text: title }), mentioned, toneBar(entry.counts), counts, mean);
  }

  function showSummary() {
    const summary = state.result.summary;
    const cards = state.order.map((key) => {
      const entry = summary.targets[key];
      const mentioned = el("p", { text: `Mentioned in ${entry.mentioned_in} of ${plural(summary.unique_sentences, "unique sentence")}` });
      const card = summaryCard(targetName(key), entry, mentioned, key === state.selected);
      card.dataset.target = key;
      return card;
    });
    const whole = summaryCard(
      "Sentence sentiment",
      summary.sentiment,
      el("p", { text: `${plural(summary.sentences, "sentence")}, ${summary.unique_sentences} unique` }),
      false,
    );
    whole.dataset.target = "";
    $("summary").replaceChildren(...cards, whole);
  }

  // Split a sentence's text around the mentions (offsets count code points, as in Python).
  function withMentions(sentence, mentions) {
    const chars = Array.from(sentence.text);
    const parts = [];
    let at = 0;
    const spans = mentions
      .map((m) => [m.start - sentence.start, m.end - sentence.start])
      .filter(([a, b]) => a >= 0 && b <= chars.length && a < b)
      .sort((x, y) => x[0] - y[0]);
    for (const [a, b] of spans) {
      if (a < at) continue;
      if (a > at) parts.push(chars.slice(at, a).join(""));
      parts.push(el("span", { class: "mention", text: chars.slice(a, b).join("") }));
      at = b;
    }
    if (at < chars.length) parts.push(chars.slice(at).join(""));
    return parts;
  }

  function sentenceItem(sentence) {
    const key = state.selected;
    const target = key ? sentence.targets[key] : null;
    const repeat = sentence.duplicate_of !== null;
    const label = target && target.mentioned ? target.label : null;
    const classes = ["sentence", repeat ? "repeat" : label ? `tone-${label}` : "plain"];
    if (sentence.index === state.active) classes.push("active");

    const meta = el("span", { class: "meta" });
    if (label) {
      meta.append(el("span", { class: `badge tone-${label}`, text: `${SYMBOL[label]} ${label} ${signed(target.score)}` }));
    } else if (key) {
      meta.append(el("span", { class: "visually-hidden", text: `does not mention ${targetName(key)}` }));
    }
    if (repeat) {
      meta.append(el("span", { class: "badge repeat-mark", text: `↻ repeat of sentence ${sentence.duplicate_of + 1}` }));
    }
    const body = el("span", { class: "body" }, el("span", { class: "text" }, withMentions(sentence, target ? target.mentions : [])), meta);
    return el(
      "li",
      {
        class: classes.join(" "),
        id: `sentence-${sentence.index}`,
        tabindex: "0",
        value: String(sentence.index + 1),
        "data-index": sentence.index,
        "data-label": label || "",
        "data-repeat": repeat ? "true" : "false",
        "aria-describedby": "details",
      },
      el("span", { class: "num", "aria-hidden": "true", text: String(sentence.index + 1) }),
      el("span", { class: "gutter", "aria-hidden": "true" }),
      body,
    );
  }

  function showSentences() {
    const details = $("details");
    $("reading").append(details); // keep the panel while the list is rebuilt
    $("sentences").replaceChildren(...state.result.sentences.map(sentenceItem));
    placeDetails();
  }

  function setActive(index) {
    if (index === state.active) return;
    const old = state.active === null ? null : $(`sentence-${state.active}`);
    if (old) old.classList.remove("active");
    state.active = index;
    const now = $(`sentence-${index}`);
    if (now) now.classList.add("active");
    showDetails();
    placeDetails();
  }

  // On narrow screens the details open inside the active sentence; on wide ones they sit beside the list.
  function placeDetails() {
    const details = $("details");
    const li = state.active === null ? null : $(`sentence-${state.active}`);
    if (NARROW.matches && li) {
      if (details.parentNode !== li) li.append(details);
    } else if (details.parentNode !== $("reading")) {
      $("reading").append(details);
    }
  }

  function probabilityTable(caption, probabilities) {
    return el(
      "table",
      {},
      el("caption", { class: "visually-hidden", text: caption }),
      el("tbody", {}, TONES.map((tone) => {
        const bar = el("span", { class: "bar", "aria-hidden": "true" });
        const fill = el("span", { class: `tone-${tone}` });
        fill.style.width = `${100 * probabilities[tone]}%`;
        bar.append(fill);
        return el("tr", {}, el("th", { scope: "row", text: `${SYMBOL[tone]} ${tone}` }), el("td", { class: "num", text: prob(probabilities[tone]) }), el("td", { class: "meter" }, bar));
      })),
    );
  }

  function toneBlock(kind, tone) {
    return [
      el("dl", {}, el("dt", { text: "Label" }), el("dd", { class: `label-${kind}`, text: `${SYMBOL[tone.label]} ${tone.label}` }), el("dt", { text: "Score" }), el("dd", { class: `score-${kind}`, text: signed(tone.score) })),
      probabilityTable(`Probabilities (${kind})`, tone.probabilities),
    ];
  }

  function explanationBlock(target) {
    if (!state.explained) {
      return el("p", { class: "help", text: "Analyse again with Explain on to list the n-grams behind the label." });
    }
    const explanation = target.explanation || {};
    const order = [target.label, ...TONES.filter((t) => t !== target.label)];
    const blocks = [];
    for (const tone of order) {
      const grams = explanation[tone] || [];
      if (!grams.length) continue;
      blocks.push(
        el("h4", { text: tone === target.label ? `N-grams behind “${tone}”` : `Pushing toward “${tone}”` }),
        el("ol", { class: "ngrams" }, grams.map((g) => el("li", {}, el("code", { text: g.ngram }), " ", el("span", { class: "block", text: `${g.block} ${signed(g.weight)}` })))),
      );
    }
    return blocks.length ? blocks : el("p", { class: "help", text: "No n-gram pushed this label." });
  }

  function showDetails() {
    const panel = $("details");
    const sentence = state.active === null ? null : state.result.sentences[state.active];
    if (!sentence) {
      panel.replaceChildren(
        el("h3", { id: "details-heading", text: "Sentence details" }),
        el("p", { class: "help", text: "Hover over a sentence, or move to it with the Tab key, to see its scores here." }),
      );
      return;
    }
    const key = state.selected;
    const target = key ? sentence.targets[key] : null;
    const name = key ? targetName(key) : "";
    const parts = [el("h3", { id: "details-heading", text: `Sentence ${sentence.index + 1}` })];
    if (sentence.duplicate_of !== null) {
      parts.push(el("p", { class: "repeat-note", text: `Repeat of sentence ${sentence.duplicate_of + 1}; left out of the summary.` }));
    }
    parts.push(el("blockquote", { text: sentence.text }));
    if (target && target.mentioned) {
      parts.push(
        el("h4", { text: `Tone toward ${name}` }),
        el("p", {}, "Mentions: ", target.mentions.map((m, i) => [i ? ", " : "", el("span", { class: "mention", text: m.text })])),
        ...toneBlock("target", target),
        ...[explanationBlock(target)].flat(),
      );
    } else if (target) {
      parts.push(el("p", { class: "no-mention", text: `This sentence does not mention ${name}, so it has no tone toward it.` }));
    }
    parts.push(el("h4", { text: "Sentence sentiment" }), ...toneBlock("sentiment", sentence.sentiment));
    parts.push(el("p", { class: "help", text: `Index ${sentence.index} in the downloads; characters ${sentence.start}–${sentence.end}.` }));
    panel.replaceChildren(...parts);
  }

  // -- downloads -----------------------------------------------------------------------

  // Format numbers as Python writes them in `stance predict --format csv`.
  function pyFloat(x) {
    if (x === null || x === undefined) return "";
    if (Object.is(x, -0)) return "-0.0";
    return Number.isInteger(x) ? x.toFixed(1) : String(x);
  }

  // Python's format(x, "+.2f"): ties (exact multiples of 1/8) round half to even.
  function pySigned2(x) {
    let text = Math.abs(x).toFixed(2);
    const eighths = Math.abs(x) * 8;
    if (Number.isInteger(eighths) && eighths % 2 === 1) {
      const hundredths = Math.floor(Math.abs(x) * 100);
      text = ((hundredths % 2 === 0 ? hundredths : hundredths + 1) / 100).toFixed(2);
    }
    const negative = x < 0 || Object.is(x, -0);
    return (negative ? "-" : "+") + text;
  }

  function explanationText(explanation, label) {
    if (!explanation) return "";
    const order = TONES.includes(label) ? [label, ...TONES.filter((t) => t !== label)] : TONES;
    const parts = [];
    for (const tone of order) {
      const grams = explanation[tone] || [];
      if (grams.length) parts.push(`${tone}: ${grams.map((g) => `${g.ngram} (${pySigned2(g.weight)})`).join(", ")}`);
    }
    return parts.join("; ");
  }

  function csvCell(value) {
    const text = value === null || value === undefined ? "" : String(value);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  }

  function csvText() {
    const body = document.body.dataset;
    const columns = JSON.parse(body.csvColumns);
    const explanationColumn = JSON.parse(body.explanationColumn);
    const header = state.explained ? [...columns, explanationColumn] : columns;
    const lines = [header];
    for (const s of state.result.sentences) {
      for (const key of state.order) {
        const t = s.targets[key];
        const p = t.probabilities || {};
        const cells = {
          id: state.docId,
          sentence_index: s.index,
          start: s.start,
          end: s.end,
          text: s.text,
          duplicate_of: s.duplicate_of === null ? "" : s.duplicate_of,
          target: key,
          mentioned: t.mentioned ? "true" : "false",
          label: t.label || "",
          score: pyFloat(t.score),
          p_negative: pyFloat(p.negative),
          p_neutral: pyFloat(p.neutral),
          p_positive: pyFloat(p.positive),
          sentiment_label: s.sentiment.label,
          sentiment_score: pyFloat(s.sentiment.score),
          [explanationColumn]: explanationText(t.explanation, t.label),
        };
        lines.push(header.map((column) => cells[column] ?? ""));
      }
    }
    return lines.map((row) => row.map(csvCell).join(",") + "\r\n").join("");
  }

  function baseName() {
    return state.docId === "text" ? "stance-results" : `${state.docId.replace(/\.txt$/i, "")}.stance`;
  }

  function download(name, type, content) {
    const url = URL.createObjectURL(new Blob([content], { type }));
    const link = el("a", { href: url, download: name, class: "visually-hidden" });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    setStatus(`Downloaded ${name}.`);
  }

  // -- wiring --------------------------------------------------------------------------

  function wire() {
    const text = $("text");
    text.addEventListener("input", updateCount);
    text.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        $("analyse-form").requestSubmit();
      }
    });
    text.addEventListener("paste", () => {
      // Pasting over the whole text starts a new document: it no longer comes from the file.
      if (text.selectionStart === 0 && text.selectionEnd === text.value.length) state.docId = "text";
    });
    text.addEventListener("dragover", (event) => {
      if (event.dataTransfer && [...event.dataTransfer.types].includes("Files")) {
        event.preventDefault();
        text.classList.add("dropping");
      }
    });
    text.addEventListener("dragleave", () => text.classList.remove("dropping"));
    text.addEventListener("drop", (event) => {
      text.classList.remove("dropping");
      const files = event.dataTransfer ? event.dataTransfer.files : null;
      if (files && files.length) {
        event.preventDefault();
        loadFile(files[0]);
      }
    });
    $("file-input").addEventListener("change", (event) => {
      const file = event.target.files[0];
      if (file) loadFile(file);
      event.target.value = "";
    });

    $("analyse-form").addEventListener("submit", analyse);
    $("token-form").addEventListener("submit", useToken);
    $("explain").addEventListener("change", () => {
      if (state.result && $("explain").checked !== state.explained) showDetails();
    });

    $("target-tabs").addEventListener("click", (event) => {
      const tab = event.target.closest('[role="tab"]');
      if (tab) selectTarget(tab.dataset.target, true);
    });
    $("target-tabs").addEventListener("keydown", onTabKey);

    const list = $("sentences");
    const pick = (event) => {
      const li = event.target.closest("li.sentence");
      if (li && list.contains(li)) setActive(Number(li.dataset.index));
    };
    list.addEventListener("mouseover", (event) => {
      // Narrow screens open the details inside the sentence, which moves the text under
      // the pointer: there only a tap or the keyboard opens them.
      if (!NARROW.matches && !$("details").contains(event.target)) pick(event);
    });
    list.addEventListener("focusin", pick);
    list.addEventListener("click", pick);
    NARROW.addEventListener("change", placeDetails);

    $("download-csv").addEventListener("click", () => download(`${baseName()}.csv`, "text/csv;charset=utf-8", csvText()));
    $("download-json").addEventListener("click", () => download(`${baseName()}.json`, "application/json", state.raw));

    updateCount();
    loadModel();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", wire);
  else wire();
})();
