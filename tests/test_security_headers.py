"""Every response carries the Content-Security-Policy, with nothing inline allowed."""

from __future__ import annotations

import pytest
from django.test import Client

from commonground.accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path", ["/", "/hub/", "/accounts/login/", "/no-such-page/", "/api/v1/docs/", "/healthz"]
)
def test_every_response_has_the_policy(client: Client, path: str) -> None:
    policy = client.get(path)["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["img-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert "unsafe" not in policy


def test_signed_in_pages_have_it_too(ada_client: Client, ada: User) -> None:
    assert "script-src 'self'" in ada_client.get("/accounts/profile/")["Content-Security-Policy"]


def test_a_post_too_big_is_refused_before_it_is_read(
    ada_client: Client, settings: object, caplog: pytest.LogCaptureFixture
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.UPLOAD_MAX_BYTES = 10_000  # type: ignore[attr-defined]
    response = ada_client.post(
        "/organisations/new/", {"file": SimpleUploadedFile("big.csv", b"x" * 20_000)}
    )
    assert response.status_code == 413
    page = response.content.decode()
    assert "That was too big to send" in page and "at most 10 KB" in page
    assert "Too big: POST /organisations/new/ of 20 KB refused" in caplog.text
    # Under the limit, the same page answers as usual.
    assert ada_client.post("/organisations/new/", {"name": ""}).status_code == 200
