"""The Hub's admin adds and changes sources through the services, so the address checks
hold there too, and moderates comments through them, so a hidden comment says who hid it."""

from __future__ import annotations

import pytest
from django.test import Client

from commonground.accounts.models import User
from commonground.hub import services
from commonground.hub.models import Comment, CommentReport, Item, Sector, Source
from tests.hub.feedserver import FeedServer

pytestmark = pytest.mark.django_db

SCHEME_REFUSED = "Enter a web address starting with http:// or https://."
SITE_REFUSED = "Enter the website as an address starting with http:// or https://."

# The fields an admin that edits sources by hand also asks for, sent with every form: on
# such an admin the unsafe source would be stored, not refused for a missing field.
BY_HAND = {
    "description": "",
    "state": Source.State.ACTIVE,
    "next_check_at_0": "2020-01-01",
    "next_check_at_1": "00:00:00",
    "check_interval": "60",
    "added_at_0": "2020-01-01",
    "added_at_1": "00:00:00",
    "updated_at_0": "2020-01-01",
    "updated_at_1": "00:00:00",
    "checks-TOTAL_FORMS": "0",
    "checks-INITIAL_FORMS": "0",
}


@pytest.fixture
def root(db: None) -> User:
    return User.objects.create_superuser(email="root@example.org", password="x", name="Root")


@pytest.fixture
def root_client(client: Client, root: User) -> Client:
    client.force_login(root)
    return client


@pytest.fixture
def comment(commons: FeedServer, ben: User, olu: User) -> Comment:
    item = Item.objects.order_by("pk").first()
    assert item is not None
    said = services.comment_add(item=item, author=ben, body="Join us at the depot on Friday.")
    services.comment_report(comment=said, reporter=olu, reason="Advertising")
    return said


def test_hub_admin_pages_open(root_client: Client, comment: Comment) -> None:
    source = Source.objects.order_by("pk").first()
    assert source is not None
    for url in (
        "/admin/hub/",
        "/admin/hub/sector/",
        "/admin/hub/theme/",
        "/admin/hub/source/",
        "/admin/hub/source/add/",
        f"/admin/hub/source/{source.pk}/change/",
        "/admin/hub/item/",
        f"/admin/hub/item/{comment.thread.hub_items.get().pk}/change/",
        "/admin/hub/comment/",
        f"/admin/hub/comment/{comment.pk}/change/",
    ):
        assert root_client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    ("feed_url", "site_url", "refusal"),
    [
        ("ftp://10.0.0.1/feed.xml", "", SCHEME_REFUSED),
        ("https://hub.example.org/feed.xml", "ftp://192.168.1.1/", SITE_REFUSED),
    ],
)
def test_a_source_with_an_unsafe_address_is_refused_as_on_the_site(
    root_client: Client, feed_url: str, site_url: str, refusal: str
) -> None:
    response = root_client.post(
        "/admin/hub/source/add/",
        {**BY_HAND, "feed_url": feed_url, "title": "Sneaky", "site_url": site_url},
    )
    assert response.status_code == 200
    assert refusal in response.content.decode()
    # The form comes back as typed, to be put right.
    assert feed_url in response.content.decode()
    assert not Source.objects.exists()


def test_a_source_added_in_the_admin_says_who_added_it(root_client: Client, root: User) -> None:
    libraries = Sector.objects.get(slug="libraries")
    response = root_client.post(
        "/admin/hub/source/add/",
        {
            **BY_HAND,
            "feed_url": "https://hub.example.org/feed.xml",
            "title": "",
            "sectors": [libraries.pk],
        },
    )
    assert response.status_code == 302
    source = Source.objects.get()
    assert (source.title, source.host) == ("https://hub.example.org/feed.xml", "hub.example.org")
    assert source.added_by == root
    assert list(source.sectors.all()) == [libraries]


def test_a_source_is_changed_through_source_update(root_client: Client, root: User) -> None:
    source = services.source_add(
        feed_url="https://hub.example.org/feed.xml", by=root, check_now=False
    )
    change = f"/admin/hub/source/{source.pk}/change/"
    form = {
        **BY_HAND,
        "feed_url": "https://elsewhere.example.org/feed.xml",
        "title": "Riverside hub",
        "site_url": "ftp://192.168.1.1/",
        "state": Source.State.RETIRED,
    }
    response = root_client.post(change, form)
    assert response.status_code == 200
    assert SITE_REFUSED in response.content.decode()
    source.refresh_from_db()
    assert (source.title, source.state) == ("https://hub.example.org/feed.xml", "active")

    response = root_client.post(change, {**form, "site_url": "https://hub.example.org/"})
    assert response.status_code == 302
    source.refresh_from_db()
    assert (source.title, source.state) == ("Riverside hub", Source.State.RETIRED)
    # The address it is followed at and the harvester's schedule are not the admin's.
    assert source.feed_url == "https://hub.example.org/feed.xml"
    assert source.check_interval == 3600
    assert root_client.post(f"/admin/hub/source/{source.pk}/delete/").status_code == 403


def test_hiding_a_comment_in_the_admin_records_who_hid_it(
    root_client: Client, root: User, comment: Comment
) -> None:
    # Not by editing the comment, which would leave no record of who did it.
    response = root_client.post(
        f"/admin/hub/comment/{comment.pk}/change/",
        {"body": "Edited", "hidden_at_0": "2026-01-01", "hidden_at_1": "09:00:00"},
    )
    assert response.status_code == 403
    comment.refresh_from_db()
    assert (comment.body, comment.hidden_at) == ("Join us at the depot on Friday.", None)

    response = root_client.post(
        "/admin/hub/comment/",
        {"action": "hide", "_selected_action": [comment.pk], "index": "0", "reason": "Spam"},
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.hidden_at is not None
    assert (comment.hidden_by, comment.hidden_reason) == (root, "Spam")
    assert not CommentReport.objects.filter(resolved_at__isnull=True).exists()

    root_client.post(
        "/admin/hub/comment/",
        {"action": "restore", "_selected_action": [comment.pk], "index": "0"},
    )
    comment.refresh_from_db()
    assert (comment.hidden_at, comment.hidden_by) == (None, None)
    assert root_client.post(f"/admin/hub/comment/{comment.pk}/delete/").status_code == 403
