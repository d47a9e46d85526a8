"""A demonstration programme, written for Common Ground: the Three Valleys Engagement
Partnership's year of training days, learning sets, workshop series and a case study, with
its forms and their answers (about 240 in all).

Everything here is fictional. The answers are drawn from fixed distributions with a fixed
seed, so every demo shows the same figures; the write-in answers are a pool of sentences
written for the demo. Loading is idempotent: a programme of the same title is left alone.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from commonground.accounts.models import Organisation, User
from commonground.evaluation import services
from commonground.evaluation.models import (
    Activity,
    Answer,
    Coding,
    EvaluationForm,
    Indicator,
    Judgement,
    Measure,
    Programme,
    Question,
    Response,
)
from commonground.evaluation.selectors import ItemResult, costs, programme_results, programme_texts
from commonground.evaluation.suggest import sentences
from commonground.evaluation.texts import ANSWER

TITLE = "Three Valleys Engaging Communities Programme 2025-26"
AGREEMENT = [
    "Strongly disagree",
    "Disagree",
    "Neither agree nor disagree",
    "Agree",
    "Strongly agree",
]

OBJECTIVES = [
    "Staff across the partner organisations are more confident to plan and run community "
    "engagement.",
    "Practitioners learn from colleagues in other sectors and keep in touch after the programme.",
    "Partner organisations build engagement into their plans rather than treating it as a "
    "one-off project.",
    "Communities who are seldom heard take part in shaping at least three local services.",
]

# title, kind, first and last date, sessions, venue, online, participants, hours each, cost
ACTIVITIES = [
    (
        "Engagement essentials (spring)",
        Activity.Kind.TRAINING_DAY,
        date(2025, 4, 8),
        date(2025, 4, 8),
        1,
        "Valley Hall, Aberfenn",
        False,
        54,
        "6",
        "2700",
    ),
    (
        "Engagement essentials (autumn)",
        Activity.Kind.TRAINING_DAY,
        date(2025, 10, 14),
        date(2025, 10, 14),
        1,
        "Riverside Central Library",
        False,
        54,
        "6",
        "2900",
    ),
    (
        "Action learning set: libraries and museums",
        Activity.Kind.LEARNING_SET,
        date(2025, 5, 6),
        date(2025, 12, 2),
        6,
        "Northmoor Museum",
        True,
        8,
        "18",
        "4200",
    ),
    (
        "Action learning set: council and health",
        Activity.Kind.LEARNING_SET,
        date(2025, 5, 13),
        date(2025, 12, 9),
        6,
        "Eastbrook Civic Centre",
        True,
        9,
        "18",
        "4200",
    ),
    (
        "Listening to tenants (Harbourside)",
        Activity.Kind.WORKSHOP_SERIES,
        date(2025, 6, 3),
        date(2025, 6, 17),
        3,
        "Harbour Street Community Centre",
        False,
        22,
        "7.5",
        "1650",
    ),
    (
        "Co-designing library spaces (Riverside)",
        Activity.Kind.WORKSHOP_SERIES,
        date(2025, 9, 2),
        date(2025, 9, 16),
        3,
        "Riverside Central Library",
        False,
        18,
        "7.5",
        "1400",
    ),
    (
        "Collecting recent migration stories (Northmoor)",
        Activity.Kind.WORKSHOP_SERIES,
        date(2025, 11, 4),
        date(2025, 11, 18),
        3,
        "Northmoor Museum",
        False,
        15,
        "7.5",
        "1500",
    ),
    (
        "Case study: how Eastbrook set its engagement standards",
        Activity.Kind.CASE_STUDY,
        date(2026, 1, 12),
        date(2026, 2, 27),
        6,
        "",
        True,
        6,
        "4",
        "1800",
    ),
]


Pool = tuple[str, ...]


@dataclass(frozen=True)
class DemoForm:
    title: str
    introduction: str
    activities: tuple[int, ...]  # places in ACTIVITIES
    labels: list[str] | None  # None: the common 1-4 scale
    # Each item: its text, heading and chances of each point, lowest first.
    items: tuple[tuple[str, str, tuple[float, ...]], ...]
    # Each write-in: its text, heading and the answers people gave, or for a form whose
    # activities differ (the residents' workshops) the answers of each, by place.
    write_ins: tuple[tuple[str, str, Pool | dict[int, Pool]], ...]
    returned: tuple[int, ...]  # forms returned, per activity


TRAINING = DemoForm(
    title="Training day evaluation",
    introduction="Thank you for coming. Your answers help us improve the day for the next group "
    "and show our funders what it achieved. It takes about five minutes.",
    activities=(0, 1),
    labels=None,
    items=(
        ("How useful was the day for your work?", "useful", (0.02, 0.06, 0.42, 0.50)),
        ("How clear were the aims of the day?", "aims", (0.0, 0.05, 0.45, 0.50)),
        (
            "How well did the day explain the difference between informing, consulting and "
            "involving people?",
            "levels",
            (0.02, 0.08, 0.40, 0.50),
        ),
        (
            "How confident do you now feel to plan an engagement activity?",
            "confident",
            (0.03, 0.12, 0.50, 0.35),
        ),
        (
            "How useful was meeting people from other sectors?",
            "cross-sector",
            (0.0, 0.04, 0.28, 0.68),
        ),
        (
            "How relevant were the examples to your organisation?",
            "relevant",
            (0.05, 0.15, 0.45, 0.35),
        ),
        (
            "How well was the day run (venue, timing, materials)?",
            "organised",
            (0.0, 0.03, 0.35, 0.62),
        ),
        (
            "How likely are you to use what you learned in the next three months?",
            "use",
            (0.02, 0.10, 0.43, 0.45),
        ),
    ),
    write_ins=(
        (
            "What was the most useful part of the day?",
            "most-useful",
            (
                "Hearing how the museum team ran their listening events: I had never thought "
                "of libraries and museums having the same problems.",
                "The exercise on the levels of engagement. We call everything consultation and "
                "most of it is informing.",
                "Working through our own plan in small groups with people from housing and health.",
                "Realising that the people we never hear from are not hard to reach; we are.",
                "The practical tips on venues, timing and childcare.",
                "Meeting the council's engagement officers and finding out who to call.",
                "Time to think about my own project away from the desk.",
            ),
        ),
        (
            "What would you change about the day?",
            "change",
            (
                "More time for the case studies and less for the introductions.",
                "Lunch was rushed and that is when the best conversations happen.",
                "Send the slides beforehand so we can come with questions.",
                "A follow-up session a few months later to share how it went.",
                "Some of the examples were very council-focused.",
                "Nothing, it was well paced.",
            ),
        ),
    ),
    returned=(30, 34),  # 64 forms from 108 attendees
)

LEARNING_SETS = DemoForm(
    title="Learning set review",
    introduction="A short review at the end of the set. The facilitator sees only the figures "
    "and quotes credited to organisations, never who wrote what.",
    activities=(2, 3),
    labels=["Not at all", "A little", "Quite a lot", "A great deal"],
    items=(
        ("How useful has the set been for your piece of work?", "useful", (0.0, 0.07, 0.40, 0.53)),
        ("How safe did you feel to share problems in the set?", "safe", (0.0, 0.0, 0.27, 0.73)),
        (
            "How much have you learned from members in other sectors?",
            "cross-sector",
            (0.0, 0.13, 0.40, 0.47),
        ),
        (
            "How much more confident are you to take on engagement work?",
            "confident",
            (0.0, 0.13, 0.47, 0.40),
        ),
        ("How well did the facilitator support the set?", "facilitation", (0.0, 0.0, 0.33, 0.67)),
        (
            "How likely are you to stay in touch with members after the set ends?",
            "in-touch",
            (0.07, 0.20, 0.40, 0.33),
        ),
    ),
    write_ins=(
        (
            "What has changed in your work because of the set?",
            "changed",
            (
                "I rewrote our engagement plan with the set's questions in mind and my director "
                "signed it off.",
                "I stopped trying to solve everything myself and started asking partners earlier.",
                "We now hold our consultation sessions in the evenings and at the market.",
                "Having a confidential space to admit a project was going badly was invaluable.",
                "I have a network across sectors I can call on.",
            ),
        ),
        (
            "What got in the way?",
            "barriers",
            (
                "Finding time between sessions when the service is short-staffed.",
                "My manager did not see the set as part of my job at first.",
                "The online sessions worked but the face-to-face ones were better.",
                "Two members left part way through, which changed the group.",
            ),
        ),
    ),
    returned=(7, 8),
)

WORKSHOPS = DemoForm(
    title="Workshop feedback",
    introduction="Tell us what you thought of the workshops. You do not need to give your name.",
    activities=(4, 5, 6),
    labels=AGREEMENT,
    items=(
        ("I was listened to.", "listened", (0.02, 0.05, 0.10, 0.45, 0.38)),
        (
            "I understood how what we said would be used.",
            "understood",
            (0.05, 0.12, 0.23, 0.40, 0.20),
        ),
        (
            "The sessions were at times and places that suited me.",
            "suited",
            (0.02, 0.08, 0.15, 0.45, 0.30),
        ),
        ("I would take part in something like this again.", "again", (0.0, 0.03, 0.10, 0.42, 0.45)),
        (
            "I think the service will change because of these workshops.",
            "change",
            (0.07, 0.13, 0.30, 0.35, 0.15),
        ),
    ),
    write_ins=(
        (
            "What difference do you think the workshops will make?",
            "difference",
            {
                # Six answers for each workshop series, as the shared pools have.
                4: (
                    "If they do what we asked, the repairs line will finally answer in the "
                    "evening.",
                    "I am not sure yet. We have been asked before and nothing happened.",
                    "People on our street are talking to each other about it, which is new.",
                    "It depends whether the council keeps coming back to tell us what happened.",
                    "The housing officer wrote down what we said about the damp, so someone has "
                    "heard it.",
                    "More of us would come if it was in the evening again.",
                ),
                5: (
                    "The new library layout has room for the homework club, which we asked for.",
                    "A quiet room upstairs and the children's corner downstairs: that was our "
                    "idea.",
                    "I hope they keep the late opening on Thursdays.",
                    "I had never been inside the library before the first session.",
                    "We will see when the building work starts.",
                    "My son will have somewhere to do his homework that is not the kitchen table.",
                ),
                6: (
                    "My grandmother's story will be in the museum. That matters to our family.",
                    "Nobody had asked us about our own history before.",
                    "The museum staff let us choose the photographs and the words.",
                    "I want to see it on the wall before I believe it.",
                    "My children heard stories from their grandfather they had never heard.",
                    "Other families from our street should be asked too.",
                ),
            },
        ),
    ),
    returned=(18, 15, 12),
)

SIX_MONTHS = DemoForm(
    title="Six months on",
    introduction="A short look back, six months after you took part. Whatever you did, your "
    "answers help the partnership decide what to keep.",
    activities=(0, 1, 2, 3, 4, 5, 6, 7),
    labels=None,
    items=(
        ("How much have you used what you learned?", "used", (0.05, 0.20, 0.45, 0.30)),
        (
            "How much does your organisation now support engagement work?",
            "support",
            (0.10, 0.30, 0.40, 0.20),
        ),
        (
            "How much have you kept in touch with people from other sectors?",
            "in-touch",
            (0.12, 0.28, 0.38, 0.22),
        ),
        (
            "How far have residents' views changed a service you work on?",
            "change",
            (0.15, 0.35, 0.35, 0.15),
        ),
    ),
    write_ins=(
        (
            "What has lasted, and what has not?",
            "lasted",
            (
                "The contacts have lasted; the enthusiasm in my team has faded a little.",
                "We still use the engagement plan template every time.",
                "Without protected time it is hard to keep going.",
                "Residents now expect us to come back, which keeps us honest.",
                "My manager moved on and the new one has other priorities.",
                "The cross-sector network meets every quarter and that keeps it alive.",
            ),
        ),
    ),
    returned=(30, 28, 7, 8, 14, 11, 9, 5),  # 112 of 186 participants
)


RESPONDENT_ORGANISATIONS = (
    "Riverside Libraries",
    "Northmoor Museums and Archives",
    "Eastbrook Council",
    "Harbourside Community Action",
    "Three Valleys Health Partnership",
    "Valleys Housing Association",
    "Aberfenn Town Council",
    "",
)
# The residents at each workshop series (by place in ACTIVITIES) belong to local groups, or
# leave the box empty; eight choices each, as above, so every demo draws the same answers.
RESIDENT_GROUPS = {
    4: ("Harbour Street Tenants' Association",) * 3 + ("Harbourside Over-60s Club",) + ("",) * 4,
    5: ("Friends of Riverside Library",) * 2 + ("Riverside Homework Club",) * 2 + ("",) * 4,
    6: ("Northmoor Polish Saturday School",) * 2
    + ("Northmoor Somali Women's Group",) * 2
    + ("",) * 4,
}


@transaction.atomic
def load(*, addr: str = "127.0.0.1:8000") -> str:
    """Add the demonstration programme if it is not there. Returns a line for the console."""
    organisation = Organisation.objects.filter(slug="three-valleys-partnership").first()
    if organisation is None or Programme.objects.filter(title=TITLE).exists():
        return ""
    author = User.objects.filter(email="rosa.delgado@example.org").first()
    programme = services.programme_create(
        organisation=organisation,
        by=author,
        title=TITLE,
        summary="A year of shared training, action learning and community workshops across the "
        "three valleys, for staff of libraries, museums, the council, health and housing "
        "partners who are new to engagement work. Funded by the partners and a regional grant.",
        starts_on=date(2025, 4, 1),
        ends_on=date(2026, 3, 31),
    )
    for text in OBJECTIVES:
        services.objective_add(programme=programme, text=text)
    activities = [
        services.activity_save(
            programme=programme,
            title=title,
            kind=kind,
            starts_on=starts,
            ends_on=ends,
            sessions=sessions,
            venue=venue,
            online=online,
            participants=participants,
            hours_per_participant=Decimal(hours),
            cost=Decimal(cost),
        )
        for title, kind, starts, ends, sessions, venue, online, participants, hours, cost in (
            ACTIVITIES
        )
    ]
    rng = random.Random(2025)  # noqa: S311 - the same answers in every demo, not a secret
    for demo in (TRAINING, LEARNING_SETS, WORKSHOPS, SIX_MONTHS):
        _add_form(programme, demo, [activities[i] for i in demo.activities], rng)
    _add_coding(programme, activities, author)
    _add_outcomes(programme, activities, author)
    return f"Demo evaluation: {TITLE}"


def _add_form(
    programme: Programme, demo: DemoForm, activities: list[Activity], rng: random.Random
) -> EvaluationForm:
    form = services.form_create(
        programme=programme,
        title=demo.title,
        introduction=demo.introduction,
        activities=activities,
    )
    questions = [
        services.question_add(form=form, text=text, code=code, labels=demo.labels)
        for text, code, _ in demo.items
    ] + [
        services.question_add(form=form, text=text, code=code, kind=Question.Kind.WRITE_IN)
        for text, code, _ in demo.write_ins
    ]
    likert = questions[: len(demo.items)]
    written = questions[len(demo.items) :]
    for activity, place, returned in zip(activities, demo.activities, demo.returned, strict=True):
        organisations = RESIDENT_GROUPS.get(place, RESPONDENT_ORGANISATIONS)
        day = activity.ends_on or activity.starts_on or date(2025, 4, 1)
        when = timezone.make_aware(datetime.combine(day, time(16, 30)))
        responses = Response.objects.bulk_create(
            [
                Response(
                    form=form,
                    activity=activity,
                    channel=Response.Channel.PAPER if i % 3 else Response.Channel.WEB,
                    organisation_name=rng.choice(organisations),
                    submitted_at=when + timedelta(minutes=7 * i),
                )
                for i in range(returned)
            ]
        )
        answers = []
        for response in responses:
            for question, (_, _, chances) in zip(likert, demo.items, strict=True):
                if rng.random() < 0.97:  # now and then an item is left blank
                    point = rng.choices(range(1, len(chances) + 1), weights=chances)[0]
                    answers.append(Answer(response=response, question=question, value=point))
            for question, (_, _, pools) in zip(written, demo.write_ins, strict=True):
                pool = pools[place] if isinstance(pools, dict) else pools
                if rng.random() < 0.45:
                    answers.append(
                        Answer(response=response, question=question, text=rng.choice(pool))
                    )
        Answer.objects.bulk_create(answers)
    services.form_recount(form=form)  # the answers went in directly, not answer by answer
    return form


# -- interviews, observations, coding --------------------------------------------------

# Each code, its memo, and phrases that mark a passage as showing it (for the demo's codings).
CODES = (
    (
        "Confidence",
        "Feeling able to plan, run and learn from engagement.",
        ("confident", "on my own"),
    ),
    (
        "Cross-sector learning",
        "Learning from colleagues in other sectors, and keeping in touch.",
        (
            "other sectors",
            "across sectors",
            "cross-sector network",
            "kept in touch",
            "contacts have lasted",
            "museum team",
            "put me with",
            "housing and health",
            "health partnership staff",
            "library staff",
            "library branches",
            "council's engagement",
        ),
    ),
    (
        "Organisational commitment",
        "Managers and organisations backing engagement as part of the work.",
        (
            "director",
            "signed it off",
            "board",
            "trustees",
            "senior managers",
            "my manager",
            "engagement plan",
            "project plan",
            "engagement standards",
        ),
    ),
    (
        "Capacity and resources",
        "Time, staff and money to do engagement well.",
        (
            "short-staffed",
            "protected time",
            "staff time",
            "stretched",
            "short-term funding",
            "budget",
        ),
    ),
    (
        "Being heard",
        "Residents seeing that what they said made a difference.",
        (
            "what we asked",
            "we asked for",
            "asked before",
            "never been asked",
            "nobody had asked",
            "should be asked",
            "nothing happened",
            "what happened",
            "our idea",
            "let us choose",
            "heard it",
            "grandmother's story",
            "expect us to come back",
        ),
    ),
)
HAND_OVER = (
    "Confidence to hand over control",
    "Letting communities lead, not only take part.",
    ("hand over control", "led by the families", "chaired"),
)

GUIDE = (
    ("Confidence", "What can you do now in engagement work that you could not do before?"),
    ("Cross-sector learning", "Who outside your own sector have you worked with since?"),
    ("Organisational commitment", "How has your organisation responded to the work?"),
    ("Capacity and resources", "What would you need to keep this going?"),
)

# Organisation, role, date, mode, the activity talked about (by place in ACTIVITIES), and the
# notes for each question of the guide.
INTERVIEWS = (
    (
        "Riverside Libraries",
        "Community librarian",
        date(2026, 2, 3),
        "telephone",
        0,
        (
            "I ran a listening event with the Polish community on my own. Before the course I "
            "would have asked the council to do it. I feel confident to plan the next one.",
            "The health visitors now use our branch for drop-ins; we met at the spring training "
            "day and kept in touch.",
            "My manager asked me to write the engagement section of the service plan, which "
            "the director signed off in January.",
            "Time. Every event takes two days to prepare and the branch is short-staffed on "
            "Saturdays.",
        ),
    ),
    (
        "Eastbrook Council",
        "Neighbourhood officer",
        date(2026, 2, 5),
        "video",
        3,
        (
            "I understand now the difference between consulting and involving people, and I "
            "say so in meetings. I am more confident to push back when a survey is not enough.",
            "The learning set put me with a practice manager from the health partnership and "
            "a housing officer. We still meet for coffee every month.",
            "Our engagement standards now name the learning set as the way new staff learn.",
            "A small budget for childcare and interpreters would let more people come.",
        ),
    ),
    (
        "Valleys Housing Association",
        "Tenant involvement lead",
        date(2026, 2, 10),
        "telephone",
        1,
        (
            "We co-designed the repairs leaflet with tenants rather than testing it on them "
            "at the end.",
            "I learned most from the library staff, who are good at welcoming people who do "
            "not usually come in.",
            "The board asked for a report on tenant involvement for the first time.",
            "Staff time is the barrier; tenants are willing but we are stretched.",
        ),
    ),
    (
        "Northmoor Museums and Archives",
        "Learning and engagement manager",
        date(2026, 2, 12),
        "in_person",
        6,
        (
            "The migration stories workshops were led by the families themselves. I feel "
            "confident to hand over control now.",
            "Working with the council's engagement team opened doors to community groups we "
            "had never reached.",
            "The director now mentions the workshops in every funding bid.",
            "Short-term funding means we start again every year.",
        ),
    ),
    (
        "Harbourside Community Action",
        "Community development worker",
        date(2026, 2, 17),
        "telephone",
        4,
        (
            "Residents chaired the third tenants' workshop. They told us they had never been "
            "asked before.",
            "Meeting the health partnership staff led to a joint session on loneliness.",
            "Our trustees made engagement part of every project plan.",
            "We need the council to keep coming back and tell residents what happened.",
        ),
    ),
    (
        "Three Valleys Health Partnership",
        "Patient engagement officer",
        date(2026, 2, 19),
        "video",
        3,
        (
            "I am more confident explaining to clinicians why engagement is more than a "
            "questionnaire.",
            "The library branches are now where we hold our listening sessions.",
            "Senior managers came to the closing event, which had not happened before.",
            "Protected time for staff to take part in the learning sets.",
        ),
    ),
)

OBSERVATION = (
    "Second tenants' workshop, Harbour Street",
    "Twenty people came, more than the first session. Residents moved the chairs into a "
    "circle before the start. The officer from the council listened for the first half hour "
    "without speaking. Two older residents said they had been asked before and nothing "
    "happened; the facilitator wrote their point on the wall and promised a written reply. "
    "By the end residents were marking the map themselves and the housing association "
    "officer took photographs of it to share with the repairs team.",
)


def _add_coding(programme: Programme, activities: list[Activity], author: User | None) -> None:
    codes = {
        name: services.code_add(programme=programme, name=name, description=memo)
        for name, memo, _ in CODES
    }
    name, memo, _ = HAND_OVER
    codes[name] = services.code_add(
        programme=programme, name=name, description=memo, parent=codes["Confidence"]
    )
    guide = services.guide_create(
        programme=programme,
        title="Follow-up interviews",
        introduction="About twenty minutes, by telephone or video, three to six months after "
        "the activity. Notes are typed up the same day.",
    )
    questions = [
        services.guide_question_add(guide=guide, theme=theme, text=text) for theme, text in GUIDE
    ]
    for organisation, role, held_on, mode, place, notes in INTERVIEWS:
        services.interview_record(
            guide=guide,
            organisation_name=organisation,
            role=role,
            held_on=held_on,
            mode=mode,
            activity=activities[place],
            notes={q.pk: text for q, text in zip(questions, notes, strict=True)},
            by=author,
        )
    observed_title, observed_notes = OBSERVATION
    services.observation_add(
        programme=programme,
        title=observed_title,
        observed_on=date(2025, 6, 10),
        notes=observed_notes,
        activity=activities[4],
        by=author,
    )
    # Code each text's sentences that carry a code's phrases: a fraction of the written
    # answers (as an evaluator would sample them), every interview note and the observation.
    seen: set[str] = set()
    for unit in programme_texts(programme):
        if unit.ref.kind == ANSWER and unit.text in seen:
            continue  # the same answer again: one quote of it is enough
        seen.add(unit.text)
        for sentence in sentences(unit.ref, unit.text):
            lowered = sentence.text.lower()
            for name, _, phrases in (*CODES, HAND_OVER):
                if any(re.search(rf"\b{re.escape(p)}\b", lowered) for p in phrases):
                    services.coding_add(
                        ref=unit.ref,
                        code=codes[name],
                        start=sentence.start,
                        end=sentence.end,
                        by=author,
                    )


# -- judgements, measures, indicators, the report --------------------------------------
#
# Every figure the demo's own words quote (a mean, its quarter of the scale, a share, a
# count) is read from the results of the answers above, not typed in, so the report's
# words cannot disagree with its tables. tests/evaluation/test_demo.py checks them again.

NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def in_words(n: int) -> str:
    """A small count as a word ("six"), a larger one in figures."""
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)


def percent(share: float | None) -> int:
    """A share as a whole percentage, rounded as the report's ``percent`` filter rounds it."""
    return int(f"{(share or 0) * 100:.0f}")


