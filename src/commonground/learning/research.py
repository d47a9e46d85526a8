"""Research use of learners' answers, only with their consent.

A course whose files say ``research: true`` asks each learner what researchers may use:
nothing (the default), counts only, or counts and anonymised excerpts. Each choice is an
event (``ConsentEvent``), never edited; the latest per person is in force from the moment
it is made, so a withdrawal changes the next page and export at once.

What a researcher sees, per question, comes only from learners whose consent is in force:
- counts of each point or choice, overall and by the kind of organisation they work for,
  with any group of fewer than ``MIN_GROUP`` people shown as "fewer than 10", and one more
  group hidden beside it where the total would otherwise give the hidden one away;
- for written answers, excerpts from those who allowed them, with names, email addresses,
  telephone numbers and postcodes taken out, shuffled, and never linked to a person or
  organisation.
"""

from __future__ import annotations

import json
import re
import secrets
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, F, Max, QuerySet, TextField, Window
from django.db.models.functions import Cast, Random, RowNumber

from commonground.accounts.models import Membership, Organisation, User
from commonground.learning.models import (
    Consent,
    ConsentEvent,
    ConsentState,
    Course,
    Question,
    Reflection,
)

MIN_GROUP = 10
EXCERPT_WORDS = 60
EXCERPTS_SHOWN = 40  # a question's excerpts on the researcher's page (the export has all)
# The consent text, by version. A new version is added, never edited: every event records
# the version the learner read.
CONSENT_VERSION = 1
CONSENT_TEXTS = {
    1: (
        "Researchers studying how people learn community engagement may use answers to this "
        "course, only as you choose here. Counts only: your choices are counted with "
        "everyone else's, and shown only in groups of 10 people or more. Counts and "
        "excerpts: as well, short passages of what you wrote may be quoted, with names, "
        "email addresses, telephone numbers and postcodes taken out, and never linked to "
        "you or your organisation. You can change your mind at any time; a change applies "
        "from then on to everything researchers see or download."
    ),
}
NO_ORGANISATION = "No organisation given"


def consent_of(person: User, course: Course) -> ConsentEvent | None:
    return ConsentEvent.objects.filter(person=person, course=course).order_by("-at", "-pk").first()


def consenting(course: Course, *, levels: Iterable[str]) -> QuerySet[Any, Any]:
    """The ids of people whose consent in force for ``course`` is one of ``levels``, as a
    subquery (``ConsentState`` holds each person's latest choice)."""
    return ConsentState.objects.filter(course=course, level__in=list(levels)).values("person_id")


@dataclass
class Cell:
    """A count, or "fewer than 10" where the group is too small to show."""

    count: int
    hidden: bool = False

    def __str__(self) -> str:
        return f"fewer than {MIN_GROUP}" if self.hidden else str(self.count)


@dataclass
class Breakdown:
    """One question's counts: overall, and per kind of organisation."""

    question: Question
    answered: int
    options: list[str]
    overall: list[Cell]
    groups: list[tuple[str, int, list[Cell]]] = field(default_factory=list)
    excerpts: list[str] = field(default_factory=list)


def suppress(counts: Mapping[str, int]) -> dict[str, Cell]:
    """Cells for ``counts``: each under ``MIN_GROUP`` hidden; where exactly one is hidden
    (and the total is shown), the next smallest is hidden too, so that subtraction cannot
    give it away."""
    cells = {key: Cell(n, 0 < n < MIN_GROUP) for key, n in counts.items()}
    hidden = [key for key, cell in cells.items() if cell.hidden]
    if len(hidden) == 1:
        shown = sorted(
            (cell.count, key) for key, cell in cells.items() if not cell.hidden and cell.count
        )
        if shown:
            cells[shown[0][1]].hidden = True
    return cells


