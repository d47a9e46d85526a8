"""The Hub's JSON API: reading is open, writing needs a token, sources need a site admin."""

from __future__ import annotations

import pytest
from django.test import Client

from commonground.accounts import services as accounts
from commonground.accounts.models import User
from commonground.hub.models import Comment, Item, Source
from tests.conftest import make_person
from tests.hub.feedserver import FeedServer, Route


def bearer(user: User) -> dict[str, str]:
    _token, raw = accounts.api_token_create(user=user, name="test")
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def member(db: None) -> User:
    return make_person("mo@example.org", "Mo Member")


def test_items_list_detail_and_filters(commons: FeedServer, client: Client) -> None:
    body = client.get("/api/v1/hub/items").json()
    titles = {i["title"] for i in body["items"]}
    assert {"Walk leaders' first year", "Running a repair café in the reading room"} <= titles
    assert body["page"] == 1 and body["has_next"] is False
    walk = next(i for i in body["items"] if i["title"] == "Walk leaders' first year")
    assert walk["url"] == f"http://testserver/hub/items/{walk['id']}/"
    assert walk["sources"][0]["title"] == "Health & Walks"

    health = client.get("/api/v1/hub/items", {"sector": "health"}).json()
    assert {i["title"] for i in health["items"]} == {
        i.title for i in Item.objects.filter(carriages__source__sectors__slug="health")
    }
    assert client.get("/api/v1/hub/items", {"sector": "no-such"}).status_code == 422

    detail = client.get(f"/api/v1/hub/items/{walk['id']}").json()
    assert 'rel="nofollow noopener"' in detail["content"]
    assert "<script" not in detail["content"]
    assert detail["comment_count"] == 0
    assert client.get("/api/v1/hub/items/999999").status_code == 404


def test_search_with_snippets_filters_and_bad_input(commons: FeedServer, client: Client) -> None:
    found = client.get("/api/v1/hub/search", {"q": "repair kettles"}).json()
    assert found["total"] >= 1
    assert found["items"][0]["title"] == "Running a repair café in the reading room"
    assert "<mark>kettles</mark>" in found["items"][0]["snippet"]
    none = client.get("/api/v1/hub/search", {"q": "repair kettles", "sector": "health"}).json()
    assert none["items"] == [] and none["total"] == 0
    assert client.get("/api/v1/hub/search").status_code == 422  # q is required
    hostile = client.get("/api/v1/hub/search", {"q": '"unbalanced NEAR( * OR'})
    assert hostile.status_code == 200


def test_only_site_admins_add_and_change_sources(
    feeds: FeedServer, client: Client, staff: User, member: User
) -> None:
    feeds.routes["/new.xml"] = Route(body=b"<rss version='2.0'><channel></channel></rss>")
    payload = {"feed_url": feeds.url("/new.xml"), "sectors": ["museums"], "check_now": False}
    assert (
        client.post("/api/v1/hub/sources", payload, content_type="application/json").status_code
        == 401
    )
    refused = client.post(
        "/api/v1/hub/sources", payload, content_type="application/json", headers=bearer(member)
    )
    assert refused.status_code == 403
    assert not Source.objects.exists()

    admin = bearer(staff)
    made = client.post(
        "/api/v1/hub/sources", payload, content_type="application/json", headers=admin
    )
    assert made.status_code == 201, made.content
    source = made.json()
    assert source["sectors"] == [{"slug": "museums", "name": "Museums"}]
    again = client.post(
        "/api/v1/hub/sources", payload, content_type="application/json", headers=admin
    )
    assert again.status_code == 422
    assert "already followed" in again.json()["detail"]
    unknown = client.post(
        "/api/v1/hub/sources",
        {**payload, "feed_url": feeds.url("/other.xml"), "sectors": ["nope"]},
        content_type="application/json",
        headers=admin,
    )
    assert unknown.status_code == 422 and Source.objects.count() == 1

    retired = client.patch(
        f"/api/v1/hub/sources/{source['id']}",
        {"active": False, "title": "Renamed"},
        content_type="application/json",
        headers=admin,
    ).json()
    assert retired["state"] == "retired" and retired["title"] == "Renamed"
    assert retired["sectors"] == source["sectors"]  # fields not sent stay as they were
    listed = client.get("/api/v1/hub/sources").json()
    assert [s["title"] for s in listed] == ["Renamed"]


def test_comments_report_and_hide(
    commons: FeedServer, client: Client, staff: User, member: User
) -> None:
    item = Item.objects.get(title="Walk leaders' first year")
    url = f"/api/v1/hub/items/{item.pk}/comments"
    assert client.post(url, {"body": "hi"}, content_type="application/json").status_code == 401
    mine = bearer(member)
    empty = client.post(url, {"body": "   "}, content_type="application/json", headers=mine)
    assert empty.status_code == 422 and "Write something" in empty.json()["detail"]
    posted = client.post(
        url, {"body": "We did this too."}, content_type="application/json", headers=mine
    )
    assert posted.status_code == 201
    comment_id = posted.json()["id"]
    reply = client.post(
        url,
        {"body": "Tell us more", "parent": comment_id},
        content_type="application/json",
        headers=mine,
    ).json()
    assert reply["parent"] == comment_id

    report = client.post(
        f"/api/v1/hub/comments/{comment_id}/report",
        {"reason": "spam"},
        content_type="application/json",
        headers=mine,
    )
    assert report.status_code == 202
    assert client.get("/api/v1/hub/moderation", headers=mine).status_code == 403
    moderator = bearer(staff)
    queue = client.get("/api/v1/hub/moderation", headers=moderator).json()
    assert [c["id"] for c in queue] == [comment_id]
    assert (
        client.post(
            f"/api/v1/hub/comments/{comment_id}/hide",
            {},
            content_type="application/json",
            headers=mine,
        ).status_code
        == 403
    )
    hidden = client.post(
        f"/api/v1/hub/comments/{comment_id}/hide",
        {"reason": "off topic"},
        content_type="application/json",
        headers=moderator,
    ).json()
    assert hidden["hidden"] is True and hidden["body"] == ""
    listed = client.get(url).json()
    assert [(c["body"], c["hidden"]) for c in listed] == [("", True), ("Tell us more", False)]
    assert Comment.objects.get(pk=comment_id).body == "We did this too."  # kept, only hidden
    assert client.get("/api/v1/hub/moderation", headers=moderator).json() == []


def test_hub_endpoints_are_in_the_openapi_document(client: Client) -> None:
    paths = set(client.get("/api/v1/openapi.json").json()["paths"])
    assert {
        "/api/v1/hub/sources",
        "/api/v1/hub/sources/{source_id}",
        "/api/v1/hub/items",
        "/api/v1/hub/items/{item_id}",
        "/api/v1/hub/search",
        "/api/v1/hub/items/{item_id}/comments",
        "/api/v1/hub/comments/{comment_id}/report",
        "/api/v1/hub/comments/{comment_id}/hide",
        "/api/v1/hub/moderation",
    } <= paths


def test_item_and_search_endpoints_take_a_fixed_number_of_queries(
    commons: FeedServer, client: Client, django_assert_max_num_queries: object
) -> None:
    item = Item.objects.get(title="Walk leaders' first year")
    for url in ("/api/v1/hub/items", f"/api/v1/hub/items/{item.pk}", "/api/v1/hub/search?q=walk"):
        with django_assert_max_num_queries(12):  # type: ignore[operator]
            assert client.get(url).status_code == 200
