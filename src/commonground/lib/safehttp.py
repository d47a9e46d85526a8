"""Fetch a URL from the open web without trusting anything about it.

Every fetched byte is hostile until proven otherwise, so this module:

- refuses loopback, private, link-local, multicast and reserved addresses,
  checked on the *resolved* address of every connection, including each
  redirect hop (so a public name that resolves to 127.0.0.1, or a feed that
  redirects there, is refused); ``allowed_networks`` opens exceptions for
  tests, benchmarks and intranets;
- caps the body after decompression (a gzip bomb stops at the cap), the
  number of redirects, and connect, read and total time;
- speaks only http and https, and only gzip and deflate compression.

It is built on ``http.client`` so that the socket is opened here, to the
address that was checked, and nothing else resolves the name again.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from commonground.lib.text import whole_number

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

REDIRECT_STATUSES = {301, 302, 303, 307, 308}
PERMANENT_REDIRECTS = {301, 308}


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0


@dataclass
class Response:
    url: str
    status: int
    reason: str
    headers: dict[str, str]
    body: bytes
    # Set when every redirect on the way was permanent: the address to keep.
    moved_to: str | None = None
    redirects: list[tuple[int, str]] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class FetchError(Exception):
    """A fetch that did not produce a response; ``str()`` is a plain-words reason."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def parse_networks(cidrs: Iterable[str]) -> tuple[Network, ...]:
    """``"10.0.0.0/8, 127.0.0.1/32"`` items into networks; raises ValueError on a bad one."""
    return tuple(ipaddress.ip_network(c.strip(), strict=False) for c in cidrs if c.strip())


@lru_cache(maxsize=32)
def networks(cidrs: tuple[str, ...]) -> tuple[Network, ...]:
    """:func:`parse_networks` of a setting read for every fetch, parsed once per value:
    parsing took a tenth of a warm harvest's Python time."""
    return parse_networks(cidrs)


def is_public(address: str, allowed: tuple[Network, ...] = ()) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if any(ip in net for net in allowed):
        return True
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def _open_socket(
    host: str, port: int, *, timeout: float, allowed: tuple[Network, ...]
) -> socket.socket:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchError("dns", f"the name {host} could not be found ({exc.strerror})") from exc
    refused: list[str] = []
    last_error: OSError | None = None
    for family, kind, proto, _canon, sockaddr in infos:
        address = str(sockaddr[0])
        if not is_public(address, allowed):
            refused.append(address)
            continue
        sock = socket.socket(family, kind, proto)
        sock.settimeout(timeout)
        try:
            sock.connect(sockaddr)
        except OSError as exc:
            sock.close()
            last_error = exc
            continue
        return sock
    if refused and last_error is None:
        raise FetchError(
            "blocked",
            f"{host} points to {refused[0]}, a private or local address; "
            "Common Ground only fetches from public addresses",
        )
    if isinstance(last_error, TimeoutError | socket.timeout):
        raise FetchError("timeout", f"{host} did not accept a connection in time")
    reason = last_error.strerror if last_error and last_error.strerror else "no address"
    raise FetchError("connection", f"could not connect to {host} ({reason})")


class _HTTPConnection(http.client.HTTPConnection):
    def __init__(
        self,
        host: str,
        port: int | None,
        *,
        allowed: tuple[Network, ...],
        connect_timeout: float,
        read_timeout: float,
    ) -> None:
        super().__init__(host, port, timeout=read_timeout)
        self._allowed = allowed
        self._connect_timeout = connect_timeout

    def connect(self) -> None:
        self.sock = _open_socket(
            self.host, self.port, timeout=self._connect_timeout, allowed=self._allowed
        )
        self.sock.settimeout(self.timeout)


