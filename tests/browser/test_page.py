"""The analysts' page in a real headless Chromium against ``stance serve`` on the tiny model."""

from __future__ import annotations

import base64
import json
import shutil
import time
import urllib.error
import urllib.request
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from api.batch import main as predict_main

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SAMPLE = Path(__file__).resolve().parents[2].parent / "shared" / "sample-article-fr.txt"

WAIT = 30
SYMBOL = {"negative": "−", "neutral": "○", "positive": "+"}


# -- helpers --------------------------------------------------------------------------


def _by():
    from selenium.webdriver.common.by import By

    return By


def wait_for(browser, condition, message: str):
    """Wait until ``condition(browser)`` is truthy and return its value."""
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, WAIT).until(condition, message)


def find(browser, css: str):
    return browser.find_element(_by().CSS_SELECTOR, css)


def find_all(browser, css: str) -> list:
    return browser.find_elements(_by().CSS_SELECTOR, css)


def open_page(browser, url: str) -> None:
    """Load the page and wait until it has read the model's targets."""
    browser.get(url)
    wait_for(browser, lambda b: find_all(b, "#target-choices input[name=targets]"), "the targets never appeared")


def type_text(browser, text: str) -> None:
    """Type the text into the text area, key by key."""
    area = find(browser, "#text")
    area.clear()
    area.send_keys(text)


def paste_text(browser, text: str) -> None:
    """Put the text in the text area at once, as a paste does (typing takes seconds)."""
    browser.execute_script(
        """
        const area = document.getElementById('text');
        area.value = arguments[0];
        area.dispatchEvent(new InputEvent('input', {inputType: 'insertFromPaste', bubbles: true}));
        """,
        text,
    )


def click_analyse(browser) -> str:
    """Click Analyse, wait for the answer, return ``done`` or ``failed``."""
    browser.execute_script("document.getElementById('analyse-form').dataset.state = '';")
    find(browser, "#analyse").click()
    return wait_for(
        browser,
        lambda b: b.execute_script(
            "const s = document.getElementById('analyse-form').dataset.state;"
            "return s === 'done' || s === 'failed' ? s : null;"
        ),
        "the analysis never finished",
    )


def sentences(browser) -> list:
    return find_all(browser, "#sentences li.sentence")


def signed(value: float) -> str:
    """Format a score as the page does: sign, two decimals, a true minus sign."""
    text = str(Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    return ("+" + text if value > 0 else text).replace("-", "−")


def expected_label(sentence, key: str) -> str:
    target = sentence.targets[key]
    return target.tone.label if target.tone else ""


def wait_for_download(folder: Path, name: str) -> Path:
    path = folder / name
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if path.is_file() and not list(folder.glob("*.crdownload")):
            return path
        time.sleep(0.1)
    pytest.fail(f"{name} was not downloaded; the folder holds {sorted(p.name for p in folder.iterdir())}")


def screenshot(browser, path: Path) -> None:
    """Save the whole page, not only the visible part, as a PNG."""
    size = browser.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    shot = browser.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1},
        },
    )
    path.write_bytes(base64.b64decode(shot["data"]))


