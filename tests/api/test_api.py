from __future__ import annotations

import pytest
from django.test import Client

from commonground.accounts import services
from commonground.accounts.models import Membership, Organisation, User

pytestmark = pytest.mark.django_db


def bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


def test_me_with_a_personal_token(client: Client, ada: User) -> None:
    _token, raw = services.api_token_create(user=ada, name="script")
    response = client.get("/api/v1/me", headers=bearer(raw))
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == "ada@example.org"
    assert body["organisations"] == [
        {
            "slug": "riverside",
            "name": "Riverside Libraries",
            "roles": ["admin", "member"],
            "url": "http://testserver/organisations/riverside/",
        }
    ]


def test_me_refuses_missing_wrong_and_revoked_tokens(client: Client, ada: User) -> None:
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers=bearer("cg_not-a-real-token")).status_code == 401
    token, raw = services.api_token_create(user=ada, name="old")
    services.api_token_revoke(token=token)
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 401


def test_me_with_a_signed_in_browser(ada_client: Client) -> None:
    assert ada_client.get("/api/v1/me").json()["name"] == "Ada Admin"


def test_token_made_and_revoked_on_the_profile(ada_client: Client, ada: User) -> None:
    page = ada_client.post("/accounts/tokens/", {"name": "monthly report"})
    html = page.content.decode()
    assert "Copy it now" in html
    raw = html.split('id="new-token" class="token" type="text" readonly value="')[1].split('"')[0]
    assert Client().get("/api/v1/me", headers=bearer(raw)).status_code == 200
    token = ada.api_tokens.get()
    assert token.token_hash != raw and raw not in token.token_hash  # only a digest is kept
    later = ada_client.get("/accounts/tokens/").content.decode()
    assert raw not in later  # shown once only
    ada_client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert Client().get("/api/v1/me", headers=bearer(raw)).status_code == 401


def test_someone_elses_token_cannot_be_revoked(olu_client: Client, ada: User) -> None:
    token, raw = services.api_token_create(user=ada, name="mine")
    assert olu_client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    assert Client().get("/api/v1/me", headers=bearer(raw)).status_code == 200


def test_organisations_directory_is_public(client: Client, ada: User, olu: User) -> None:
    body = client.get("/api/v1/organisations").json()
    assert [o["slug"] for o in body] == ["elsewhere", "riverside"]
    assert body[1]["member_count"] == 1


def test_openapi_document_and_docs_page(client: Client) -> None:
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert {"/api/v1/me", "/api/v1/organisations"} <= set(document["paths"])
    page = client.get("/api/v1/docs/").content.decode()
    assert "GET /api/v1/me" in page
    assert "MeOut" in page
    assert 'href="/api/v1/openapi.json"' in page


def test_me_uses_a_fixed_number_of_queries(
    client: Client, ada: User, django_assert_max_num_queries: object
) -> None:
    _token, raw = services.api_token_create(user=ada, name="script")
    for n in range(20):
        org = Organisation.objects.create(name=f"Org {n}", slug=f"org-{n}")
        Membership.objects.create(user=ada, organisation=org, roles=set())
    with django_assert_max_num_queries(3):  # type: ignore[operator]
        response = client.get("/api/v1/me", headers=bearer(raw))
    assert len(response.json()["organisations"]) == 21
