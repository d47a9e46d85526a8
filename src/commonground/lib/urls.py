"""Links to one object by URL name, reversed once and then filled in.

Django's ``reverse`` walks the URL resolver on every call (about 40 µs); a list page
links each of its 20 items, their hubs and their themes, 80 links or more. A URL
with one id or slug argument is reversed once with a marker in place of the
argument, and later links are the two halves around the value.
"""

from __future__ import annotations

import re
from functools import lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, reverse

# Matches both the int and the slug converter, and no URL would hold it by chance.
_MARKER = "90210314159265358979"
# Ids and slugs: characters a URL path carries as they are, so no quoting is needed.
_PLAIN = re.compile(r"[-a-zA-Z0-9_]+")


@lru_cache(maxsize=512)
def _halves(name: str, prefix: str) -> tuple[str, str]:
    before, _, after = reverse(name, args=[_MARKER]).partition(_MARKER)
    return before, after


def url_for(name: str, value: int | str) -> str:
    """The path of URL ``name`` with its single argument ``value`` (an id or a slug);
    the same string ``reverse(name, args=[value])`` gives."""
    text = str(value)
    if not _PLAIN.fullmatch(text):
        return reverse(name, args=[value])
    before, after = _halves(name, get_script_prefix())
    return f"{before}{text}{after}"


@receiver(setting_changed)
def _forget(*, setting: str, **kwargs: object) -> None:
    if setting == "ROOT_URLCONF":
        _halves.cache_clear()
