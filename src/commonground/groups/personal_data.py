"""What Groups holds about a person: memberships, registers, their work, their
directory entry, settings and notifications. Their posts are in ``conversations``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from commonground.accounts.personal_data import DataFile, register

if TYPE_CHECKING:
    from commonground.accounts.models import User


def _export(user: User) -> list[DataFile]:
    from commonground.groups.models import Attendance, Inbound, Listing, Member, Work, WorkUpdate

    memberships = Member.objects.filter(user=user).select_related("group")
    marks = Attendance.objects.filter(user=user).select_related("meeting", "meeting__group")
    work = Work.objects.filter(owner=user).select_related("group")
    updates = WorkUpdate.objects.filter(work__owner=user).select_related("work", "meeting")
    listing = Listing.objects.filter(user=user).first()
    mail_in = Inbound.objects.filter(sender__iexact=user.email).order_by("received_at")
    return [
        DataFile(
            "group_memberships.csv",
            header=["group", "roles", "joined", "ground_rules_accepted", "email"],
            rows=[
                (
                    m.group.name,
                    " ".join(sorted(m.roles)) or "member",
                    m.joined_at,
                    m.rules_accepted_at or "",
                    m.mail or "default",
                )
                for m in memberships
            ],
        ),
        DataFile(
            "group_attendance.csv",
            header=["group", "meeting", "date", "status", "mode"],
            rows=[
                (a.meeting.group.name, a.meeting.title, a.meeting.starts_at, a.status, a.mode)
                for a in marks
            ],
        ),
        DataFile(
            "group_work.csv",
            header=["group", "title", "hope", "seen_by", "created"],
            rows=[(w.group.name, w.title, w.hope, w.visibility, w.created_at) for w in work],
        ),
        DataFile(
            "group_work_updates.csv",
            header=["work", "meeting", "written", "progress", "actions"],
            rows=[
                (
                    u.work.title,
                    u.meeting.title if u.meeting else "",
                    u.written_at,
                    u.progress,
                    u.actions,
                )
                for u in updates
            ],
        ),
        DataFile(
            "group_email_received.csv",
            header=["received", "to", "subject", "outcome", "reason"],
            rows=[(m.received_at, m.recipient, m.subject, m.outcome, m.reason) for m in mail_in],
        ),
        DataFile(
            "directory_entry.json",
            json={
                "listed": listing.listed,
                "sector": listing.sector,
                "region": listing.region,
                "interests": listing.interests,
            }
            if listing
            else {"listed": False},
        ),
    ]


def _erase(user: User) -> None:
    from commonground.groups.models import (
        Attendance,
        Inbound,
        Invitation,
        Listing,
        Notification,
        Preferences,
        Work,
        WorkUpdate,
    )

    Work.objects.filter(owner=user).delete()
    WorkUpdate.objects.filter(written_by=user).update(written_by=None)
    Attendance.objects.filter(user=user).delete()
    Listing.objects.filter(user=user).delete()
    Preferences.objects.filter(user=user).delete()
    Notification.objects.filter(user=user).delete()
    # The record of their email taken in, and invitations sent to their address.
    Inbound.objects.filter(sender__iexact=user.email).delete()
    Invitation.objects.filter(email__iexact=user.email).delete()


register(
    "groups",
    description="the groups you are in, registers you are in, your work and its updates, "
    "your directory entry, your email settings and notifications, and the email you "
    "sent to groups",
    export=_export,
    erase=_erase,
)
