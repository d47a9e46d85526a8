"""Who may do what in the Hub (see ``accounts/access.py``).

The commons is public: reading, searching and every feed need no account.
Site admins choose the sources; moderators (site admins, and anyone given the
"moderate comments" permission) look after the conversation.
"""

from __future__ import annotations

from commonground import access
from commonground.hub.models import Follow

# A follow is its follower's own (see accounts' rule "own").
access.belongs(Follow, "user")

SOURCES = access.rule(
    "hub.sources",
    site_admin=True,
    refusal="Only site admins can change the hubs this site collects.",
)
MODERATE = access.rule(
    "hub.moderate",
    site_admin=True,
    permission="hub.moderate_comment",
    refusal="Only moderators can do that.",
)
