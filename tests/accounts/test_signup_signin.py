"""Signing up (with a confirmed address), in and out, and resetting a password."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

from commonground.accounts.models import User
from tests.conftest import PASSWORD, make_person

pytestmark = pytest.mark.django_db


def link_in(body: str, path: str) -> str:
    """The path of the first link in an email whose path starts with ``path``."""
    found = re.search(rf"http://testserver({re.escape(path)}\S*)", body)
    assert found is not None, body
    return found.group(1)


def sign_up(client: Client, email: str = "nia@example.org", **extra: str) -> object:
    data = {"name": "Nia Newcomer", "email": email, "password1": PASSWORD, **extra}
    return client.post("/accounts/signup/", data)


def test_sign_up_asks_for_the_address_to_be_confirmed_before_signing_in(client: Client) -> None:
    response = sign_up(client, email="Nia@Example.org")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = User.objects.get(email="nia@example.org")
    assert user.name == "Nia Newcomer"
    assert not client.get("/").context["user"].is_authenticated
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Confirm your email address for Common Ground"
    page = client.get(response["Location"])
    assert b"Check your email" in page.content
    # Following the link and confirming signs the person in.
    confirm = link_in(mail.outbox[0].body, "/accounts/confirm-email/")
    assert b"Yes, confirm it" in client.get(confirm).content
    done = client.post(confirm)
    assert done.status_code == 302
    assert client.get("/").context["user"] == user
    assert EmailAddress.objects.get(user=user).verified


def test_an_unconfirmed_account_cannot_sign_in(client: Client) -> None:
    make_person("nia@example.org", "Nia", verified=False)
    response = client.post("/accounts/login/", {"login": "nia@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert not client.get("/").context["user"].is_authenticated
    assert "/accounts/confirm-email/" in mail.outbox[-1].body  # a fresh link is sent


def test_sign_up_errors_are_summarised_and_tied_to_fields(client: Client) -> None:
    response = client.post("/accounts/signup/", {"name": "", "email": "nope", "password1": "short"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: Create an account" in html
    assert "There is a problem" in html
    assert 'href="#id_email"' in html
    assert 'aria-describedby="id_password1-hint id_password1-error"' in html
    assert 'aria-invalid="true"' in html
    assert "placeholder=" not in html
    assert "Enter your name." in html  # each empty field's own message, not "required" thrice
    assert not User.objects.exists()


def test_sign_up_with_a_taken_address_tells_only_its_owner(client: Client, ada: User) -> None:
    fresh = sign_up(Client(), email="someone.new@example.org")
    taken = sign_up(client, email="ADA@example.org")
    # The same answer as for a new address, so nobody learns who has an account ...
    assert taken.status_code == fresh.status_code == 302
    assert taken["Location"] == fresh["Location"]
    assert User.objects.filter(email__iexact="ada@example.org").count() == 1
    # ... and the owner hears of it by email.
    message = mail.outbox[-1]
    assert message.to == ["ada@example.org"]
    assert "already an account" in message.body
    ada.refresh_from_db()
    assert ada.check_password(PASSWORD)


def test_sign_up_follows_a_safe_next_only(client: Client) -> None:
    data = {"name": "Nia", "email": "nia@example.org", "password1": PASSWORD}
    client.post("/accounts/signup/?next=https://evil.example/", data)
    confirm = link_in(mail.outbox[0].body, "/accounts/confirm-email/")
    assert client.post(confirm)["Location"] == "/"


def test_names_stay_on_one_line(client: Client) -> None:
    response = sign_up(client, name="Nia\r\nBcc: everyone@example.org")
    assert b"Write this on one line" in response.content
    assert not User.objects.exists()


def test_sign_in_and_out(client: Client, ada: User) -> None:
    bad = client.post("/accounts/login/", {"login": "ada@example.org", "password": "wrong"})
    assert bad.status_code == 200
    assert b"<title>Error: Sign in" in bad.content
    good = client.post("/accounts/login/", {"login": "ada@example.org", "password": PASSWORD})
    assert good.status_code == 302
    assert client.get("/").context["user"] == ada
    # Signing out is a button (POST with CSRF); the address alone only asks.
    assert b"Sign out?" in client.get("/accounts/logout/").content
    assert client.get("/").context["user"] == ada
    client.post("/accounts/logout/")
    assert not client.get("/").context["user"].is_authenticated


def test_password_reset_by_email(client: Client, ada: User) -> None:
    response = client.post("/accounts/password/reset/", {"email": "ada@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "Common Ground" in mail.outbox[0].subject
    link = link_in(mail.outbox[0].body, "/accounts/password/reset/key/")
    form_page = client.get(link, follow=True)
    assert b"Choose a new password" in form_page.content
    new = "another long password 77"
    done = client.post(form_page.redirect_chain[-1][0], {"password1": new, "password2": new})
    assert done.status_code == 302
    ada.refresh_from_db()
    assert ada.check_password(new)
    # The person is told, at their address.
    assert mail.outbox[-1].subject == "Your Common Ground password was changed"
    assert "revoked" in mail.outbox[-1].body


def test_password_reset_answers_the_same_for_an_unknown_address(client: Client, ada: User) -> None:
    known = Client().post("/accounts/password/reset/", {"email": "ada@example.org"})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"]
    # Only the unknown address's owner learns there is no account.
    assert mail.outbox[-1].to == ["nobody@example.org"]
    assert "/accounts/password/reset/key/" not in mail.outbox[-1].body


def test_profile_edit(ada_client: Client, ada: User) -> None:
    page = ada_client.get("/accounts/profile/")
    assert b"ada@example.org" in page.content
    response = ada_client.post(
        "/accounts/profile/",
        {"name": "Ada Lovelace", "job_title": "Community Librarian", "about": "Reading groups."},
    )
    assert response.status_code == 303
    ada.refresh_from_db()
    assert (ada.name, ada.job_title, ada.about) == (
        "Ada Lovelace",
        "Community Librarian",
        "Reading groups.",
    )
    refused = ada_client.post(
        "/accounts/profile/", {"name": "Ada\u202eevil", "job_title": "", "about": ""}
    )
    assert refused.status_code == 200
    assert b"Write this on one line" in refused.content


def test_account_pages_need_sign_in(client: Client) -> None:
    for url in (
        "/accounts/profile/",
        "/accounts/tokens/",
        "/accounts/data/",
        "/accounts/email/",
        "/accounts/password/change/",
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")


def test_the_admin_sign_in_page_sends_people_to_ours(client: Client) -> None:
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
