"""Following from a hub, sector, theme or search page, and what a hub's page tells whom
(issue 14): the button shows whether you follow and toggles; "collected" is the site's
word for the hubs it harvests, "follow" a person's; operator detail is for site admins."""

from __future__ import annotations

import pytest
from django.test import Client

from commonground.accounts.models import User
from commonground.hub.models import Follow, Sector, Source, Theme
from tests.conftest import client_for
from tests.hub.feedserver import FeedServer


def _pages(commons: FeedServer) -> list[tuple[str, dict[str, str]]]:
    """Each page with a follow button, and what its button sends."""
    source = Source.objects.get(feed_url=commons.url("/rss20.xml"))
    health = Sector.objects.get(slug="health")
    volunteering = Theme.objects.get(slug="volunteering")
    return [
        (source.get_absolute_url(), {"source": str(source.pk)}),
        (health.get_absolute_url(), {"sector": str(health.pk)}),
        (volunteering.get_absolute_url(), {"theme": str(volunteering.pk)}),
        ("/hub/search/?q=repair", {"query": "repair"}),
    ]


def test_follow_button_shows_the_state_and_toggles(commons: FeedServer, ben: User) -> None:
    client = client_for(ben)
    for url, sends in _pages(commons):
        before = client.get(url).content.decode()
        assert ">Follow<span" in before and "Stop following" not in before, url

        response = client.post("/hub/follow/", {**sends, "back": url})
        assert response.status_code == 303 and response["Location"] == url
        after = client.get(url).content.decode()
        assert "You follow this" in after and "Stop following" in after, url
        assert ">Follow<span" not in after, url
        assert "You now follow this." in after

        follow = Follow.objects.get(user=ben)
        assert f'action="/hub/follows/{follow.pk}/remove/"' in after
        response = client.post(f"/hub/follows/{follow.pk}/remove/", {"back": url})
        assert response.status_code == 303 and response["Location"] == url
        again = client.get(url).content.decode()
        assert "You no longer follow this." in again
        assert ">Follow<span" in again and "Stop following" not in again, url
        assert not Follow.objects.filter(user=ben).exists()


def test_stop_following_goes_back_only_to_hub_pages(commons: FeedServer, ben: User) -> None:
    client = client_for(ben)
    source = Source.objects.get(feed_url=commons.url("/rss20.xml"))
    for back, lands in (
        ("https://elsewhere.example/", "/hub/following/"),
        ("//elsewhere.example/hub/", "/hub/following/"),
        ("", "/hub/following/"),
    ):
        client.post("/hub/follow/", {"source": source.pk})
        follow = Follow.objects.get(user=ben)
        response = client.post(f"/hub/follows/{follow.pk}/remove/", {"back": back})
        assert response["Location"] == lands


def test_no_one_stops_anothers_follow(commons: FeedServer, ben: User, olu: User) -> None:
    source = Source.objects.get(feed_url=commons.url("/rss20.xml"))
    client_for(ben).post("/hub/follow/", {"source": source.pk})
    follow = Follow.objects.get(user=ben)
    response = client_for(olu).post(f"/hub/follows/{follow.pk}/remove/", {"back": "/hub/"})
    assert response.status_code == 404
    assert Follow.objects.filter(pk=follow.pk).exists()
    # Nor does another person's follow show as theirs.
    page = client_for(olu).get(source.get_absolute_url()).content.decode()
    assert "Stop following" not in page


def test_anonymous_visitors_are_asked_to_sign_in(commons: FeedServer, client: Client) -> None:
    for url, _ in _pages(commons):
        page = client.get(url).content.decode()
        assert "to follow this." in page and "Stop following" not in page, url


def test_the_site_collects_and_people_follow(
    commons: FeedServer, client: Client, staff: User
) -> None:
    source = Source.objects.get(feed_url=commons.url("/rss20.xml"))
    page = client.get(source.get_absolute_url()).content.decode()
    assert "Collected by this site" in page
    assert "Followed" not in page
    source.state = Source.State.RETIRED
    source.save(update_fields=["state"])
    page = client.get(source.get_absolute_url()).content.decode()
    assert "No longer collected" in page and "Collected by this site" not in page
    assert "Collected hubs" in client.get("/hub/sources/").content.decode()


@pytest.mark.parametrize("who", ["anonymous", "member", "site admin"])
def test_operator_detail_is_for_site_admins(
    commons: FeedServer, ben: User, staff: User, who: str
) -> None:
    source = Source.objects.get(feed_url=commons.url("/rss20.xml"))
    client = {"anonymous": Client(), "member": client_for(ben), "site admin": client_for(staff)}[
        who
    ]
    page = client.get(source.get_absolute_url()).content.decode()
    operator = [source.feed_url, "Check history", " ms</td>", "Next check", source.last_message]
    if who == "site admin":
        assert all(text in page for text in operator), page
    else:
        assert not [text for text in operator if text in page]
        assert "Collected by this site" in page and "Sectors" in page
