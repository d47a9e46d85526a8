"""Preparing entries: theme rules match whole words and phrases, whatever their case."""

from __future__ import annotations

import pytest

from commonground.hub.parse import text_of_html
from commonground.hub.prepare import Rules

RULES = Rules.compile(
    [
        (1, "volunteer\nvolunteer-led\n", "Volunteering\n"),
        (2, "grant\nasset transfer", ""),
        (3, "c++\n(pilot)", ""),
        (4, "", "money"),
    ]
)


@pytest.mark.parametrize(
    ("title", "text", "categories", "themes"),
    [
        ("Volunteer drivers", "", [], [1]),
        ("", "A VOLUNTEER-LED library", [], [1]),
        ("", "Volunteering days", [], []),  # "volunteer" is not a whole word here
        ("", "Our volunteers", [], []),
        ("", "volunteer_rota and volunteer2", [], []),
        ("", "The grant was granted", [], [2]),
        ("", "granted, grants, regranting", [], []),
        ("", "An Asset  Transfer", [], []),  # a phrase matches as written
        ("", "after the asset transfer.", [], [2]),
        ("", "Learning C++ together", [], [3]),
        ("", "the (pilot) scheme", [], [3]),
        ("", "the pilot scheme", [], []),
        ("", "", ["volunteering"], [1]),
        ("", "", ["Money", "other"], [4]),
        ("Grant for volunteer-led (pilot)", "", ["money"], [1, 2, 3, 4]),
    ],
)
def test_theme_rules(title: str, text: str, categories: list[str], themes: list[int]) -> None:
    assert RULES.themes_for(title, text, categories) == themes


def test_text_of_html_drops_tags_decodes_entities_and_collapses_space() -> None:
    html = "<p>Tea &amp; talk</p>\n\n<ul><li>Mon\u00a0 </li><li>Tue</li></ul>\t<br>"
    assert text_of_html(html) == "Tea & talk Mon Tue"
