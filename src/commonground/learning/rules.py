"""Who may do what in Learn (see ``access.py``).

Courses and chapters are public: anyone may read them. What a person writes is
theirs alone (accounts' rule "own"): no organisation role, and no site admin,
reads it, unless they share it by a link. Site admins load courses; researchers
see counts and excerpts from learners who consented, never a person's answers.
"""

from __future__ import annotations

from commonground import access
from commonground.accounts.models import Role
from commonground.learning.models import Cohort, Progress, Reflection, Revision, Share

access.belongs(Reflection, "person")
access.belongs(Share, "owner")
access.belongs(Cohort, "organisation")
access.belongs(Revision, "reflection__person")
access.belongs(Progress, "person")

COURSES = access.rule(
    "learning.courses",
    site_admin=True,
    refusal="Only the site's administrators can add or reload courses.",
)

# Researchers are given the permission by a site admin (the admin's user page); they see
# counts and consented excerpts, never a person's answers.
RESEARCH = access.rule(
    "learning.research",
    permission="learning.research",
    refusal="Only researchers (a site administrator grants the role) can see research data.",
)

# An organisation's facilitators and admins run courses with its members as a cohort, and
# see their progress (never their words).
FACILITATE = access.rule(
    "learning.facilitate",
    roles={Role.FACILITATOR, Role.ADMIN},
    refusal="Only facilitators and admins of {scope} can run a course with its members.",
)
