"""``web_link``: a link from elsewhere in an ``href`` only if it is http or https.

Links from feeds, OPML files and people's forms are checked before they are
stored (``lib.sanitise.web_link``); the filter checks them again where they
become links, so a row stored before that rule, or by a path that forgot it,
still cannot put a ``javascript:`` link on a page.
"""

from __future__ import annotations

from django import template

from commonground.lib.sanitise import web_link as _web_link

register = template.Library()


@register.filter
def web_link(value: str | None) -> str:
    """``value`` if it is an http(s) address with a host, else ""; use it as
    ``{% with link=x|web_link %}{% if link %}<a href="{{ link }}">...``."""
    return _web_link(value)
