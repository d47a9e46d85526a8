"""A facilitator runs a course with their organisation's members and sees progress only."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from commonground.accounts.models import Membership, Organisation, Role, User
from commonground.learning import services
from commonground.learning.models import Cohort, Course
from tests.conftest import client_for, make_person

pytestmark = pytest.mark.django_db


def test_a_facilitator_sees_who_started_and_finished_never_what_they_wrote(
    course: Course, riverside: Organisation, ada: User, ada_client: Client, olu_client: Client
) -> None:
    ben = make_person("ben2@example.org", "Ben Learner")
    Membership.objects.create(user=ben, organisation=riverside, roles=set())
    why, how = course.chapters.order_by("position")
    services.reflection_save(
        person=ben, question=why.questions.get(key="last-time-you-listened"), text="Very private."
    )
    services.chapter_finish(person=ben, chapter=why)

    page = ada_client.get(reverse("learning:cohort_start", args=["listening"]))
    assert "Riverside Libraries" in page.content.decode()
    made = ada_client.post(
        reverse("learning:cohort_start", args=["listening"]), {"organisation": "riverside"}
    )
    cohort = Cohort.objects.get()
    assert made["Location"] == cohort.get_absolute_url()
    table = ada_client.get(cohort.get_absolute_url()).content.decode()
    assert "Ben Learner" in table and "Finished" in table and "Not started" in table
    assert "Very private." not in table
    # The learner is told who sees their progress.
    course_page = client_for(ben).get(course.get_absolute_url()).content.decode()
    assert "The facilitators of Riverside Libraries see whether you have started" in course_page
    # Members without the role are refused; outsiders do not learn the cohort exists.
    assert client_for(ben).get(cohort.get_absolute_url()).status_code == 403
    assert olu_client.get(cohort.get_absolute_url()).status_code == 404
    forged = olu_client.post(
        reverse("learning:cohort_start", args=["listening"]), {"organisation": "riverside"}
    )
    assert forged.status_code == 400 and Cohort.objects.count() == 1


def test_a_facilitator_role_is_enough(course: Course, riverside: Organisation) -> None:
    fay = make_person("fay@example.org", "Fay Facilitator")
    Membership.objects.create(user=fay, organisation=riverside, roles={Role.FACILITATOR})
    client = client_for(fay)
    client.post(
        reverse("learning:cohort_start", args=["listening"]),
        {"organisation": "riverside", "name": "Spring"},
    )
    cohort = Cohort.objects.get(name="Spring")
    assert client.get(cohort.get_absolute_url()).status_code == 200
