"""Sentence splitting, mention detection and masking hold their promises on any Unicode text."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from classifier.features import OTHER_TOKEN, TARGET_TOKEN, mask
from classifier.sentences import find_repeats, split_sentences
from classifier.targets import TargetRegistry, fold

REGISTRY = TargetRegistry.from_file(Path(__file__).resolve().parents[2] / "labels" / "targets.toml")

# Fixed examples, no example database: the same cases every run, fast enough for CI.
PROPERTIES = settings(
    max_examples=150,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Pieces that exercise the splitter's and the matcher's special cases, mixed with
# arbitrary characters (surrogates excluded: a Python str from JSON or a file never
# holds a lone surrogate once decoded).
PIECES = [
    ". ", "! ", "? ", "...", "…", " « ", " » ", "“", "”", '"', "'", "’", "(", ")", "[", "]",
    "\n", "\n\n", "\r\n", "\r", "\t", "\u00a0", "\u202f", " ", "- ", "• ", "1. ", "2) ",
    "M. ", "Dr. ", "U.S. ", "etc. ", "p. 12", "n° 3", "Jan. 5", "J. ", "vs. ",
    "NATO", "l'Otan", "d’Ankara", "OTAN", "Russie", "pro-russe", "Moscou", "Kremlin-backed",
    "Turkey", "turkey", "TURKEY", "Türkiye", "Erdoğan", "Erdog\u0306an", "Poutine",
    "North Atlantic  Alliance", "Fédération de Russie", "Conseil de l’Atlantique Nord",
    "Ankara", "İstanbul", "ß", "ﬁ", "Σ", "ǅ", "\u0301", "\u200b", "\ufeff", "\x00", "😀",
    "Le", "la", "The", "the", "a", "123",
]
TEXT_CHARS = st.characters(exclude_categories=("Cs",))
TEXTS = st.one_of(
    st.text(TEXT_CHARS, max_size=300),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(TEXT_CHARS, max_size=8)), max_size=40).map("".join),
)


def _check_spans(text: str, spans) -> None:
    last_end = 0
    for span in spans:
        assert 0 <= span.start < span.end <= len(text)
        assert text[span.start : span.end] == span.text
        assert span.start >= last_end, "sentences overlap or are out of order"
        assert not span.text[0].isspace() and not span.text[-1].isspace()
        last_end = span.end


@PROPERTIES
@given(TEXTS)
def test_split_sentences_gives_ordered_spans_of_the_text(text):
    spans = split_sentences(text)
    _check_spans(text, spans)
    # Nothing but whitespace and list bullets is left outside the sentences.
    if text.strip():
        assert spans


@PROPERTIES
@given(TEXTS)
def test_every_non_space_character_outside_sentences_is_a_bullet_mark(text):
    covered = [False] * len(text)
    for span in split_sentences(text):
        for i in range(span.start, span.end):
            covered[i] = True
    outside = {ch for ch, inside in zip(text, covered, strict=True) if not inside and not ch.isspace()}
    assert outside <= set("-–—•*·▪●◦.)0123456789")


@PROPERTIES
@given(TEXTS)
def test_find_repeats_points_back_to_an_earlier_sentence(text):
    sentences = [s.text for s in split_sentences(text)]
    for index, first in enumerate(find_repeats(sentences)):
        if first is not None:
            assert 0 <= first < index
            assert find_repeats([sentences[first]])[0] is None


@PROPERTIES
@given(TEXTS)
def test_fold_keeps_one_character_per_character(text):
    assert len(fold(text)) == len(text)


@PROPERTIES
@given(TEXTS, st.integers(min_value=0, max_value=10_000))
def test_mentions_lie_within_the_text_in_order(text, offset):
    found = REGISTRY.find_all(text, offset=offset)
    assert set(found) == set(REGISTRY.keys)
    for mentions in found.values():
        last_end = offset
        for m in mentions:
            assert offset <= m.start < m.end <= offset + len(text)
            assert text[m.start - offset : m.end - offset] == m.text
            assert m.start >= last_end
            last_end = m.end


@PROPERTIES
@given(TEXTS)
def test_mentions_of_sentences_match_mentions_in_the_document(text):
    for span in split_sentences(text):
        for mentions in REGISTRY.find_all(span.text, offset=span.start).values():
            for m in mentions:
                assert span.start <= m.start < m.end <= span.end
                assert text[m.start : m.end] == m.text


@PROPERTIES
@given(TEXTS)
def test_mask_replaces_each_target_mention_with_the_placeholder(text):
    found = REGISTRY.find_all(text)
    for key in REGISTRY.keys:
        if not found[key]:
            continue
        others = [m for k in REGISTRY.keys if k != key for m in found[k]]
        masked = mask(text, found[key], others)
        assert TARGET_TOKEN in masked
        assert masked.count(TARGET_TOKEN) <= len(found[key])
        assert masked.count(OTHER_TOKEN) <= len(others)


@PROPERTIES
@given(st.sampled_from(["NATO", "Russie", "Ankara", "Kremlin", "Erdoğan", "Poutine"]), TEXTS, TEXTS)
def test_an_alias_between_spaces_is_always_found(alias, before, after):
    text = f"{before} {alias} {after}"
    start = len(before) + 1
    key = next(k for k in REGISTRY.keys if REGISTRY[k].find(alias))
    starts = [m.start for m in REGISTRY.find_all(text)[key]]
    assert start in starts
