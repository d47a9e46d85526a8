"""The courses that come with Common Ground, loaded by ``demo`` and by ``learn load``;
and, in the demo, a journal for one of the demo people."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from commonground.accounts.models import User
from commonground.learning import services
from commonground.learning.content import read_folder
from commonground.learning.models import Course

COURSES = Path(__file__).resolve().parent / "courses"
DEMO_LEARNER = "priya.natarajan@example.org"

# What the demo learner wrote, by question: their own words, in the demo's voice.
DEMO_JOURNAL = {
    "communities-you-belong-to": (
        "My street's residents' group, the Tamil community I grew up in, and the network of "
        "librarians who swap ideas online. At work we mostly reach families with young "
        "children; teenagers and older men hardly come through the door."
    ),
    "belonging-in-your-service": (
        "Rhyme time feels like it belongs to the parents who come. The study space feels like "
        "it belongs to us, the staff: we set the rules and the hours."
    ),
    "confidence-naming-unreached-groups": ["Fairly confident"],
    "to-for-or-with": ["Done for people"],
    "what-with-would-have-changed": (
        "The homework club would have started at four, not half three, if we had asked the "
        "parents first. Half of them finish work at half three."
    ),
}


@transaction.atomic
def load(*, addr: str = "127.0.0.1:8000") -> str:
    """Load the courses that come with Common Ground, and the demo learner's journal."""
    lines = [str(services.course_load(read_folder(folder))) for folder in _folders()]
    person = User.objects.filter(email=DEMO_LEARNER).first()
    course = Course.objects.filter(slug="foundations").first()
    if person is not None and course is not None and not person.reflections.exists():
        questions = {q.key: q for q in course.questions.filter(key__in=DEMO_JOURNAL)}
        when = timezone.now() - timedelta(days=9)
        for key, words in DEMO_JOURNAL.items():
            question = questions.get(key)
            if question is None:
                continue
            services.reflection_save(
                person=person,
                question=question,
                text=words if isinstance(words, str) else "",
                chosen=words if isinstance(words, list) else (),
                now=when,
            )
            when += timedelta(hours=3)
        lines.append(f"{person.name} has a journal in Learn (sign in as {person.email}).")
    return "\n".join(lines)


def _folders() -> list[Path]:
    return sorted(p for p in COURSES.iterdir() if p.is_dir() and (p / "course.yaml").exists())
