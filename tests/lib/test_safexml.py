"""XML from strangers: no document type, whatever encoding hides it, and a stream that keeps
no more than the path to the element being read."""

from __future__ import annotations

import io

import pytest

from commonground.lib import safexml
from tests.evaluation import hostile

DOCUMENT_TYPES = [
    hostile.LAUGHS.encode() + b"<r>&lol9;</r>",
    b'<?xml version="1.0"?><!-- first --><!DOCTYPE r SYSTEM "http://example.org/r.dtd"><r/>',
    ('<?xml version="1.0" encoding="UTF-16"?>' + hostile.LAUGHS + "<r/>").encode("utf-16"),
    # Behind a comment longer than the look ahead: the parser's own check refuses it.
    b"<!--" + b"x" * (safexml.PROLOG_BYTES + 10) + b'--><!DOCTYPE r [<!ENTITY a "b">]><r>&a;</r>',
]


@pytest.mark.parametrize("data", DOCUMENT_TYPES, ids=["laughs", "external", "utf-16", "late"])
def test_a_document_type_is_refused(data: bytes) -> None:
    with pytest.raises(safexml.XmlError, match="declares a document type"):
        safexml.parse(data)
    with pytest.raises(safexml.XmlError, match="declares a document type"):
        list(safexml.iterparse(io.BytesIO(data)))


def test_broken_xml_says_where_in_plain_words() -> None:
    with pytest.raises(safexml.XmlError) as refused:
        safexml.parse(b"<opml><body>")
    assert str(refused.value).startswith("it is not well-formed XML (")
    assert "xmlCtxt" not in str(refused.value)


def test_a_stream_drops_each_element_once_read() -> None:
    data = b"<r>" + b"<row><c>1</c></row>" * 100_000 + b"</r>"
    most = 0
    for event, element in safexml.iterparse(io.BytesIO(data)):
        if event == "end" and element.tag == "row":
            most = max(most, len(element.getparent()))  # type: ignore[arg-type]
    # What one read (64 KB) brings in ahead of the reader, never the 100,000 rows.
    assert most < 65_536 // len(b"<row><c>1</c></row>")
