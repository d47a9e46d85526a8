"""The home page and the main navigation, both built from what the parts registered."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from commonground import parts
from commonground.accounts.models import Invitation, Organisation, Role, User
from commonground.evaluation import services as evaluation
from commonground.evaluation.models import EvaluationForm, Response
from commonground.hub import services as hub
from commonground.hub.models import Item, Source
from tests.conftest import client_for, make_person
from tests.hub.feedserver import FeedServer

SRC = Path(__file__).resolve().parent.parent / "src" / "commonground"


def main_nav(html: str) -> str:
    found = re.search(r'<nav aria-label="Main".*?</nav>', html, re.S)
    assert found is not None
    return found.group(0)


@pytest.mark.django_db
def test_a_newcomer_learns_what_it_is_for_and_finds_each_part(client: Client) -> None:
    html = client.get("/").content.decode()
    assert "Common ground for community engagement" in html
    # The Hub's panel searches the Hub, without JavaScript: a GET form to its search page.
    assert re.search(r'<form method="get" action="/hub/search/" role="search"', html)
    assert 'name="q"' in html
    for heading in ("Hub: what every sector is learning", "Evaluate: evidence and outcomes"):
        assert heading in html
    assert html.index("Hub: what") < html.index("Evaluate:") < html.index(">Organisations</h2>")
    assert 'href="/accounts/signup/"' in html


@pytest.mark.django_db
def test_the_main_navigation_comes_from_the_parts_and_marks_where_you_are(
    ada_client: Client, client: Client
) -> None:
    nav = main_nav(client.get("/hub/").content.decode())
    assert re.findall(r">([^<>]+)</a>", nav) == [
        "Home", "Hub", "Learn", "Frameworks", "Organisations"
    ]  # fmt: skip
    assert '<a href="/hub/" aria-current="page">Hub</a>' in nav
    # Groups and Evaluate are for people signed in; API documentation sits in the footer.
    assert "API" not in nav
    nav = main_nav(ada_client.get("/hub/search/?q=libraries").content.decode())
    assert re.findall(r">([^<>]+)</a>", nav) == [
        "Home",
        "Hub",
        "Learn",
        "Frameworks",
        "Groups",
        "Evaluate",
        "Organisations",
    ]
    assert '<a href="/hub/" aria-current="true">Hub</a>' in nav
    assert 'aria-current="page">Home' not in nav
    page = ada_client.get("/evaluate/").content.decode()
    assert '<a href="/evaluate/" aria-current="page">Evaluate</a>' in main_nav(page)
    assert 'href="/api/v1/docs/">API documentation</a>' in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("address", "goes_to"),
    [
        ("/login/", "/accounts/login/"),
        ("/signin/", "/accounts/login/"),
        ("/sign-in/", "/accounts/login/"),
        ("/signup/", "/accounts/signup/"),
        ("/register/", "/accounts/signup/"),
        ("/logout/", "/accounts/logout/"),
        ("/forgot-password/", "/accounts/password/reset/"),
        ("/profile/", "/accounts/profile/"),
        ("/accounts/", "/accounts/profile/"),
        ("/evaluation/", "/evaluate/"),
        ("/search/", "/hub/search/"),
        ("/search/?q=tenant+voice&sector=3", "/hub/search/?q=tenant+voice&sector=3"),
        ("/login/?next=/evaluate/", "/accounts/login/?next=/evaluate/"),
    ],
)
def test_common_addresses_lead_to_the_real_pages(
    client: Client, address: str, goes_to: str
) -> None:
    response = client.get(address)
    assert response.status_code in {301, 302}
    assert response["Location"] == goes_to
    assert client.get(address, follow=True).status_code == 200


@pytest.fixture
def followed(commons: FeedServer, ada: User) -> list[Item]:
    source = Source.objects.get(feed_url__endswith="/rss20.xml")
    hub.follow_add(user=ada, source=source)
    return list(Item.objects.filter(carriages__source=source))


@pytest.mark.django_db
def test_a_signed_in_person_sees_their_own_things_in_each_part(
    followed: list[Item],
    ada: User,
    ada_client: Client,
    evaluation_form: EvaluationForm,
    elsewhere: Organisation,
    olu: User,
    django_assert_max_num_queries: object,
) -> None:
    Invitation.objects.create(
        organisation=elsewhere,
        email=ada.email,
        role=Role.EVALUATOR,
        invited_by=olu,
        expires=timezone.now() + timedelta(days=3),
    )
    useful = evaluation_form.questions.first()
    assert useful is not None
    evaluation.response_submit(
        form=evaluation_form, answers={useful.pk: 4}, channel=Response.Channel.PAPER
    )
    with django_assert_max_num_queries(25):  # type: ignore[operator]
        html = ada_client.get("/").content.decode()
    assert "Welcome, Ada Admin" in html
    # Hub: what she follows, newest first, new since her last visit marked.
    assert f"{len(followed)} new items" in html
    newest = max(followed, key=lambda i: (i.published_at, i.pk))
    assert f'href="{newest.get_absolute_url()}"' in html
    assert 'href="/hub/following/"' in html
    # Evaluate: the programmes she may evaluate, with responses that came in since.
    assert "Engaging Communities 2026" in html
    assert "1 new response" in html
    # Accounts: her organisation, and an invitation waiting for her.
    assert 'Riverside Libraries</a> <span class="meta">Admin · 1 member</span>' in html
    assert "Elsewhere Museum invites you to join as evaluator" in html
    assert "/invitations/" in html


@pytest.mark.django_db
def test_what_is_new_is_what_came_since_the_last_visit(
    followed: list[Item], ada_client: Client
) -> None:
    Item.objects.update(first_seen_at=timezone.now() - timedelta(days=3))
    # A first visit from this browser: new means from the last week.
    first = ada_client.get("/").content.decode()
    assert f"{len(followed)} new items</strong> in the last week" in first
    # Looking again within the visit, the same things are still new.
    assert f"{len(followed)} new items" in ada_client.get("/").content.decode()
    # After a long gap, only what arrived after the previous visit is.
    session = ada_client.session
    session["home_seen"] = (timezone.now() - timedelta(hours=2)).isoformat()
    session.save()
    Item.objects.filter(pk=followed[0].pk).update(first_seen_at=timezone.now())
    later = ada_client.get("/").content.decode()
    assert "<strong>1 new item</strong> since your last visit" in later


@pytest.mark.django_db
def test_a_person_with_nothing_yet_is_told_how_to_start(db: None) -> None:
    nia = make_person("nia@example.org", "Nia Newcomer")
    html = client_for(nia).get("/").content.decode()
    assert "You do not follow anything yet" in html
    assert "Programmes belong to organisations" in html
    assert "You are not part of an organisation yet" in html


@pytest.mark.django_db
def test_an_invitation_to_someone_else_is_not_shown(
    ada: User, ben_client: Client, riverside: Organisation, elsewhere: Organisation
) -> None:
    for organisation in (riverside, elsewhere):
        Invitation.objects.create(
            organisation=organisation,
            email="someone.else@example.org",
            role=Role.MEMBER,
            invited_by=ada,
            expires=timezone.now() + timedelta(days=3),
        )
    assert "invites you" not in ben_client.get("/").content.decode()


def test_the_project_root_names_no_part() -> None:
    """urls.py, the API, base.html, the commands and lib/ loop over the parts (STYLE.md)."""
    names = [part.name for part in parts.registered()]
    assert {"commonground.hub", "commonground.evaluation", "commonground.accounts"} <= set(names)
    root = [
        *SRC.glob("*.py"),
        *(SRC / "management").rglob("*.py"),
        *(SRC / "api").rglob("*.py"),
        *(SRC / "lib").rglob("*.py"),
    ]
    for path in root:
        if path.name == "settings.py":  # INSTALLED_APPS names the apps, as it must
            continue
        text = path.read_text()
        for name in names:
            assert name not in text, f"{path.relative_to(SRC)} names {name}"
