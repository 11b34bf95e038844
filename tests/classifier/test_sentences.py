"""Sentence splitting: offsets, abbreviations, quotes, headlines, lists, repeats."""

import pytest

from classifier.sentences import find_repeats, split_sentences

CASES = [
    # (text, expected sentences) — French
    ("M. Dupont est arrivé. Il a parlé.", ["M. Dupont est arrivé.", "Il a parlé."]),
    ("Mme Martin et MM. Durand et Petit ont voté.", ["Mme Martin et MM. Durand et Petit ont voté."]),
    ("Le Dr Lambert a opéré. Le patient va bien.", ["Le Dr Lambert a opéré.", "Le patient va bien."]),
    (
        "L'inflation atteint 61,5 % en juin. Elle recule ensuite.",
        ["L'inflation atteint 61,5 % en juin.", "Elle recule ensuite."],
    ),
    ("Ankara a commandé des S-400. Washington a protesté.", ["Ankara a commandé des S-400.", "Washington a protesté."]),
    (
        "« Nous ne céderons pas. » Le ministre a quitté la salle.",
        ["« Nous ne céderons pas. »", "Le ministre a quitté la salle."],
    ),
    ("« Pourquoi maintenant ? » a-t-il demandé.", ["« Pourquoi maintenant ? » a-t-il demandé."]),
    ("Il a cité la Syrie, la Libye, etc. Le débat a duré.", ["Il a cité la Syrie, la Libye, etc.", "Le débat a duré."]),
    ("Les pourparlers reprendront... peut-être demain.", ["Les pourparlers reprendront... peut-être demain."]),
    ("Les pourparlers ont échoué… Le cessez-le-feu tient.", ["Les pourparlers ont échoué…", "Le cessez-le-feu tient."]),
    ("Voir p. 12 du rapport. La suite est claire.", ["Voir p. 12 du rapport.", "La suite est claire."]),
    ("Le n° 3 du parti a démissionné. Il part.", ["Le n° 3 du parti a démissionné.", "Il part."]),
    ("Ils étaient sept. Le reste a fui.", ["Ils étaient sept.", "Le reste a fui."]),
    (
        "Le 3 oct. 2023, la réunion a eu lieu. Rien n'a filtré.",
        ["Le 3 oct. 2023, la réunion a eu lieu.", "Rien n'a filtré."],
    ),
    (
        'Rostec l\'a confirmé."Moscou et Ankara ont conclu", a-t-il dit.',
        ["Rostec l'a confirmé.", '"Moscou et Ankara ont conclu", a-t-il dit.'],
    ),
    (
        "La Turquie signe avec la Russie\nLe contrat porte sur 2,5 milliards.",
        ["La Turquie signe avec la Russie", "Le contrat porte sur 2,5 milliards."],
    ),
    (
        "Premier paragraphe sans point\n\nsecond paragraphe en minuscule.",
        ["Premier paragraphe sans point", "second paragraphe en minuscule."],
    ),
    (
        "Une phrase coupée en fin de ligne\net qui continue ici.",
        ["Une phrase coupée en fin de ligne\net qui continue ici."],
    ),
    (
        "Points clés :\n- la Suède adhère\n- la Finlande aussi",
        ["Points clés :", "la Suède adhère", "la Finlande aussi"],
    ),
    ("• Le gaz baisse\n• Le pétrole monte", ["Le gaz baisse", "Le pétrole monte"]),
    ("1. Ouverture du sommet\n2. Déclaration finale", ["Ouverture du sommet", "Déclaration finale"]),
    ("Me Leroy plaide demain. L'audience est publique.", ["Me Leroy plaide demain.", "L'audience est publique."]),
    ("Il a dit « non ». Puis il est parti.", ["Il a dit « non ».", "Puis il est parti."]),
    ("Quelle issue ? Personne ne le sait !", ["Quelle issue ?", "Personne ne le sait !"]),
    # English
    ("The U.S. Army confirmed it. Troops left.", ["The U.S. Army confirmed it.", "Troops left."]),
    ("The U.N. Security Council met. No vote was held.", ["The U.N. Security Council met.", "No vote was held."]),
    ("Dr. Smith arrived. St. Petersburg hosted the forum.", ["Dr. Smith arrived.", "St. Petersburg hosted the forum."]),
    ("Mr. and Mrs. Brown met Gen. Harris.", ["Mr. and Mrs. Brown met Gen. Harris."]),
    ("Vladimir V. Putin spoke. The room was silent.", ["Vladimir V. Putin spoke.", "The room was silent."]),
    ("Inflation hit 3.5 percent. Markets fell.", ["Inflation hit 3.5 percent.", "Markets fell."]),
    ("Trade reached 62,000,000 dollars. That is a record.", ["Trade reached 62,000,000 dollars.", "That is a record."]),
    ('He said "no." Then he left.', ['He said "no."', "Then he left."]),
    ("“We will not back down.” The minister walked out.", ["“We will not back down.”", "The minister walked out."]),
    (
        "Talks resumed on Jan. 5 in Geneva. They ended quickly.",
        ["Talks resumed on Jan. 5 in Geneva.", "They ended quickly."],
    ),
    ("The F-35 deal collapsed. Ankara protested.", ["The F-35 deal collapsed.", "Ankara protested."]),
    ("He told me. Then he left.", ["He told me.", "Then he left."]),
    ("See No. 10 Downing Street. It is closed.", ["See No. 10 Downing Street.", "It is closed."]),
    ("Russia says no to talks\nKremlin rejects the offer", ["Russia says no to talks", "Kremlin rejects the offer"]),
    ("Why now? Nobody knows!", ["Why now?", "Nobody knows!"]),
    ("(Reuters) Fighting resumed. (AFP) Aid arrived.", ["(Reuters) Fighting resumed.", "(AFP) Aid arrived."]),
    (
        "The alliance met in Vilnius vs. Madrid last year. Both were calm.",
        ["The alliance met in Vilnius vs. Madrid last year.", "Both were calm."],
    ),
    ("  Leading spaces. Trailing spaces.   ", ["Leading spaces.", "Trailing spaces."]),
    ("No full stop at the end", ["No full stop at the end"]),
    ("Wait... what happened next?", ["Wait... what happened next?"]),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_split_matches_expected_sentences_and_offsets(text, expected):
    spans = split_sentences(text)
    assert [s.text for s in spans] == expected
    for span in spans:
        assert text[span.start : span.end] == span.text


def test_there_are_at_least_forty_tricky_cases():
    assert len(CASES) >= 40


def test_empty_and_blank_text_give_no_sentences():
    assert split_sentences("") == []
    assert split_sentences(" \n\t ") == []


def test_non_string_is_refused():
    with pytest.raises(TypeError, match="must be a str"):
        split_sentences(None)


def test_very_long_sentence_without_full_stop_is_one_sentence():
    text = "mot " * 25_000
    spans = split_sentences(text)
    assert len(spans) == 1 and spans[0].end == len(text.rstrip())


def test_sample_article_has_twelve_sentences_and_five_repeats(sample_article):
    spans = split_sentences(sample_article)
    assert len(spans) == 12
    repeats = find_repeats([s.text for s in spans])
    assert sum(r is not None for r in repeats) == 5
    assert repeats[7:] == [2, 3, 4, 5, 6]


def test_repeats_ignore_case_quotes_and_spacing():
    assert find_repeats(["Il a dit « oui ».", 'il  a dit "OUI".', "Il a dit non."]) == [None, 0, None]