class Evidence:
    """The demo programme's computed results, for the words written about them."""

    def __init__(self, programme: Programme) -> None:
        self.programme = programme
        self.results = {r.form.title: r for r in programme_results(programme)}

    def item(self, form: DemoForm, code: str) -> ItemResult:
        return next(i for i in self.results[form.title].items if i.question.code == code)

    def average(self, form: DemoForm, code: str) -> str:
        """``"3.23 on a scale of 1 to 4, in its third quarter"``."""
        figures = self.item(form, code).figures
        assert figures.mean is not None and figures.band is not None  # noqa: S101 - demo data
        return f"{figures.mean:.2f} on a scale of 1 to {figures.points}, in its {figures.band.name}"

    def mean(self, form: DemoForm, code: str) -> str:
        """``"3.23 out of 4"``."""
        figures = self.item(form, code).figures
        return f"{figures.mean:.2f} out of {figures.points}"

    def top_two(self, form: DemoForm, code: str) -> str:
        """The share who chose one of the top two points: ``"92%"``."""
        return f"{percent(self.item(form, code).figures.top_two_box.share)}%"

    def top_two_at(self, form: DemoForm, code: str, activity: Activity) -> int:
        """That share among the people of one activity."""
        found = dict(self.item(form, code).by_activity)[activity.title]
        assert found is not None  # noqa: S101 - every demo activity has five answers or more
        return percent(found.top_two_box.share)

    def highest(self, form: DemoForm, code: str) -> bool:
        """Whether this item has the form's highest average."""
        items = self.results[form.title].items
        return max(items, key=lambda i: i.figures.mean or 0).question.code == code


