"""Parse XML from a stranger (an OPML list, a spreadsheet's parts, a REFI-QDA project).

A document that declares a document type (``<!DOCTYPE``) is refused outright:
no format read here needs one, and a DTD is how entity bombs ("billion laughs")
and external entities get in. The parser itself also expands no entity, loads
nothing from the network and keeps libxml2's limits on depth and text size
(``huge_tree`` stays off). Every failure is an ``XmlError`` whose ``str()`` says
why in plain words, so no upload ends in a server error.

``iterparse`` reads a document of any length in bounded memory: each element is
cleared and dropped once the caller has seen its end, so the tree never holds
more than the path to the current element.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from typing import Protocol

from lxml import etree

_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}
# Enough of a document to see whether a document type comes before its first element.
PROLOG_BYTES = 64 * 1024
# The document type, or the first element (a name after "<"); comments and processing
# instructions ("<!--", "<?") before either are passed over.
_FIRST_MARKUP = re.compile(r"<!DOCTYPE|<[A-Za-z_:]", re.IGNORECASE)
DOCTYPE_REFUSED = "it declares a document type (<!DOCTYPE>), which Common Ground does not read"


class XmlError(Exception):
    """The document cannot be read, or may not be; ``str()`` says why."""


def parse(data: bytes) -> etree._Element:
    """The root of a whole (small) document; the caller caps its size."""
    _refuse_doctype(data[:PROLOG_BYTES])
    try:
        root = etree.fromstring(data, etree.XMLParser(**_OPTIONS))  # type: ignore[arg-type]
    except (etree.LxmlError, ValueError) as exc:
        raise XmlError(_said(exc)) from exc
    if _has_doctype(root):
        raise XmlError(DOCTYPE_REFUSED)
    return root


class Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


def iterparse(source: Readable, *, starts: bool = False) -> Iterator[tuple[str, etree._Element]]:
    """("end", element) for every element of ``source`` as it ends, in document order, and
    ("start", element) as each begins too if ``starts``.

    An element has its attributes, text and children at its end. Once the caller asks for
    the next event, an element that has ended is cleared and taken out of its parent, so
    read what you need from it (and from its children, at their own ends) then.
    """
    head = source.read(PROLOG_BYTES)
    _refuse_doctype(head)
    wanted = ("start", "end") if starts else ("end",)
    events = etree.iterparse(_Again(head, source), events=wanted, **_OPTIONS)
    first = True
    try:
        for event, element in events:
            if first:
                first = False
                # The document type, if any, was read before the first element.
                if _has_doctype(element):
                    raise XmlError(DOCTYPE_REFUSED)
            yield event, element
            if event == "end":
                element.clear(keep_tail=False)
                parent = element.getparent()
                if parent is not None:
                    # Its earlier siblings went the same way, so it is found first.
                    parent.remove(element)
    except (etree.LxmlError, ValueError) as exc:
        raise XmlError(_said(exc)) from exc


def _refuse_doctype(head: bytes) -> None:
    """Refuse a document type seen before the first element, before the parser meets it:
    an entity in the root element's attributes is expanded (and fails) before the parser
    says anything, so the plain reason would be lost. The parser's own check stays, for a
    document type this look misses (one behind a long comment, or in an odd encoding)."""
    text = _decoded(head)
    found = _FIRST_MARKUP.search(text)
    if found and found.group().upper() == "<!DOCTYPE":
        raise XmlError(DOCTYPE_REFUSED)


def _decoded(head: bytes) -> str:
    # XML 1.0, appendix F: UTF-16 shows in the first bytes (with or without a byte-order
    # mark); every other encoding it names agrees with ASCII on "<!DOCTYPE".
    if head[:2] in (codecs.BOM_UTF16_LE, b"<\x00"):
        return head.decode("utf-16-le", errors="replace")
    if head[:2] in (codecs.BOM_UTF16_BE, b"\x00<"):
        return head.decode("utf-16-be", errors="replace")
    return head.decode("latin-1")


class _Again:
    """``source`` with the bytes already read from it put back in front."""

    def __init__(self, head: bytes, source: Readable) -> None:
        self._head = head
        self._source = source

    def read(self, size: int = -1, /) -> bytes:
        if not self._head:
            return self._source.read(size)
        cut = len(self._head) if size < 0 else size
        given, self._head = self._head[:cut], self._head[cut:]
        return given


def _has_doctype(element: etree._Element) -> bool:
    return bool(element.getroottree().docinfo.doctype)  # type: ignore[attr-defined]  # not in lxml-stubs


def _said(exc: Exception) -> str:
    if isinstance(exc, etree.XMLSyntaxError) and exc.msg:
        # libxml2's own words, with where; its pointers to its C functions say nothing to people.
        words = exc.msg.split(", see xml")[0].rstrip(".")
        return f"it is not well-formed XML ({words})"
    return f"it is not well-formed XML ({exc})"
