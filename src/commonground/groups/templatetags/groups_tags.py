from __future__ import annotations

from django import template

from commonground.groups import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: template.Context) -> int:
    request = context.get("request")
    return selectors.unread_count(request.user) if request is not None else 0


@register.filter
def get_item(mapping: object, key: object) -> object:
    """``mapping[key]``, or "" when it has none: for tables keyed by ids."""
    return mapping.get(key, "") if isinstance(mapping, dict) else ""
