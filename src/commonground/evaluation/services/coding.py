"""Writes for qualitative evidence: interview guides and interviews, observations, the codebook,
codings on exact spans of text, and suggested codings."""

from __future__ import annotations

import re
import uuid
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.utils import timezone

from commonground.accounts.models import User
from commonground.evaluation import refiqda, suggest
from commonground.evaluation.models import (
    Activity,
    Answer,
    Code,
    Coding,
    GuideQuestion,
    Interview,
    InterviewGuide,
    InterviewNote,
    Objective,
    Observation,
    Programme,
    Suggestion,
)
from commonground.evaluation.selectors import code_family, next_position, programme_texts
from commonground.evaluation.texts import ANSWER, NOTE, OBSERVATION, TextRef, ref_of


def text_of(ref: TextRef) -> tuple[str, Programme]:
    """The words of ``ref`` and the programme they belong to; 404-like ``LookupError``."""
    if ref.kind == ANSWER:
        answer = Answer.objects.select_related("response__form__programme").get(pk=ref.pk)
        return answer.text, answer.response.form.programme
    if ref.kind == NOTE:
        note = InterviewNote.objects.select_related("interview__guide__programme").get(pk=ref.pk)
        return note.notes, note.interview.guide.programme
    if ref.kind == OBSERVATION:
        observation = Observation.objects.select_related("programme").get(pk=ref.pk)
        return observation.notes, observation.programme
    raise LookupError(ref.kind)


# -- interviews and observations -------------------------------------------------------


def guide_create(*, programme: Programme, title: str, introduction: str = "") -> InterviewGuide:
    """An interview guide: the questions every interview of the programme follows."""
    if not title.strip():
        raise ValidationError("Give the guide a title.")
    return InterviewGuide.objects.create(
        programme=programme, title=title.strip(), introduction=introduction.strip()
    )


def guide_question_add(*, guide: InterviewGuide, theme: str, text: str) -> GuideQuestion:
    if not text.strip() or not theme.strip():
        raise ValidationError("Write the question and the theme it belongs to.")
    return GuideQuestion.objects.create(
        guide=guide, theme=theme.strip(), text=text.strip(), position=next_position(guide.questions)
    )


def interview_record(
    *,
    guide: InterviewGuide,
    organisation_name: str,
    held_on: date,
    notes: Mapping[int, str],
    role: str = "",
    mode: str = Interview.Mode.TELEPHONE,
    activity: Activity | None = None,
    by: User | None = None,
) -> Interview:
    """Record an interview: who (organisation and role, never a name), when, how, and the
    notes for each question of the guide (keyed by question id)."""
    if not organisation_name.strip():
        raise ValidationError("Say which organisation the interviewee works for.")
    if activity is not None and activity.programme_id != guide.programme_id:
        raise ValidationError("Choose one of this programme's activities.")
    questions = {q.pk: q for q in guide.questions.all()}
    if any(pk not in questions for pk in notes):
        raise ValidationError("Notes can only answer this guide's questions.")
    with transaction.atomic():
        interview = Interview.objects.create(
            guide=guide,
            activity=activity,
            organisation_name=organisation_name.strip()[:200],
            role=role.strip()[:200],
            held_on=held_on,
            mode=mode,
            interviewer=by,
        )
        InterviewNote.objects.bulk_create(
            [
                InterviewNote(
                    interview=interview, question=question, notes=notes.get(pk, "").strip()
                )
                for pk, question in questions.items()
            ]
        )
    return interview


def note_update(*, note: InterviewNote, notes: str) -> InterviewNote:
    """Change the notes for one question, unless passages of them are coded."""
    notes = notes.strip()
    stored = InterviewNote.objects.values_list("notes", flat=True).get(pk=note.pk)
    if notes != stored and Coding.objects.filter(interview_note=note).exists():
        raise ValidationError("These notes have coded passages, so they cannot change.")
    note.notes = notes
    note.save(update_fields=["notes"])
    return note


def observation_add(
    *,
    programme: Programme,
    title: str,
    observed_on: date,
    notes: str,
    activity: Activity | None = None,
    by: User | None = None,
) -> Observation:
    if not notes.strip() or not title.strip():
        raise ValidationError("Give the observation a title and write its notes.")
    if activity is not None and activity.programme_id != programme.pk:
        raise ValidationError("Choose one of this programme's activities.")
    return Observation.objects.create(
        programme=programme,
        title=title.strip(),
        observed_on=observed_on,
        notes=notes.strip(),
        activity=activity,
        observer=by,
    )


