"""Who may do what in Frameworks (see ``access.py``).

Frameworks themselves are public: anyone may read one and download its file. A round
belongs to the organisation that runs it (a partnership is an organisation whose members
come from several): its members rate and, once the facilitator reveals them, see the
results; nobody outside it does, site admins included. Partners without an account rate
by a personal link, and see only their own ratings.
"""

from __future__ import annotations

from commonground import access
from commonground.accounts.models import Role
from commonground.frameworks.models import (
    Action,
    ActionUpdate,
    Agreed,
    Engagement,
    Rater,
    Rating,
    Round,
    Team,
)

access.belongs(Round, "organisation")
access.belongs(Rater, "round__organisation")
access.belongs(Rating, "rater__round__organisation")
access.belongs(Agreed, "round__organisation")

LOAD = access.rule(
    "frameworks.load",
    site_admin=True,
    refusal="Only the site's administrators can add frameworks.",
)

# Members of the assessing organisation rate, and see the results once revealed.
TAKE_PART = access.rule(
    "frameworks.take-part",
    roles={access.MEMBER},
    refusal="Only members of {scope} take part in its self-assessments.",
)

# Its facilitators and admins open rounds, invite partners, reveal, close and record
# the agreed ratings.
RUN = access.rule(
    "frameworks.run",
    roles={Role.FACILITATOR, Role.ADMIN},
    refusal="Only facilitators and admins of {scope} can run its self-assessments.",
)

access.belongs(Action, "organisation")
access.belongs(ActionUpdate, "action__organisation")
access.belongs(Team, "organisation")
access.belongs(Engagement, "team__organisation")
