"""The demonstration commons, harvested from a local server: every topic under Browse
(each sector and each theme) lists items (issue 14), and the word-forms migration
themes items stored before it."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime

import pytest
from django.apps import apps
from django.test import Client

from commonground.hub import demo, services
from commonground.hub.models import Item, ItemTheme, Sector, Source, Theme
from tests.hub.feedserver import FeedServer, Route


@pytest.fixture
def demo_commons(feeds: FeedServer, db: None) -> FeedServer:
    """The demonstration hubs' feeds, served where the demo serves them, and harvested."""
    now = datetime.now(UTC)
    for hub in demo.HUBS:
        body, content_type = demo.render(hub, now=now)
        feeds.routes[f"/hub/demo-feeds/{hub.slug}"] = Route(body=body, content_type=content_type)
    demo.load(addr=f"127.0.0.1:{feeds.port}")
    services.harvest_due()
    assert Source.objects.filter(last_outcome=Source.Outcome.OK).count() == len(demo.HUBS)
    return feeds


def _titles(client: Client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, url
    return page.content.decode()


def test_every_browse_topic_lists_items(demo_commons: FeedServer, client: Client) -> None:
    browse = _titles(client, "/hub/")
    topics = [*Sector.objects.all(), *Theme.objects.all()]
    empty = []
    for topic in topics:
        assert topic.get_absolute_url() in browse  # it is under Browse
        if 'class="item-list"' not in _titles(client, topic.get_absolute_url()):
            empty.append(topic.name)
    assert empty == []


@pytest.mark.parametrize(
    ("theme", "title"),
    [
        ("digital-inclusion", "Digital drop-ins: what people actually ask"),
        ("digital-inclusion", "Tablets and data for tenants who are offline"),
        ("co-production", "Co-curating an exhibition with the people in the photographs"),
        ("co-production", "A residents' panel on the council budget"),
        ("co-production", "What a tenant scrutiny panel changed about repairs"),
        ("evaluation", "Measuring wellbeing without making people fill in forms"),
        ("volunteering", "Volunteer befrienders and loneliness: a year's notes"),
    ],
)
def test_demo_posts_get_their_themes(demo_commons: FeedServer, theme: str, title: str) -> None:
    assert ItemTheme.objects.filter(item__title=title, theme__slug=theme).exists()


def test_the_migration_themes_items_stored_before_it(demo_commons: FeedServer) -> None:
    migration = importlib.import_module("commonground.hub.migrations.0006_theme_word_forms")
    panel = Item.objects.get(title="A residents' panel on the council budget")
    theme = Theme.objects.get(slug="co-production")
    # As an install from before: the old keywords, and the item without the theme.
    theme.keywords = "co-production\nco-produce\nco-design\nparticipatory\ncitizens' panel"
    theme.save(update_fields=["keywords"])
    ItemTheme.objects.filter(theme=theme).delete()
    chosen = Item.objects.get(title="Handling boxes for care homes")
    services.item_theme_add(item=chosen, theme=theme, by=None)  # type: ignore[arg-type]

    migration.add_keywords(apps, None)
    migration.reapply(apps, None)

    theme.refresh_from_db()
    assert "residents' panel" in theme.keywords.splitlines()
    assert theme.keywords.splitlines()[:2] == ["co-production", "co-produce"]
    assert ItemTheme.objects.filter(item=panel, theme=theme, by_rule=True).exists()
    # A theme a person gave an item stays; running it twice changes nothing.
    assert ItemTheme.objects.filter(item=chosen, theme=theme, by_rule=False).exists()
    before = ItemTheme.objects.count()
    migration.add_keywords(apps, None)
    migration.reapply(apps, None)
    assert ItemTheme.objects.count() == before


def test_searching_the_demo_for_a_theme_finds_its_posts(
    demo_commons: FeedServer, client: Client
) -> None:
    page = _titles(client, "/hub/search/?q=co-production")
    assert "Co-curating an exhibition with the people in the photographs" in page
    assert "What a tenant scrutiny panel changed about repairs" in page
    assert "Digital inclusion" in _titles(client, "/hub/themes/digital-inclusion/")
