"""Importing an OPML list is as careful as any upload: its size is checked before it is read,
a document type (and with it every entity) is refused, and each fault is a plain sentence."""

from __future__ import annotations

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from commonground.accounts.models import User
from commonground.hub.models import Source
from tests.conftest import client_for
from tests.evaluation.hostile import LAUGHS

LIST = (
    '<opml version="2.0"><body><outline xmlUrl="https://a.example/feed" title="{}"/></body></opml>'
)


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (
            (LAUGHS + LIST.format("&lol9;")).encode(),
            "The file could not be imported: it declares a document type (<!DOCTYPE>), which "
            "Common Ground does not read.",
        ),
        (
            b"<opml><body>",
            "The file could not be imported: it is not well-formed XML (Premature end of data "
            "in tag body line 1, line 1, column 13).",
        ),
        (b"<html>nope</html>", "The file could not be imported: this XML is not OPML"),
        (
            b"<opml>" + b" " * (2 * 1024 * 1024) + b"</opml>",
            "That file is over 2 MB; an OPML list is usually far smaller.",
        ),
    ],
    ids=["billion laughs", "broken", "not opml", "too big"],
)
def test_a_bad_list_is_refused_in_plain_words(staff: User, data: bytes, says: str) -> None:
    response = client_for(staff).post(
        "/hub/sources/import/", {"file": SimpleUploadedFile("list.opml", data)}
    )
    assert says in html.unescape(response.content.decode())
    assert not Source.objects.exists()
