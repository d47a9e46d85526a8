"""Research use only with consent: counts by group with small groups hidden, anonymised
excerpts, withdrawal that takes effect at once, and logged exports."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from commonground.accounts.models import Membership, Organisation, User
from commonground.learning import research, services
from commonground.learning.content import read_files
from commonground.learning.models import Consent, ConsentEvent, Course, ResearchExport
from tests.conftest import client_for, make_person
from tests.learning.fixtures import COURSE, HOW, WHY

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_course(db: None) -> Course:
    files = {"course.yaml": COURSE + b"research: true\n", "01-why.md": WHY, "02-how.md": HOW}
    return services.course_load(read_files(files)).course


@pytest.fixture
def researcher(db: None) -> User:
    person = make_person("rae@example.org", "Rae Researcher")
    person.user_permissions.add(Permission.objects.get(codename="research"))
    return person


def learners(course: Course, n: int, *, kind: str, level: str, point: str) -> list[User]:
    organisation = Organisation.objects.create(name=f"A {kind} {n}", slug=f"{kind}-{n}", kind=kind)
    made = []
    scale = course.questions.get(key="how-often")
    written = course.questions.get(key="last-time-you-listened")
    for i in range(n):
        person = make_person(f"{kind}{i}@example.org", f"Person {kind} {i}")
        Membership.objects.create(user=person, organisation=organisation, roles=set())
        services.consent_set(person=person, course=course, level=level)
        services.reflection_save(person=person, question=scale, chosen=[point])
        services.reflection_save(
            person=person,
            question=written,
            text=f"Ask Mrs Okafor at jo{i}@example.org or 0161 496 0{i:03d}, "
            f"{organisation.name}, M1 1AE.",
        )
        made.append(person)
    return made


def test_counts_come_only_from_consent_in_force_with_small_groups_hidden(
    open_course: Course,
) -> None:
    libraries = learners(open_course, 12, kind="library", level=Consent.EXCERPTS, point="Usually")
    learners(open_course, 20, kind="archive", level=Consent.COUNTS, point="Sometimes")
    learners(open_course, 4, kind="museum", level=Consent.COUNTS, point="Never")
    learners(open_course, 5, kind="council", level=Consent.NOTHING, point="Always")
    scale = next(b for b in research.aggregates(open_course) if b.question.key == "how-often")
    assert scale.answered == 36  # the council's five said no
    cells = dict(zip(scale.options, scale.overall, strict=True))
    assert cells["Sometimes"].count == 20 and not cells["Sometimes"].hidden
    assert cells["Never"].hidden and str(cells["Never"]) == "fewer than 10"
    assert cells["Usually"].hidden  # else 36 - 20 - 12 would give the museum's 4 away
    assert cells["Always"].count == 0 and not cells["Always"].hidden
    # Only groups of 10 or more are broken down; the museum's four are not.
    assert [kind for kind, _, _ in scale.groups] == ["Archive", "Library service"]
    # A withdrawal takes effect at once.
    for person in libraries[:3]:
        services.consent_set(person=person, course=open_course, level=Consent.NOTHING)
    scale = next(b for b in research.aggregates(open_course) if b.question.key == "how-often")
    assert scale.answered == 33 and [kind for kind, _, _ in scale.groups] == ["Archive"]
    assert ConsentEvent.objects.count() == 41 + 3  # every choice kept, none edited


def test_one_hidden_count_hides_a_second_so_the_total_cannot_give_it_away() -> None:
    cells = research.suppress({"Never": 3, "Sometimes": 40, "Usually": 25, "Always": 0})
    assert cells["Never"].hidden and cells["Usually"].hidden and not cells["Sometimes"].hidden
    assert not cells["Always"].hidden  # nobody: nothing to give away


def test_excerpts_are_anonymised_and_only_from_those_who_allowed_them(open_course: Course) -> None:
    learners(open_course, 11, kind="library", level=Consent.EXCERPTS, point="Usually")
    learners(open_course, 12, kind="museum", level=Consent.COUNTS, point="Never")
    written = next(
        b for b in research.aggregates(open_course) if b.question.key == "last-time-you-listened"
    )
    assert len(written.excerpts) == 11
    for excerpt in written.excerpts:
        assert "@" not in excerpt and "0161" not in excerpt and "M1 1AE" not in excerpt
        assert "Okafor" not in excerpt and "[name]" in excerpt and "[email]" in excerpt
        assert "[phone]" in excerpt and "[postcode]" in excerpt


def test_the_researcher_page_and_a_logged_export(
    open_course: Course, researcher: User, ada_client: Client, staff: User
) -> None:
    learners(open_course, 10, kind="library", level=Consent.EXCERPTS, point="Usually")
    client = client_for(researcher)
    page = client.get(reverse("learning:research_course", args=["listening"])).content.decode()
    assert "How often does your team report back?" in page and "fewer than 10" in page
    response = client.get(reverse("learning:research_export", args=["listening"]))
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    package = json.loads(archive.read("datapackage.json"))
    assert [r["path"] for r in package["resources"]] == ["counts.csv", "excerpts.csv"]
    assert "Person library" not in archive.read("excerpts.csv").decode("utf-8-sig")
    logged = ResearchExport.objects.get()
    assert logged.researcher == researcher and logged.rows > 0
    # Nobody else: not an organisation admin, not a site admin.
    for other in (ada_client, client_for(staff)):
        assert other.get(reverse("learning:research_course", args=["listening"])).status_code == 403
        assert other.get(reverse("learning:research_export", args=["listening"])).status_code == 403


def test_a_learner_chooses_on_the_course_page(
    open_course: Course, ada: User, ada_client: Client
) -> None:
    page = ada_client.get(open_course.get_absolute_url()).content.decode()
    assert "What may researchers use?" in page and 'value="nothing" checked' in page
    ada_client.post(reverse("learning:consent", args=["listening"]), {"level": "counts"})
    assert research.consent_of(ada, open_course).level == "counts"
    bad = ada_client.post(reverse("learning:consent", args=["listening"]), {"level": "everything"})
    assert bad.status_code == 400


def test_the_api_gives_researchers_the_same_and_nobody_else(
    open_course: Course, researcher: User, ada_client: Client
) -> None:
    learners(open_course, 10, kind="library", level=Consent.EXCERPTS, point="Usually")
    found = client_for(researcher).get("/api/v1/learn/research/listening").json()
    scale = next(q for q in found if q["question"] == "how-often")
    assert scale["answered"] == 10
    assert {c["answer"]: c["count"] for c in scale["counts"]}["Usually"] == 10
    written = next(q for q in found if q["question"] == "last-time-you-listened")
    assert len(written["excerpts"]) == 10 and all("@" not in e for e in written["excerpts"])
    assert ada_client.get("/api/v1/learn/research/listening").status_code == 403
    assert not ResearchExport.objects.exists()
