"""Accounts an attacker cannot take over: confirmed addresses, passwords that end tokens and
sessions, verified email changes, and rate limits that tell nobody who has an account."""

from __future__ import annotations

import logging
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

from commonground.accounts import services
from commonground.accounts.models import ApiToken, Invitation, Membership, Organisation, User
from tests.conftest import PASSWORD, client_for, make_person

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new password 9"


def bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


def link_in(body: str, path: str) -> str:
    found = re.search(rf"http://testserver({re.escape(path)}\S*)", body)
    assert found is not None, body
    return found.group(1)


def test_someone_who_registers_another_persons_address_gets_nothing(
    client: Client, riverside: Organisation, ada: User
) -> None:
    """The pre-hijack: register the victim's address first, then wait for them."""
    client.post(
        "/accounts/signup/",
        {"name": "Mallory", "email": "victim@example.org", "password1": PASSWORD},
    )
    mallory = User.objects.get(email="victim@example.org")
    # The victim, opening the link in the email, is shown whose account it would confirm.
    confirm = link_in(mail.outbox[-1].body, "/accounts/confirm-email/")
    shown = Client().get(confirm).content.decode()
    assert "An account named <strong>Mallory</strong> was made with" in shown
    assert "Confirm only if you made it yourself" in shown
    # Without the link (it went to the victim's inbox) the account cannot sign in ...
    signed_in = client.post(
        "/accounts/login/", {"login": "victim@example.org", "password": PASSWORD}
    )
    assert signed_in["Location"] == "/accounts/confirm-email/"
    assert not client.get("/").context["user"].is_authenticated
    # ... cannot hold a token, even from a session that slipped through ...
    sneaky = client_for(mallory)
    refused = sneaky.post("/accounts/tokens/", {"name": "wait for it"})
    assert b"Confirm your email address" in refused.content
    assert not ApiToken.objects.exists()
    # ... and cannot accept an invitation sent to that address.
    invitation = services.invitation_create(
        organisation=riverside, email="victim@example.org", role="member", by=ada
    )
    accepted = sneaky.post(f"/invitations/{services.invitation_token(invitation)}/")
    assert accepted.status_code == 400
    assert b"Confirm your email address" in accepted.content
    assert not Membership.objects.filter(user=mallory).exists()
    assert Invitation.objects.get().accepted_at is None


def test_a_token_from_before_verification_waits_for_it(client: Client) -> None:
    # Accounts made before addresses were confirmed kept their tokens; they do not work
    # until the address is confirmed.
    legacy = make_person("old@example.org", "Old Account", verified=False)
    raw = "cg_" + "x" * 43
    ApiToken.objects.create(user=legacy, name="old", prefix=raw[:10], token_hash=_digest(raw))
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 401
    EmailAddress.objects.filter(user=legacy).update(verified=True)
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 200


def _digest(raw: str) -> str:
    from commonground.accounts.models import token_digest

    return token_digest(raw)


def test_a_password_change_ends_other_sessions_and_every_token(ada: User) -> None:
    here, elsewhere = client_for(ada), client_for(ada)
    _token, raw = services.api_token_create(user=ada, name="script")
    assert Client().get("/api/v1/me", headers=bearer(raw)).status_code == 200
    response = here.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        follow=True,
    )
    assert b"Your password is changed" in response.content
    assert b"API token was revoked" in response.content
    assert here.get("/").context["user"] == ada  # this session carries on
    assert not elsewhere.get("/").context["user"].is_authenticated
    assert Client().get("/api/v1/me", headers=bearer(raw)).status_code == 401
    told = mail.outbox[-1]
    assert told.to == ["ada@example.org"]
    assert "every API token you held has been revoked" in told.body


