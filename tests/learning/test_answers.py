"""Answering: every revision kept, a stale tab told, and nobody but the author reads it."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commonground.accounts.models import User
from commonground.learning import services
from commonground.learning.content import read_files
from commonground.learning.models import Course, Question, Reflection, Revision
from commonground.lib.pdf import available as pdf_available
from tests.conftest import need
from tests.learning.fixtures import COURSE, HOW, WHY

pytestmark = pytest.mark.django_db


def answer_url(question: Question) -> str:
    return reverse(
        "learning:answer", args=[question.course.slug, question.chapter.slug, question.key]
    )


def test_saving_keeps_every_revision_and_skips_repeats(course: Course, ada: User) -> None:
    question = course.questions.get(key="last-time-you-listened")
    first = services.reflection_save(person=ada, question=question, text="The library hours.")
    again = services.reflection_save(
        person=ada,
        question=question,
        text="The library hours changed.",
        reflection=first,
        based_on=1,
    )
    same = services.reflection_save(
        person=ada,
        question=question,
        text="The library hours changed.",
        reflection=again,
        based_on=2,
    )
    assert same.revision == 2
    assert list(Revision.objects.filter(reflection=first).values_list("number", "text")) == [
        (1, "The library hours."),
        (2, "The library hours changed."),
    ]


def test_a_stale_page_is_told_and_overwrites_nothing(course: Course, ada: User) -> None:
    question = course.questions.get(key="last-time-you-listened")
    mine = services.reflection_save(person=ada, question=question, text="One.")
    services.reflection_save(
        person=ada, question=question, text="Two.", reflection=mine, based_on=1
    )
    with pytest.raises(services.Conflict) as caught:
        services.reflection_save(
            person=ada, question=question, text="Three.", reflection=mine, based_on=1
        )
    assert caught.value.current.text == "Two."
    assert Reflection.objects.get().text == "Two."


def test_a_save_takes_the_same_queries_however_many_revisions(course: Course, ada: User) -> None:
    question = course.questions.get(key="last-time-you-listened")
    mine = services.reflection_save(person=ada, question=question, text="0")
    counts = []
    for n in range(1, 6):
        with CaptureQueriesContext(connection) as queries:
            mine = services.reflection_save(
                person=ada, question=question, text=str(n), reflection=mine, based_on=n
            )
        counts.append(len(queries))
    assert len(set(counts)) == 1, counts


def test_choices_must_come_from_the_question(course: Course, ada: User) -> None:
    scale = course.questions.get(key="how-often")
    saved = services.reflection_save(person=ada, question=scale, chosen=["Usually"])
    assert saved.chosen == ["Usually"]
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.reflection_save(person=ada, question=scale, chosen=["Usually", "Always"])
    with pytest.raises(ValidationError):
        services.reflection_save(person=ada, question=scale, chosen=["Whenever"])


def test_the_page_saves_with_and_without_javascript(
    course: Course, ada: User, ada_client: Client
) -> None:
    question = course.questions.get(key="last-time-you-listened")
    url = answer_url(question)
    # Without JavaScript: the form posts and the page comes back saying so.
    response = ada_client.post(
        url, {"text": "After the survey.", "reflection": "", "based_on": ""}, follow=True
    )
    assert "Saved at" in response.content.decode()
    mine = Reflection.objects.get(person=ada)
    # As the person types: JSON back, with the revision the next save must be based on.
    typed = ada_client.post(
        url,
        {"text": "After the survey in May.", "reflection": mine.pk, "based_on": 1},
        HTTP_ACCEPT="application/json",
    )
    assert typed.status_code == 200 and typed.json()["revision"] == 2
    stale = ada_client.post(
        url,
        {"text": "From an old tab.", "reflection": mine.pk, "based_on": 1},
        HTTP_ACCEPT="application/json",
    )
    assert stale.status_code == 409
    assert stale.json()["text"] == "After the survey in May."
    # Without JavaScript, the stale page shows both versions and keeps the typed words.
    page = ada_client.post(url, {"text": "From an old tab.", "reflection": mine.pk, "based_on": 1})
    body = page.content.decode()
    assert (
        page.status_code == 409
        and "From an old tab." in body
        and "After the survey in May." in body
    )


def test_the_chapter_shows_what_the_person_wrote_and_a_new_reflection_beside_it(
    course: Course, ada: User, ada_client: Client
) -> None:
    question = course.questions.get(key="last-time-you-listened")
    services.reflection_save(person=ada, question=question, text="Opening hours, last spring.")
    chapter = question.chapter
    page = ada_client.get(chapter.get_absolute_url()).content.decode()
    assert (
        "Opening hours, last spring." in page and "Write a new reflection beside this one" in page
    )
    fresh = ada_client.get(chapter.get_absolute_url() + f"?new={question.key}").content.decode()
    assert "What you wrote on" in fresh
    ada_client.post(answer_url(question), {"text": "This year: the café.", "reflection": ""})
    assert Reflection.objects.filter(person=ada, question=question).count() == 2
    page = ada_client.get(chapter.get_absolute_url()).content.decode()
    assert "Your earlier reflections (1)" in page


def test_nobody_else_reads_or_changes_an_answer(
    course: Course, ada: User, olu: User, olu_client: Client, client: Client
) -> None:
    question = course.questions.get(key="last-time-you-listened")
    mine = services.reflection_save(person=ada, question=question, text="Only mine.")
    page = olu_client.get(question.chapter.get_absolute_url()).content.decode()
    assert "Only mine." not in page
    assert "Only mine." not in olu_client.get(reverse("learning:journal")).content.decode()
    for fmt in ("md", "csv", "json"):
        assert (
            b"Only mine."
            not in olu_client.get(reverse("learning:journal_export", args=[fmt])).content
        )
    # Another person's reflection id is not theirs to write to.
    forged = olu_client.post(
        answer_url(question), {"text": "Overwritten.", "reflection": mine.pk, "based_on": 1}
    )
    assert forged.status_code == 404
    assert Reflection.objects.get(pk=mine.pk).text == "Only mine."
    # Signed out: sent to sign in, nothing saved.
    response = client.post(answer_url(question), {"text": "Anonymous."})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_reloading_a_changed_course_keeps_answers_and_versions(course: Course, ada: User) -> None:
    question = course.questions.get(key="last-time-you-listened")
    services.reflection_save(person=ada, question=question, text="Before the rewording.")
    reworded = WHY.replace(
        b"When did your service last change", b"When did your service last truly change"
    )
    dropped = HOW.replace(b"id: places-to-go", b"id: where-to-go")
    loaded = services.course_load(
        read_files(
            {
                "course.yaml": COURSE.replace(b"version: 1", b"version: 2"),
                "01-why.md": reworded,
                "02-how.md": dropped,
            }
        )
    )
    assert loaded.questions_reworded == ["last-time-you-listened"]
    assert loaded.questions_added == ["where-to-go"] and loaded.questions_retired == [
        "places-to-go"
    ]
    question.refresh_from_db()
    assert question.version == 2 and "truly" in question.prompt
    assert list(question.versions.values_list("version", "course_version")) == [(1, 1), (2, 2)]
    kept = Reflection.objects.get(person=ada)
    assert kept.text == "Before the rewording." and kept.question_version == 1


def test_the_journal_prints_each_question_once_in_the_words_each_answer_met(
    course: Course, ada: User, ada_client: Client
) -> None:
    question = course.questions.get(key="last-time-you-listened")
    services.reflection_save(person=ada, question=question, text="Before the rewording.")
    services.course_load(
        read_files(
            {
                "course.yaml": COURSE.replace(b"version: 1", b"version: 2"),
                "01-why.md": WHY.replace(b"last change", b"last truly change"),
                "02-how.md": HOW,
            }
        )
    )
    question.refresh_from_db()
    services.reflection_save(person=ada, question=question, text="After the rewording.")

    def export(fmt: str) -> bytes:
        return ada_client.get(reverse("learning:journal_export", args=[fmt])).content

    markdown = export("md").decode()
    assert markdown.count("### When did your service last truly change") == 1
    assert "against version 1" in markdown
    assert "The question then read: When did your service last change" in markdown
    assert markdown.index("Before the rewording.") < markdown.index("After the rewording.")
    rows = {e["text"]: e for e in json.loads(export("json"))["journal"]}
    assert rows["Before the rewording."]["question"].startswith("When did your service last ch")
    assert rows["Before the rewording."]["question_version"] == 1
    assert "last truly change" in rows["After the rewording."]["question"]
    assert b"When did your service last change" in export("csv")


def test_the_journal_as_pdf_from_the_page_and_the_api(
    course: Course, ada: User, ada_client: Client, client: Client
) -> None:
    import pypdfium2

    from commonground.accounts import services as accounts_services

    need(pdf_available(), "WeasyPrint cannot load Pango (apt-get install libpango-1.0-0)")
    question = course.questions.get(key="last-time-you-listened")
    first = services.reflection_save(person=ada, question=question, text="A first thought.")
    services.reflection_save(person=ada, question=question, text="A second thought.")
    services.reflection_save(
        person=ada, question=question, text="A first thought, kept.", reflection=first,
        based_on=1,
    )  # fmt: skip
    _, token = accounts_services.api_token_create(user=ada, name="journal")
    for response in (
        ada_client.get(reverse("learning:journal_export", args=["pdf"])),
        client.get("/api/v1/learn/journal.pdf", HTTP_AUTHORIZATION=f"Bearer {token}"),
    ):
        assert response["Content-Type"] == "application/pdf"
        pages = pypdfium2.PdfDocument(response.content)
        text = "".join(page.get_textpage().get_text_range() for page in pages)
        assert text.count("When did your service last change") == 1
        assert "A first thought, kept." in text and "A second thought." in text


def test_the_api_hands_over_the_journal_as_a_file_to_its_author_only(
    course: Course, ada: User, olu: User, client: Client
) -> None:
    from commonground.accounts import services as accounts_services

    services.reflection_save(
        person=ada,
        question=course.questions.get(key="last-time-you-listened"),
        text="Only Ada wrote this.",
    )
    _, ada_token = accounts_services.api_token_create(user=ada, name="journal")
    _, olu_token = accounts_services.api_token_create(user=olu, name="nosy")
    for fmt in ("md", "csv", "json", "docx"):
        mine = client.get(f"/api/v1/learn/journal.{fmt}", HTTP_AUTHORIZATION=f"Bearer {ada_token}")
        assert mine.status_code == 200, fmt
        assert mine["Content-Disposition"].startswith("attachment")
        theirs = client.get(
            f"/api/v1/learn/journal.{fmt}", HTTP_AUTHORIZATION=f"Bearer {olu_token}"
        )
        assert theirs.status_code == 200
        if fmt in ("md", "csv", "json"):
            assert b"Only Ada wrote this." in mine.content
            assert b"Only Ada wrote this." not in theirs.content
    assert client.get("/api/v1/learn/journal.md").status_code == 401
    wrong = client.get("/api/v1/learn/journal.txt", HTTP_AUTHORIZATION=f"Bearer {ada_token}")
    assert wrong.status_code == 404 and "md, csv, json, pdf" in wrong.json()["detail"]
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/learn/journal.{fmt}" in schema["paths"]


def test_the_journal_lists_searches_and_exports(
    course: Course, ada: User, ada_client: Client
) -> None:
    question = course.questions.get(key="last-time-you-listened")
    services.reflection_save(person=ada, question=question, text="We moved the café hours.")
    services.reflection_save(
        person=ada, question=course.questions.get(key="how-often"), chosen=["Usually"]
    )
    page = ada_client.get(reverse("learning:journal")).content.decode()
    assert "We moved the café hours." in page and "Usually" in page
    found = ada_client.get(reverse("learning:journal"), {"q": "café"}).content.decode()
    assert "We moved the café hours." in found and "Usually" not in found
    markdown = ada_client.get(reverse("learning:journal_export", args=["md"])).content.decode()
    assert "### When did your service last change" in markdown and "version 1" in markdown
    data = ada_client.get(reverse("learning:journal_export", args=["json"])).json()["journal"]
    assert {e["question_id"] for e in data} == {"last-time-you-listened", "how-often"}
    csv = ada_client.get(reverse("learning:journal_export", args=["csv"])).content.decode(
        "utf-8-sig"
    )
    assert csv.splitlines()[0].startswith("course,chapter,question,question_id,question_version")
    import io

    import docx

    word = docx.Document(
        io.BytesIO(ada_client.get(reverse("learning:journal_export", args=["docx"])).content)
    )
    assert "We moved the café hours." in [p.text for p in word.paragraphs]


def test_the_journal_is_in_your_data_and_goes_with_the_account(
    course: Course, ada: User, ada_client: Client
) -> None:
    import io
    import zipfile

    question = course.questions.get(key="last-time-you-listened")
    first = services.reflection_save(person=ada, question=question, text="A first thought.")
    services.reflection_save(
        person=ada, question=question, text="A second thought.", reflection=first, based_on=1
    )
    archive = zipfile.ZipFile(io.BytesIO(ada_client.get("/accounts/data/download/").content))
    journal = archive.read("learning/journal.csv").decode("utf-8-sig")
    assert "A first thought." in journal and "A second thought." in journal
    assert "learning/learning_progress.csv" in archive.namelist()
    from commonground.accounts import personal_data

    personal_data.erase_everything(ada)
    assert not Reflection.objects.exists() and not Revision.objects.exists()


def test_the_api_reads_courses_openly_and_answers_only_for_their_author(
    course: Course, ada: User, olu: User, client: Client
) -> None:
    from commonground.accounts import services as accounts_services

    listed = client.get("/api/v1/learn/courses").json()
    assert [c["slug"] for c in listed] == ["listening"]
    chapter = client.get("/api/v1/learn/courses/listening/chapters/why").json()
    assert [q["id"] for q in chapter["questions"]] == ["last-time-you-listened", "how-often"]
    assert [p["kind"] for p in chapter["pieces"]] == ["html", "question", "question"]
    assert client.get("/api/v1/learn/answers").status_code == 401

    _, ada_token = accounts_services.api_token_create(user=ada, name="journal")
    _, olu_token = accounts_services.api_token_create(user=olu, name="nosy")
    ada_api = {"HTTP_AUTHORIZATION": f"Bearer {ada_token}"}
    olu_api = {"HTTP_AUTHORIZATION": f"Bearer {olu_token}"}
    body = {"course": "listening", "question": "how-often", "chosen": ["Usually"]}
    made = client.post("/api/v1/learn/answers", body, content_type="application/json", **ada_api)
    assert made.status_code == 201 and made.json()["revision"] == 1
    answer = made.json()["id"]
    changed = client.post(
        "/api/v1/learn/answers",
        {**body, "chosen": ["Always"], "answer": answer, "based_on": 1},
        content_type="application/json",
        **ada_api,
    )
    assert changed.status_code == 200 and changed.json()["chosen"] == ["Always"]
    stale = client.post(
        "/api/v1/learn/answers",
        {**body, "chosen": ["Never"], "answer": answer, "based_on": 1},
        content_type="application/json",
        **ada_api,
    )
    assert stale.status_code == 409 and stale.json()["current"]["chosen"] == ["Always"]
    # Another person can neither read nor change it.
    assert client.get("/api/v1/learn/answers", **olu_api).json() == []
    forged = client.post(
        "/api/v1/learn/answers",
        {**body, "chosen": ["Never"], "answer": answer, "based_on": 2},
        content_type="application/json",
        **olu_api,
    )
    assert forged.status_code == 404
    assert Reflection.objects.get(pk=answer).chosen == ["Always"]


def test_pick_up_where_you_left_off_prefers_an_unfinished_chapter(
    course: Course, ada: User
) -> None:
    from commonground.learning import selectors

    why, how = course.chapters.order_by("position")
    services.chapter_visit(person=ada, chapter=why)
    services.chapter_finish(person=ada, chapter=how)  # visited last, but finished
    found = selectors.resume(ada, course)
    assert found is not None and found.chapter == why