def observation_update(
    *,
    observation: Observation,
    title: str,
    observed_on: date,
    notes: str,
    activity: Activity | None = None,
) -> Observation:
    """Change an observation; its notes only while no passage of them is coded."""
    notes = notes.strip()
    if not notes or not title.strip():
        raise ValidationError("Give the observation a title and write its notes.")
    # Compared with what is stored: the object may already hold the new words (a bound form).
    stored = Observation.objects.values_list("notes", flat=True).get(pk=observation.pk)
    if notes != stored and Coding.objects.filter(observation=observation).exists():
        raise ValidationError("These notes have coded passages, so they cannot change.")
    if activity is not None and activity.programme_id != observation.programme_id:
        raise ValidationError("Choose one of this programme's activities.")
    observation.title, observation.observed_on = title.strip(), observed_on
    observation.notes, observation.activity = notes, activity
    observation.save(update_fields=["title", "observed_on", "notes", "activity"])
    return observation


# -- the codebook ----------------------------------------------------------------------


def code_add(
    *, programme: Programme, name: str, description: str = "", parent: Code | None = None
) -> Code:
    """Add a code to the codebook, at the top or under ``parent``."""
    name = name.strip()
    if not name:
        raise ValidationError("Name the code.")
    if parent is not None and parent.programme_id != programme.pk:
        raise ValidationError("A code can only sit under a code of the same codebook.")
    if Code.objects.filter(programme=programme, parent=parent, name__iexact=name).exists():
        raise ValidationError(f"The codebook already has a code called {name} there.")
    return Code.objects.create(
        programme=programme, name=name[:120], description=description.strip(), parent=parent
    )


def code_update(*, code: Code, name: str, description: str, parent: Code | None) -> Code:
    name = name.strip()
    if not name:
        raise ValidationError("Name the code.")
    walk = parent
    while walk is not None:
        if walk.pk == code.pk:
            raise ValidationError("A code cannot sit under itself or its own subcodes.")
        walk = walk.parent
    code.name, code.description, code.parent = name[:120], description.strip(), parent
    code.save(update_fields=["name", "description", "parent"])
    return code


def code_remove(*, code: Code) -> int:
    """Remove a code, its subcodes and their codings; returns how many codings went."""
    with transaction.atomic():
        ids = code_family(code.pk)
        removed = Coding.objects.filter(code_id__in=ids).count()
        code.delete()
    return removed


# -- coding ----------------------------------------------------------------------------


def locate(text: str, quote: str, occurrence: int = 1) -> tuple[int, int]:
    """The offsets of the ``occurrence``-th place ``quote`` appears in ``text``.

    Spaces and line breaks in the quote match any run of white space, so a
    passage copied from the page (where line breaks show as spaces) is found.
    """
    words = quote.split()
    if not words:
        raise ValidationError("Copy the words to code into the box.")
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
    matches = list(pattern.finditer(text))
    if not matches:
        raise ValidationError("Those words are not in the text. Copy them exactly as they appear.")
    if not 1 <= occurrence <= len(matches):
        raise ValidationError(f"Those words appear {len(matches)} times; choose which one.")
    found = matches[occurrence - 1]
    return found.start(), found.end()


def coding_add(
    *,
    ref: TextRef,
    code: Code,
    quote: str = "",
    start: int | None = None,
    end: int | None = None,
    occurrence: int = 1,
    memo: str = "",
    objectives: Iterable[Objective] = (),
    by: User | None = None,
) -> Coding:
    """Code a passage of the text ``ref``: given by its words (``quote``) or its offsets.

    Raises ``ValidationError`` if the words are not in the text, the offsets
    fall outside it, or the code or objectives are another programme's.
    """
    try:
        text, programme = text_of(ref)
    except (LookupError, ObjectDoesNotExist) as exc:
        raise ValidationError("That text no longer exists.") from exc
    if code.programme_id != programme.pk:
        raise ValidationError("Use a code from this programme's codebook.")
    chosen = list(objectives)
    if any(o.programme_id != programme.pk for o in chosen):
        raise ValidationError("Link the passage to this programme's objectives only.")
    if start is None or end is None:
        start, end = locate(text, quote, occurrence)
    if not 0 <= start < end <= len(text):
        raise ValidationError(f"A passage must lie inside the text (0 to {len(text)}).")
    duplicate = Coding.objects.filter(**ref.fields(), code=code, start=start, end=end).first()
    if duplicate is not None:
        return duplicate
    with transaction.atomic():
        coding = Coding.objects.create(
            **ref.fields(),
            code=code,
            start=start,
            end=end,
            quote=text[start:end],
            memo=memo.strip(),
            created_by=by,
        )
        coding.objectives.set(chosen)
        # A suggestion this coding answers is settled.
        Suggestion.objects.filter(
            **ref.fields(), code=code, state=Suggestion.State.OPEN, start__lt=end, end__gt=start
        ).update(state=Suggestion.State.ACCEPTED)
    return coding


