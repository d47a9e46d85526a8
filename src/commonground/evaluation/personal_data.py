"""What evaluation holds about a person's own work: programmes they set up, paper forms they
typed in, interviews and observations they recorded, passages they coded.

Responses themselves are anonymous: they hold an organisation's name, never
a person's, so there is nothing of a respondent's to find or erase by account.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from commonground.accounts.personal_data import DataFile, register

if TYPE_CHECKING:
    from commonground.accounts.models import User


def _export(user: User) -> list[DataFile]:
    from commonground.evaluation.models import Coding, Interview, Observation, Programme, Response

    programmes = Programme.objects.filter(created_by=user).select_related("organisation")
    typed = Response.objects.filter(entered_by=user).select_related("form")
    interviews = Interview.objects.filter(interviewer=user).select_related("guide")
    observations = Observation.objects.filter(observer=user)
    codings = Coding.objects.filter(created_by=user).select_related("code")
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
            header=["theme", "passage", "memo", "coded"],
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
    ]


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
    "and observations you recorded and passages you coded",
    export=_export,
    erase=_erase,
)
