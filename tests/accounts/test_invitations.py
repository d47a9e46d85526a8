from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from commonground.accounts import services
from commonground.accounts.models import Invitation, Membership, Organisation, Role, User
from tests.conftest import PASSWORD, make_person

pytestmark = pytest.mark.django_db

Capture = Callable[..., AbstractContextManager[list[Callable[[], None]]]]


def invite(client: Client, capture: Capture, email: str, role: str = "member") -> Client:
    with capture(execute=True):
        response = client.post(
            "/organisations/riverside/invitations/", {"email": email, "role": role}
        )
    assert response.status_code == 303, response.content.decode()
    return client


def link_path(body: str) -> str:
    found = re.search(r"https?://[^/\s]+(/invitations/\S+/)", body)
    assert found is not None, body
    return found.group(1)


def test_admin_invites_and_the_email_goes_after_commit(
    ada_client: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    invite(ada_client, django_capture_on_commit_callbacks, "New.Person@example.org", "evaluator")
    invitation = Invitation.objects.get()
    assert invitation.email == "new.person@example.org"
    assert invitation.sent_at is not None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@example.org"]
    assert "Riverside Libraries" in message.subject
    assert "as evaluator" in message.body


def test_new_person_signs_up_from_the_link_and_joins(
    ada_client: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    invite(ada_client, django_capture_on_commit_callbacks, "nia@example.org", "facilitator")
    path = link_path(mail.outbox[0].body)
    visitor = Client()
    page = visitor.get(path)
    assert b"Create an account" in page.content
    visitor.post(
        f"/accounts/signup/?next={path}",
        {"name": "Nia", "email": "nia@example.org", "password1": PASSWORD},
    )
    # Confirming the address signs her in and brings her back to the invitation.
    confirm = re.search(r"http://testserver(/accounts/confirm-email/\S+)", mail.outbox[-1].body)
    assert confirm is not None
    assert visitor.post(confirm.group(1))["Location"] == path
    response = visitor.post(path)
    assert response.status_code == 303
    nia = User.objects.get(email="nia@example.org")
    assert Membership.objects.get(user=nia).roles == {Role.FACILITATOR}
    assert Invitation.objects.get().accepted_by == nia
    # The same link cannot be used again.
    again = visitor.post(path)
    assert again.status_code == 400
    assert b"no longer open" in again.content


def test_signed_in_as_someone_else_cannot_accept(
    ada_client: Client, olu_client: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    invite(ada_client, django_capture_on_commit_callbacks, "someone@example.org")
    response = olu_client.post(link_path(mail.outbox[0].body))
    assert response.status_code == 400
    assert b"was sent to someone@example.org" in response.content
    assert not Membership.objects.filter(
        organisation__slug="riverside", user__email="olu@example.org"
    ).exists()


def test_tampered_or_withdrawn_links_do_not_work(
    ada_client: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    invite(ada_client, django_capture_on_commit_callbacks, "kim@example.org")
    path = link_path(mail.outbox[0].body)
    tampered = path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]
    assert Client().get(tampered).status_code == 404
    invitation = Invitation.objects.get()
    ada_client.post(f"/organisations/riverside/invitations/{invitation.pk}/withdraw/")
    kim = make_person("kim@example.org", "Kim")
    kim_client = Client()
    kim_client.force_login(kim)
    response = kim_client.post(path)
    assert response.status_code == 400
    assert b"withdrawn" in response.content
    assert not Membership.objects.filter(user=kim).exists()


def test_expired_invitation_can_be_sent_again(
    ada: User, riverside: Organisation, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            organisation=riverside, email="late@example.org", role=Role.MEMBER, by=ada
        )
    Invitation.objects.filter(pk=invitation.pk).update(expires=timezone.now() - timedelta(days=1))
    invitation.refresh_from_db()
    assert invitation.status == "Expired"
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_resend(invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.is_open
    assert len(mail.outbox) == 2


def test_duplicate_and_member_invitations_are_refused(
    ada_client: Client, ben: User, django_capture_on_commit_callbacks: Capture
) -> None:
    invite(ada_client, django_capture_on_commit_callbacks, "dup@example.org")
    again = ada_client.post(
        "/organisations/riverside/invitations/", {"email": "dup@example.org", "role": "member"}
    )
    assert b"already has an invitation waiting" in again.content
    member = ada_client.post(
        "/organisations/riverside/invitations/", {"email": "ben@example.org", "role": "member"}
    )
    assert b"already a member" in member.content
    assert Invitation.objects.count() == 1


def test_outsiders_cannot_see_or_touch_invitations(
    ada_client: Client,
    olu_client: Client,
    ben_client: Client,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    invite(ada_client, django_capture_on_commit_callbacks, "private@example.org")
    invitation = Invitation.objects.get()
    for other in (olu_client, ben_client):
        page = other.get("/organisations/riverside/invitations/")
        assert page.status_code == 403
        assert b"private@example.org" not in page.content
        assert (
            other.post(
                f"/organisations/riverside/invitations/{invitation.pk}/withdraw/"
            ).status_code
            == 403
        )
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
