"""Themes on an item's page: anyone signed in adds one; who may take one off, as each persona.

A theme the rules gave comes off only by a moderator's hand; a theme added by hand,
by a moderator's or by the hand that added it.
"""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.test import Client

from commonground.accounts.models import User
from commonground.hub.models import Item, ItemTheme, Theme
from tests.conftest import client_for, make_person
from tests.hub.feedserver import FeedServer

TITLE = "Running a repair café in the reading room"  # the rules give it "Volunteering"


def _remove(client: Client, item: Item, theme: Theme) -> int:
    response = client.post(f"/hub/items/{item.pk}/themes/", {"theme": theme.pk, "action": "remove"})
    return response.status_code


def _offered(client: Client, item: Item) -> set[str]:
    """The themes whose Remove button the person sees on the item's page."""
    page = client.get(f"/hub/items/{item.pk}/").content.decode()
    return {
        t.name
        for t in Theme.objects.all()
        if f'Remove<span class="visually-hidden"> the theme {t.name}<' in page
    }


def test_who_may_remove_which_theme(
    commons: FeedServer, ada: User, ben: User, olu: User, staff: User
) -> None:
    item = Item.objects.get(title=TITLE)
    by_rule = Theme.objects.get(slug="volunteering")
    assert ItemTheme.objects.get(item=item, theme=by_rule).by_rule
    funding = Theme.objects.get(slug="funding")
    ben_client = client_for(ben)
    ben_client.post(f"/hub/items/{item.pk}/themes/", {"theme": funding.pk, "action": "add"})
    assert not ItemTheme.objects.get(item=item, theme=funding).by_rule

    moderator = make_person("mo@example.org", "Mo Moderator")
    moderator.user_permissions.add(Permission.objects.get(codename="moderate_comment"))
    clients = {
        "ada": client_for(ada),  # an organisation admin, but no moderator
        "ben": ben_client,
        "olu": client_for(olu),
        "mo": client_for(moderator),
        "sam": client_for(staff),
    }
    assert _remove(Client(), item, by_rule) == 302  # to sign in
    for name in ("olu", "ada", "ben"):
        response = clients[name].post(
            f"/hub/items/{item.pk}/themes/", {"theme": by_rule.pk, "action": "remove"}
        )
        assert response.status_code == 403, name
        assert (
            "Only moderators can remove the theme “Volunteering” here" in response.content.decode()
        )
    for name in ("olu", "ada"):
        response = clients[name].post(
            f"/hub/items/{item.pk}/themes/", {"theme": funding.pk, "action": "remove"}
        )
        assert response.status_code == 403, name
        assert "the person who added the theme “Funding”" in response.content.decode()
    assert set(item.themes.values_list("slug", flat=True)) == {"volunteering", "funding"}

    assert _offered(Client(), item) == set()
    assert _offered(clients["olu"], item) == set()
    assert _offered(clients["ada"], item) == set()
    assert _offered(clients["ben"], item) == {"Funding"}
    assert _offered(clients["mo"], item) == {"Volunteering", "Funding"}

    assert _remove(clients["ben"], item, funding) == 303
    assert _remove(clients["mo"], item, by_rule) == 303
    assert not item.themes.exists()
    assert _remove(clients["sam"], item, by_rule) == 404  # no longer on the item


def test_site_admins_remove_any_theme(commons: FeedServer, ben: User, staff: User) -> None:
    item = Item.objects.get(title=TITLE)
    funding = Theme.objects.get(slug="funding")
    client_for(ben).post(f"/hub/items/{item.pk}/themes/", {"theme": funding.pk, "action": "add"})
    sam = client_for(staff)
    assert _offered(sam, item) == {"Volunteering", "Funding"}
    assert _remove(sam, item, funding) == 303
    assert _remove(sam, item, Theme.objects.get(slug="volunteering")) == 303
    assert not item.themes.exists()
