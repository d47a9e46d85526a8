"""REFI-QDA, the exchange standard of qualitative analysis tools (NVivo, ATLAS.ti, MAXQDA and
others): a codebook as ``.qdc`` and a whole project as ``.qdpx``. Pure: plain data in and out.

A ``.qdc`` file is one XML document (namespace ``urn:QDA-XML:codebook:1.0``)
with the codes, nested. A ``.qdpx`` file is a zip holding ``project.qde``
(namespace ``urn:QDA-XML:project:1.0``: the codebook, then each text source
with its coded selections) and each source's plain text under ``sources/``.
Selections are character offsets into that text, as codings are here.

Reading is defensive: the archive is sized up before anything is unpacked
(``lib/safezip``), the XML may declare no DTD and is read as a stream
(``lib/safexml``), each text file is read once and only if it is no longer
than a text here can be, and the number of codes, texts and codings is capped,
so what a project costs to read is bounded however it was made.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from commonground.lib import safexml, safezip
from commonground.lib.text import size_words

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"
# A project holds one text file per source; our exports make one for each text of the
# programme, coded or not.
MAX_MEMBERS = 20_000
MAX_SOURCES = MAX_MEMBERS
MAX_CODES = 10_000
MAX_SELECTIONS = 50_000
# The longest text Common Ground keeps is an observation's notes, 50,000 characters: at most
# 200 KB in UTF-8. A text file far bigger cannot be one of ours, and is not read.
MAX_TEXT_BYTES = 1_000_000


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


def read_project(data: bytes, *, max_unzipped: int) -> ProjectData:
    """The codes and text sources of a ``.qdpx`` file; raises ``RefiError`` in plain words.

    Nothing is unpacked before the archive's declared sizes are checked against
    ``max_unzipped``; ``project.qde`` is read as a stream; each text file is read once,
    however many sources name it, and only if no bigger than any text here can be.
    """
    try:
        archive = safezip.open_archive(data, max_members=MAX_MEMBERS, max_unzipped=max_unzipped)
    except safezip.TooBig as exc:
        raise RefiError(
            f"The file unpacks to {size_words(exc.size)}; at most "
            f"{size_words(exc.limit)} can be read. Bring back a project exported "
            "from this programme."
        ) from exc
    except safezip.ZipError as exc:
        raise RefiError("This is not a .qdpx file (it should be a zip archive).") from exc
    with archive:
        if safezip.member_size(archive, "project.qde") is None:
            raise RefiError("The file has no project.qde inside.")
        try:
            with safezip.open_member(archive, "project.qde") as member:
                return _Project(archive).read(safexml.iterparse(member, starts=True))
        except safexml.XmlError as exc:
            raise RefiError(f"The project.qde inside could not be read: {exc}.") from exc
        except safezip.ZipError as exc:
            raise RefiError(f"The file is damaged: {exc}.") from exc


class _Project:
    """``project.qde`` read as a stream of elements: codes (nested), then text sources each
    with its coded selections; counts capped so that what is kept stays small."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.texts: dict[str, str] = {}  # text files read so far, by name
        self.name = ""
        self.codes: list[CodeData] = []
        self.sources: list[SourceData] = []
        self.code_count = 0
        self.selections = 0

    def read(self, events: Iterator[tuple[str, etree._Element]]) -> ProjectData:
        ns = f"{{{PROJECT_NS}}}"
        path: list[str] = []  # the tags from the root to the current element, namespace off
        codes: list[CodeData] = []  # the open codes, outermost first
        source: SourceData | None = None
        path_attribute = ""
        chosen: dict[str, str] = {}  # the open selection's attributes
        refs: list[str] = []
        memo = ""
        for event, element in events:
            tag = element.tag if isinstance(element.tag, str) else ""
            if not tag.startswith(ns):
                if event == "start" and not path:
                    raise RefiError("The project.qde inside is not a REFI-QDA project.")
                if event == "start":
                    path.append("")  # another vocabulary's element: kept out of the way
                else:
                    path.pop()
                continue
            tag = tag[len(ns) :]
            if event == "start":
                path.append(tag)
                if len(path) == 1:
                    if tag != "Project":
                        raise RefiError("The project.qde inside is not a REFI-QDA project.")
                    self.name = element.get("name") or ""
                elif tag == "Code" and path[-2] in ("Codes", "Code"):
                    code = _code(element)
                    (codes[-1].children if codes else self.codes).append(code)
                    codes.append(code)
                    self.code_count += 1
                    if self.code_count > MAX_CODES:
                        raise RefiError(f"The project has more than {MAX_CODES:,} codes.")
                elif tag == "TextSource" and path[-2] == "Sources":
                    guid = (element.get("guid") or "").lower()
                    source = SourceData(guid, element.get("name") or "", "")
                    path_attribute = element.get("plainTextPath") or f"internal://{guid}.txt"
                    if len(self.sources) >= MAX_SOURCES:
                        raise RefiError(f"The project has more than {MAX_SOURCES:,} texts.")
                elif tag == "PlainTextSelection" and source is not None:
                    chosen = {
                        "guid": element.get("guid") or "",
                        "start": element.get("startPosition") or "",
                        "end": element.get("endPosition") or "",
                    }
                    refs, memo = [], ""
                elif tag == "CodeRef" and chosen:
                    refs.append((element.get("targetGUID") or "").lower())
                continue
            path.pop()
            if tag == "Code" and codes:
                codes.pop()
            elif tag == "Description":
                if path and path[-1] == "Code" and codes:
                    codes[-1].description = (element.text or "").strip()
                elif chosen:
                    memo = (element.text or "").strip()
            elif tag == "PlainTextContent" and source is not None:
                source.text = element.text or ""
                path_attribute = ""
            elif tag == "PlainTextSelection" and source is not None and chosen:
                self._select(source, chosen, refs, memo)
                chosen = {}
            elif tag == "TextSource" and source is not None:
                if path_attribute:
                    source.text = self._text(path_attribute)
                self.sources.append(source)
                source = None
        return ProjectData(name=self.name, codes=self.codes, sources=self.sources)

    def _select(
        self, source: SourceData, chosen: dict[str, str], refs: list[str], memo: str
    ) -> None:
        try:
            start, end = int(chosen["start"]), int(chosen["end"])
        except ValueError:
            return
        for ref in refs:
            self.selections += 1
            if self.selections > MAX_SELECTIONS:
                raise RefiError(f"The project has more than {MAX_SELECTIONS:,} codings.")
            source.selections.append(
                SelectionData(
                    guid=chosen["guid"].lower(), start=start, end=end, code_guid=ref, memo=memo
                )
            )

    def _text(self, path: str) -> str:
        name = "sources/" + path.removeprefix("internal://")
        if name in self.texts:
            return self.texts[name]
        size = safezip.member_size(self.archive, name)
        if size is None:
            return ""  # the text is not in the file: its codings are checked by place only
        if size > MAX_TEXT_BYTES:
            raise RefiError(
                f"{name} is {size_words(size)}; a text may be at most "
                f"{size_words(MAX_TEXT_BYTES)}, far more than any Common Ground "
                "keeps. Bring back a project exported from this programme."
            )
        text = safezip.read_member(self.archive, name).decode("utf-8-sig", errors="replace")
        self.texts[name] = text
        return text


def _code(element: etree._Element) -> CodeData:
    return CodeData(
        guid=(element.get("guid") or "").lower(),
        name=(element.get("name") or "").strip() or "Unnamed code",
    )


def _xml(data: bytes) -> etree._Element:
    try:
        return safexml.parse(data)
    except safexml.XmlError as exc:
        raise RefiError(f"The XML could not be read: {exc}.") from exc