def coding_update(*, coding: Coding, memo: str, objectives: Iterable[Objective]) -> Coding:
    chosen = list(objectives)
    if any(o.programme_id != coding.code.programme_id for o in chosen):
        raise ValidationError("Link the passage to this programme's objectives only.")
    coding.memo = memo.strip()
    coding.save(update_fields=["memo"])
    coding.objectives.set(chosen)
    return coding


def coding_remove(*, coding: Coding) -> None:
    coding.delete()


# -- suggestions -----------------------------------------------------------------------


def suggestions_refresh(*, programme: Programme) -> int:
    """Work out code suggestions for every uncoded sentence of the programme's texts;
    returns how many are waiting. Rejected suggestions are not made again."""
    units = programme_texts(programme)
    codes = list(programme.codes.all())
    examples: dict[int, list[str]] = {c.pk: [c.name, c.description] for c in codes}
    coded_with: dict[int, int] = {}
    for coding in Coding.objects.filter(code__programme=programme).only("code_id", "quote"):
        examples[coding.code_id].append(coding.quote)
        coded_with[coding.code_id] = coded_with.get(coding.code_id, 0) + 1
    # Only codes with coded passages: a name alone is too little to go on.
    usable: dict[Hashable, Iterable[str]] = {
        pk: texts for pk, texts in examples.items() if coded_with.get(pk)
    }
    passages = []
    for unit in units:
        spans = [(c.start, c.end) for c in unit.codings]
        for passage in suggest.sentences(unit.ref, unit.text):
            if not any(s < passage.end and e > passage.start for s, e in spans):
                passages.append(passage)
    rejected = {
        (s.answer_id, s.interview_note_id, s.observation_id, s.start, s.end, s.code_id)
        for s in Suggestion.objects.filter(
            code__programme=programme, state=Suggestion.State.REJECTED
        )
    }
    with transaction.atomic():
        Suggestion.objects.filter(code__programme=programme, state=Suggestion.State.OPEN).delete()
        fresh = []
        for proposal in suggest.propose(passages, usable):
            ref = proposal.passage.source
            assert isinstance(ref, TextRef)  # noqa: S101 - programme_texts gives TextRefs
            fields = ref.fields()
            key = (
                fields.get("answer_id"),
                fields.get("interview_note_id"),
                fields.get("observation_id"),
                proposal.passage.start,
                proposal.passage.end,
                proposal.code,
            )
            if key in rejected:
                continue
            fresh.append(
                Suggestion(
                    **fields,
                    code_id=int(proposal.code),  # type: ignore[call-overload]
                    start=proposal.passage.start,
                    end=proposal.passage.end,
                    quote=proposal.passage.text,
                    score=proposal.score,
                )
            )
        Suggestion.objects.bulk_create(fresh)
    return len(fresh)


def suggestion_accept(*, suggestion: Suggestion, by: User | None = None) -> Coding:
    coding = coding_add(
        ref=ref_of(suggestion),
        code=suggestion.code,
        start=suggestion.start,
        end=suggestion.end,
        by=by,
    )
    suggestion.state = Suggestion.State.ACCEPTED
    suggestion.save(update_fields=["state"])
    return coding


def suggestion_reject(*, suggestion: Suggestion) -> None:
    suggestion.state = Suggestion.State.REJECTED
    suggestion.save(update_fields=["state"])


# -- REFI-QDA --------------------------------------------------------------------------

# Texts are named in REFI-QDA files by a GUID derived from what they are, so a file made
# here and brought back finds the same texts.
_TEXT_NAMESPACE = uuid.UUID("6f1d2b7e-3c55-4a8e-9a0e-0c6d5f1e2a71")


