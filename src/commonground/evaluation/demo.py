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
    EvaluationForm,
    Programme,
    Question,
    Response,
)
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


@dataclass(frozen=True)
class DemoForm:
    title: str
    introduction: str
    activities: tuple[int, ...]  # places in ACTIVITIES
    labels: list[str] | None  # None: the common 1-4 scale
    # Each item: its text, heading and chances of each point, lowest first.
    items: tuple[tuple[str, str, tuple[float, ...]], ...]
    write_ins: tuple[tuple[str, str, tuple[str, ...]], ...]
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
            (
                "If they do what we asked, the repairs line will finally answer in the evening.",
                "The new library layout has room for the homework club, which we asked for.",
                "My grandmother's story will be in the museum. That matters to our family.",
                "I am not sure yet. We have been asked before and nothing happened.",
                "People on our street are talking to each other about it, which is new.",
                "It depends whether the council keeps coming back to tell us what happened.",
            ),
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
    forms = [
        _add_form(programme, demo, [activities[i] for i in demo.activities], rng)
        for demo in (TRAINING, LEARNING_SETS, WORKSHOPS, SIX_MONTHS)
    ]
    _add_coding(programme, activities, author)
    _add_outcomes(programme, forms, author)
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
    for activity, returned in zip(activities, demo.returned, strict=True):
        day = activity.ends_on or activity.starts_on or date(2025, 4, 1)
        when = timezone.make_aware(datetime.combine(day, time(16, 30)))
        responses = Response.objects.bulk_create(
            [
                Response(
                    form=form,
                    activity=activity,
                    channel=Response.Channel.PAPER if i % 3 else Response.Channel.WEB,
                    organisation_name=rng.choice(RESPONDENT_ORGANISATIONS),
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
            for question, (_, _, pool) in zip(written, demo.write_ins, strict=True):
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
    ("Confidence", "Feeling able to plan, run and learn from engagement.", ("confident",)),
    (
        "Cross-sector learning",
        "Learning from colleagues in other sectors, and keeping in touch.",
        ("other sectors", "health", "museum team", "network across sectors", "housing"),
    ),
    (
        "Organisational commitment",
        "Managers and organisations backing engagement as part of the work.",
        ("director", "manager", "signed it off", "plan"),
    ),
    (
        "Capacity and resources",
        "Time, staff and money to do engagement well.",
        ("time", "short-staffed", "rushed"),
    ),
    (
        "Being heard",
        "Residents seeing that what they said made a difference.",
        ("asked", "listening", "told us", "nothing happened"),
    ),
)

GUIDE = (
    ("Confidence", "What can you do now in engagement work that you could not do before?"),
    ("Cross-sector learning", "Who outside your own sector have you worked with since?"),
    ("Organisational commitment", "How has your organisation responded to the work?"),
    ("Capacity and resources", "What would you need to keep this going?"),
)

# Organisation, role, date, mode, notes for each question of the guide.
INTERVIEWS = (
    (
        "Riverside Libraries",
        "Community librarian",
        date(2026, 2, 3),
        "telephone",
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
        (
            "I understand now the difference between consulting and involving people, and I "
            "say so in meetings. I am more confident to push back when a survey is not enough.",
            "The learning set put me with a museum educator and a housing officer. We still "
            "meet for coffee every month.",
            "Our engagement standards now name the learning set as the way new staff learn.",
            "A small budget for childcare and interpreters would let more people come.",
        ),
    ),
    (
        "Valleys Housing Association",
        "Tenant involvement lead",
        date(2026, 2, 10),
        "telephone",
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
    from commonground.evaluation.selectors import programme_texts

    codes = {
        name: services.code_add(programme=programme, name=name, description=memo)
        for name, memo, _ in CODES
    }
    services.code_add(
        programme=programme,
        name="Confidence to hand over control",
        description="Letting communities lead, not only take part.",
        parent=codes["Confidence"],
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
    for place, (organisation, role, held_on, mode, notes) in enumerate(INTERVIEWS):
        services.interview_record(
            guide=guide,
            organisation_name=organisation,
            role=role,
            held_on=held_on,
            mode=mode,
            activity=activities[place % 4],
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
    from commonground.evaluation.suggest import sentences

    seen: set[str] = set()
    for unit in programme_texts(programme):
        if unit.ref.kind == ANSWER and unit.text in seen:
            continue  # the same answer again: one quote of it is enough
        seen.add(unit.text)
        for sentence in sentences(unit.ref, unit.text):
            lowered = sentence.text.lower()
            for name, _, phrases in CODES:
                if any(re.search(rf"\b{re.escape(p)}\b", lowered) for p in phrases):
                    services.coding_add(
                        ref=unit.ref,
                        code=codes[name],
                        start=sentence.start,
                        end=sentence.end,
                        by=author,
                    )


# -- judgements, measures, indicators, the report --------------------------------------


def _add_outcomes(programme: Programme, forms: list[EvaluationForm], author: User | None) -> None:
    from commonground.evaluation.models import Coding, Indicator, Measure

    objectives = list(programme.objectives.all())
    measures = {}
    for kind, name, unit, figures in (
        (
            Measure.Kind.HOW_MUCH,
            "Training places filled",
            "people",
            (("Spring", 54), ("Autumn", 54)),
        ),
        (Measure.Kind.HOW_MUCH, "Learning set meetings held", "meetings", (("2025", 12),)),
        (Measure.Kind.HOW_MUCH, "Residents taking part in workshops", "people", (("2025", 55),)),
        (Measure.Kind.HOW_WELL, "Training day forms returned", "%", (("2025", 59),)),
        (
            Measure.Kind.HOW_WELL,
            "Found the training day very or extremely useful",
            "%",
            (("Spring", 93), ("Autumn", 100)),
        ),
        (
            Measure.Kind.BETTER_OFF,
            "Engagement plans signed off by partner organisations",
            "plans",
            (("By March 2026", 5),),
        ),
        (
            Measure.Kind.BETTER_OFF,
            "Services changed after residents' workshops",
            "services",
            (("By March 2026", 3),),
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
    for period, value in (("2023", 24), ("2024", 25), ("2025", 26), ("2026", 27)):
        services.indicator_value_add(indicator=indicator, period=period, value=Decimal(value))

    items = {q.code: q for f in forms for q in f.questions.all()}
    quotes = {
        name: list(Coding.objects.filter(code__programme=programme, code__name=name)[:2])
        for name, _, _ in CODES
    }
    for objective, rating, narrative, item_codes, code_names, measure_names in (
        (
            objectives[0],
            "clearly_met",
            "Staff rated their confidence highly after the training days (a mean in the top "
            "quarter of the scale), and every follow-up interviewee described something they "
            "now do on their own.",
            ("confident", "use"),
            ("Confidence",),
            ("Found the training day very or extremely useful",),
        ),
        (
            objectives[1],
            "largely_met",
            "Meeting people from other sectors was the highest-rated part of the training "
            "days, and interviewees named partners they still work with. Fewer learning set "
            "members expect to stay in touch once the sets end.",
            ("cross-sector", "in-touch"),
            ("Cross-sector learning",),
            (),
        ),
        (
            objectives[2],
            "partly_met",
            "Five partners have signed off engagement plans and two boards now ask for "
            "reports, but several interviewees still depend on short-term funding and goodwill.",
            (),
            ("Organisational commitment", "Capacity and resources"),
            ("Engagement plans signed off by partner organisations",),
        ),
        (
            objectives[3],
            "too_early",
            "Three services changed after the workshops. Residents said they want to hear what "
            "happened next; a second round of interviews in 2027 will show whether it lasted.",
            ("change",),
            ("Being heard",),
            ("Services changed after residents' workshops",),
        ),
    ):
        services.judgement_set(
            objective=objective,
            rating=rating,
            narrative=narrative,
            items=[items[c] for c in item_codes if c in items],
            quotes=[c for name in code_names for c in quotes[name]],
            measures=[measures[name] for name in measure_names],
            by=author,
        )
    for key, text in (
        (
            "summary",
            "The programme trained 108 staff, ran two action learning sets and three series of "
            "residents' workshops. Confidence rose clearly, and people valued learning across "
            "sectors most of all. Organisations' commitment is growing but fragile.",
        ),
        (
            "methods",
            "We used the evaluation forms from each activity, follow-up telephone and video "
            "interviews with a shared guide, and observation of the workshops. Written "
            "answers and interview notes were coded with five main codes.",
        ),
        (
            "conclusions",
            "Learning sets cost most per person but changed practice most; training days "
            "reached most people at the lowest cost per hour. We recommend keeping both, and "
            "protecting staff time to take part.",
        ),
    ):
        services.report_section_save(programme=programme, key=key, text=text)
