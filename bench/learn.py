"""Learn benchmark: saving an answer among a million, and exporting a long journal.

    uv run python bench/learn.py               # SQLite
    uv run python bench/learn.py --database-url postgres://postgres@127.0.0.1:5432/postgres

The starter course is loaded, then 10,000 learners with 1,000,000 saved answers between
them are stored straight into the tables (reflections and their first revisions). Then:

- saving: 500 saves by learners picked at random, each a new revision of one of their
  answers, through ``services.reflection_save`` as the chapter page's script calls it:
  p50/p95 and the queries each save takes (which must not grow with the table);
- the journal: one learner with 1,000 entries of 60 words exports it as Markdown and as
  PDF the way the journal's download links do (the PDF engine already imported, as in a
  running server).

Targets (issue 15): a save p95 under 50 ms with a constant number of queries; a journal
of 1,000 entries as PDF under 5 s and as Markdown under 1 s; research aggregates (a third
of the learners each chose nothing, counts only, and counts with excerpts) for every
question of the course, over all the answers, under 1 s.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Report, django_fresh  # noqa: E402

LEARNERS = 10_000
ANSWERS = 1_000_000
SAVES = 500
JOURNAL = 1_000
# A reflection of a few sentences (the demo journal's answers run 25 to 45 words).
REFLECTION_WORDS = 60
BATCH = 20_000
WORDS = "listening trust residents library council partners time feedback power".split()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="", help="PostgreSQL; SQLite if empty.")
    parser.add_argument("--answers", type=int, default=ANSWERS)
    parser.add_argument(
        "--keep", action="store_true", help="Keep the database for the next --keep run."
    )
    args = parser.parse_args()
    django_fresh(args.database_url, name="commonground_bench_learn", keep=args.keep)

    import pypdfium2
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from commonground.accounts.models import User
    from commonground.learning import exports, selectors, services
    from commonground.learning.content import read_folder
    from commonground.learning.demo import COURSES
    from commonground.learning.models import (
        Course,
        Question,
        Reflection,
    )
    from commonground.learning.research import aggregates
    from commonground.lib import pdf as pdf_engine

    report = Report(f"Learn: {LEARNERS:,} learners, {args.answers:,} saved answers")
    services.course_load(read_folder(COURSES / "foundations"))
    questions = list(Question.objects.order_by("pk"))
    texts = [q for q in questions if q.kind == "text"]
    if not Reflection.objects.exists():  # else kept from the last --keep run
        store(args.answers, questions, report)
    # Savers are picked from learners who have a written answer to change.
    writers = list(
        Reflection.objects.filter(question__kind="text")
        .order_by("person_id")
        .values_list("person_id", flat=True)
        .distinct()
    )
    rng = random.Random(15)
    now = timezone.now()
    course = Course.objects.get(slug="foundations")

    print("Research ...", flush=True)
    began = time.perf_counter()
    breakdowns = aggregates(course)
    aggregated = time.perf_counter() - began
    report.figure(
        "research aggregates, every question",
        f"{aggregated:.2f} s ({sum(b.answered for b in breakdowns):,} answers counted, "
        f"{sum(len(b.excerpts) for b in breakdowns):,} excerpts)",
    )
    report.target("research aggregates under 1 s", aggregated < 1)
    print("Saving ...", flush=True)
    timings, queries = [], set()
    for n in range(SAVES):
        person = User.objects.get(pk=rng.choice(writers))
        reflection = (
            Reflection.objects.filter(person=person, question__kind="text")
            .select_related("question")
            .first()
        )
        assert reflection is not None  # noqa: S101
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            services.reflection_save(
                person=person,
                question=reflection.question,
                text=f"{reflection.text} and then {n}",
                reflection=reflection,
                based_on=reflection.revision,
            )
            timings.append(time.perf_counter() - began)
        queries.add(len(captured))
    timings.sort()
    p95 = timings[int(len(timings) * 0.95)]
    report.figure("save p50", f"{statistics.median(timings) * 1000:.1f} ms")
    report.figure("save p95", f"{p95 * 1000:.1f} ms")
    report.figure("queries per save", ", ".join(str(q) for q in sorted(queries)))
    report.target("save p95 under 50 ms", p95 < 0.05)
    report.target("a constant number of queries per save", len(queries) == 1)

    print("Journal ...", flush=True)
    User.objects.filter(email="writer@bench.example.org").delete()  # from a --keep run
    writer = User.objects.create_user(email="writer@bench.example.org", name="Writer")
    Reflection.objects.bulk_create(
        [
            Reflection(
                person=writer,
                question=texts[n % len(texts)],
                text=" ".join(rng.choice(WORDS) for _ in range(REFLECTION_WORDS)),
                question_version=1,
                started_at=now,
                saved_at=now,
            )
            for n in range(JOURNAL)
        ]
    )
    entries = selectors.journal(writer).count()
    # A server imports the PDF engine once per worker (0.8 s here), not once per download.
    pdf_engine.available()
    began = time.perf_counter()
    markdown, _ = exports.journal(writer, "md", base_url="/")
    as_markdown = time.perf_counter() - began
    began = time.perf_counter()
    pdf, _ = exports.journal(writer, "pdf", base_url="/")
    as_pdf = time.perf_counter() - began
    report.figure(
        f"journal of {entries:,} entries as Markdown",
        f"{as_markdown * 1000:.0f} ms ({len(markdown) / 1e3:.0f} kB)",
    )
    report.figure(
        f"journal of {entries:,} entries as PDF",
        f"{as_pdf:.1f} s ({len(pypdfium2.PdfDocument(pdf))} pages, {len(pdf) / 1e6:.1f} MB)",
    )
    report.target("journal as Markdown under 1 s", as_markdown < 1)
    report.target("journal as PDF under 5 s", as_pdf < 5)
    report.finish()


def store(answers: int, questions: list[Any], report: Report) -> None:
    """Learners, their answers (each with its first revision) and their consent."""
    from django.db import transaction
    from django.utils import timezone

    from commonground.accounts.models import User
    from commonground.learning.models import (
        Consent,
        ConsentEvent,
        ConsentState,
        Course,
        Reflection,
        Revision,
    )

    print("Storing learners and answers ...", flush=True)
    started = time.perf_counter()
    User.objects.bulk_create(
        [User(email=f"learner{n}@bench.example.org", name=f"Learner {n}") for n in range(LEARNERS)],
        batch_size=BATCH,
    )
    people = list(User.objects.order_by("pk").values_list("pk", flat=True))
    now = timezone.now()
    rng = random.Random(15)
    made = 0
    while made < answers:
        size = min(BATCH, answers - made)
        with transaction.atomic():
            batch = []
            for i in range(size):
                question = questions[(made + i) % len(questions)]
                options = question.options
                batch.append(
                    Reflection(
                        person_id=people[(made + i) % len(people)],
                        question=question,
                        text="" if options else " ".join(rng.choice(WORDS) for _ in range(25)),
                        chosen=[rng.choice(options)] if options else [],
                        question_version=1,
                        started_at=now,
                        saved_at=now,
                    )
                )
            Reflection.objects.bulk_create(batch, batch_size=BATCH)
            first = Reflection.objects.order_by("-pk").values_list("pk", "text")[:size]
            Revision.objects.bulk_create(
                [
                    Revision(
                        reflection_id=pk, number=1, text=text, question_version=1, saved_at=now
                    )
                    for pk, text in first
                ],  # fmt: skip
                batch_size=BATCH,
            )
        made += size
    course = Course.objects.get(slug="foundations")
    levels = [Consent.NOTHING, Consent.COUNTS, Consent.EXCERPTS]
    ConsentEvent.objects.bulk_create(
        [
            ConsentEvent(person_id=pk, course=course, level=levels[pk % 3], text_version=1)
            for pk in people
        ],
        batch_size=BATCH,
    )
    ConsentState.objects.bulk_create(
        [
            ConsentState(person_id=e.person_id, course=course, level=e.level, event=e)
            for e in ConsentEvent.objects.filter(course=course)
        ],
        batch_size=BATCH,
    )
    from django.db import connection

    if connection.vendor == "postgresql":  # as autovacuum would after a load this size
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    report.figure("stored in", f"{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
