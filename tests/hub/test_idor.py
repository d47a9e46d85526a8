"""Ids in a Hub form's fields: a reply names its parent, which must be on the same item."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from commonground.accounts import services as accounts
from commonground.accounts.models import User
from commonground.hub import services
from commonground.hub.models import Comment, Item

pytestmark = pytest.mark.django_db


def _item(n: int) -> Item:
    return Item.objects.create(
        link_key=f"idor{n}",
        link=f"https://x.example/{n}",
        title=f"Item {n}",
        published_at=timezone.now(),
        content_hash="x",
    )


def test_a_reply_names_a_parent_on_its_own_item_only(
    ada: User, olu_client: Client, olu: User
) -> None:
    first, second = _item(1), _item(2)
    theirs = services.comment_add(item=first, author=ada, body="On the first item.")
    url = f"/hub/items/{second.pk}/comments/"
    assert olu_client.post(url, {"body": "Crossed", "parent": theirs.pk}).status_code == 404
    _token, raw = accounts.api_token_create(user=olu, name="probe")
    sent = Client().post(
        f"/api/v1/hub/items/{second.pk}/comments",
        data={"body": "Crossed", "parent": theirs.pk},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert sent.status_code == 404
    assert not Comment.objects.filter(parent=theirs).exists()