def _span(activities: list[Activity]) -> str:
    """The months the activities ran: "May to December 2025"."""
    first = min(a.starts_on for a in activities if a.starts_on)
    last = max(a.ends_on for a in activities if a.ends_on)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first:%B %Y}"
    return (
        f"{first:%B} to {last:%B %Y}"
        if first.year == last.year
        else f"{first:%B %Y} to {last:%B %Y}"
    )


def _add_outcomes(programme: Programme, activities: list[Activity], author: User | None) -> None:

    evidence = Evidence(programme)
    kinds = {
        kind: [a for a in activities if a.kind == kind]
        for kind in (
            Activity.Kind.TRAINING_DAY,
            Activity.Kind.LEARNING_SET,
            Activity.Kind.WORKSHOP_SERIES,
            Activity.Kind.CASE_STUDY,
        )
    }
    training_days = kinds[Activity.Kind.TRAINING_DAY]
    learning_sets = kinds[Activity.Kind.LEARNING_SET]
    workshops = kinds[Activity.Kind.WORKSHOP_SERIES]
    trained = sum(a.participants for a in training_days)
    residents = sum(a.participants for a in workshops)
    plans_signed, services_changed = 5, 3  # counted by the partnership, not by a form

    measures = {}
    for kind, name, unit, figures in (
        (
            Measure.Kind.HOW_MUCH,
            "Training places filled",
            "people",
            [(f"{a.starts_on:%B %Y}", a.participants) for a in training_days],
        ),
        (
            Measure.Kind.HOW_MUCH,
            "Learning set meetings held",
            "meetings",
            [(_span(learning_sets), sum(a.sessions for a in learning_sets))],
        ),
        (
            Measure.Kind.HOW_MUCH,
            "Residents taking part in workshops",
            "people",
            [(_span(workshops), residents)],
        ),
        (
            Measure.Kind.HOW_WELL,
            "Training day forms returned",
            "%",
            [
                (f"{a.starts_on:%B %Y}", percent(returned / a.participants))
                for a, returned in zip(training_days, TRAINING.returned, strict=True)
            ],
        ),
        (
            Measure.Kind.HOW_WELL,
            "Found the training day very or extremely useful",
            "%",
            [
                (f"{a.starts_on:%B %Y}", evidence.top_two_at(TRAINING, "useful", a))
                for a in training_days
            ],
        ),
        (
            Measure.Kind.BETTER_OFF,
            "Felt very or extremely confident to plan engagement after a training day",
            "%",
            [
                (f"{a.starts_on:%B %Y}", evidence.top_two_at(TRAINING, "confident", a))
                for a in training_days
            ],
        ),
        (
            Measure.Kind.BETTER_OFF,
            "Engagement plans signed off by partner organisations",
            "plans",
            [("By March 2026", plans_signed)],
        ),
        (
            Measure.Kind.BETTER_OFF,
            "Services changed after residents' workshops",
            "services",
            [("By March 2026", services_changed)],
        ),
    ):
        measure = services.measure_add(programme=programme, kind=kind, name=name, unit=unit)
        for period, value in figures:
            services.measure_value_add(measure=measure, period=period, value=Decimal(value))
        measures[name] = measure

    indicator = services.indicator_add(
        programme=programme,
        name="Residents who feel they can influence decisions in their area",
        unit="%",
        source="Three Valleys residents' survey (fictional)",
        direction=Indicator.Direction.UP,
        baseline_period="2023",
        baseline=Decimal(24),
        target=Decimal(30),
        story="The share rose slowly across the valleys, fastest where the council started "
        "neighbourhood meetings. Housing changes, the cost of living and local news all move "
        "it; this programme worked with a few hundred people and is at most one small part "
        "of the story.",
    )
    survey = (("2023", 24), ("2024", 25), ("2025", 26), ("2026", 27))
    for period, value in survey:
        services.indicator_value_add(indicator=indicator, period=period, value=Decimal(value))

    e = evidence
    interviews = len(INTERVIEWS)
    cross_sector_lead = (
        "the highest-rated question"
        if e.highest(TRAINING, "cross-sector")
        else "one of the best-rated questions"
    )
    # Each objective: the rating, why (written from the cited figures), and the evidence:
    # items as (form, code), passages by words they contain, measures by name.
    judged = (
        (
            Judgement.Rating.LARGELY_MET,
            "Straight after the training days, staff rated how confident they felt to plan an "
            f"engagement activity at {e.average(TRAINING, 'confident')}; "
            f"{e.top_two(TRAINING, 'confident')} chose one of the top two points. Learning set "
            "members rated how much more confident they had become at "
            f"{e.average(LEARNING_SETS, 'confident')}. Each of the {in_words(interviews)} "
            "people interviewed later described something they now do themselves, from "
            "running a listening event to handing control to the families they work with. "
            "We say largely rather than clearly met because the forms ask how confident "
            "people feel, not how much that has changed.",
            ((TRAINING, "confident"), (LEARNING_SETS, "confident")),
            ("I feel confident to plan the next one", "I feel confident to hand over control"),
            ("Felt very or extremely confident to plan engagement after a training day",),
        ),
        (
            Judgement.Rating.LARGELY_MET,
            f"Meeting people from other sectors was {cross_sector_lead} on the training day "
            f"form: {e.average(TRAINING, 'cross-sector')}, and "
            f"{e.top_two(TRAINING, 'cross-sector')} chose one of the top two points. Six "
            "months on, people rated how much they had kept in touch with people from other "
            f"sectors at {e.average(SIX_MONTHS, 'in-touch')}: the contacts lasted for many, "
            "but not for all. Interviewees named partners in other sectors they still work "
            "with.",
            ((TRAINING, "cross-sector"), (SIX_MONTHS, "in-touch")),
            (
                "we met at the spring training day and kept in touch",
                "I have a network across sectors",
                "Meeting the health partnership staff",
            ),
            (),
        ),
        (
            Judgement.Rating.PARTLY_MET,
            f"{in_words(plans_signed).capitalize()} partner organisations have signed off "
            "engagement plans, a housing association's board asked for a report on tenant "
            "involvement for the first time, and a charity's trustees made engagement part of "
            "every project plan. But six months on, people rated how much their organisation "
            f"now supports engagement work at {e.average(SIX_MONTHS, 'support')}, and only "
            f"{e.top_two(SIX_MONTHS, 'support')} chose one of the top two points. Where the "
            "work rests on one supportive manager or on short-term money, it stalls when "
            "either goes.",
            ((SIX_MONTHS, "support"),),
            (
                "I rewrote our engagement plan",
                "Our trustees made engagement part of every project plan",
                "My manager moved on",
                "Short-term funding means we start again",
            ),
            ("Engagement plans signed off by partner organisations",),
        ),
        (
            Judgement.Rating.PARTLY_MET,
            f"In all, {residents} residents took part in {in_words(len(workshops))} workshop "
            "series, "
            f"and {in_words(services_changed)} services have changed since. Residents agreed "
            f"that they were listened to ({e.average(WORKSHOPS, 'listened')}; "
            f"{e.top_two(WORKSHOPS, 'listened')} agreed), but fewer thought the service would "
            f"change because of the workshops ({e.average(WORKSHOPS, 'change')}; "
            f"{e.top_two(WORKSHOPS, 'change')} agreed). Some said they had never been "
            "asked before; others had been asked and seen nothing happen, and want to hear "
            "what came of it. We say partly met because the forms did not ask who took part, "
            "so we cannot show that the residents were those seldom heard, and a second "
            "round of interviews in 2027 will show whether the changes last.",
            ((WORKSHOPS, "listened"), (WORKSHOPS, "change")),
            (
                "They told us they had never been asked before",
                "Nobody had asked us about our own history",
                "We have been asked before and nothing happened",
            ),
            ("Residents taking part in workshops", "Services changed after residents' workshops"),
        ),
    )
    for objective, (rating, narrative, items, passages, measure_names) in zip(
        programme.objectives.all(), judged, strict=True
    ):
        quotes = []
        for words in passages:
            coding = Coding.objects.filter(code__programme=programme, quote__contains=words).first()
            if coding is None:
                raise LookupError(f"No coded passage says {words!r}.")
            # Linked to its objective, so the quote bank finds it under that objective too.
            coding.objectives.add(objective)
            quotes.append(coding)
        services.judgement_set(
            objective=objective,
            rating=rating,
            narrative=narrative,
            items=[e.item(form, code).question for form, code in items],
            quotes=quotes,
            measures=[measures[name] for name in measure_names],
            by=author,
        )

    _, by_kind, _ = costs(activities)
    cost = {line.name: line for line in by_kind}
    training_cost = cost[Activity.Kind.TRAINING_DAY.label]
    set_cost = cost[Activity.Kind.LEARNING_SET.label]
    codes = programme.codes.all()
    main_codes = sum(1 for c in codes if c.parent_id is None)
    ways = {"in_person": "in person", "telephone": "by telephone", "video": "by video call"}
    held = [
        f"{in_words(sum(1 for i in INTERVIEWS if i[3] == mode))} {how}"
        for mode, how in ways.items()
        if any(i[3] == mode for i in INTERVIEWS)
    ]
    for key, text in (
        (
            "summary",
            f"Over the year the partnership ran {in_words(len(training_days))} training days "
            f"for {trained} staff, {in_words(len(learning_sets))} action learning sets, "
            f"{in_words(len(workshops))} series of residents' workshops and "
            f"{in_words(len(kinds[Activity.Kind.CASE_STUDY]))} case study. Staff left the "
            "training days more confident and valued meeting colleagues from other sectors; "
            "learning set members felt safe to bring real problems to the set. Residents felt "
            "listened to but were less sure that services would change. Partner "
            "organisations are building engagement into their plans, but the work still "
            "rests on a few committed managers and on short-term money.",
        ),
        (
            "methods",
            "We used the form people filled in at the end of each activity and a second form "
            f"six months on; {in_words(interviews)} follow-up interviews ("
            + ", ".join(held[:-1])
            + f" and {held[-1]}), each following one shared guide; and notes from watching "
            f"{in_words(programme.observations.count())} workshop session. Written answers, "
            "interview "
            f"notes and the observation notes were coded with {in_words(main_codes)} main "
            f"codes and {in_words(len(codes) - main_codes)} subcode. Quotes are credited to "
            "organisations, never to people.",
        ),
        (
            "findings",
            "People rated the practical side of the work highly. The training days were well "
            f"run ({e.mean(TRAINING, 'organised')}) and learning set members felt safe to "
            f"share problems ({e.mean(LEARNING_SETS, 'safe')}). The weaker points were "
            "fit and follow-through: the examples on the training days did not always suit "
            f"people's own organisations ({e.mean(TRAINING, 'relevant')}), and residents "
            "were less sure that the service would change "
            f"({e.mean(WORKSHOPS, 'change')}) than that they had been listened to "
            f"({e.mean(WORKSHOPS, 'listened')}). Six months on, people had used what "
            f"they learned ({e.mean(SIX_MONTHS, 'used')}) more than their organisations "
            f"had come to support the work ({e.mean(SIX_MONTHS, 'support')}).",
        ),
        (
            "costs",
            "Costs include everything each activity took: facilitation, venues, materials and "
            "staff time. The training days cost the least for each hour a participant spent "
            f"(£{training_cost.per_participant_hour:,.2f}) and reached the most people. The "
            "learning sets cost the most for each participant "
            f"(£{set_cost.per_participant:,.2f}), because a small group meets "
            f"{in_words(learning_sets[0].sessions)} times with a paid facilitator.",
        ),
        (
            "outcomes",
            f"The programme filled {trained} training places, held "
            f"{sum(a.sessions for a in learning_sets)} learning set meetings and worked with "
            f"{residents} residents in its workshops. By March 2026, "
            f"{in_words(plans_signed)} partner organisations had signed off engagement plans "
            f"and {in_words(services_changed)} services had changed after the workshops. "
            "Across the valleys, the share of residents who feel they can influence decisions "
            f"rose from {survey[0][1]}% in {survey[0][0]} to {survey[-1][1]}% in "
            f"{survey[-1][0]}, short of the {indicator.target:.0f}% target. The programme "
            "worked with a few hundred people, so it cannot claim that rise as its own.",
        ),
        (
            "conclusions",
            "Each kind of activity did something the others did not. The training days "
            "reached the most people at the lowest cost per hour and left staff more "
            "confident. The learning sets cost the most per person, and six months on their "
            "members gave the highest ratings of how far residents' views had changed a "
            "service they work on. The workshops gave residents a say, and "
            "they want to hear what happened next. We recommend keeping both the training "
            "days and the learning sets, protecting staff time to take part, and writing "
            "back to every workshop group to tell them what changed.",
        ),
    ):
        services.report_section_save(programme=programme, key=key, text=text)
