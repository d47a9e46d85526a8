"""Who may do what in Groups (see ``access.py``).

A group is a scope of its own, whose members come from any organisations: every member
holds ``member`` there, and its facilitators ``facilitator`` as well. Everything in a
group is private to its members unless the group is listed, and then only its name,
purpose and ground rules show to people signed in, so they can ask to join. Site
administrators pass none of these rules: group talk is not theirs to read.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from commonground import access
from commonground.accounts.models import Role, User
from commonground.groups.models import (
    Attendance,
    Group,
    Invitation,
    JoinRequest,
    Meeting,
    Member,
    Series,
    Slot,
    Topic,
    Work,
    WorkUpdate,
)


def _group_roles(user: User, group: Group) -> frozenset[str]:
    member = Member.objects.filter(user_id=user.pk, group=group).only("roles").first()
    if member is None:
        return frozenset()
    return member.roles | {access.MEMBER}


def _groups_where(user: User, roles: frozenset[str]) -> QuerySet[Group]:
    mine = Member.objects.filter(user_id=user.pk)
    if access.MEMBER not in roles:
        held = Q(pk__in=[])
        for role in roles:
            held |= Q(roles__has=role)
        mine = mine.filter(held)
    return Group.objects.filter(pk__in=mine.values("group_id"))


access.scope_kind(Group, roles_of=_group_roles, where=_groups_where)

access.belongs(Group, "")
access.belongs(Member, "group")
access.belongs(JoinRequest, "group")
access.belongs(Invitation, "group")
access.belongs(Series, "group")
access.belongs(Meeting, "group")
access.belongs(Attendance, "meeting__group")
access.belongs(Slot, "meeting__group")
access.belongs(Work, "group")
access.belongs(WorkUpdate, "work__group")
access.belongs(Topic, "group")

# Members read and write in their group: meetings, their work, the discussion.
TAKE_PART = access.rule(
    "groups.take-part",
    roles={access.MEMBER},
    refusal="Only members of {scope} can see this.",
    missing="No such group, or it is private.",
)

# Facilitators schedule meetings, take registers, write summaries, let people in and
# moderate the discussion.
FACILITATE = access.rule(
    "groups.facilitate",
    roles={Role.FACILITATOR},
    refusal="Only the facilitators of {scope} can do this.",
    missing="No such group, or it is private.",
)
