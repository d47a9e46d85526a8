"""Sharing an answer or a chapter's answers by a link its owner can withdraw."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from commonground.accounts.models import User
from commonground.learning import services
from commonground.learning.models import Course, Share

pytestmark = pytest.mark.django_db


def test_a_shared_answer_is_read_by_link_until_withdrawn(
    course: Course, ada: User, ada_client: Client, olu_client: Client, client: Client
) -> None:
    question = course.questions.get(key="last-time-you-listened")
    mine = services.reflection_save(person=ada, question=question, text="The café hours.")
    services.reflection_save(
        person=ada, question=course.questions.get(key="how-often"), chosen=["Usually"]
    )
    made = ada_client.post(
        reverse("learning:share_create"), {"reflection": mine.pk, "note": "my facilitator"}
    )
    assert made.status_code == 303
    share = Share.objects.get()
    link = share.get_absolute_url()
    page = olu_client.get(link).content.decode()
    assert "The café hours." in page and "Usually" not in page and "my facilitator" in page
    # Only people signed in; the owner's other answers are not shown.
    assert client.get(link).status_code == 302
    # Only the owner withdraws it; then it shows nothing to anyone.
    assert olu_client.post(reverse("learning:share_withdraw", args=[share.pk])).status_code == 404
    ada_client.post(reverse("learning:share_withdraw", args=[share.pk]))
    assert olu_client.get(link).status_code == 404
    assert "withdrawn" in ada_client.get(reverse("learning:shares")).content.decode()


def test_a_chapter_is_shared_as_it_is_now(
    course: Course, ada: User, ada_client: Client, olu_client: Client
) -> None:
    question = course.questions.get(key="last-time-you-listened")
    ada_client.post(reverse("learning:share_create"), {"course": "listening", "chapter": "why"})
    link = Share.objects.get().get_absolute_url()
    assert "Nothing written in this chapter yet." in olu_client.get(link).content.decode()
    services.reflection_save(person=ada, question=question, text="Written after sharing.")
    assert "Written after sharing." in olu_client.get(link).content.decode()


def test_nobody_shares_someone_elses_answer(course: Course, ada: User, olu_client: Client) -> None:
    question = course.questions.get(key="last-time-you-listened")
    mine = services.reflection_save(person=ada, question=question, text="Mine.")
    assert (
        olu_client.post(reverse("learning:share_create"), {"reflection": mine.pk}).status_code
        == 404
    )
    assert not Share.objects.exists()