class _HTTPSConnection(http.client.HTTPSConnection):
    def __init__(
        self,
        host: str,
        port: int | None,
        *,
        allowed: tuple[Network, ...],
        connect_timeout: float,
        read_timeout: float,
    ) -> None:
        super().__init__(host, port, timeout=read_timeout, context=ssl.create_default_context())
        self._allowed = allowed
        self._connect_timeout = connect_timeout

    def connect(self) -> None:
        sock = _open_socket(
            self.host, self.port, timeout=self._connect_timeout, allowed=self._allowed
        )
        sock.settimeout(self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def _read_body(
    response: http.client.HTTPResponse,
    *,
    limits: Limits,
    deadline: float,
    sock_owner: http.client.HTTPConnection,
) -> bytes:
    encoding = (response.getheader("Content-Encoding") or "identity").strip().lower()
    if encoding in ("gzip", "x-gzip"):
        inflater: zlib._Decompress | None = zlib.decompressobj(wbits=47)
    elif encoding == "deflate":
        inflater = zlib.decompressobj(wbits=47)
    elif encoding in ("identity", ""):
        inflater = None
    else:
        raise FetchError(
            "encoding",
            f"the site sent the body compressed as {encoding!r}, which Common Ground does not read",
        )
    declared = whole_number(response.getheader("Content-Length"))
    if inflater is None and declared is not None and declared > limits.max_bytes:
        raise FetchError("too_big", _too_big(limits))
    parts: list[bytes] = []
    size = 0
    first_deflate_chunk = encoding == "deflate"
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError("timeout", _too_slow(limits))
        if sock_owner.sock is not None:
            sock_owner.sock.settimeout(min(limits.read_timeout, remaining))
        try:
            chunk = response.read1(65536)
        except TimeoutError as exc:
            if time.monotonic() >= deadline - 0.05:
                raise FetchError("timeout", _too_slow(limits)) from exc
            raise FetchError("timeout", "the site stopped sending part-way through") from exc
        except http.client.IncompleteRead as exc:
            raise FetchError(
                "truncated", "the connection closed before the whole body arrived"
            ) from exc
        except OSError as exc:
            raise FetchError("connection", f"the connection broke ({exc.strerror or exc})") from exc
        if not chunk:
            break
        if inflater is not None:
            try:
                data = inflater.decompress(chunk, limits.max_bytes - size + 1)
            except zlib.error as exc:
                if first_deflate_chunk:
                    # Some servers send raw deflate without the zlib header.
                    inflater = zlib.decompressobj(wbits=-15)
                    first_deflate_chunk = False
                    try:
                        data = inflater.decompress(chunk, limits.max_bytes - size + 1)
                    except zlib.error as exc2:
                        raise FetchError("encoding", "the compressed body is corrupt") from exc2
                else:
                    raise FetchError("encoding", "the compressed body is corrupt") from exc
            first_deflate_chunk = False
            if inflater.unconsumed_tail:
                raise FetchError("too_big", _too_big(limits))
        else:
            data = chunk
        size += len(data)
        if size > limits.max_bytes:
            raise FetchError("too_big", _too_big(limits))
        parts.append(data)
    if response.length:  # bytes still owed by the Content-Length the site sent
        raise FetchError("truncated", "the connection closed before the whole body arrived")
    return b"".join(parts)


def _too_big(limits: Limits) -> str:
    return f"the response is larger than the {limits.max_bytes // (1024 * 1024)} MB limit"


def _too_slow(limits: Limits) -> str:
    return f"the site took longer than {limits.total_timeout:g} seconds to answer"


def fetch(
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    limits: Limits | None = None,
    allowed_networks: tuple[Network, ...] = (),
) -> Response:
    """GET ``url``, following redirects, within ``limits``.

    Returns the final response whatever its status (the caller decides what a
    304 or a 503 means). Raises :class:`FetchError`, with a reason in plain
    words, for anything that is not a response: a refused address, a
    timeout, a body over the cap, a redirect loop.
    """
    limits = limits or Limits()
    deadline = time.monotonic() + limits.total_timeout
    request_headers = {"Accept-Encoding": "gzip, deflate", **(headers or {})}
    redirects: list[tuple[int, str]] = []
    all_permanent = True
    current = url
    seen = {url}
    while True:
        parts = urlsplit(current)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError("scheme", f"{current!r} is not an http or https address")
        connection_class = _HTTPSConnection if parts.scheme == "https" else _HTTPConnection
        try:
            port = parts.port
        except ValueError as exc:
            raise FetchError("scheme", f"{current!r} has an invalid port") from exc
        connection = connection_class(
            parts.hostname,
            port,
            allowed=allowed_networks,
            connect_timeout=min(limits.connect_timeout, max(deadline - time.monotonic(), 0.01)),
            read_timeout=limits.read_timeout,
        )
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        try:
            try:
                connection.request("GET", target, headers=request_headers)
                response = connection.getresponse()
            except FetchError:
                raise
            except TimeoutError as exc:
                raise FetchError("timeout", "the site did not answer in time") from exc
            except ssl.SSLError as exc:
                raise FetchError("tls", f"the secure connection failed ({exc.reason})") from exc
            except (http.client.HTTPException, OSError) as exc:
                raise FetchError(
                    "connection", f"the site's answer could not be read ({exc})"
                ) from exc
            if time.monotonic() > deadline:
                raise FetchError("timeout", _too_slow(limits))
            location = response.getheader("Location")
            if response.status in REDIRECT_STATUSES and location:
                if len(redirects) >= limits.max_redirects:
                    raise FetchError(
                        "redirects", f"the site redirected more than {limits.max_redirects} times"
                    )
                following = urljoin(current, location.strip())
                if following in seen:
                    raise FetchError("redirects", "the site's redirects go round in a loop")
                seen.add(following)
                redirects.append((response.status, following))
                all_permanent = all_permanent and response.status in PERMANENT_REDIRECTS
                current = following
                continue
            body = _read_body(response, limits=limits, deadline=deadline, sock_owner=connection)
            return Response(
                url=current,
                status=response.status,
                reason=response.reason or http.client.responses.get(response.status, ""),
                headers={k.lower(): v for k, v in response.getheaders()},
                body=body,
                moved_to=current if redirects and all_permanent else None,
                redirects=redirects,
            )
        finally:
            connection.close()
