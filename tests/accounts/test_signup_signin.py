from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from commonground.accounts.models import User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_sign_up_signs_the_person_in(client: Client) -> None:
    response = client.post(
        "/accounts/signup/",
        {"name": "Nia Newcomer", "email": "Nia@Example.org", "password": PASSWORD},
    )
    assert response.status_code == 303
    user = User.objects.get(email="nia@example.org")
    assert user.name == "Nia Newcomer"
    assert client.get("/").context["user"] == user


def test_sign_up_errors_are_summarised_and_tied_to_fields(client: Client) -> None:
    response = client.post("/accounts/signup/", {"name": "", "email": "nope", "password": "short"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: Create an account" in html
    assert "There is a problem" in html
    assert 'href="#id_email"' in html
    assert 'aria-describedby="id_password-hint id_password-error"' in html
    assert 'aria-invalid="true"' in html
    assert not User.objects.exists()


def test_sign_up_with_a_taken_email_explains(client: Client, ada: User) -> None:
    response = client.post(
        "/accounts/signup/", {"name": "Ada Again", "email": "ADA@example.org", "password": PASSWORD}
    )
    assert "already exists" in response.content.decode()
    assert User.objects.filter(email="ada@example.org").count() == 1


def test_sign_up_follows_a_safe_next_only(client: Client) -> None:
    data = {"name": "Nia", "email": "nia@example.org", "password": PASSWORD}
    response = client.post("/accounts/signup/?next=https://evil.example/", data)
    assert response["Location"] == "/"


def test_sign_in_and_out(client: Client, ada: User) -> None:
    bad = client.post("/accounts/signin/", {"username": "ada@example.org", "password": "wrong"})
    assert "is not right" in bad.content.decode()
    good = client.post("/accounts/signin/", {"username": "ada@example.org", "password": PASSWORD})
    assert good.status_code == 302
    assert client.get("/").context["user"] == ada
    assert client.get("/accounts/signout/").status_code == 405  # only by POST, with CSRF
    client.post("/accounts/signout/")
    assert not client.get("/").context["user"].is_authenticated


def test_password_reset_by_email(client: Client, ada: User) -> None:
    response = client.post("/accounts/password/reset/", {"email": "ada@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "Common Ground" in mail.outbox[0].subject
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", body)
    assert link is not None
    form_page = client.get(link.group(1), follow=True)
    assert b"Choose a new password" in form_page.content
    new = "another long password 77"
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert done.status_code == 302
    ada.refresh_from_db()
    assert ada.check_password(new)


def test_password_reset_for_unknown_email_reveals_nothing(client: Client) -> None:
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


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


def test_password_change_keeps_the_person_signed_in(ada_client: Client, ada: User) -> None:
    new = "a brand new password 9"
    response = ada_client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 303
    assert ada_client.get("/").context["user"] == ada


def test_account_pages_need_sign_in(client: Client) -> None:
    for url in ("/accounts/profile/", "/accounts/tokens/", "/accounts/data/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/signin/?next=")
