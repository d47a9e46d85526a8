from __future__ import annotations

import pytest
from django.test import Client

from commonground.accounts.models import Membership, Organisation, Role, User
from tests.conftest import make_person

pytestmark = pytest.mark.django_db


def test_anyone_signed_in_can_set_up_an_organisation(olu_client: Client, olu: User) -> None:
    response = olu_client.post(
        "/organisations/new/",
        {"name": "Harbourside Action", "kind": "voluntary", "description": "", "website": ""},
    )
    assert response.status_code == 303
    organisation = Organisation.objects.get(name="Harbourside Action")
    assert response["Location"] == f"/organisations/{organisation.slug}/"
    assert Membership.objects.get(user=olu, organisation=organisation).roles == {Role.ADMIN}


def test_slugs_stay_unique(olu_client: Client, riverside: Organisation) -> None:
    data = {"name": "Riverside", "kind": "library", "description": "", "website": ""}
    olu_client.post("/organisations/new/", data)
    olu_client.post("/organisations/new/", data)
    assert sorted(Organisation.objects.values_list("slug", flat=True)) == [
        "elsewhere",
        "riverside",
        "riverside-2",
        "riverside-3",
    ]


def test_public_page_shows_no_members_to_outsiders(
    olu_client: Client, client: Client, ada: User, ben: User
) -> None:
    for visitor in (olu_client, client):
        page = visitor.get("/organisations/riverside/")
        assert page.status_code == 200
        assert b"Riverside Libraries" in page.content
        assert b"Ben Member" not in page.content
        assert visitor.get("/organisations/riverside/members/").status_code in {302, 403}
        assert visitor.get("/organisations/riverside/invitations/").status_code in {302, 403}
    assert olu_client.get("/organisations/riverside/members/").status_code == 403


def test_members_see_members_but_cannot_manage(ben_client: Client, ada: User, ben: User) -> None:
    page = ben_client.get("/organisations/riverside/members/")
    assert page.status_code == 200
    assert b"Ada Admin" in page.content
    assert b"<select" not in page.content
    assert ben_client.get("/organisations/riverside/edit/").status_code == 403
    assert ben_client.get("/organisations/riverside/invitations/").status_code == 403
    membership = Membership.objects.get(user=ada)
    response = ben_client.post(
        f"/organisations/riverside/members/{membership.pk}/role/", {"roles": []}
    )
    assert response.status_code == 403
    membership.refresh_from_db()
    assert membership.roles == {Role.ADMIN}


def test_admin_changes_a_role(ada_client: Client, ben: User) -> None:
    membership = Membership.objects.get(user=ben)
    response = ada_client.post(
        f"/organisations/riverside/members/{membership.pk}/role/", {"roles": ["evaluator"]}
    )
    assert response.status_code == 303
    membership.refresh_from_db()
    assert membership.roles == {Role.EVALUATOR}


def test_role_change_by_htmx_returns_the_row(ada_client: Client, ben: User) -> None:
    membership = Membership.objects.get(user=ben)
    response = ada_client.post(
        f"/organisations/riverside/members/{membership.pk}/role/",
        {"roles": ["facilitator"]},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.strip().startswith(f'<tr id="member-{membership.pk}"')
    assert "Saved: facilitator." in html


def test_the_last_admin_cannot_step_down_or_be_removed(ada_client: Client, ada: User) -> None:
    membership = Membership.objects.get(user=ada)
    response = ada_client.post(
        f"/organisations/riverside/members/{membership.pk}/role/",
        {"roles": []},
        headers={"HX-Request": "true"},
    )
    assert "only admin" in response.content.decode()
    ada_client.post(f"/organisations/riverside/members/{membership.pk}/remove/")
    ada_client.post("/organisations/riverside/leave/")
    membership.refresh_from_db()
    assert membership.roles == {Role.ADMIN}


def test_admin_removes_a_member_and_a_member_leaves(
    ada_client: Client, ben_client: Client, ben: User, riverside: Organisation
) -> None:
    cleo = make_person("cleo@example.org", "Cleo Member")
    cleo_membership = Membership.objects.create(user=cleo, organisation=riverside)
    response = ada_client.post(f"/organisations/riverside/members/{cleo_membership.pk}/remove/")
    assert response.status_code == 303
    assert not Membership.objects.filter(user=cleo).exists()
    ben_client.post("/organisations/riverside/leave/")
    assert not Membership.objects.filter(user=ben).exists()


def test_admin_edits_details(ada_client: Client, riverside: Organisation) -> None:
    response = ada_client.post(
        "/organisations/riverside/edit/",
        {
            "name": "Riverside Libraries",
            "kind": "library",
            "description": "Eleven branches.",
            "website": "https://libraries.example.org",
        },
    )
    assert response.status_code == 303
    riverside.refresh_from_db()
    assert riverside.description == "Eleven branches."


def test_an_admin_cannot_reach_another_organisations_members(ada_client: Client, olu: User) -> None:
    outsider_membership = Membership.objects.get(user=olu)
    response = ada_client.post(
        f"/organisations/riverside/members/{outsider_membership.pk}/role/", {"roles": []}
    )
    assert response.status_code == 404
    response = ada_client.post(
        f"/organisations/elsewhere/members/{outsider_membership.pk}/role/", {"roles": []}
    )
    assert response.status_code == 403


def test_directory_lists_every_organisation_in_fixed_queries(
    client: Client, riverside: Organisation, django_assert_max_num_queries: object
) -> None:
    for n in range(30):
        Organisation.objects.create(name=f"Group {n}", slug=f"group-{n}")
    with django_assert_max_num_queries(4):  # type: ignore[operator]
        page = client.get("/organisations/")
    assert page.content.count(b'href="/organisations/group-') == 30


def test_missing_organisation_is_a_helpful_404(client: Client) -> None:
    response = client.get("/organisations/no-such-place/")
    assert response.status_code == 404
    assert b"Page not found" in response.content


@pytest.mark.parametrize("name", ["Riverside\nBcc: all@example.org", "Tab\there", "Evil\u202etxt"])
def test_an_organisation_name_stays_on_one_line(ada_client: Client, name: str) -> None:
    data = {"name": name, "kind": "library", "description": "", "website": ""}
    for url in ("/organisations/new/", "/organisations/riverside/edit/"):
        response = ada_client.post(url, data)
        assert response.status_code == 200
        assert "Write this on one line" in response.content.decode()
    assert list(Organisation.objects.values_list("name", flat=True)) == ["Riverside Libraries"]


def test_invitations_go_out_whatever_name_came_in_before(
    ada: User, riverside: Organisation, django_capture_on_commit_callbacks: object
) -> None:
    from django.core import mail

    from commonground.accounts import services

    # A name stored before names were checked, or made some other way, is folded.
    services.organisation_update(
        organisation=riverside,
        name="Riverside\r\nLibraries",
        kind="library",
        description="",
        website="",
    )
    assert riverside.name == "Riverside Libraries"
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        services.invitation_create(
            organisation=riverside, email="sam@example.org", role="member", by=ada
        )
    assert mail.outbox[-1].subject.startswith("You are invited to join Riverside Libraries")
