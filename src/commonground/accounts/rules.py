"""Who may do what with people and organisations (see ``access.py``).

An organisation's name and description are public, so an outsider refused
here is told why (403) rather than shown a 404.
"""

from __future__ import annotations

from commonground.accounts import access
from commonground.accounts.models import Organisation, Role

access.belongs(Organisation, "")

MEMBERS = access.rule(
    "organisation.members",
    roles={Role.MEMBER},
    site_admin=True,
    hidden=False,
    refusal="Only members of {scope} can see this page.",
    missing="No such organisation.",
)
MANAGE = access.rule(
    "organisation.manage",
    roles={Role.ADMIN},
    site_admin=True,
    hidden=False,
    refusal="Only admins of {scope} can do this.",
    missing="No such organisation.",
)