def text_guid(ref: TextRef) -> str:
    return str(uuid.uuid5(_TEXT_NAMESPACE, f"{ref.kind}:{ref.pk}"))


def _code_tree(programme: Programme) -> list[refiqda.CodeData]:
    codes = list(programme.codes.order_by("name"))
    nodes = {c.pk: refiqda.CodeData(str(c.guid), c.name, c.description) for c in codes}
    top = []
    for code in codes:
        if code.parent_id and code.parent_id in nodes:
            nodes[code.parent_id].children.append(nodes[code.pk])
        else:
            top.append(nodes[code.pk])
    return top


def codebook_export(*, programme: Programme) -> bytes:
    """The codebook as a REFI-QDA ``.qdc`` file."""
    return refiqda.codebook_xml(_code_tree(programme), origin="Common Ground")


def project_export(*, programme: Programme) -> bytes:
    """The codebook, every codable text and every coding as a REFI-QDA ``.qdpx`` file."""
    sources = [
        refiqda.SourceData(
            guid=text_guid(unit.ref),
            name=f"{unit.source} · {unit.label}"[:200],
            text=unit.text,
            selections=[
                refiqda.SelectionData(
                    guid=str(coding.guid),
                    start=coding.start,
                    end=coding.end,
                    code_guid=str(coding.code.guid),
                    memo=coding.memo,
                )
                for coding in unit.codings
            ],
        )
        for unit in programme_texts(programme)
    ]
    project = refiqda.ProjectData(
        name=programme.title, codes=_code_tree(programme), sources=sources
    )
    return refiqda.project_zip(project, origin="Common Ground", made=timezone.now())


@dataclass(frozen=True)
class Imported:
    codes: int
    codings: int
    skipped: list[str]


def project_import(*, programme: Programme, data: bytes, by: User | None = None) -> Imported:
    """Bring codes and codings back from a ``.qdpx`` file made from this programme (and
    worked on in another tool). Codes are matched by GUID, else by name under the same
    parent; texts by GUID. Codings already here are not added twice. Selections whose words
    differ from the text here (it was changed elsewhere) are skipped and listed."""
    try:
        project = refiqda.read_project(
            data, max_unzipped=settings.EVALUATION_IMPORT_MAX_UNZIPPED_BYTES
        )
    except refiqda.RefiError as exc:
        raise ValidationError(str(exc)) from exc
    units = {text_guid(u.ref): u for u in programme_texts(programme)}
    skipped: list[str] = []
    with transaction.atomic():
        by_guid: dict[str, Code] = {}
        made = 0

        def place(nodes: list[refiqda.CodeData], parent: Code | None) -> None:
            nonlocal made
            for node in nodes:
                known = _uuid(node.guid)
                code = programme.codes.filter(guid=known).first() if known else None
                if code is None:
                    code = programme.codes.filter(parent=parent, name__iexact=node.name).first()
                if code is None:
                    code = Code.objects.create(
                        programme=programme,
                        parent=parent,
                        name=node.name[:120],
                        description=node.description,
                        guid=_uuid(node.guid) or uuid.uuid4(),
                    )
                    made += 1
                by_guid[node.guid] = code
                place(node.children, code)

        place(project.codes, None)
        added = 0
        for source in project.sources:
            unit = units.get(source.guid)
            if unit is None:
                if source.selections:
                    skipped.append(f"'{source.name[:60]}' is not a text of this programme")
                continue
            for selection in source.selections:
                code = by_guid.get(selection.code_guid)
                words = source.text[selection.start : selection.end] if source.text else None
                if code is None:
                    skipped.append(f"a coding in '{source.name[:60]}' names an unknown code")
                    continue
                if not 0 <= selection.start < selection.end <= len(unit.text) or (
                    words is not None and words != unit.text[selection.start : selection.end]
                ):
                    skipped.append(f"a coding in '{source.name[:60]}' no longer fits the text")
                    continue
                exists = Coding.objects.filter(
                    **unit.ref.fields(), code=code, start=selection.start, end=selection.end
                ).exists()
                if not exists:
                    coding = coding_add(
                        ref=unit.ref,
                        code=code,
                        start=selection.start,
                        end=selection.end,
                        memo=selection.memo,
                        by=by,
                    )
                    if _uuid(selection.guid):
                        Coding.objects.filter(pk=coding.pk).update(guid=_uuid(selection.guid))
                    added += 1
    return Imported(codes=made, codings=added, skipped=skipped)


def _uuid(raw: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None
