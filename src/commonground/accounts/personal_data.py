"""What each part of Common Ground holds about a person, for download and erasure.

Every app has a ``personal_data.py`` that calls :func:`register` once, naming
one function that returns the person's data as files and one that erases it.
The accounts app discovers those modules at start-up, so a new part plugs in
without touching this one. The accounts app's own registration is at the end.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from commonground.lib.tabular import csv_bytes

if TYPE_CHECKING:
    from commonground.accounts.models import User


@dataclass(frozen=True)
class DataFile:
    """One file in the download: a JSON document, or CSV rows under a header."""

    name: str
    json: Mapping[str, Any] | list[Any] | None = None
    header: list[str] = field(default_factory=list)
    rows: Iterable[Iterable[Any]] = ()

    def render(self) -> bytes:
        if self.json is not None:
            return json.dumps(self.json, indent=2, ensure_ascii=False, default=_plain).encode()
        return csv_bytes(self.header, self.rows)


@dataclass(frozen=True)
class Holder:
    part: str
    description: str
    export: Callable[[User], list[DataFile]]
    erase: Callable[[User], None]


_holders: dict[str, Holder] = {}


def register(
    part: str,
    *,
    description: str,
    export: Callable[[User], list[DataFile]],
    erase: Callable[[User], None],
) -> None:
    """Declare what ``part`` holds about people and how to export and erase it.

    ``erase`` must delete the person's private data and anonymise their public
    contributions; it runs before the person's account row is deleted.
    """
    _holders[part] = Holder(part, description, export, erase)


def holders() -> list[Holder]:
    """Every registered part, by name: the order of the download and the page."""
    return sorted(_holders.values(), key=lambda h: h.part)


def export_zip(user: User) -> bytes:
    """Everything every part holds about ``user``, as one zip of JSON and CSV files."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        lines = [
            f"Your data from Common Ground, for {user.email}",
            f"Made {timezone.now():%d %B %Y at %H:%M %Z}.",
            "",
            "Each folder holds what one part of Common Ground keeps about you.",
            "JSON files open in any text editor; CSV files open in any spreadsheet.",
            "",
        ]
        for holder in holders():
            files = holder.export(user)
            lines.append(f"{holder.part}/ - {holder.description}")
            for data_file in files:
                archive.writestr(f"{holder.part}/{data_file.name}", data_file.render())
                lines.append(f"    {data_file.name}")
        archive.writestr("README.txt", "\n".join(lines) + "\n")
    return buffer.getvalue()


def erase_everything(user: User) -> None:
    # The accounts part erases last: the others may still need its rows.
    for holder in sorted(holders(), key=lambda h: h.part == "accounts"):
        holder.erase(user)


def _plain(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


# -- what the accounts part holds ------------------------------------------------


def _accounts_export(user: User) -> list[DataFile]:
    from commonground.accounts.models import Invitation

    profile = {
        "email": user.email,
        "name": user.name,
        "job_title": user.job_title,
        "about": user.about,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "site_administrator": user.is_staff,
    }
    memberships = user.memberships.select_related("organisation")
    tokens = user.api_tokens.all()
    invitations = Invitation.objects.filter(invited_by=user).select_related("organisation")
    return [
        DataFile("profile.json", json=profile),
        DataFile(
            "memberships.csv",
            header=["organisation", "roles", "joined"],
            rows=[(m.organisation.name, m.role_names, m.joined) for m in memberships],
        ),
        DataFile(
            "api_tokens.csv",
            header=["name", "starts_with", "created", "last_used", "revoked"],
            rows=[(t.name, t.prefix, t.created, t.last_used, t.revoked_at) for t in tokens],
        ),
        DataFile(
            "invitations_sent.csv",
            header=["organisation", "email", "role", "created", "status"],
            rows=[
                (i.organisation.name, i.email, i.get_role_display(), i.created, i.status)
                for i in invitations
            ],
        ),
    ]


def _accounts_erase(user: User) -> None:
    from commonground.accounts.models import Invitation

    # Invitations addressed to this person hold their email address.
    Invitation.objects.filter(email__iexact=user.email).delete()
    user.api_tokens.all().delete()
    user.memberships.all().delete()


register(
    "accounts",
    description="your profile, organisation memberships, API tokens and invitations you sent",
    export=_accounts_export,
    erase=_accounts_erase,
)
