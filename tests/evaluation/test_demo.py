"""The demo's ready report tells the truth about its own evidence (issue 14).

Each judgement's words agree with the figures it cites; every number written in the
report's sections agrees with the data; every section is written; and each objective cites
evidence about that objective. A number the checks here do not know fails them: when the
demo's words gain a count, add what it counts to ``counts()``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from commonground.accounts import demo as accounts_demo
from commonground.accounts.models import User
from commonground.evaluation import demo, selectors
from commonground.evaluation.models import (
    Activity,
    Interview,
    Measure,
    MeasureValue,
    Programme,
    ReportSection,
)
from commonground.evaluation.models.outcomes import amount
from commonground.evaluation.selectors import ItemResult, Report
from commonground.evaluation.templatetags.evaluation import percent

pytestmark = pytest.mark.django_db

WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
QUARTER = re.compile(r"\b(bottom|second|third|top) quarter")
# A mean, then (before the next mean or clause) the quarter of the scale it is said to be in.
MEAN_AND_QUARTER = re.compile(
    r"(\d\.\d\d)(?:(?!\d\.\d\d)[^;()])*?\b(bottom|second|third|top) quarter"
)
MEAN = re.compile(r"(?<![\d.])(\d\.\d\d)(?!\d)(?: out of (\d+)| on a scale of 1 to (\d+))?")
# Words that hold a number but state no figure.
NOT_FIGURES = (
    "one of",
    "top two points",
    "one shared guide",
    "one supportive manager",
    "six months on",  # the form's name
)


@pytest.fixture
def report() -> Report:
    accounts_demo.load()
    demo.load()
    return selectors.report(Programme.objects.get(title=demo.TITLE))


def counts(programme: Programme) -> dict[str, int]:
    """What each count in the demo's words counts, read from the data: the words that
    follow the number, and the number they must be."""
    activities = list(programme.activities.all())

    def of(kind: str) -> list[Activity]:
        return [a for a in activities if a.kind == kind]

    training, sets = of(Activity.Kind.TRAINING_DAY), of(Activity.Kind.LEARNING_SET)
    workshops = of(Activity.Kind.WORKSHOP_SERIES)
    latest = {m.name: m.values.last() for m in programme.measures.prefetch_related("values")}
    interviews = Interview.objects.filter(guide__programme=programme)
    (sessions,) = {a.sessions for a in sets}
    return {
        "training days": len(training),
        "staff": sum(a.participants for a in training),
        "training places": sum(a.participants for a in training),
        "action learning sets": len(sets),
        "learning set meetings": sum(a.sessions for a in sets),
        "times with a paid facilitator": sessions,
        "series of residents' workshops": len(workshops),
        "workshop series": len(workshops),
        "residents": sum(a.participants for a in workshops),
        "case study": len(of(Activity.Kind.CASE_STUDY)),
        "follow-up interviews": interviews.count(),
        "people interviewed": interviews.count(),
        "in person": interviews.filter(mode=Interview.Mode.IN_PERSON).count(),
        "by telephone": interviews.filter(mode=Interview.Mode.TELEPHONE).count(),
        "by video call": interviews.filter(mode=Interview.Mode.VIDEO).count(),
        "workshop session": programme.observations.count(),
        "main codes": programme.codes.filter(parent=None).count(),
        "subcode": programme.codes.exclude(parent=None).count(),
        "partner organisations": _whole(
            latest["Engagement plans signed off by partner organisations"]
        ),
        "services": _whole(latest["Services changed after residents' workshops"]),
    }


def _whole(value: MeasureValue | None) -> int:
    assert value is not None
    return int(value.value)


def check_figures(
    text: str,
    *,
    items: Iterable[ItemResult],
    percentages: set[int],
    counted: dict[str, int],
    pounds: set[str] = frozenset(),  # type: ignore[assignment]
) -> None:
    """Every figure in ``text`` is one of those given: means (with the quarter of the scale
    said to hold them), percentages, sums of money and counts. Years are left alone."""
    for money in re.findall(r"£([\d,]+\.\d\d)", text):
        assert money in pounds, f"£{money} is not a cost in the tables: {text}"
    text = re.sub(r"£[\d,]+\.\d\d", "", text)
    means = {f"{i.figures.mean:.2f}": i.figures for i in items if i.figures.mean is not None}
    # Each quarter named belongs to the mean just before it, and is that mean's quarter.
    paired = MEAN_AND_QUARTER.findall(text)
    assert len(paired) == len(QUARTER.findall(text)), f"a quarter named without its mean: {text}"
    for mean, quarter in paired:
        band = means[mean].band
        assert band is not None and band.name == f"{quarter} quarter", (mean, quarter, text)
    for mean, out_of, scale in MEAN.findall(text):
        assert mean in means, f"{mean} is not the mean of an item cited: {text}"
        if out_of or scale:
            assert int(out_of or scale) == means[mean].points, (mean, text)
    rest = MEAN.sub("", text)
    for share in re.findall(r"(\d+)%", rest):
        assert int(share) in percentages, f"{share}% is not a share cited: {text}"
    rest = re.sub(r"\d+%", "", rest)
    rest = re.sub(r"\b(19|20)\d\d\b", "", rest)  # years
    for phrase in NOT_FIGURES:
        rest = re.sub(re.escape(phrase), "", rest, flags=re.IGNORECASE)
    for match in re.finditer(r"\b(\d+|" + "|".join(WORDS) + r")\b", rest, re.IGNORECASE):
        token = match.group(1).lower()
        number = WORDS[token] if token in WORDS else int(token)
        after = rest[match.end() :].lstrip()
        counts_this = [key for key in counted if after.startswith(key)]
        assert counts_this, f"the demo's words say {match.group(0)!r} {after[:30]!r}: of what?"
        what = max(counts_this, key=len)
        assert number == counted[what], f"{number} {what}, but the data say {counted[what]}"


def test_every_section_of_the_report_is_written(report: Report) -> None:
    assert set(report.sections) == set(ReportSection.Key.values)
    assert all(text.strip() for text in report.sections.values())
    client = Client()
    client.force_login(User.objects.get(email=accounts_demo.ADMIN_EMAIL))
    page = client.get(reverse("evaluation:report", args=[report.programme.pk]))
    assert page.status_code == 200
    assert "Nothing written for this section yet" not in page.content.decode()


def test_each_judgement_agrees_with_the_figures_it_cites(report: Report) -> None:
    counted = counts(report.programme)
    assert len(report.judged) == len(demo.OBJECTIVES)
    for judged in report.judged:
        assert judged.judgement is not None and judged.items + judged.quotes
        shares = {int(percent(i.figures.top_two_box.share)[:-1]) for i in judged.items}
        shares |= {int(v.value) for m in judged.measures if m.unit == "%" for v in m.values.all()}
        check_figures(
            judged.judgement.narrative, items=judged.items, percentages=shares, counted=counted
        )
    # The wording that once contradicted its evidence: objective 1 cites third-quarter means.
    first = report.judged[0]
    assert {i.figures.band.name for i in first.items if i.figures.band} == {"third quarter"}
    assert "top quarter" not in (first.judgement.narrative if first.judgement else "")


def test_every_number_in_the_sections_agrees_with_the_data(report: Report) -> None:
    items = [item for result in report.results for item in result.items]
    indicator, values = report.indicators[0]
    percentages = {int(v.value) for v in values} | {int(indicator.target or 0)}
    lines = [*report.costs_by_kind, *report.costs_by_activity, report.costs_total]
    pounds = {
        f"{money:,.2f}"
        for line in lines
        for money in (line.per_participant, line.per_participant_hour)
        if money is not None
    }
    counted = counts(report.programme)
    for key, text in report.sections.items():
        try:
            check_figures(
                text, items=items, percentages=percentages, counted=counted, pounds=pounds
            )
        except AssertionError as exc:
            raise AssertionError(f"{key}: {exc}") from exc
    # "Five main codes" once sat above a list counting six: both are now the codebook's.
    methods = report.sections["methods"]
    assert f"{demo.in_words(report.codes - 1)} main codes and one subcode" in methods


def test_the_sections_comparisons_hold(report: Report) -> None:
    by_kind = {line.name: line for line in report.costs_by_kind}
    cheapest = min(by_kind.values(), key=lambda line: line.per_participant_hour or Decimal(0))
    dearest = max(by_kind.values(), key=lambda line: line.per_participant or Decimal(0))
    costs = report.sections["costs"]
    assert cheapest.name == "Training day" and "training days cost the least" in costs
    assert dearest.name == "Action learning set" and "learning sets cost the most" in costs

    def item(form: str, code: str) -> ItemResult:
        result = next(r for r in report.results if r.form.title == form)
        return next(i for i in result.items if i.question.code == code)

    def mean(form: str, code: str) -> float:
        return item(form, code).figures.mean or 0

    findings = report.sections["findings"]
    assert "less sure that the service would change" in findings
    assert mean("Workshop feedback", "change") < mean("Workshop feedback", "listened")
    assert "had used what they learned" in findings
    assert mean("Six months on", "used") > mean("Six months on", "support")
    # The conclusions: six months on, the learning sets' people rated change highest.
    ranked = sorted(
        ((g.mean or 0, name) for name, g in item("Six months on", "change").by_activity if g),
        reverse=True,
    )
    sets = {a.title for a in report.activities if a.kind == Activity.Kind.LEARNING_SET}
    assert {name for _, name in ranked[: len(sets)]} == sets
    assert "their members gave the highest ratings" in report.sections["conclusions"]
    judged = report.judged[1].judgement
    assert judged is not None and "the highest-rated question" in judged.narrative
    training = next(r for r in report.results if r.form.title == "Training day evaluation")
    assert max(training.items, key=lambda i: i.figures.mean or 0).question.code == "cross-sector"


# What each objective is about: the codes its passages carry, a word its items and measures
# use, and whether its evidence comes from the residents' workshops or from staff.
ABOUT = (
    ({"Confidence", "Confidence to hand over control"}, "confiden", False),
    ({"Cross-sector learning"}, "other sectors", False),
    ({"Organisational commitment", "Capacity and resources"}, "organisation", False),
    ({"Being heard"}, "resident", True),
)


def test_each_objective_cites_evidence_about_that_objective(report: Report) -> None:
    units = {q.coding.pk: q.unit for q in selectors.quote_bank(report.programme)}
    workshops = {a.title for a in report.activities if a.kind == Activity.Kind.WORKSHOP_SERIES}
    for judged, (codes, word, residents) in zip(report.judged, ABOUT, strict=True):
        objective = judged.objective.text
        for coding in judged.quotes:
            unit = units[coding.pk]
            assert coding.code.name in codes, (objective, coding.quote)
            from_workshops = unit.activity in workshops
            said_by_residents = from_workshops and unit.source.startswith("Form:")
            if residents:
                assert from_workshops, f"{objective}: {coding.quote!r} is not about the workshops"
            else:
                assert not said_by_residents, f"{objective}: {coding.quote!r} is a resident's"
            # The quote bank finds each cited passage under its objective too.
            assert judged.objective in coding.objectives.all()
        for item in judged.items:
            if residents:
                forms_at = {a.title for a in item.question.form.activities.all()}
                assert forms_at <= workshops, (objective, item.question.text)
            else:
                assert word in item.question.text.lower(), (objective, item.question.text)
        for measure in judged.measures:
            assert word in measure.name.lower(), (objective, measure.name)
    # The passage about museums that once stood as evidence of reaching communities.
    heard = report.judged[3]
    assert all("museum team" not in c.quote for c in heard.quotes)


def test_a_measures_figures_read_with_their_periods_and_units(report: Report) -> None:
    meetings = Measure.objects.get(programme=report.programme, name="Learning set meetings held")
    assert [v.display for v in meetings.values.all()] == ["May to December 2025: 12 meetings"]
    assert amount(Decimal("59.00"), "%") == "59%"
    assert amount(Decimal("2700"), "people") == "2,700 people"
    assert amount(Decimal("7.5"), "hours") == "7.50 hours"
    assert amount(Decimal(3)) == "3"
    client = Client()
    client.force_login(User.objects.get(email=accounts_demo.ADMIN_EMAIL))
    page = client.get(reverse("evaluation:judgements", args=[report.programme.pk]))
    assert "Residents taking part in workshops: June to November 2025: 55 people" in (
        page.content.decode()
    )