def severe_console_messages(browser) -> list[str]:
    return [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


def post_json(url: str, body: dict, headers: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(
        url, json.dumps(body).encode(), {"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=WAIT) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)


# -- the sample article ---------------------------------------------------------------


def test_sample_article_shows_twelve_sentences_with_five_repeats(
    browser, server, sample_article, tiny_model, artifacts
):
    open_page(browser, server)
    severe_console_messages(browser)  # start from an empty log
    type_text(browser, sample_article)
    assert find(browser, "#text-count").text == f"{len(sample_article):,} characters"
    # Record the button while the request runs: disabled, and the page says so.
    browser.execute_script(
        """
        window.seen = [];
        const button = document.getElementById('analyse');
        new MutationObserver(() => window.seen.push(
            [button.disabled, document.getElementById('status').textContent]
        )).observe(button, {attributes: true});
        """
    )

    assert click_analyse(browser) == "done"

    seen = browser.execute_script("return window.seen;")
    assert seen[0][0] is True and seen[0][1].startswith(f"Analysing {len(sample_article):,} characters")
    assert find(browser, "#analyse").is_enabled()
    assert find(browser, "#status").text == "Analysed 12 sentences, 5 repeats."
    items = sentences(browser)
    expected = tiny_model.analyze(sample_article).sentences
    assert [li.get_attribute("data-index") for li in items] == [str(i) for i in range(12)]
    repeats = [li for li in items if li.get_attribute("data-repeat") == "true"]
    assert len(repeats) == 5
    for li, sentence in zip(items, expected, strict=True):
        assert li.find_element(_by().CSS_SELECTOR, ".text").text == sentence.text
        marks = li.find_elements(_by().CSS_SELECTOR, ".repeat-mark")
        if sentence.duplicate_of is None:
            assert not marks
        else:
            assert marks[0].text == f"↻ repeat of sentence {sentence.duplicate_of + 1}"
            assert "repeat" in li.get_attribute("class").split()

    summary = tiny_model.analyze(sample_article).summary
    cards = {li.get_attribute("data-target"): li.text for li in find_all(browser, "#summary > li")}
    for key in tiny_model.registry.keys:
        entry = summary["targets"][key]
        assert f"Mentioned in {entry['mentioned_in']} of 7 unique sentences" in cards[key]
        for tone in ("negative", "neutral", "positive"):
            assert f"{SYMBOL[tone]} {entry['counts'][tone]} {tone}" in cards[key]
        if entry["label"]:
            assert f"Mean score {signed(entry['score'])} ({SYMBOL[entry['label']]} {entry['label']})" in cards[key]
    assert "Model tiny" in find(browser, "#model-info").text
    assert severe_console_messages(browser) == []

    # The picture for the README: tones toward Russia, one sentence's details open.
    find(browser, "#tab-russia").click()
    from selenium.webdriver import ActionChains

    ActionChains(browser).move_to_element(sentences(browser)[0]).perform()
    wait_for(browser, lambda b: find(b, "#details h3").text == "Sentence 1", "hovering showed no details")
    screenshot(browser, artifacts / "page-results.png")


def test_switching_targets_recolours_sentences_and_underlines_their_mentions(
    browser, server, sample_article, tiny_model
):
    from selenium.webdriver.common.keys import Keys

    open_page(browser, server)
    paste_text(browser, sample_article)
    assert click_analyse(browser) == "done"
    expected = tiny_model.analyze(sample_article).sentences
    keys = tiny_model.registry.keys

    for key in keys:
        find(browser, f"#tab-{key}").click()
        assert find(browser, f"#tab-{key}").get_attribute("aria-selected") == "true"
        assert find(browser, "#summary > li.selected").get_attribute("data-target") == key
        for li, sentence in zip(sentences(browser), expected, strict=True):
            label = expected_label(sentence, key)
            classes = li.get_attribute("class").split()
            assert li.get_attribute("data-label") == label
            mentions = [m.text for m in li.find_elements(_by().CSS_SELECTOR, ".text .mention")]
            assert mentions == [m.text for m in sentence.targets[key].mentions]
            if sentence.duplicate_of is not None:
                assert "repeat" in classes
            elif label:
                assert f"tone-{label}" in classes
                badge = li.find_element(_by().CSS_SELECTOR, ".badge")
                assert badge.text == f"{SYMBOL[label]} {label} {signed(sentence.targets[key].tone.score)}"
            else:
                assert "plain" in classes
                assert not li.find_elements(_by().CSS_SELECTOR, ".badge")

    # The arrow keys move between the tabs.
    find(browser, f"#tab-{keys[0]}").click()
    find(browser, f"#tab-{keys[0]}").send_keys(Keys.ARROW_RIGHT)
    assert find(browser, f"#tab-{keys[1]}").get_attribute("aria-selected") == "true"
    assert browser.switch_to.active_element.get_attribute("id") == f"tab-{keys[1]}"


def test_keyboard_focus_on_a_sentence_shows_its_label_score_probabilities_and_sentiment(
    browser, server, sample_article, tiny_model
):
    from selenium.webdriver.common.keys import Keys

    open_page(browser, server)
    paste_text(browser, sample_article)
    assert click_analyse(browser) == "done"
    find(browser, "#tab-russia").click()
    # From the selected tab, Tab moves into the sentences in reading order.
    for _ in range(2):
        browser.switch_to.active_element.send_keys(Keys.TAB)
    focused = browser.switch_to.active_element
    assert focused.get_attribute("id") == "sentence-1"

    sentence = tiny_model.analyze(sample_article).sentences[1]
    tone = sentence.targets["russia"].tone
    assert tone is not None, "the second sentence of the sample mentions Moscou"
    details = find(browser, "#details")
    assert details.find_element(_by().CSS_SELECTOR, "h3").text == "Sentence 2"
    assert details.find_element(_by().CSS_SELECTOR, ".label-target").text == f"{SYMBOL[tone.label]} {tone.label}"
    assert details.find_element(_by().CSS_SELECTOR, ".score-target").text == signed(tone.score)
    rows = [r.text for r in details.find_elements(_by().CSS_SELECTOR, "table")[0].find_elements(_by().TAG_NAME, "tr")]
    assert rows == [f"{SYMBOL[t]} {t} {tone.probabilities[t]:.2f}" for t in ("negative", "neutral", "positive")]
    mood = sentence.sentiment
    assert details.find_element(_by().CSS_SELECTOR, ".label-sentiment").text == f"{SYMBOL[mood.label]} {mood.label}"
    assert details.find_element(_by().CSS_SELECTOR, ".score-sentiment").text == signed(mood.score)
    assert focused.get_attribute("aria-describedby") == "details"

    # A sentence that does not mention the target says so.
    find(browser, "#tab-nato").click()
    sentences(browser)[0].click()
    assert "does not mention NATO" in find(browser, "#details .no-mention").text


def test_editing_after_an_analysis_says_so_and_ctrl_enter_analyses_again(browser, server, sample_article):
    from selenium.webdriver.common.keys import Keys

    open_page(browser, server)
    paste_text(browser, sample_article)
    assert click_analyse(browser) == "done"
    assert "changed" not in find(browser, "#text-count").text

    area = find(browser, "#text")
    area.send_keys(Keys.CONTROL, Keys.END)
    area.send_keys(" L'Otan a salué l'accord.")
    assert find(browser, "#text-count").text.endswith("changed since the analysis below")

    browser.execute_script("document.getElementById('analyse-form').dataset.state = '';")
    area.send_keys(Keys.CONTROL, Keys.ENTER)
    done = lambda b: find(b, "#analyse-form").get_attribute("data-state") == "done"  # noqa: E731
    wait_for(browser, done, "Ctrl+Enter did nothing")
    assert len(sentences(browser)) == 13
    assert "changed" not in find(browser, "#text-count").text


def test_explain_lists_the_ngrams_behind_the_label(browser, server, sample_article, tiny_model):
    open_page(browser, server)
    paste_text(browser, sample_article)
    find(browser, ".switch").click()
    assert find(browser, "#explain").is_selected()
    assert click_analyse(browser) == "done"
    find(browser, "#tab-turkey").click()
    sentences(browser)[0].click()

    target = tiny_model.analyze(sample_article, explain=True).sentences[0].targets["turkey"]
    lists = find_all(browser, "#details .ngrams")
    shown = [code.text for code in lists[0].find_elements(_by().TAG_NAME, "code")]
    assert shown == [g["ngram"].strip() for g in target.explanation[target.tone.label]]
    assert f"N-grams behind “{target.tone.label}”" in find(browser, "#details").text


# -- files and downloads --------------------------------------------------------------


@pytest.mark.parametrize("explain", [False, True], ids=["plain", "explain"])
def test_csv_download_is_what_stance_predict_writes_for_the_same_file(
    browser, server, tiny_model_path, tmp_path, downloads, explain
):
    article = tmp_path / "sample-article-fr.txt"
    shutil.copyfile(SAMPLE, article)
    expected = tmp_path / "expected.csv"
    argv = [str(article), "--model", str(tiny_model_path), "--format", "csv", "-o", str(expected), "-q"]
    assert predict_main(argv + (["--explain"] if explain else [])) == 0

    open_page(browser, server)
    find(browser, "#file-input").send_keys(str(article))
    wait_for(browser, lambda b: find(b, "#status").text.startswith("Loaded sample-article-fr.txt"), "no file loaded")
    if explain:
        find(browser, ".switch").click()
    assert click_analyse(browser) == "done"
    find(browser, "#download-csv").click()

    got = wait_for_download(downloads, "sample-article-fr.stance.csv")
    assert got.read_bytes() == expected.read_bytes()
    assert len(expected.read_text(encoding="utf-8").splitlines()) == 1 + 12 * 3


def test_json_download_is_the_api_response(browser, server, sample_article, tiny_model, downloads):
    open_page(browser, server)
    paste_text(browser, sample_article)
    assert click_analyse(browser) == "done"
    find(browser, "#download-json").click()

    got = wait_for_download(downloads, "stance-results.json")
    expected = json.loads(json.dumps(tiny_model.analyze(sample_article).to_dict()))
    assert json.loads(got.read_text(encoding="utf-8")) == expected


def test_dropping_a_txt_file_fills_the_text_and_other_files_are_refused(browser, server, sample_article):
    open_page(browser, server)
    drop = """
        const [name, type, content, target] = arguments;
        const data = new DataTransfer();
        data.items.add(new File([content], name, {type}));
        target.dispatchEvent(new DragEvent('drop', {dataTransfer: data, bubbles: true, cancelable: true}));
    """
    area = find(browser, "#text")
    browser.execute_script(drop, "article.txt", "text/plain", sample_article, area)
    wait_for(browser, lambda b: area.get_attribute("value") == sample_article, "the dropped file was not read")

    browser.execute_script(drop, "article.pdf", "application/pdf", "%PDF-1.4", area)
    error = wait_for(browser, lambda b: find(b, "#error").is_displayed() and find(b, "#error"), "no error shown")
    assert "“article.pdf” is not a .txt file" in error.text
    assert area.get_attribute("value") == sample_article


# -- errors and access control --------------------------------------------------------


def test_empty_text_shows_the_services_message(browser, server):
    status, answer = post_json(server + "v1/predict", {"text": ""})
    assert status == 400

    open_page(browser, server)
    find(browser, "#text").clear()
    assert click_analyse(browser) == "failed"

    error = find(browser, "#error")
    assert error.is_displayed()
    assert error.find_element(_by().TAG_NAME, "h2").text == "The text could not be analysed"
    assert error.find_element(_by().CSS_SELECTOR, ".error-message").text == answer["error"]["message"]
    assert browser.switch_to.active_element.get_attribute("id") == "error"
    assert not find(browser, "#results").is_displayed()
    assert find(browser, "#analyse").is_enabled()


def test_more_sentences_than_the_service_takes_shows_its_message(browser, start_server, sample_article):
    url = start_server(STANCE_MAX_SENTENCES="5")
    status, answer = post_json(url + "v1/predict", {"text": sample_article})
    assert status == 422

    open_page(browser, url)
    paste_text(browser, sample_article)
    assert click_analyse(browser) == "failed"
    error = find(browser, "#error")
    assert error.find_element(_by().TAG_NAME, "h2").text == "Too many sentences"
    assert error.find_element(_by().CSS_SELECTOR, ".error-message").text == answer["error"]["message"]
    assert "Split the article into shorter parts" in error.text


def test_a_text_over_the_body_limit_is_refused_with_the_limit(browser, start_server, sample_article):
    url = start_server(STANCE_MAX_CONTENT_LENGTH="2000")
    status, _ = post_json(url + "v1/predict", {"text": sample_article})
    assert status == 413

    open_page(browser, url)
    assert "takes up to 2 KiB and 2,000 sentences per request" in find(browser, "#text-help").text
    paste_text(browser, sample_article)
    assert click_analyse(browser) == "failed"
    error = find(browser, "#error")
    assert error.find_element(_by().TAG_NAME, "h2").text == "The text is too long"
    assert "this service takes at most 2 KiB per request" in error.text


def test_no_target_ticked_is_refused_before_sending(browser, server, sample_article):
    open_page(browser, server)
    paste_text(browser, sample_article)
    for box in find_all(browser, "#target-choices input[name=targets]"):
        box.click()
    assert click_analyse(browser) == "failed"
    assert "Tick at least one target" in find(browser, "#error").text


def test_a_subset_of_targets_scores_only_those(browser, server, sample_article):
    open_page(browser, server)
    paste_text(browser, sample_article)
    find(browser, "#target-nato").click()
    assert click_analyse(browser) == "done"
    tabs = find_all(browser, "#target-tabs [role=tab]")
    assert [tab.get_attribute("data-target") for tab in tabs] == ["russia", "turkey"]


def test_the_page_asks_for_the_token_keeps_it_in_memory_and_then_works(
    browser, start_server, sample_article, tiny_model
):
    from selenium.webdriver.common.keys import Keys

    url = start_server(STANCE_API_TOKEN="correct-horse-battery")
    browser.get(url)
    panel = wait_for(browser, lambda b: find(b, "#token-panel").is_displayed() and find(b, "#token-panel"), "no prompt")
    assert browser.switch_to.active_element.get_attribute("id") == "token-input"
    assert find(browser, "#token-input").get_attribute("type") == "password"

    find(browser, "#token-input").send_keys("wrong-token", Keys.ENTER)
    wait_for(browser, lambda b: "refused this token" in find(b, "#token-message").text, "a wrong token was not refused")
    assert browser.switch_to.active_element.get_attribute("id") == "token-input"
    assert panel.is_displayed()

    find(browser, "#token-input").send_keys("correct-horse-battery", Keys.ENTER)
    wait_for(browser, lambda b: not panel.is_displayed(), "the right token was not accepted")
    assert find(browser, "#model-info").text.startswith(f"Model {tiny_model.info.name}")
    assert find(browser, "#status").text == "Token accepted."
    paste_text(browser, sample_article)
    assert click_analyse(browser) == "done"
    assert len(sentences(browser)) == 12

    stored = browser.execute_script(
        "return [localStorage.length, sessionStorage.length, document.cookie, location.href];"
    )
    assert stored == [0, 0, "", url]
    browser.refresh()
    wait_for(browser, lambda b: find(b, "#token-panel").is_displayed(), "a reload kept the token")


# -- small screens --------------------------------------------------------------------


def test_a_375_pixel_phone_gets_one_column_without_sideways_scrolling(browser, server, sample_article, artifacts):
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": 375, "height": 800, "deviceScaleFactor": 1, "mobile": True}
    )
    try:
        open_page(browser, server)
        paste_text(browser, sample_article)
        assert click_analyse(browser) == "done"
        find(browser, "#tab-russia").click()
        first = sentences(browser)[0]
        first.click()
        # On a phone the details open inside the sentence rather than beside the list.
        assert first.find_element(_by().ID, "details").is_displayed()
        width = browser.execute_script("return [document.documentElement.scrollWidth, window.innerWidth];")
        assert width == [375, 375]
        screenshot(browser, artifacts / "page-results-375.png")
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
