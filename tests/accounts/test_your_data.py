"""Download everything held about you; delete your account and leave nothing private."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.test import Client

from commonground.accounts import personal_data, services
from commonground.accounts.models import Invitation, Membership, Organisation, Role, User
from tests.conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db


def test_download_opens_and_holds_the_persons_data(ada_client: Client, ada: User) -> None:
    ada.about = "I run the Saturday reading circle."
    ada.save(update_fields=["about"])
    services.api_token_create(user=ada, name='=HYPERLINK("http://evil")')
    response = ada_client.get("/accounts/data/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.testzip() is None
    names = set(archive.namelist())
    assert {"README.txt", "accounts/profile.json", "accounts/memberships.csv"} <= names
    profile = json.loads(archive.read("accounts/profile.json"))
    assert profile["email"] == "ada@example.org"
    assert profile["about"] == "I run the Saturday reading circle."
    rows = list(
        csv.DictReader(io.StringIO(archive.read("accounts/memberships.csv").decode("utf-8-sig")))
    )
    assert rows == [
        {"organisation": "Riverside Libraries", "roles": "Admin", "joined": rows[0]["joined"]}
    ]
    tokens = list(
        csv.reader(io.StringIO(archive.read("accounts/api_tokens.csv").decode("utf-8-sig")))
    )
    assert tokens[1][0].startswith("'=")  # a formula is neutralised for spreadsheets


def test_download_holds_nobody_elses_data(ben_client: Client, ada: User, ben: User) -> None:
    content = ben_client.get("/accounts/data/download/").content
    archive = zipfile.ZipFile(io.BytesIO(content))
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"ada@example.org" not in everything
    assert b"ben@example.org" in everything


def test_a_new_part_plugs_in_with_one_call(ada: User) -> None:
    erased: list[int] = []
    personal_data.register(
        "zz_example",
        description="an example part",
        export=lambda user: [personal_data.DataFile("notes.json", json={"who": user.email})],
        erase=lambda user: erased.append(user.pk),
    )
    try:
        archive = zipfile.ZipFile(io.BytesIO(personal_data.export_zip(ada)))
        assert json.loads(archive.read("zz_example/notes.json")) == {"who": "ada@example.org"}
        personal_data.erase_everything(ada)
        assert erased == [ada.pk]
    finally:
        personal_data._holders.pop("zz_example")


def test_deleting_an_account_leaves_none_of_its_private_data(
    ada: User, ben: User, riverside: Organisation, tmp_path: object
) -> None:
    ben.about = "Private thoughts about the mobile library."
    ben.job_title = "Outreach worker"
    ben.save(update_fields=["about", "job_title"])
    services.api_token_create(user=ben, name="ben's script")
    Invitation.objects.create(
        organisation=riverside,
        email="ben@example.org",
        role=Role.ADMIN,
        invited_by=ada,
        expires=ada.date_joined,
    )
    ben_client = client_for(ben)
    wrong = ben_client.post("/accounts/delete/", {"password": "not it"})
    assert wrong.status_code == 400
    assert User.objects.filter(pk=ben.pk).exists()
    response = ben_client.post("/accounts/delete/", {"password": PASSWORD})
    assert response.status_code == 303
    assert not User.objects.filter(email="ben@example.org").exists()
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    dump = out.getvalue()
    for private in (
        "ben@example.org",
        "Ben Member",
        "Private thoughts",
        "Outreach worker",
        "ben's script",
    ):
        assert private not in dump
    assert "ada@example.org" in dump  # nobody else's data went with it
    assert not ben_client.get("/").context["user"].is_authenticated


def test_the_only_admin_must_hand_over_first(ada_client: Client, ada: User, ben: User) -> None:
    page = ada_client.get("/accounts/data/")
    assert b"make another member an admin" in page.content
    response = ada_client.post("/accounts/delete/", {"password": PASSWORD})
    assert response.status_code == 400
    assert User.objects.filter(pk=ada.pk).exists()
    Membership.objects.filter(user=ben).update(roles={Role.ADMIN})
    assert ada_client.post("/accounts/delete/", {"password": PASSWORD}).status_code == 303
    assert Organisation.objects.filter(slug="riverside").exists()


def test_an_organisation_of_one_goes_with_its_only_member(olu_client: Client, olu: User) -> None:
    assert olu_client.post("/accounts/delete/", {"password": PASSWORD}).status_code == 303
    assert not Organisation.objects.filter(slug="elsewhere").exists()
