"""A person's journal as a file to keep: Markdown, PDF, Word, CSV or JSON.

The journal page's download links and the API's journal export both come here, so the
five formats say the same things: each answer under the question as it was worded when
the person wrote it, with that wording's version, when it was written and last saved.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from itertools import groupby
from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string
from django.utils import timezone

from commonground.learning import selectors
from commonground.lib.pdf import html_to_pdf
from commonground.lib.tabular import csv_bytes
from commonground.lib.word import html_to_docx

if TYPE_CHECKING:
    from commonground.accounts.models import User
    from commonground.learning.models import Chapter, Question, Reflection

FORMATS = {
    "md": "text/markdown; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}

COLUMNS = (
    "course", "chapter", "question", "question_id", "question_version", "text", "chosen",
    "started_at", "saved_at", "revisions",
)  # fmt: skip


@dataclass(frozen=True)
class Answer:
    """One answer, and the question's words when it was written if they have changed since."""

    reflection: Reflection
    then_read: str


@dataclass(frozen=True)
class Asked:
    """One question in the journal and the person's answers to it, in the order written."""

    question: Question
    answers: list[Answer]


@dataclass(frozen=True)
class Section:
    chapter: Chapter
    questions: list[Asked]


def journal(person: User, fmt: str, *, base_url: str) -> tuple[bytes, str]:
    """The whole journal of ``person`` as ``fmt`` (a key of FORMATS) and its file name.
    Raises ``PdfUnavailable`` for a PDF where WeasyPrint cannot run."""
    entries = list(selectors.journal(person))
    wording = selectors.earlier_wording(entries)
    name = f"journal-{timezone.localdate():%Y-%m-%d}.{fmt}"
    if fmt == "csv":
        rows = [[row[c] for c in COLUMNS] for row in _rows(entries, wording, joined=True)]
        return csv_bytes(COLUMNS, rows), name
    if fmt == "json":
        rows = list(_rows(entries, wording, joined=False))
        return json.dumps({"journal": rows}, ensure_ascii=False, indent=2).encode(), name
    context = {
        "person": person,
        "sections": sections(entries, wording),
        "entries": len(entries),
        "made_on": timezone.localdate(),
    }
    if fmt == "md":
        return render_to_string("learning/journal.md", context).encode(), name
    html = render_to_string("learning/journal_print.html", context)
    if fmt == "docx":
        return html_to_docx(html, pictures={}), name
    return html_to_pdf(html, base_url=base_url), name


def sections(entries: list[Reflection], wording: dict[tuple[int, int], str]) -> list[Section]:
    """``entries`` (in the journal's course order) by chapter, then question: each question
    is printed once, with every answer to it beneath."""
    found = []
    for chapter, in_chapter in groupby(entries, key=lambda r: r.question.chapter):
        asked = []
        for question, answers in groupby(in_chapter, key=lambda r: r.question):
            listed = [
                Answer(r, wording.get((question.pk, r.question_version), "")) for r in answers
            ]
            asked.append(Asked(question, listed))
        found.append(Section(chapter, asked))
    return found


def _rows(entries: list[Reflection], wording: dict[tuple[int, int], str], *, joined: bool) -> Any:
    for reflection in entries:
        question = reflection.question
        yield {
            "course": question.chapter.course.title,
            "chapter": question.chapter.title,
            "question": wording.get((question.pk, reflection.question_version), question.prompt),
            "question_id": question.key,
            "question_version": reflection.question_version,
            "text": reflection.text,
            "chosen": "; ".join(reflection.chosen) if joined else reflection.chosen,
            "started_at": reflection.started_at.isoformat(),
            "saved_at": reflection.saved_at.isoformat(),
            "revisions": reflection.revision,
        }
