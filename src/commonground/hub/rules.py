"""Who may do what in the Hub (see ``accounts/access.py``).

The commons is public: reading, searching and every feed need no account.
Site admins choose the sources; moderators (site admins, and anyone given the
"moderate comments" permission) look after the conversation.
"""

from __future__ import annotations

from commonground.accounts import access

SOURCES = access.rule(
    "hub.sources",
    site_admin=True,
    refusal="Only site admins can change the sources the Hub follows.",
)
MODERATE = access.rule(
    "hub.moderate",
    site_admin=True,
    permission="hub.moderate_comment",
    refusal="Only moderators can do that.",
)
