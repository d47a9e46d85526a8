"""The project's own template filters and tags."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.template import engines
from django.template.defaultfilters import truncatewords
from django.utils import timezone, translation

from commonground.templatetags.listing import day, iso, words

MOMENTS = [
    datetime(2026, 11, 4, 9, 30, tzinfo=UTC),
    datetime(2026, 6, 30, 23, 30, tzinfo=UTC),  # 1 July in London (summer time)
    datetime(2026, 12, 31, 23, 59, 59, 123456, tzinfo=UTC),
]


def django_date(value: datetime, fmt: str) -> str:
    """Django's own date filter as a template applies it (in the current time zone)."""
    return engines["django"].from_string("{{ v|date:f }}").render({"v": value, "f": fmt})


@pytest.mark.parametrize("moment", MOMENTS)
def test_dates_read_as_djangos_date_filter_gives_them(moment: datetime) -> None:
    with timezone.override("Europe/London"):
        assert iso(moment) == django_date(moment, "c")
        assert day(moment) == django_date(moment, "j F Y")


def test_the_day_is_in_the_active_language() -> None:
    moment = MOMENTS[0]
    with translation.override("fr"):
        assert day(moment) == django_date(moment, "j F Y") == "4 novembre 2026"
    assert day(moment) == "4 November 2026"


def test_plain_dates_and_nothing() -> None:
    assert day(date(2026, 3, 1)) == "1 March 2026"
    assert iso(date(2026, 3, 1)) == "2026-03-01"
    assert day(None) == iso(None) == ""


@pytest.mark.parametrize(
    "text",
    [
        "",
        "one",
        "a few words\nover   lines",
        " ".join(f"w{n}" for n in range(60)),
        " ".join(["incomprehensibilities"] * 45),  # longer words than the quick path reads
        "x" * 700 + " tail",
    ],
)
def test_words_cut_as_truncatewords_does(text: str) -> None:
    assert words(text, 40) == truncatewords(text, 40)


def test_options_escape_and_select() -> None:
    html = engines["django"].from_string("{% load forms %}{% options choices picked %}")
    rendered = html.render(
        {"choices": [(1, "Libraries"), (2, '<b>"Tom" & Jerry\'s</b>')], "picked": 2}
    )
    assert rendered == (
        '<option value="1">Libraries</option>'
        '<option value="2" selected>&lt;b&gt;&quot;Tom&quot; &amp; Jerry&#x27;s&lt;/b&gt;</option>'
    )
    assert "selected" not in html.render({"choices": [(1, "A")], "picked": None})
    assert "selected" in html.render({"choices": [(1, "A")], "picked": "1"})
