"""Preparing entries: theme rules match the forms of whole words and phrases, whatever their
case; quoted keywords, and ones with symbols, match only as written."""

from __future__ import annotations

import pytest

from commonground.hub.parse import text_of_html
from commonground.hub.prepare import Rules, stem

RULES = Rules.compile(
    [
        (1, "volunteer\nvolunteer-led\n", "Volunteering\n"),
        (2, "grant\nasset transfer", ""),
        (3, "c++\n(pilot)", ""),
        (4, "", "money"),
        (5, "co-production\nco-produce\nco-curate\nresidents' panel", ""),
        (6, '"fund"\nwellbeing\ndigital drop-in\ndevices', ""),
    ]
)


@pytest.mark.parametrize(
    ("title", "text", "categories", "themes"),
    [
        ("Volunteer drivers", "", [], [1]),
        ("", "A VOLUNTEER-LED library", [], [1]),
        ("", "Volunteering days", [], [1]),  # word forms count (issue 14)
        ("", "Our volunteers volunteered", [], [1]),
        ("", "volunteer_rota and volunteer2", [], []),  # never inside a word
        ("", "The grant was granted", [], [2]),
        ("", "grants, granting", [], [2]),
        ("", "regranting a migrant", [], []),
        ("", "An Asset  Transfer", [], [2]),
        ("", "after the asset transfers.", [], [2]),
        ("", "the asset was transferred", [], []),  # a phrase's words in their order
        ("", "Learning C++ together", [], [3]),
        ("", "the (pilot) scheme", [], [3]),
        ("", "the pilot scheme", [], []),
        ("", "", ["volunteering"], [1]),
        ("", "", ["Money", "other"], [4]),
        ("Grant for volunteer-led (pilot)", "", ["money"], [1, 2, 3, 4]),
        ("Co-production in practice", "", [], [5]),
        ("", "Why coproduction works", [], [5]),
        ("", "services we co-produced", [], [5]),
        ("", "co-producing the plan", [], [5]),
        ("Co-curating an exhibition", "", [], [5]),
        ("", "the co-curation of the show", [], [5]),
        ("", "a product, co-signed", [], []),
        ("", "the residents' panel met", [], [5]),
        ("", "a residents panel", [], [5]),
        ("", "the resident's panels", [], [5]),
        ("", "funds were funded", [], []),  # "fund" is quoted: only as written
        ("", "a fund for walks", [], [6]),
        ("", "Health and well-being", [], [6]),
        ("", "might as well be", [], []),
        ("", "Digital drop-ins", [], [6]),
        ("", "one device each", [], [6]),
        ("", "a coproduction-led plan", [], [5]),  # a joined-up form inside a hyphenated word
        ("", "“Volunteers”, grants…", [], [1, 2]),  # typographic marks end words
        ("", "the asset\ntransfer; the residents’ panel", [], [2, 5]),
        ("", "an asset-transfer", [], [2]),
        ("", "digital drop in", [], []),  # "drop-in" is looked for joined up
        ("", "volunteer© and (volunteer)", [], [1]),
    ],
)
def test_theme_rules(title: str, text: str, categories: list[str], themes: list[int]) -> None:
    assert list(RULES.themes_for(title, text, categories)) == themes


def test_text_of_html_drops_tags_decodes_entities_and_collapses_space() -> None:
    html = "<p>Tea &amp; talk</p>\n\n<ul><li>Mon\u00a0 </li><li>Tue</li></ul>\t<br>"
    assert text_of_html(html) == "Tea & talk Mon Tue"
    # The end of an inline element is no space: nothing stands before the full stop.
    html = "<p>Run by <strong>volunteers</strong>. See <a href='/r'>the report</a>, p.<br>2</p>"
    assert text_of_html(html) == "Run by volunteers. See the report, p. 2"


@pytest.mark.parametrize(
    ("forms", "same"),
    [
        (["volunteer", "volunteers", "volunteering", "volunteered"], True),
        (["consultation", "consultations"], True),
        (["evaluate", "evaluates", "evaluated", "evaluating", "evaluation"], True),
        (["running", "runs"], True),
        (["community", "communities"], True),
        (["commission", "commissioning", "commissioned"], True),
        (["grant", "migrant"], False),
        (["business", "bus"], False),
    ],
)
def test_stems(forms: list[str], same: bool) -> None:
    assert (len({stem(f) for f in forms}) == 1) is same, [stem(f) for f in forms]
