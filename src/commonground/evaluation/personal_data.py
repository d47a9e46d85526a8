"""What evaluation holds about a person's own work: programmes they set up, paper forms they
typed in, interviews and observations they recorded, passages they coded.

Responses themselves are anonymous: they hold an organisation's name, never
a person's, so there is nothing of a respondent's to find or erase by account.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, TypeVar

from commonground.accounts.personal_data import DataFile, register

if TYPE_CHECKING:
    from commonground.accounts.models import Organisation, User

T = TypeVar("T")


def _export(user: User) -> list[DataFile]:
    """The person's evaluation work, where they still evaluate for its organisation.

    Passages, interview notes and the rest are the organisation's evidence, given
    by its respondents: someone who has left the organisation, or no longer
    evaluates for it, gets only how much of their work it holds, not the work.
    """
    from commonground.evaluation.models import Coding, Interview, Observation, Programme, Response
    from commonground.evaluation.selectors import evaluating_organisations

    still = set(evaluating_organisations(user).values_list("pk", flat=True))
    held: Counter[tuple[str, str]] = Counter()

    def mine(rows: Iterable[T], organisation: Callable[[T], Organisation], what: str) -> list[T]:
        kept = []
        for row in rows:
            owner = organisation(row)
            if owner.pk in still:
                kept.append(row)
            else:
                held[owner.name, what] += 1
        return kept

    programmes = mine(
        Programme.objects.filter(created_by=user).select_related("organisation"),
        lambda p: p.organisation,
        "programmes set up",
    )
    typed = mine(
        Response.objects.filter(entered_by=user).select_related("form__programme__organisation"),
        lambda r: r.form.programme.organisation,
        "paper forms typed in",
    )
    interviews = mine(
        Interview.objects.filter(interviewer=user).select_related("guide__programme__organisation"),
        lambda i: i.guide.programme.organisation,
        "interviews recorded",
    )
    observations = mine(
        Observation.objects.filter(observer=user).select_related("programme__organisation"),
        lambda o: o.programme.organisation,
        "observations recorded",
    )
    codings = mine(
        Coding.objects.filter(created_by=user).select_related("code__programme__organisation"),
        lambda c: c.code.programme.organisation,
        "passages coded",
    )
    return [
        DataFile(
            "interviews_recorded.csv",
            header=["guide", "organisation", "role", "date"],
            rows=[(i.guide.title, i.organisation_name, i.role, i.held_on) for i in interviews],
        ),
        DataFile(
            "observations_recorded.csv",
            header=["title", "date"],
            rows=[(o.title, o.observed_on) for o in observations],
        ),
        DataFile(
            "passages_coded.csv",
            header=["code", "passage", "memo", "coded"],
            rows=[(c.code.name, c.quote, c.memo, c.created_at) for c in codings],
        ),
        DataFile(
            "programmes_set_up.csv",
            header=["programme", "organisation", "set_up"],
            rows=[(p.title, p.organisation.name, p.created_at) for p in programmes],
        ),
        DataFile(
            "forms_typed_in.csv",
            header=["form", "response", "entered"],
            rows=[(r.form.title, r.pk, r.submitted_at) for r in typed],
        ),
        DataFile(
            "held_by_organisations.csv",
            header=["organisation", "your_work", "count", "note"],
            rows=[(name, what, count, _HELD_NOTE) for (name, what), count in sorted(held.items())],
        ),
    ]


_HELD_NOTE = (
    "Evidence of this organisation's evaluation, kept by it: you no longer evaluate for it, "
    "so it is not in your download. Ask its admins if you need it."
)


def _erase(user: User) -> None:
    from commonground.evaluation.models import (
        Coding,
        Interview,
        Judgement,
        Observation,
        Programme,
        Response,
        ResponseImport,
    )

    # The evidence belongs to the organisation's evaluation: it stays, unattributed.
    Programme.objects.filter(created_by=user).update(created_by=None)
    Response.objects.filter(entered_by=user).update(entered_by=None)
    Interview.objects.filter(interviewer=user).update(interviewer=None)
    Observation.objects.filter(observer=user).update(observer=None)
    Coding.objects.filter(created_by=user).update(created_by=None)
    Judgement.objects.filter(updated_by=user).update(updated_by=None)
    ResponseImport.objects.filter(uploaded_by=user).update(uploaded_by=None)


register(
    "evaluation",
    description="the evaluation programmes you set up, paper forms you typed in, interviews "
    "and observations you recorded and passages you coded, for organisations you still "
    "evaluate for (work for others stays with them; the download counts it)",
    export=_export,
    erase=_erase,
)
