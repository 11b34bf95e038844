"""Mention detection: aliases from the registry, case, accents, elisions, word boundaries."""

from pathlib import Path

import pytest

from classifier.errors import RegistryError
from classifier.targets import TargetRegistry

REGISTRY = Path(__file__).resolve().parents[2] / "labels" / "targets.toml"


@pytest.fixture(scope="module")
def registry():
    return TargetRegistry.from_file(REGISTRY)


def found(registry, text):
    return {k: [m.text for m in v] for k, v in registry.find_all(text).items() if v}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("L'Otan et l'OTAN se réunissent.", {"nato": ["Otan", "OTAN"]}),
        ("Le sommet d'Ankara s'ouvre.", {"turkey": ["Ankara"]}),
        ("Erdoğan a reçu Erdogan.", {"turkey": ["Erdoğan", "Erdogan"]}),
        ("A turkey farm was flooded.", {}),
        ("TURKEY REJECTS THE OFFER", {"turkey": ["TURKEY"]}),
        ("Turkey's lira fell.", {"turkey": ["Turkey"]}),
        ("Türkiye and Turkish Airlines", {"turkey": ["Türkiye", "Turkish"]}),
        ("Un drone pro-russe abattu", {"russia": ["russe"]}),
        ("The Kremlin-backed group", {"russia": ["Kremlin"]}),
        ("the alliance met; the two countries agreed", {}),
        (
            "the North Atlantic  Alliance and the Atlantic Alliance",
            {"nato": ["North Atlantic  Alliance", "Atlantic Alliance"]},
        ),
        ("le Conseil de l’Atlantique Nord", {"nato": ["Conseil de l’Atlantique Nord"]}),
        ("Moscovites and Russophiles", {}),
        ("Les Turcs et la Russie", {"russia": ["Russie"], "turkey": ["Turcs"]}),
        ("Erdog\u0306an spoke", {"turkey": ["Erdog\u0306an"]}),
        ("la Fédération de Russie", {"russia": ["Fédération de Russie"]}),
        ("ANKARA, 3 mai (AFP)", {"turkey": ["ANKARA"]}),
    ],
)
def test_mentions(registry, text, expected):
    assert found(registry, text) == expected


def test_mention_offsets_point_into_the_text(registry):
    text = "Hier, à Moscou, le Kremlin a reçu l'envoyé d'Ankara."
    for mentions in registry.find_all(text, offset=100).values():
        for m in mentions:
            assert text[m.start - 100 : m.end - 100] == m.text


def test_registry_round_trips_through_dict(registry):
    again = TargetRegistry.from_dict(registry.to_dict())
    assert again.keys == registry.keys
    assert found(again, "a turkey and Turkey") == {"turkey": ["Turkey"]}


def test_a_new_target_needs_only_registry_data():
    reg = TargetRegistry.from_dict({"targets": {"eu": {"name": "EU", "aliases": {"en": ["EU", "European Union"]}}}})
    assert [m.text for m in reg.find_all("The European Union and the EU")["eu"]] == ["European Union", "EU"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "needs a \\[targets.KEY\\]"),
        ({"targets": {}}, "empty"),
        ({"targets": {"Bad Key": {"aliases": {"en": ["x"]}}}}, "lower-case"),
        ({"targets": {"eu": {"name": "EU"}}}, "aliases table"),
        ({"targets": {"eu": {"aliases": {"en": "EU"}}}}, "list of non-empty strings"),
        ({"targets": {"eu": {"aliases": {"en": []}}}}, "no aliases"),
    ],
)
def test_bad_registries_are_refused_with_a_reason(data, message):
    with pytest.raises(RegistryError, match=message):
        TargetRegistry.from_dict(data)


def test_missing_and_invalid_registry_files(tmp_path):
    with pytest.raises(RegistryError, match="not found"):
        TargetRegistry.from_file(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[targets\n")
    with pytest.raises(RegistryError, match="invalid TOML"):
        TargetRegistry.from_file(bad)
