"""What Learn holds about a person: their journal (every reflection and its revisions) and
how far they have gone in each chapter. All of it goes with their account."""

from __future__ import annotations

from typing import TYPE_CHECKING

from commonground.accounts.personal_data import DataFile, register

if TYPE_CHECKING:
    from commonground.accounts.models import User


def _export(user: User) -> list[DataFile]:
    from commonground.learning.models import ConsentEvent, Progress, Revision, Share

    revisions = (
        Revision.objects.filter(reflection__person=user)
        .select_related("reflection__question__chapter__course")
        .order_by("reflection__started_at", "reflection_id", "number")
    )
    progress = Progress.objects.filter(person=user).select_related("chapter__course")
    consents = ConsentEvent.objects.filter(person=user).select_related("course")
    shares = Share.objects.filter(owner=user).select_related("reflection__question", "chapter")
    return [
        DataFile(
            "journal.csv",
            header=[
                "course",
                "chapter",
                "question",
                "question_id",
                "question_version",
                "reflection",
                "revision",
                "saved",
                "text",
                "chosen",
            ],  # fmt: skip
            rows=[
                (
                    r.reflection.question.chapter.course.title,
                    r.reflection.question.chapter.title,
                    r.reflection.question.prompt,
                    r.reflection.question.key,
                    r.question_version,
                    r.reflection_id,
                    r.number,
                    r.saved_at,
                    r.text,
                    "; ".join(r.chosen),
                )
                for r in revisions
            ],
        ),
        DataFile(
            "learning_progress.csv",
            header=["course", "chapter", "started", "last_visit", "finished"],
            rows=[
                (p.chapter.course.title, p.chapter.title, p.started_at, p.visited_at)
                + (p.finished_at or "",)
                for p in progress
            ],
        ),
        DataFile(
            "research_consent.csv",
            header=["course", "choice", "consent_text_version", "when"],
            rows=[(c.course.title, c.get_level_display(), c.text_version, c.at) for c in consents],
        ),
        DataFile(
            "shares.csv",
            header=["shares", "for", "made", "withdrawn"],
            rows=[
                (
                    s.reflection.question.prompt if s.reflection else f"chapter: {s.chapter}",
                    s.note,
                    s.created_at,
                    s.withdrawn_at or "",
                )
                for s in shares
            ],
        ),
    ]


def _erase(user: User) -> None:
    from commonground.learning.models import ConsentEvent, Progress, Reflection, Share

    Share.objects.filter(owner=user).delete()
    ConsentEvent.objects.filter(person=user).delete()  # and the state they made
    Reflection.objects.filter(person=user).delete()  # and every revision with it
    Progress.objects.filter(person=user).delete()


register(
    "learning",
    description="everything you wrote in Learn's courses, every saved revision of it, the "
    "links you made to share some of it, your choices about research, and how far you "
    "have gone in each chapter",
    export=_export,
    erase=_erase,
)
