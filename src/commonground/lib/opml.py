"""Read and write OPML 2.0 subscription lists. Pure: no ORM, no network."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime

from lxml import etree

from commonground.lib import safexml


class OpmlError(Exception):
    """The file is not OPML we can read; ``str()`` says why in plain words."""


@dataclass(frozen=True)
class Outline:
    feed_url: str
    title: str = ""
    site_url: str = ""
    # The folders the outline sits in, outermost first (often used for sectors).
    folders: tuple[str, ...] = field(default_factory=tuple)


def read(data: bytes) -> list[Outline]:
    """Every outline with an ``xmlUrl``, wherever it sits in the tree. The caller caps the
    size of ``data``; a document type (and with it any entity) is refused."""
    try:
        root = safexml.parse(data)
    except safexml.XmlError as exc:
        raise OpmlError(str(exc)) from exc
    if root.tag != "opml":
        raise OpmlError(f"this XML is not OPML (its top element is <{root.tag}>)")
    body = root.find("body")
    if body is None:
        raise OpmlError("this OPML file has no <body>")
    found: list[Outline] = []

    def walk(element: etree._Element, folders: tuple[str, ...]) -> None:
        for outline in element.findall("outline"):
            url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
            label = (outline.get("title") or outline.get("text") or "").strip()
            if url:
                found.append(
                    Outline(
                        feed_url=url,
                        title=label,
                        site_url=(outline.get("htmlUrl") or "").strip(),
                        folders=folders,
                    )
                )
            walk(outline, (*folders, label) if not url and label else folders)

    walk(body, ())
    return found


def write(
    title: str, outlines: Iterable[tuple[str, Iterable[Outline]]], *, when: datetime
) -> bytes:
    """An OPML 2.0 document with one folder per (name, outlines) pair."""
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = title
    etree.SubElement(head, "dateCreated").text = format_datetime(when, usegmt=True)
    body = etree.SubElement(root, "body")
    for folder, members in outlines:
        parent = etree.SubElement(body, "outline", text=folder, title=folder) if folder else body
        for outline in members:
            attributes = {
                "type": "rss",
                "text": outline.title or outline.feed_url,
                "title": outline.title or outline.feed_url,
                "xmlUrl": outline.feed_url,
            }
            if outline.site_url:
                attributes["htmlUrl"] = outline.site_url
            etree.SubElement(parent, "outline", attributes)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