def test_a_password_reset_ends_every_session_and_token(ada: User) -> None:
    signed_in = client_for(ada)
    _token, raw = services.api_token_create(user=ada, name="script")
    visitor = Client()
    visitor.post("/accounts/password/reset/", {"email": "ada@example.org"})
    link = link_in(mail.outbox[-1].body, "/accounts/password/reset/key/")
    form_page = visitor.get(link, follow=True)
    visitor.post(
        form_page.redirect_chain[-1][0], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert not signed_in.get("/").context["user"].is_authenticated
    assert Client().get("/api/v1/me", headers=bearer(raw)).status_code == 401
    assert ApiToken.objects.get().revoked_at is not None


def test_changing_email_asks_for_the_password_first(ada: User) -> None:
    # A session left open (here: one that did not sign in with the password lately).
    client = client_for(ada)
    asked = client.post("/accounts/email/", {"email": "evil@example.org", "action_add": ""})
    assert asked.status_code == 302
    assert asked["Location"].startswith("/accounts/reauthenticate/")
    assert not EmailAddress.objects.filter(email="evil@example.org").exists()
    page = client.get(asked["Location"])
    assert b"Confirm it is you" in page.content
    wrong = client.post(asked["Location"], {"password": "not it"})
    assert b"That is not your password" in wrong.content
    assert not EmailAddress.objects.filter(email="evil@example.org").exists()


def test_changing_email_waits_for_the_new_address_to_confirm(ada: User) -> None:
    client = client_for(ada)
    asked = client.post("/accounts/email/", {"email": "ada.new@example.org", "action_add": ""})
    # Once the password is given, the change asked for carries on.
    response = client.post(asked["Location"], {"password": PASSWORD}, follow=True)
    assert b"ada.new@example.org" in response.content
    ada.refresh_from_db()
    assert ada.email == "ada@example.org"  # nothing changes until the link is followed
    message = mail.outbox[-1]
    assert message.to == ["ada.new@example.org"]
    confirm = link_in(message.body, "/accounts/confirm-email/")
    assert "which signs in with ada@example.org" in client.get(confirm).content.decode()
    client.post(confirm)
    ada.refresh_from_db()
    assert ada.email == "ada.new@example.org"
    assert list(EmailAddress.objects.filter(user=ada).values_list("email", "verified")) == [
        ("ada.new@example.org", True)
    ]
    # The old address hears of the change.
    assert any(m.to == ["ada@example.org"] and "ada.new@example.org" in m.body for m in mail.outbox)


def test_an_address_cannot_be_taken_from_its_owner(ada: User, ben: User) -> None:
    client = client_for(ben)
    client.post("/accounts/email/", {"email": "ada@example.org", "action_add": ""})
    ben.refresh_from_db()
    assert ben.email == "ben@example.org"
    assert not EmailAddress.objects.filter(user=ben, email="ada@example.org", verified=True)


def test_sign_in_failures_are_limited_logged_and_say_nothing_of_the_account(
    ada: User, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client()
    with caplog.at_level(logging.WARNING, logger="commonground.security"):
        answers = [
            client.post("/accounts/login/", {"login": "ada@example.org", "password": "wrong"})
            for _ in range(6)
        ]
    assert [b"is not right" in a.content for a in answers] == [True] * 5 + [False]
    assert b"Too many attempts to sign in with this address" in answers[5].content
    assert "Sign-in failed for ada@example.org from 127.0.0.1" in caplog.text
    assert "Too many sign-in attempts for ada@example.org from 127.0.0.1" in caplog.text
    # The right password is refused too while the limit holds: guessing cannot go on.
    good = client.post("/accounts/login/", {"login": "ada@example.org", "password": PASSWORD})
    assert b"Too many attempts" in good.content
    assert not client.get("/").context["user"].is_authenticated
    # An address with no account is limited alike (tried from elsewhere, past the limit
    # per connection), so the limit tells nothing.
    others = [
        Client(REMOTE_ADDR="192.0.2.7").post(
            "/accounts/login/", {"login": "nobody@example.org", "password": "x"}
        )
        for _ in range(6)
    ]
    assert [b"Too many" in o.content for o in others] == [b"Too many" in a.content for a in answers]


def test_sign_in_from_one_address_is_limited_with_a_clear_page(
    ada: User, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client()
    with caplog.at_level(logging.WARNING, logger="commonground.security"):
        codes = [
            client.post(
                "/accounts/login/", {"login": f"guess{n}@example.org", "password": "x"}
            ).status_code
            for n in range(31)
        ]
    # Ten failures from one connection, then each answer is the form's "too many";
    # after thirty tries of any kind in a minute the page itself is refused.
    assert codes == [200] * 30 + [429]
    page = client.post("/accounts/login/", {"login": "guess@example.org", "password": "x"})
    assert page.status_code == 429
    assert b"Too many attempts" in page.content
    assert b"<title>Too many attempts" in page.content
    assert "Too many requests: POST /accounts/login/ refused for 127.0.0.1" in caplog.text


def test_sign_ups_and_resets_from_one_address_are_limited(db: None) -> None:
    client = Client()
    answers = [
        client.post(
            "/accounts/signup/",
            {"name": "Bot", "email": f"bot{n}@example.org", "password1": PASSWORD},
        ).status_code
        for n in range(12)
    ]
    assert answers[:10] == [302] * 10
    assert answers[10:] == [429, 429]
    resets = [
        Client().post("/accounts/password/reset/", {"email": "bot0@example.org"}).status_code
        for _ in range(4)
    ]
    assert resets == [302, 302, 302, 429]


def test_an_unconfirmed_session_cannot_set_up_an_organisation(db: None) -> None:
    legacy = make_person("old@example.org", "Old Account", verified=False)
    response = client_for(legacy).post(
        "/organisations/new/", {"name": "Shadow Org", "kind": "other", "description": ""}
    )
    assert response.status_code == 200
    assert b"Confirm your email address before you set up an organisation" in response.content
    assert not Organisation.objects.filter(name="Shadow Org").exists()


def test_a_password_set_any_other_way_ends_the_tokens_too(ada: User, ben: User) -> None:
    """The admin's password form, the changepassword command and anything else that sets a
    password on the model: Django calls our hook after each."""
    root = User.objects.create_superuser(email="root@example.org", password=PASSWORD, name="Root")
    _token, raw = services.api_token_create(user=ben, name="script")
    response = client_for(root).post(
        f"/admin/accounts/user/{ben.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    ben.refresh_from_db()
    assert ben.check_password(NEW_PASSWORD)
    assert Client().get("/api/v1/me", headers=bearer(raw)).status_code == 401
    # As `commonground changepassword` does it.
    _token, raw = services.api_token_create(user=ada, name="script")
    ada.set_password(NEW_PASSWORD)
    ada.save()
    assert Client().get("/api/v1/me", headers=bearer(raw)).status_code == 401


def test_signing_in_keeps_the_tokens(ada: User) -> None:
    # Django re-hashes a password at sign-in when its hasher's settings change; that is no
    # new password, and the tokens stay.
    _token, raw = services.api_token_create(user=ada, name="script")
    client = Client()
    client.post("/accounts/login/", {"login": "ada@example.org", "password": PASSWORD})
    assert client.get("/").context["user"] == ada
    assert Client().get("/api/v1/me", headers=bearer(raw)).status_code == 200
