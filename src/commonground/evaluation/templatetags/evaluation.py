"""Filters for evaluation figures: shares as percentages, means to two places."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def percent(share: float | None, places: int = 0) -> str:
    """A share (0-1) as a percentage, ``0.5926`` -> ``"59%"``; a dash when there is none."""
    if share is None:
        return "–"
    return f"{share * 100:.{int(places)}f}%"


@register.filter
def figure(value: float | None, places: int = 2) -> str:
    """A mean, median or bound to ``places`` decimal places; a dash when there is none."""
    if value is None:
        return "–"
    return f"{value:.{int(places)}f}"


@register.filter
def get_item(mapping: dict[str, object], key: str) -> object:
    """``mapping[key]``, or an empty string: for the report's sections by name."""
    return mapping.get(key, "")
