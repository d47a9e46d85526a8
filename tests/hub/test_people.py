"""What the Hub holds about a person goes in their download and goes when they leave; site
admins edit the shared vocabulary and theme rules."""

from __future__ import annotations

import io
import zipfile

from django.test import Client

from commonground.accounts.models import User
from commonground.hub import services
from commonground.hub.models import Comment, CommentReport, FeedKey, Follow, Item, Theme
from tests.conftest import PASSWORD, client_for, make_person
from tests.hub.feedserver import FeedServer


def test_download_and_deletion_cover_the_hub(commons: FeedServer, staff: User) -> None:
    mo = make_person("mo@example.org", "Mo Member")
    item = Item.objects.get(title="Walk leaders' first year")
    mine = services.comment_add(item=item, author=mo, body="Our walks start at the library.")
    theirs = services.comment_add(item=item, author=staff, body="Staff note")
    services.comment_report(comment=theirs, reporter=mo, reason="Looks like an advert")
    services.follow_add(user=mo, query="repair café")
    services.feed_key_for(user=mo)
    client = client_for(mo)

    archive = zipfile.ZipFile(io.BytesIO(client.get("/accounts/data/download/").content))
    assert "Our walks start at the library." in archive.read("hub/comments.csv").decode()
    assert "Staff note" not in archive.read("hub/comments.csv").decode()
    assert "Looks like an advert" in archive.read("hub/comment_reports.csv").decode()
    assert "repair café" in archive.read("hub/follows.csv").decode()
    assert "hub/" in archive.read("README.txt").decode()

    assert client.post("/accounts/delete/", {"password": PASSWORD}).status_code == 303
    assert not User.objects.filter(email="mo@example.org").exists()
    kept = Comment.objects.get(pk=mine.pk)
    assert kept.author is None and kept.body == "Our walks start at the library."
    assert not Follow.objects.exists() and not FeedKey.objects.exists()
    assert not CommentReport.objects.exists()
    page = Client().get(item.get_absolute_url()).content.decode()
    assert "A former member" in page


def test_site_admins_edit_themes_and_reapply_their_rules(commons: FeedServer) -> None:
    root = User.objects.create_superuser(email="root@example.org", password=PASSWORD, name="Root")
    client = client_for(root)
    theme = Theme.objects.get(slug="volunteering")
    for url in (
        "/admin/hub/sector/",
        "/admin/hub/theme/",
        f"/admin/hub/theme/{theme.pk}/change/",
        "/admin/hub/source/",
        "/admin/hub/item/",
        "/admin/hub/comment/",
    ):
        assert client.get(url).status_code == 200, url
    theme.keywords = "kettles"
    theme.save()
    response = client.post(
        "/admin/hub/theme/",
        {"action": "reapply", "_selected_action": [theme.pk]},
        follow=True,
    )
    assert "now marks 1 item by its rules" in response.content.decode()
    assert [i.title for i in theme.items.all()] == ["Running a repair café in the reading room"]
