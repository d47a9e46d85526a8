"""What evaluation holds about a person: programmes they set up and paper forms they typed in.

Responses themselves are anonymous: they hold an organisation's name, never
a person's, so there is nothing of a respondent's to find or erase by account.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from commonground.accounts.personal_data import DataFile, register

if TYPE_CHECKING:
    from commonground.accounts.models import User


def _export(user: User) -> list[DataFile]:
    from commonground.evaluation.models import Programme, Response

    programmes = Programme.objects.filter(created_by=user).select_related("organisation")
    typed = Response.objects.filter(entered_by=user).select_related("form")
    return [
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
    from commonground.evaluation.models import Programme, Response

    # Programmes and responses belong to the organisation: they stay, unattributed.
    Programme.objects.filter(created_by=user).update(created_by=None)
    Response.objects.filter(entered_by=user).update(entered_by=None)


register(
    "evaluation",
    description="the evaluation programmes you set up and the paper forms you typed in",
    export=_export,
    erase=_erase,
)