def _kinds(people: Iterable[int]) -> dict[int, str]:
    """Each person's kind of organisation (their earliest membership's), by person id."""
    labels = dict(Organisation.Kind.choices)
    kinds: dict[int, str] = {}
    for person, kind in (
        Membership.objects.filter(user_id__in=list(people))
        .order_by("user_id", "pk")
        .values_list("user_id", "organisation__kind")
    ):
        kinds.setdefault(person, labels.get(kind, kind))
    return kinds


def aggregates(course: Course, *, excerpts: int | None = EXCERPTS_SHOWN) -> list[Breakdown]:
    """Every question of ``course`` as researchers may see it, from consenting learners;
    at most ``excerpts`` excerpts a question (a fresh random choice each time), or all
    of them with ``None``. Counts are worked out from choices alone, never from the
    written text, so the cost is in the number of choices, not the words."""
    counted = consenting(course, levels=[Consent.COUNTS, Consent.EXCERPTS])
    quoting = consenting(course, levels=[Consent.EXCERPTS])
    questions = list(course.questions.filter(retired=False).select_related("chapter"))
    # Each person's latest answer to a question with points or choices is the one counted:
    # found in the database, and read back as its JSON text, decoded once per distinct text.
    options_asked = [q for q in questions if q.options]
    latest = (
        Reflection.objects.filter(question__in=options_asked, person__in=counted)
        .values("person_id", "question_id")
        .annotate(last=Max("id"))
        .values("last")
    )
    answers = (
        Reflection.objects.filter(pk__in=latest)
        .annotate(raw=Cast("chosen", TextField()))
        .values_list("person_id", "question_id", "raw")
    )
    decoded: dict[str, list[str]] = {}
    by_question: dict[int, list[tuple[int, list[str]]]] = defaultdict(list)
    for person, asked, raw in answers.iterator(chunk_size=10_000):
        if raw not in decoded:
            decoded[raw] = json.loads(raw)
        by_question[asked].append((person, decoded[raw]))
    written = _answered([q for q in questions if not q.options], counted)
    kinds = _kinds({person for rows in by_question.values() for person, _ in rows})
    quoted = [q for q in questions if not q.options and written.get(q.pk, 0) >= MIN_GROUP]
    samples = _excerpts(quoted, quoting, _names(), excerpts) if quoted else {}
    found = []
    for question in questions:
        if question.options:
            rows = by_question.get(question.pk, [])
            breakdown = Breakdown(question, len(rows), list(question.options), [])
            overall = Counter(c for _, chosen in rows for c in chosen)
            cells = suppress({o: overall[o] for o in question.options})
            breakdown.overall = [cells[o] for o in question.options]
            per_kind: dict[str, Counter[str]] = defaultdict(Counter)
            members: Counter[str] = Counter()
            for person, chosen in rows:
                kind = kinds.get(person, NO_ORGANISATION)
                members[kind] += 1
                per_kind[kind].update(chosen)
            for kind in sorted(k for k, n in members.items() if n >= MIN_GROUP):
                cells = suppress({o: per_kind[kind][o] for o in question.options})
                shown = [cells[o] for o in question.options]
                breakdown.groups.append((kind, members[kind], shown))
        else:
            breakdown = Breakdown(question, written.get(question.pk, 0), [], [])
            sample = samples.get(question.pk, [])
            # A handful of excerpts could point to the few who wrote them: none below.
            breakdown.excerpts = sample if len(sample) >= MIN_GROUP else []
        found.append(breakdown)
    return found


def _answered(questions: list[Question], people: QuerySet[Any, Any]) -> dict[int, int]:
    """How many of ``people`` answered each of ``questions``, by question id: from the
    (question, person) index alone."""
    return dict(
        Reflection.objects.filter(question__in=questions, person__in=people)
        .values("question_id")
        .annotate(n=Count("person", distinct=True))
        .values_list("question_id", "n")
    )


