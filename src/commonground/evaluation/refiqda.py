"""REFI-QDA, the exchange standard of qualitative analysis tools (NVivo, ATLAS.ti, MAXQDA and
others): a codebook as ``.qdc`` and a whole project as ``.qdpx``. Pure: plain data in and out.

A ``.qdc`` file is one XML document (namespace ``urn:QDA-XML:codebook:1.0``)
with the codes, nested. A ``.qdpx`` file is a zip holding ``project.qde``
(namespace ``urn:QDA-XML:project:1.0``: the codebook, then each text source
with its coded selections) and each source's plain text under ``sources/``.
Selections are character offsets into that text, as codings are here.

Reading is defensive: the XML parser expands no entities and loads nothing
from the network, and the zip's members are read with a size cap.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"
MAX_MEMBER_BYTES = 50 * 1024 * 1024
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class RefiError(Exception):
    """The file is not REFI-QDA that can be read; ``str()`` says why."""


@dataclass
class CodeData:
    guid: str
    name: str
    description: str = ""
    children: list[CodeData] = field(default_factory=list)


@dataclass(frozen=True)
class SelectionData:
    guid: str
    start: int
    end: int
    code_guid: str
    memo: str = ""


@dataclass
class SourceData:
    guid: str
    name: str
    text: str
    selections: list[SelectionData] = field(default_factory=list)


@dataclass
class ProjectData:
    name: str
    codes: list[CodeData]
    sources: list[SourceData]


# -- writing ---------------------------------------------------------------------------


def _codes_element(parent: etree._Element, codes: Sequence[CodeData], ns: str) -> None:
    holder = etree.SubElement(parent, f"{{{ns}}}Codes")
    for code in codes:
        _code_element(holder, code, ns)


def _code_element(parent: etree._Element, code: CodeData, ns: str) -> None:
    element = etree.SubElement(
        parent, f"{{{ns}}}Code", guid=code.guid, name=code.name, isCodable="true"
    )
    if code.description:
        etree.SubElement(element, f"{{{ns}}}Description").text = code.description
    for child in code.children:
        _code_element(element, child, ns)


def codebook_xml(codes: Sequence[CodeData], *, origin: str) -> bytes:
    """A ``.qdc`` file for ``codes`` (the top level, each with its children)."""
    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", nsmap={None: CODEBOOK_NS}, origin=origin)  # type: ignore[dict-item]
    _codes_element(root, codes, CODEBOOK_NS)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def project_zip(project: ProjectData, *, origin: str, made: datetime) -> bytes:
    """A ``.qdpx`` file: ``project.qde`` and every source's text."""
    ns = PROJECT_NS
    root = etree.Element(
        f"{{{ns}}}Project",
        nsmap={None: ns},  # type: ignore[dict-item]  # the default namespace, as lxml allows
        name=project.name,
        origin=origin,
        creationDateTime=made.isoformat(timespec="seconds"),
    )
    book = etree.SubElement(root, f"{{{ns}}}CodeBook")
    _codes_element(book, project.codes, ns)
    sources = etree.SubElement(root, f"{{{ns}}}Sources")
    for source in project.sources:
        element = etree.SubElement(
            sources,
            f"{{{ns}}}TextSource",
            guid=source.guid,
            name=source.name,
            plainTextPath=f"internal://{source.guid}.txt",
        )
        for selection in source.selections:
            chosen = etree.SubElement(
                element,
                f"{{{ns}}}PlainTextSelection",
                guid=selection.guid,
                name=source.text[selection.start : selection.end][:60],
                startPosition=str(selection.start),
                endPosition=str(selection.end),
            )
            if selection.memo:
                etree.SubElement(chosen, f"{{{ns}}}Description").text = selection.memo
            coding = etree.SubElement(chosen, f"{{{ns}}}Coding", guid=_coding_guid(selection))
            etree.SubElement(coding, f"{{{ns}}}CodeRef", targetGUID=selection.code_guid)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "project.qde",
            etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True),
        )
        for source in project.sources:
            archive.writestr(f"sources/{source.guid}.txt", source.text.encode("utf-8"))
    return buffer.getvalue()


