"""The page as HTTP serves it: one origin only, no inline code, the CSV columns of the command."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from api import create_app
from api.page import CONTENT_SECURITY_POLICY, STATIC
from api.tables import EXPLANATION_COLUMN, SENTENCE_COLUMNS

ASSETS = ["app.js", "style.css", "icon.svg"]


@pytest.fixture(scope="module")
def client(tiny_model):
    return create_app({"TESTING": True}, model=tiny_model).test_client()


class _Tags(HTMLParser):
    """Collect the tags of a page with their attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def test_the_page_is_served_at_the_root_with_a_policy_that_allows_only_its_own_origin(client):
    response = client.get("/")

    assert response.status_code == 200
    assert response.mimetype == "text/html"
    policy = response.headers["Content-Security-Policy"]
    assert policy == CONTENT_SECURITY_POLICY
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'none'"
    for name in ("script-src", "style-src", "img-src", "connect-src"):
        assert directives[name] == "'self'"
    assert "unsafe" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("name", ASSETS)
def test_the_script_style_and_icon_are_served_with_the_same_policy(client, name):
    with client.get(f"/assets/{name}") as response:
        assert response.status_code == 200
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert response.data == (STATIC / name).read_bytes()


def test_the_page_carries_the_columns_of_stance_predict_csv(client):
    tags = _tags(client.get("/").get_data(as_text=True))
    body = next(attrs for tag, attrs in tags if tag == "body")

    assert json.loads(body["data-csv-columns"]) == list(SENTENCE_COLUMNS)
    assert json.loads(body["data-explanation-column"]) == EXPLANATION_COLUMN


def test_the_page_has_no_inline_script_or_style_and_loads_nothing_from_elsewhere(client):
    html = client.get("/").get_data(as_text=True)
    tags = _tags(html)

    scripts = [attrs for tag, attrs in tags if tag == "script"]
    assert scripts and all(attrs.get("src") for attrs in scripts)
    assert not [tag for tag, _ in tags if tag == "style"]
    inline = [(tag, name) for tag, attrs in tags for name in attrs if name == "style" or name.startswith("on")]
    assert inline == []
    for tag, attrs in tags:
        for name in ("src", "href", "action"):
            if name in attrs:
                assert not re.match(r"^([a-z]+:)?//", attrs[name]), f"<{tag} {name}={attrs[name]!r}> leaves the origin"


@pytest.mark.parametrize("name", ["index.html", *ASSETS])
def test_the_static_files_name_no_other_site(name):
    text = (STATIC / name).read_text(encoding="utf-8")
    addresses = re.findall(r"https?://[^\s\"'<>)]+", text)
    # The SVG's XML namespace is a name, not something that is fetched.
    assert [a for a in addresses if a != "http://www.w3.org/2000/svg"] == []
    assert "@import" not in text and "@font-face" not in text


def test_every_control_of_the_page_has_a_label(client):
    tags = _tags(client.get("/").get_data(as_text=True))
    labelled = {attrs["for"] for tag, attrs in tags if tag == "label" and "for" in attrs}

    controls = [attrs for tag, attrs in tags if tag in ("input", "textarea", "select")]
    assert controls
    for attrs in controls:
        assert attrs.get("id") in labelled or "aria-label" in attrs, attrs
    assert next(attrs for tag, attrs in tags if tag == "html")["lang"] == "en"

