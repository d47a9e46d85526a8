"""Tell when two links point at the same resource.

Hubs link the same page in different ways: ``HTTP://Example.org:80/a?b=2&a=1#top``
and ``https://example.org/a?a=1&b=2&utm_source=feed`` are one resource. We compare
links after normalising scheme and host case, default ports, fragments, tracking
parameters and parameter order; http and https count as the same resource.
Pure: no ORM.
"""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

TRACKING_PARAMETERS = {
    "fbclid",
    "gclid",
    "dclid",
    "gbraid",
    "wbraid",
    "msclkid",
    "yclid",
    "igshid",
    "mc_cid",
    "mc_eid",
    "_hsenc",
    "_hsmi",
    "mkt_tok",
    "ref_src",
    "oly_enc_id",
    "oly_anon_id",
    "vero_id",
    "wt.mc_id",
    "_ga",
    "_gl",
}
DEFAULT_PORTS = {"http": 80, "https": 443}


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered.startswith(("utm_", "pk_", "mtm_")) or lowered in TRACKING_PARAMETERS


def normalise(url: str) -> str:
    """The canonical spelling of ``url``; a non-http(s) string comes back stripped."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return url
    host = parts.hostname.lower().rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    if port is not None and port != DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    path = quote(unquote(parts.path), safe="/:@!$&'()*+,;=-._~%") or "/"
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)
    ]
    query.sort()
    return urlunsplit((scheme, host, path, urlencode(query), ""))


def link_key(url: str) -> str:
    """A fixed-length key for ``url`` that equal resources share (http and https alike)."""
    return key_of_normalised(normalise(url))


def key_of_normalised(canonical: str) -> str:
    """:func:`link_key` of a URL that has been through :func:`normalise` already."""
    if canonical.startswith("https://"):
        canonical = "http://" + canonical[len("https://") :]
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:40]