def _excerpts(
    questions: list[Question], quoting: QuerySet[Any, Any], names: set[str], limit: int | None
) -> dict[int, list[str]]:
    """Excerpts of what consenting learners wrote to each of ``questions``, anonymised, in
    an order no one can trace back to the people who wrote them: at most ``limit`` a
    question, chosen at random (or every one, with None)."""
    written = Reflection.objects.filter(question__in=questions, person__in=quoting)
    if limit is not None:  # chosen by id, and only those read
        if connection.vendor == "postgresql":  # one window over them all: 0.25 s, not 1.6
            ranked = written.annotate(
                rank=Window(RowNumber(), partition_by=[F("question_id")], order_by=Random())
            ).filter(rank__lte=limit)
            chosen = list(ranked.values_list("pk", flat=True))
        else:  # SQLite walks the (question, person) index a question at a time faster
            chosen = [
                pk
                for question in questions
                for pk in written.filter(question=question)
                .order_by("?")
                .values_list("pk", flat=True)[:limit]
            ]
        written = Reflection.objects.filter(pk__in=chosen)
    found: dict[int, list[str]] = defaultdict(list)
    for question, text in written.values_list("question_id", "text").iterator(chunk_size=2000):
        if text.strip():
            found[question].append(anonymise(text, names))
    for texts in found.values():
        secrets.SystemRandom().shuffle(texts)
    return found


# -- taking people out of what they wrote ----------------------------------------------

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
PHONE = re.compile(r"(?<!\w)(\+?\d[\d\s().-]{8,}\d)(?!\w)")
POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)
WEB = re.compile(r"https?://\S+")
# A capitalised word after a title or "my colleague", "called" and the like is a name.
NAMED = re.compile(
    r"\b(Mr|Mrs|Ms|Miss|Dr|Cllr|Councillor|colleague|manager|called|named|neighbour)"
    r"(\.?\s+)[A-Z][a-z'-]+(\s+[A-Z][a-z'-]+)?"
)


def _names() -> set[str]:
    """Every name this site knows of people and organisations, as lower-case words."""
    words: set[str] = set()
    for name in User.objects.values_list("name", flat=True).iterator():
        words.update(w.lower() for w in re.findall(r"[A-Za-z][A-Za-z'-]+", name) if len(w) > 2)
    for name in Organisation.objects.values_list("name", flat=True).iterator():
        words.update(w.lower() for w in re.findall(r"[A-Za-z][A-Za-z'-]+", name) if len(w) > 3)
    return words - COMMON_WORDS


# Words that are names of organisations too often to take out ("Libraries", "Council").
COMMON_WORDS = {
    "library", "libraries", "museum", "museums", "archive", "archives", "council", "city",
    "county", "borough", "health", "housing", "trust", "service", "services", "community",
    "partnership", "network", "group", "centre", "center", "university", "college", "the",
    "and", "association", "team", "partners", "friends", "valley", "valleys", "town",
}  # fmt: skip


def anonymise(text: str, names: set[str]) -> str:
    """``text`` cut to an excerpt, with email addresses, web links, telephone numbers,
    postcodes and every known name of a person or organisation replaced by a mark."""
    text = EMAIL.sub("[email]", text)
    text = WEB.sub("[link]", text)
    text = PHONE.sub("[phone]", text)
    text = POSTCODE.sub("[postcode]", text)
    text = NAMED.sub(lambda m: f"{m.group(1)}{m.group(2)}[name]", text)
    text = re.sub(
        r"[A-Za-z][A-Za-z'-]+",
        lambda m: "[name]" if m.group(0).lower() in names else m.group(0),
        text,
    )
    words = text.split()
    return " ".join(words[:EXCERPT_WORDS]) + (" …" if len(words) > EXCERPT_WORDS else "")


__all__ = [
    "CONSENT_TEXTS",
    "CONSENT_VERSION",
    "MIN_GROUP",
    "Breakdown",
    "Cell",
    "aggregates",
    "anonymise",
    "consent_of",
    "consenting",
    "suppress",
]
