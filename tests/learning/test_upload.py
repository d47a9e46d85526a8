"""Site admins add or reload a course by uploading a zip of its folder."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from commonground.accounts.models import User
from commonground.learning.models import Course
from tests.conftest import client_for
from tests.learning.fixtures import COURSE, HOW, WHY

pytestmark = pytest.mark.django_db


def zipped(files: dict[str, bytes], folder: str = "listening/") -> SimpleUploadedFile:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(folder + name, data)
    return SimpleUploadedFile("course.zip", out.getvalue(), content_type="application/zip")


def test_a_site_admin_uploads_a_course(staff: User) -> None:
    client = client_for(staff)
    response = client.post(
        reverse("learning:upload"),
        {"archive": zipped({"course.yaml": COURSE, "01-why.md": WHY, "02-how.md": HOW})},
    )
    assert response.status_code == 303
    course = Course.objects.get(slug="listening")
    assert course.chapters.count() == 2 and course.questions.count() == 3


def test_a_bad_course_changes_nothing_and_says_where(staff: User) -> None:
    client = client_for(staff)
    broken = WHY.replace(b"reading_minutes: 2", b"reading_minutes: two")
    response = client.post(
        reverse("learning:upload"),
        {"archive": zipped({"course.yaml": COURSE, "01-why.md": broken, "02-how.md": HOW})},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "01-why.md:4: &#x27;reading_minutes&#x27; should be a whole number" in page
    assert not Course.objects.exists()
    not_a_zip = SimpleUploadedFile("course.zip", b"hello", content_type="application/zip")
    response = client.post(reverse("learning:upload"), {"archive": not_a_zip})
    assert response.status_code == 400 and "not a zip archive" in response.content.decode()


def test_only_site_admins_upload(ada_client: Client) -> None:
    response = ada_client.post(
        reverse("learning:upload"), {"archive": zipped({"course.yaml": COURSE})}
    )
    assert response.status_code == 403
    assert not Course.objects.exists()
