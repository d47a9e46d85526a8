"""Rate limits for Common Ground's own actions (comments, public forms), kept in the cache.

Account actions (sign-in, sign-up, password reset, email change) are limited by
django-allauth through ``ACCOUNT_RATE_LIMITS``. The few actions of our own use
this small fixed-window counter in the same cache (Redis when configured; else each
process's memory, see settings), and count a client's address by the same rule
as allauth's (``TRUSTED_PROXY_COUNT``, IPv6 by /64).
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.http import HttpRequest

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class TooMany(ValidationError):
    """A service's refusal because a limit was reached: the pages and the API answer it
    with 429, and the person's words come back to them unlost."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="too_many")


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


def parse(text: str) -> list[Rate]:
    """``"5/m,30/h"`` (or ``"60/10m"``) as rates; raises ``ValueError`` on anything else."""
    rates = []
    for part in text.split(","):
        match = _RATE.match(part)
        if match is None:
            raise ValueError(f"{part!r} is not a rate such as 5/m, 60/10m or 100/h.")
        count, times, unit = match.groups()
        rates.append(Rate(int(count), int(times or 1) * _SECONDS[unit]))
    return rates


def client_address(request: HttpRequest) -> str:
    """The client's address, as allauth reads it (behind ``TRUSTED_PROXY_COUNT`` proxies)."""
    from allauth.account.adapter import get_adapter

    try:
        return get_adapter(request).get_client_ip(request)
    except (PermissionDenied, ImproperlyConfigured):
        return "unknown"


def client_network(request: HttpRequest) -> str:
    """What a limit by address counts: the client's IPv4 address, or its IPv6 /64 (one
    household or office is given a whole /64, and could pick a new address for every
    request), as allauth's own limits count."""
    address = client_address(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return address


def allow(*, action: str, key: str, rates: str) -> bool:
    """Count one attempt at ``action`` by ``key`` (an address, a person); ``False`` once it
    goes over any of ``rates`` in the current window."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    now = int(time.time())
    allowed = True
    for rate in parse(rates):
        name = f"rl:{action}:{rate.count}/{rate.seconds}:{digest}:{now // rate.seconds}"
        cache.add(name, 0, timeout=rate.seconds + 1)
        try:
            count = cache.incr(name)
        except ValueError:  # expired between add and incr
            cache.set(name, 1, timeout=rate.seconds + 1)
            count = 1
        allowed = allowed and count <= rate.count
    return allowed
