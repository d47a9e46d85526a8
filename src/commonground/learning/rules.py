"""Who may do what in Learn (see ``access.py``).

Courses and chapters are public: anyone may read them. What a person writes is
theirs alone (accounts' rule "own"): no organisation role, and no site admin,
reads it. Site admins load courses.
"""

from __future__ import annotations

from commonground import access
from commonground.learning.models import Progress, Reflection, Revision, Share

access.belongs(Reflection, "person")
access.belongs(Share, "owner")
access.belongs(Revision, "reflection__person")
access.belongs(Progress, "person")

COURSES = access.rule(
    "learning.courses",
    site_admin=True,
    refusal="Only the site's administrators can add or reload courses.",
)