def _coding_guid(selection: SelectionData) -> str:
    # A second identifier, stable across exports: derived from the selection's own.
    return str(uuid.uuid5(uuid.UUID(selection.guid), "coding"))


# -- reading ---------------------------------------------------------------------------


def _read_codes(parent: etree._Element, ns: str) -> list[CodeData]:
    codes = []
    for element in parent.findall(f"{{{ns}}}Code"):
        description = element.find(f"{{{ns}}}Description")
        codes.append(
            CodeData(
                guid=(element.get("guid") or "").lower(),
                name=(element.get("name") or "").strip() or "Unnamed code",
                description=(description.text or "").strip() if description is not None else "",
                children=_read_codes(element, ns),
            )
        )
    return codes


def read_codebook(data: bytes) -> list[CodeData]:
    root = _xml(data)
    holder = root.find(f"{{{CODEBOOK_NS}}}Codes")
    if root.tag != f"{{{CODEBOOK_NS}}}CodeBook" or holder is None:
        raise RefiError("This is not a REFI-QDA codebook (.qdc).")
    return _read_codes(holder, CODEBOOK_NS)


def read_project(data: bytes) -> ProjectData:
    """The codes and text sources of a ``.qdpx`` file; raises ``RefiError`` in plain words."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise RefiError("This is not a .qdpx file (it should be a zip archive).") from exc
    with archive:
        root = _xml(_member(archive, "project.qde"))
        ns = PROJECT_NS
        if root.tag != f"{{{ns}}}Project":
            raise RefiError("The project.qde inside is not a REFI-QDA project.")
        book = root.find(f"{{{ns}}}CodeBook/{{{ns}}}Codes")
        codes = _read_codes(book, ns) if book is not None else []
        sources = []
        for element in root.iterfind(f"{{{ns}}}Sources/{{{ns}}}TextSource"):
            guid = (element.get("guid") or "").lower()
            text = _source_text(archive, element, guid)
            selections = []
            for chosen in element.iterfind(f"{{{ns}}}PlainTextSelection"):
                try:
                    start = int(chosen.get("startPosition", ""))
                    end = int(chosen.get("endPosition", ""))
                except ValueError:
                    continue
                memo = chosen.find(f"{{{ns}}}Description")
                for ref in chosen.iterfind(f"{{{ns}}}Coding/{{{ns}}}CodeRef"):
                    selections.append(
                        SelectionData(
                            guid=(chosen.get("guid") or "").lower(),
                            start=start,
                            end=end,
                            code_guid=(ref.get("targetGUID") or "").lower(),
                            memo=(memo.text or "").strip() if memo is not None else "",
                        )
                    )
            sources.append(SourceData(guid, element.get("name") or "", text, selections))
    return ProjectData(name=root.get("name") or "", codes=codes, sources=sources)


def _source_text(archive: zipfile.ZipFile, element: etree._Element, guid: str) -> str:
    inline = element.find(f"{{{PROJECT_NS}}}PlainTextContent")
    if inline is not None:
        return inline.text or ""
    path = element.get("plainTextPath") or f"internal://{guid}.txt"
    name = "sources/" + path.removeprefix("internal://")
    try:
        return _member(archive, name).decode("utf-8-sig")
    except (KeyError, RefiError):
        return ""


def _member(archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        info = archive.getinfo(name)
    except KeyError as exc:
        raise RefiError(f"The file has no {name} inside.") from exc
    if info.file_size > MAX_MEMBER_BYTES:
        raise RefiError(f"{name} is too big to read ({info.file_size / 1e6:.0f} MB).")
    with archive.open(info) as member:
        data = member.read(MAX_MEMBER_BYTES + 1)
    if len(data) > MAX_MEMBER_BYTES:
        raise RefiError(f"{name} is too big to read.")
    return data


def _xml(data: bytes) -> etree._Element:
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise RefiError(f"The XML could not be read: {exc}.") from exc
