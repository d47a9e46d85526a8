"""Search filters: each keeps exactly the matches that pass it, alone and together."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from commonground.hub import search
from commonground.hub.models import Carriage, Item, ItemTheme, Sector, Source, Theme

START = datetime(2026, 3, 1, 12, tzinfo=UTC)


@pytest.fixture
def allotments(db: None) -> dict[str, object]:
    """Twelve posts about allotments from three hubs in two sectors, a day apart; every
    third has the volunteering theme; one post on another subject."""
    libraries = Sector.objects.get(slug="libraries")
    health = Sector.objects.get(slug="health")
    hubs = []
    for n, sector in enumerate((libraries, libraries, health)):
        hub = Source.objects.create(
            feed_url=f"https://hub{n}.example/feed", title=f"Hub {n}", host=f"hub{n}.example"
        )
        hub.sectors.set([sector])
        hubs.append(hub)
    theme = Theme.objects.get(slug="volunteering")
    made = []
    for n in range(13):
        topic = "allotment plots" if n < 12 else "library opening hours"
        when = START + timedelta(days=n)
        item = Item.objects.create(
            link_key=f"{n:040d}",
            link=f"https://hub.example/{n}",
            title=f"Post {n} on {topic}",
            text=f"Residents talked about {topic} at meeting {n}.",
            published_at=when,
            content_hash="x",
        )
        Carriage.objects.create(item=item, source=hubs[n % 3], entry_key=str(n), published_at=when)
        if n % 3 == 0:
            ItemTheme.objects.create(item=item, theme=theme, by_rule=True)
        made.append(item)
    return {"items": made, "hubs": hubs, "health": health, "theme": theme}


def _found(filters: search.Filters) -> set[int]:
    return {hit.id for hit in search.search("allotment plots", filters=filters).hits}


def test_each_filter_keeps_exactly_the_matches_that_pass_it(allotments: dict) -> None:
    items, hubs = allotments["items"], allotments["hubs"]
    ids = [item.pk for item in items]
    assert _found(search.Filters()) == set(ids[:12])
    assert _found(search.Filters(source=hubs[1].pk)) == {ids[n] for n in range(1, 12, 3)}
    assert _found(search.Filters(sector=allotments["health"].pk)) == {
        ids[n] for n in range(2, 12, 3)
    }
    assert _found(search.Filters(theme=allotments["theme"].pk)) == {ids[n] for n in (0, 3, 6, 9)}
    since, until = date(2026, 3, 4), date(2026, 3, 6)  # days 3, 4 and 5
    assert _found(search.Filters(since=since, until=until)) == {ids[3], ids[4], ids[5]}
    both = search.Filters(theme=allotments["theme"].pk, source=hubs[0].pk, since=since)
    assert _found(both) == {ids[3], ids[6], ids[9]}
    # A sector no hub is in matches nothing (and is not an error).
    empty = Sector.objects.create(name="Nowhere", slug="nowhere")
    assert _found(search.Filters(sector=empty.pk)) == set()


def _item(n: int, title: str, text: str, *themes: Theme) -> Item:
    when = START + timedelta(days=n)
    item = Item.objects.create(
        link_key=f"{n:040d}",
        link=f"https://hub.example/{n}",
        title=title,
        text=text,
        published_at=when,
        content_hash="x",
    )
    for theme in themes:
        ItemTheme.objects.create(item=item, theme=theme, by_rule=True)
    return item


@pytest.fixture
def coproduced(db: None) -> dict[str, Item]:
    """Posts that write co-production three ways, and one that only has its theme."""
    theme = Theme.objects.get(slug="co-production")
    return {
        "hyphen": _item(1, "Co-production in housing", "Tenants and staff, side by side."),
        "joined": _item(2, "Why coproduction works", "It takes longer and lasts longer."),
        "spaced": _item(3, "Notes", "We tried co production with a youth club."),
        "themed": _item(
            4,
            "Co-curating an exhibition",
            "The people in the photographs chose what went on the walls. " * 8,
            theme,
        ),
        "other": _item(5, "Opening hours", "Later evenings won over Sunday mornings."),
    }


def _ids(query: str, filters: search.Filters | None = None) -> list[int]:
    return [hit.id for hit in search.search(query, filters=filters).hits]


def test_hyphenated_words_match_however_they_are_written(coproduced: dict[str, Item]) -> None:
    found = set(_ids("co-production"))
    assert {coproduced[k].pk for k in ("hyphen", "joined", "spaced")} <= found
    assert coproduced["other"].pk not in found
    assert coproduced["joined"].pk in _ids("coproduction")
    assert coproduced["hyphen"].pk in _ids('"co-production in housing"')


def test_words_that_name_a_theme_find_its_items(coproduced: dict[str, Item]) -> None:
    themed = coproduced["themed"]
    for query in ("co-production", "Co-producing", "coproduction", "participation"):
        assert themed.pk in _ids(query), query
    # Items whose text has the words rank above those that only have the theme.
    assert _ids("co-production")[-1] == themed.pk
    hit = next(h for h in search.search("co-production").hits if h.id == themed.pk)
    assert hit.snippet.startswith("The people in the photographs")
    assert "<mark>" not in hit.snippet
    # Every other word must still be in the text; filters still apply.
    assert _ids("co-production walls") == [themed.pk]
    assert _ids("co-production kettles") == []
    assert _ids("co-production", search.Filters(until=date(2026, 3, 3))) == [
        coproduced["joined"].pk,
        coproduced["hyphen"].pk,
    ]
    volunteering = Theme.objects.get(slug="volunteering")
    assert themed.pk not in _ids("co-production", search.Filters(theme=volunteering.pk))
    # A word that names no theme matches text only.
    assert _ids("photographs") == [themed.pk]


def test_several_words_that_name_themes(coproduced: dict[str, Item]) -> None:
    """Each theme-naming word is found in the text or by its theme, whichever the item has."""
    volunteering = Theme.objects.get(slug="volunteering")
    theme = Theme.objects.get(slug="co-production")
    both = _item(6, "A quiet month", "Nothing to report.", theme, volunteering)
    said = _item(7, "Volunteers on co-production", "Written together.")
    half = _item(8, "Volunteers wanted", "Ask at the desk.", theme)
    just_one = _item(9, "Volunteers wanted", "Ask at the desk.", volunteering)
    found = _ids("co-production volunteering")
    # Whole-text matches rank first; those found only through themes follow.
    assert set(found) == {both.pk, said.pk, half.pk}
    assert found[0] == said.pk
    assert just_one.pk not in found
    assert _ids("co-production volunteering desk") == [half.pk]


@pytest.mark.django_db
def test_equal_matches_come_newest_first_whatever_order_they_were_stored_in() -> None:
    # Four posts with the same words score the same; the newest leads, to the
    # microsecond (SQLite stores a moment without microseconds as a shorter text).
    moments = [
        START + timedelta(days=1, microseconds=1),
        START - timedelta(days=400),
        START + timedelta(days=1),
        START + timedelta(days=1, seconds=1),
    ]
    ids = [
        Item.objects.create(
            link_key=f"{n:040d}",
            link=f"https://hub.example/{n}",
            title="Seed library swap",
            text="Bring seeds to swap at the seed library.",
            published_at=when,
            content_hash="x",
        ).pk
        for n, when in enumerate(moments)
    ]
    found = [hit.id for hit in search.search("seed library").hits]
    assert found == [ids[3], ids[0], ids[2], ids[1]]
