"""Small helpers every app's views share."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import overload
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse


def wants_json(request: HttpRequest) -> bool:
    """Whether the request came from a page's own script, which reads JSON back."""
    return "application/json" in request.headers.get("Accept", "")


def see_other(url: str) -> HttpResponseRedirect:
    """303 See Other: after a POST, the browser fetches ``url`` with GET."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def press(
    request: HttpRequest, action: Callable[[], object], *, done: str, then: str
) -> HttpResponse:
    """Carry out a button press: report the outcome (or the service's refusal) as a message
    and go to ``then``."""
    try:
        action()
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, done)
    return see_other(then)


@overload
def download(data: bytes, *, content_type: str, filename: str) -> HttpResponse: ...
@overload
def download(
    data: Iterable[bytes], *, content_type: str, filename: str
) -> StreamingHttpResponse: ...
def download(
    data: bytes | Iterable[bytes], *, content_type: str, filename: str
) -> HttpResponse | StreamingHttpResponse:
    """``data`` as a file the browser saves as ``filename``; pieces of bytes are sent as they
    are made. The name may come from a person (an uploaded file's): it is made safe here."""
    response: HttpResponse | StreamingHttpResponse
    if isinstance(data, bytes):
        response = HttpResponse(data, content_type=content_type)
    else:
        response = StreamingHttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = attachment(filename)
    return response


_UNSAFE = re.compile(r'[\\/"\';:*?<>|%]')
_NOT_PLAIN = re.compile(r"[^A-Za-z0-9 ._()+,=@~-]+")


def attachment(filename: str) -> str:
    """A ``Content-Disposition`` value that saves a file as ``filename`` (RFC 6266), whoever
    chose the name: no control characters (a CR or LF would end the header and start
    another), quotes, path separators or shell wildcards; a plain ASCII ``filename`` for
    every browser, and the name itself as ``filename*`` (RFC 8187) when it is not ASCII."""
    name = "".join(
        "-" if _UNSAFE.match(c) else c
        for c in unicodedata.normalize("NFC", filename)
        # Cc: control characters; Cf: formatting ones, such as the right-to-left override
        # that shows "evil\u202efdp.exe" as "evilexe.pdf"; and the unassigned.
        if unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co", "Cn")
    )
    name = _shortened(name.strip(" .-")) or "download"
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    stem, dot, extension = _NOT_PLAIN.sub("-", plain).rpartition(".")
    if not dot:
        stem, extension = extension, ""
    plain = (stem.strip(" .-") or "download") + (f".{extension}" if extension else "")
    value = f'attachment; filename="{plain}"'
    if name != plain:
        value += f"; filename*=UTF-8''{quote(name, safe='')}"
    return value


def _shortened(name: str, most: int = 150) -> str:
    """At most ``most`` characters, keeping the extension."""
    if len(name) <= most:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or len(extension) > 10:
        return name[:most]
    return stem[: most - len(extension) - 1] + "." + extension
