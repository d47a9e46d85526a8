"""Interviews, observations, the codebook, coding exact spans, suggestions and the quote bank."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from commonground.evaluation import selectors, services, suggest
from commonground.evaluation.models import (
    Activity,
    Code,
    Coding,
    EvaluationForm,
    Interview,
    Programme,
    Suggestion,
)
from commonground.evaluation.texts import ANSWER, NOTE, OBSERVATION, TextRef

pytestmark = pytest.mark.django_db


@pytest.fixture
def written(evaluation_form: EvaluationForm, training_day: Activity) -> list[int]:
    """Three written answers to the form, from three organisations."""
    differently = evaluation_form.questions.get(code="differently")
    ids = []
    for organisation, words in [
        ("Eastbrook Council", "I feel more confident to run a session. I will ask people first."),
        ("Riverside Libraries", "Meeting health staff was the best part. We will keep in touch."),
        ("Valleys Housing", "I am more confident now, and my manager backs the plan."),
    ]:
        submitted = services.response_submit(
            form=evaluation_form,
            answers={differently.pk: words},
            activity=training_day,
            organisation_name=organisation,
        )
        ids.append(submitted.response.answers.get().pk)
    return ids


@pytest.fixture
def codes(programme: Programme) -> dict[str, Code]:
    confidence = services.code_add(programme=programme, name="Confidence")
    return {
        "confidence": confidence,
        "cross": services.code_add(programme=programme, name="Cross-sector learning"),
        "staff": services.code_add(programme=programme, name="Staff confidence", parent=confidence),
    }


def test_a_passage_is_coded_by_its_exact_words_and_its_offsets_point_at_them(
    programme: Programme, written: list[int], codes: dict[str, Code], ada_client: Client
) -> None:
    url = reverse("evaluation:text", args=[programme.pk, ANSWER, written[0]])
    page = ada_client.get(url)
    assert page.status_code == 200 and "I feel more confident" in page.content.decode()
    response = ada_client.post(
        url,
        {
            "code": codes["staff"].pk,
            "quote": "I feel more\n confident to run a session.",  # spaces as copied
            "occurrence": "",
            "memo": "Clear statement",
            "objectives": [programme.objectives.get().pk],
        },
    )
    assert response.status_code == 303
    coding = Coding.objects.get()
    text = coding.answer.text  # type: ignore[union-attr]
    assert text[coding.start : coding.end] == "I feel more confident to run a session."
    assert coding.quote == text[coding.start : coding.end]
    page = ada_client.get(url).content.decode()
    assert "<mark" in page and "(coded: Staff confidence)" in page
    missing = ada_client.post(url, {"code": codes["staff"].pk, "quote": "words not there"})
    assert missing.status_code == 422
    assert "Those words are not in the text" in missing.content.decode()


def test_the_quote_bank_filters_and_never_names_a_person(
    programme: Programme, written: list[int], codes: dict[str, Code], ada_client: Client, ada: Any
) -> None:
    objective = programme.objectives.get()
    services.coding_add(
        ref=TextRef(ANSWER, written[0]),
        code=codes["staff"],
        quote="I feel more confident",
        objectives=[objective],
    )
    services.coding_add(
        ref=TextRef(ANSWER, written[1]), code=codes["cross"], quote="Meeting health staff"
    )
    url = reverse("evaluation:quotes", args=[programme.pk])
    everything = ada_client.get(url).content.decode()
    assert "2 quotes" in everything and "Eastbrook Council" in everything
    # A code includes its subcodes.
    by_code = ada_client.get(url, {"code": codes["confidence"].pk}).content.decode()
    assert "1 quote." in by_code and "I feel more confident" in by_code
    by_objective = ada_client.get(url, {"objective": objective.pk}).content.decode()
    assert "1 quote." in by_objective
    by_org = ada_client.get(url, {"organisation": "Riverside Libraries"}).content.decode()
    assert "Meeting health staff" in by_org and "I feel more confident" not in by_org
    assert ada.name not in everything.split("<main", 1)[1].split("</main>")[0]


def test_interviews_follow_one_guide_and_compare_by_code(
    programme: Programme, training_day: Activity, codes: dict[str, Code], ada_client: Client
) -> None:
    ada_client.post(
        reverse("evaluation:interviews", args=[programme.pk]),
        {"title": "Follow-up interviews", "introduction": ""},
    )
    guide = programme.interview_guides.get()
    guide_url = reverse("evaluation:guide", args=[guide.pk])
    ada_client.post(guide_url, {"theme": "Confidence", "text": "What can you do now?"})
    ada_client.post(guide_url, {"theme": "Commitment", "text": "Who backs the work?"})
    first, second = guide.questions.all()
    response = ada_client.post(
        reverse("evaluation:interview_add", args=[guide.pk]),
        {
            "organisation_name": "Northmoor Museums",
            "role": "Learning officer",
            "held_on": "2026-05-04",
            "mode": "telephone",
            "activity": training_day.pk,
            f"note{first.pk}": "I ran my first listening session alone.",
            f"note{second.pk}": "The director came to the second one.",
        },
    )
    interview = Interview.objects.get()
    assert response["Location"] == reverse("evaluation:interview", args=[interview.pk])
    page = ada_client.get(guide_url).content.decode()
    assert "I ran my first listening session alone." in page
    note = interview.notes.get(question=first)
    coding = services.coding_add(
        ref=TextRef(NOTE, note.pk), code=codes["confidence"], quote="my first listening session"
    )
    with pytest.raises(ValidationError, match="coded passages"):
        services.note_update(note=note, notes="Something else.")
    assert selectors.quote_bank(programme)[0].unit.organisation == "Northmoor Museums"
    assert coding.quote == "my first listening session"


def test_observations_are_coded_like_answers(
    programme: Programme, codes: dict[str, Code], ada_client: Client
) -> None:
    response = ada_client.post(
        reverse("evaluation:observation_add", args=[programme.pk]),
        {"title": "Workshop two", "observed_on": "2026-06-01", "notes": "Tenants led the map."},
    )
    observation = programme.observations.get()
    assert response["Location"] == reverse(
        "evaluation:text", args=[programme.pk, OBSERVATION, observation.pk]
    )
    services.coding_add(
        ref=TextRef(OBSERVATION, observation.pk), code=codes["confidence"], start=0, end=7
    )
    assert Coding.objects.get().quote == "Tenants"
    with pytest.raises(ValidationError, match="inside the text"):
        services.coding_add(
            ref=TextRef(OBSERVATION, observation.pk), code=codes["cross"], start=5, end=500
        )


def test_the_codebook_nests_and_refuses_loops(
    programme: Programme, codes: dict[str, Code], ada_client: Client
) -> None:
    page = ada_client.get(reverse("evaluation:codebook", args=[programme.pk])).content.decode()
    assert page.index("Confidence") < page.index("Staff confidence")
    with pytest.raises(ValidationError, match="under itself"):
        services.code_update(
            code=codes["confidence"], name="Confidence", description="", parent=codes["staff"]
        )
    with pytest.raises(ValidationError, match="already has a code"):
        services.code_add(programme=programme, name="confidence")


def test_suggestions_come_from_coded_examples_and_are_accepted_or_rejected(
    programme: Programme,
    written: list[int],
    codes: dict[str, Code],
    ada_client: Client,
    evaluation_form: EvaluationForm,
) -> None:
    services.coding_add(
        ref=TextRef(ANSWER, written[0]),
        code=codes["confidence"],
        quote="I feel more confident to run a session.",
    )
    services.coding_add(
        ref=TextRef(ANSWER, written[1]),
        code=codes["cross"],
        quote="Meeting health staff was the best part.",
    )
    ada_client.post(reverse("evaluation:suggestions_refresh", args=[programme.pk]))
    third = "I am more confident now, and my manager backs the plan."
    chosen = Suggestion.objects.select_related("code").get(quote=third)
    assert chosen.code == codes["confidence"] and chosen.answer_id == written[2]
    ada_client.post(
        reverse("evaluation:suggestion_decide", args=[chosen.pk]), {"decision": "reject"}
    )
    services.suggestions_refresh(programme=programme)
    assert not Suggestion.objects.filter(state=Suggestion.State.OPEN, quote=third).exists()
    assert not Coding.objects.filter(answer_id=written[2]).exists()
    # Another answer in the same words as a coded one: suggested, then accepted.
    differently = evaluation_form.questions.get(code="differently")
    later = services.response_submit(
        form=evaluation_form, answers={differently.pk: "I feel confident to run a session now."}
    ).response.answers.get()
    services.suggestions_refresh(programme=programme)
    offer = Suggestion.objects.get(state=Suggestion.State.OPEN, answer=later)
    ada_client.post(
        reverse("evaluation:suggestion_decide", args=[offer.pk]), {"decision": "accept"}
    )
    coding = Coding.objects.get(answer=later)
    assert coding.code == codes["confidence"] and coding.quote == later.text


def test_sentences_and_words_for_suggestions() -> None:
    text = "Short.  This sentence is long enough to count!\nAnd this line too, surely."
    passages = suggest.sentences("t", text)
    assert [text[p.start : p.end] for p in passages] == [
        "This sentence is long enough to count!",
        "And this line too, surely.",
    ]
    assert suggest.words("The volunteers were listening to residents") == [
        "volunteer",
        "listen",
        "resident",
    ]


def test_outsiders_and_members_are_kept_out(
    programme: Programme, written: list[int], olu_client: Client, ben_client: Client
) -> None:
    for name, args in [
        ("texts", [programme.pk]),
        ("text", [programme.pk, ANSWER, written[0]]),
        ("quotes", [programme.pk]),
        ("codebook", [programme.pk]),
        ("interviews", [programme.pk]),
    ]:
        assert olu_client.get(reverse(f"evaluation:{name}", args=args)).status_code == 404
        assert ben_client.get(reverse(f"evaluation:{name}", args=args)).status_code == 403


def test_the_coding_page_has_a_fixed_number_of_queries(
    programme: Programme,
    written: list[int],
    codes: dict[str, Code],
    ada_client: Client,
    evaluation_form: EvaluationForm,
    training_day: Activity,
    django_assert_max_num_queries: Any,
) -> None:
    url = reverse("evaluation:texts", args=[programme.pk])
    with django_assert_max_num_queries(20) as few:
        ada_client.get(url)
    differently = evaluation_form.questions.get(code="differently")
    for n in range(30):
        submitted = services.response_submit(
            form=evaluation_form,
            answers={differently.pk: f"Answer number {n} here."},
            activity=training_day,
        )
        services.coding_add(
            ref=TextRef(ANSWER, submitted.response.answers.get().pk),
            code=codes["cross"],
            quote="Answer number",
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        ada_client.get(url)
    # 33 texts, paged here 20 at a time.
    from commonground.evaluation.views import coding as coding_pages

    coding_pages.TEXTS_PER_PAGE = 20
    try:
        first = ada_client.get(url).content.decode()
        assert "Page 1 of 2" in first and "More texts" in first
        assert "Answer number 29" in ada_client.get(url, {"page": 2}).content.decode()
    finally:
        coding_pages.TEXTS_PER_PAGE = 50


def test_refi_qda_export_reimports_to_identical_codings(
    programme: Programme, written: list[int], codes: dict[str, Code], ada_client: Client
) -> None:
    services.coding_add(
        ref=TextRef(ANSWER, written[0]),
        code=codes["staff"],
        quote="I feel more confident",
        memo="first words",
    )
    services.coding_add(
        ref=TextRef(ANSWER, written[1]), code=codes["cross"], quote="Meeting health staff"
    )
    services.coding_add(ref=TextRef(ANSWER, written[1]), code=codes["confidence"], start=0, end=7)

    def snapshot() -> list[tuple[Any, ...]]:
        return sorted(
            (c.answer_id, c.start, c.end, c.quote, c.memo, c.code.name, str(c.code.guid))
            + (c.code.parent.name if c.code.parent else "",)
            for c in Coding.objects.select_related("code__parent")
        )

    before = snapshot()
    qdc = ada_client.get(reverse("evaluation:codebook_qdc", args=[programme.pk]))
    assert b'<Code guid="' in qdc.content and b"urn:QDA-XML:codebook:1.0" in qdc.content
    qdpx = ada_client.get(reverse("evaluation:project_qdpx", args=[programme.pk])).content
    Coding.objects.all().delete()
    Code.objects.all().delete()
    response = ada_client.post(
        reverse("evaluation:project_import", args=[programme.pk]),
        {"file": SimpleUploadedFile("back.qdpx", qdpx)},
    )
    assert response.status_code == 303
    assert snapshot() == before
    # Again: nothing is added twice.
    done = services.project_import(programme=programme, data=qdpx)
    assert (done.codes, done.codings) == (0, 0)
    assert snapshot() == before


def test_a_qdpx_from_elsewhere_or_broken_says_why(programme: Programme) -> None:
    with pytest.raises(ValidationError, match="not a .qdpx file"):
        services.project_import(programme=programme, data=b"plain text")
    import io
    import zipfile

    def qdpx(project: str) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("project.qde", project)
        return buffer.getvalue()

    # An external entity is never followed: the file is refused.
    hostile = (
        '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<Project xmlns="urn:QDA-XML:project:1.0" name="&x;"/>'
    )
    with pytest.raises(ValidationError, match="could not be read"):
        services.project_import(programme=programme, data=qdpx(hostile))
    theirs = (
        '<Project xmlns="urn:QDA-XML:project:1.0" name="Theirs"><Sources>'
        '<TextSource guid="00000000-0000-0000-0000-000000000001" name="Their text">'
        '<PlainTextSelection guid="00000000-0000-0000-0000-000000000002" '
        'startPosition="0" endPosition="4"><Coding guid="x"><CodeRef targetGUID="y"/>'
        "</Coding></PlainTextSelection></TextSource></Sources></Project>"
    )
    done = services.project_import(programme=programme, data=qdpx(theirs))
    assert done.codings == 0 and done.skipped == ["'Their text' is not a text of this programme"]


def test_notes_and_observations_can_be_edited_until_coded(
    programme: Programme, codes: dict[str, Code], ada_client: Client
) -> None:
    observation = services.observation_add(
        programme=programme, title="Workshop", observed_on=date(2026, 6, 1), notes="First draft."
    )
    url = reverse("evaluation:observation_edit", args=[observation.pk])
    fields = {"title": "Workshop one", "observed_on": "2026-06-01", "notes": "Tenants led it."}
    assert ada_client.post(url, fields).status_code == 303
    observation.refresh_from_db()
    assert (observation.title, observation.notes) == ("Workshop one", "Tenants led it.")
    services.coding_add(
        ref=TextRef(OBSERVATION, observation.pk), code=codes["confidence"], quote="Tenants"
    )
    refused = ada_client.post(url, {**fields, "notes": "Something else."})
    assert "coded passages" in refused.content.decode()
    observation.refresh_from_db()
    assert observation.notes == "Tenants led it."


def test_your_data_leaves_the_evidence_with_an_organisation_you_left(
    programme: Programme, written: list[int], codes: dict[str, Code], ada: Any, ben: Any
) -> None:
    import csv
    import io
    import zipfile

    from tests.conftest import client_for

    services.coding_add(
        ref=TextRef(ANSWER, written[0]), code=codes["staff"], quote="I feel more confident", by=ada
    )

    def download() -> zipfile.ZipFile:
        response = client_for(ada).get(reverse("accounts:your_data_download"))
        return zipfile.ZipFile(io.BytesIO(response.content))

    def rows(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
        text = archive.read(f"evaluation/{name}").decode("utf-8-sig")
        return list(csv.DictReader(io.StringIO(text)))

    # While she evaluates for Riverside, her coding is hers to download.
    assert [r["passage"] for r in rows(download(), "passages_coded.csv")] == [
        "I feel more confident"
    ]
    # Once she no longer does, the respondent's words stay with the organisation.
    ben.memberships.update(roles={"admin"})
    ada.memberships.update(roles=set())
    archive = download()
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"I feel more confident" not in everything
    assert rows(archive, "passages_coded.csv") == []
    held = rows(archive, "held_by_organisations.csv")
    assert [(r["organisation"], r["your_work"], r["count"]) for r in held] == [
        ("Riverside Libraries", "passages coded", "1"),
        ("Riverside Libraries", "programmes set up", "1"),
    ]


def test_a_qdpx_past_a_count_or_with_a_text_not_in_utf8_says_why(
    programme: Programme, monkeypatch: pytest.MonkeyPatch
) -> None:
    from commonground.evaluation import refiqda
    from tests.evaluation import hostile

    codes = '<Code guid="a" name="A"><Code guid="b" name="B"/></Code><Code guid="c" name="C"/>'
    project = hostile.project("").replace(
        b"<Sources>", f"<CodeBook><Codes>{codes}</Codes></CodeBook><Sources>".encode()
    )
    monkeypatch.setattr(refiqda, "MAX_CODES", 2)
    with pytest.raises(ValidationError, match="The project has more than 2 codes."):
        services.project_import(programme=programme, data=hostile.zipped({"project.qde": project}))
    latin = hostile.zipped(
        {
            "project.qde": hostile.project(
                '<TextSource guid="x" name="Old text" plainTextPath="internal://old.txt"/>'
            ),
            "sources/old.txt": "Caf\xe9 notes".encode("cp1252"),
        }
    )
    project_data = refiqda.read_project(latin, max_unzipped=10**6)
    assert project_data.sources[0].text == "Caf\ufffd notes"
