"""Courses as files: a folder holding ``course.yaml`` and a Markdown file per chapter.

Everything is read and checked here, before anything is stored, and every mistake is
reported as ``file:line: what is wrong`` so that whoever wrote the course can find it.
Nothing here touches the database: ``services.course_load`` stores what this returns.

A chapter is YAML front matter between ``---`` lines, then Markdown. Reflective
questions sit in the text where they arise, as fenced blocks whose info string is
``question`` and whose content is YAML::

    ```question
    id: communities-you-belong-to
    kind: text
    prompt: Which communities do you belong to?
    ```

A question's ``id`` is what ties learners' answers to it, so it must stay the same
when its wording changes; the wording's versions are kept by the loader.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nh3
import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from commonground.lib import safezip

COURSE_FILE = "course.yaml"
MAX_FILE_BYTES = 200_000
MAX_CHAPTERS = 40
MAX_QUESTIONS = 300
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CHAPTER_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*\.md$")
KINDS = ("text", "scale", "single", "multiple")
SCALE_POINTS = (3, 7)
CHOICES = (2, 8)
# Learn's own addresses beside the courses, and inside each course.
RESERVED = {"journal", "upload", "research", "shares", "shared", "cohorts"}
RESERVED_CHAPTERS = {"research-consent", "cohort"}

# Markdown as CommonMark without raw HTML (it is shown as text), then sanitised again.
_markdown = MarkdownIt("commonmark", {"html": False, "typographer": True}).enable(
    ["table", "replacements", "smartquotes"]
)
ALLOWED_TAGS = {
    "h2", "h3", "h4", "p", "ul", "ol", "li", "strong", "em", "blockquote", "a", "code",
    "pre", "hr", "br", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip


class ContentError(Exception):
    """The course cannot be loaded; ``problems`` are ``file:line: what is wrong`` lines."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class QuestionSpec:
    key: str
    kind: str
    prompt: str
    help: str
    options: tuple[str, ...]  # the points of a scale, or the choices


@dataclass(frozen=True)
class ChapterSpec:
    file: str
    slug: str
    title: str
    summary: str
    reading_minutes: int
    themes: tuple[str, ...]
    # The chapter in order: ("html", sanitised HTML) and ("question", its id) pieces.
    pieces: tuple[tuple[str, str], ...]
    questions: tuple[QuestionSpec, ...]

    @property
    def words(self) -> int:
        text = " ".join(body for kind, body in self.pieces if kind == "html")
        return len(re.sub(r"<[^>]+>", " ", text).split())


@dataclass(frozen=True)
class CourseSpec:
    slug: str
    title: str
    summary: str
    version: int
    licence: str
    authors: tuple[str, ...]
    language: str
    research: bool
    chapters: tuple[ChapterSpec, ...] = field(default=())


# -- reading ---------------------------------------------------------------------------


def read_folder(folder: Path) -> CourseSpec:
    """The course in ``folder``: its ``course.yaml`` and the chapters it lists."""
    if not (folder / COURSE_FILE).is_file():
        raise ContentError([f"{folder}: no {COURSE_FILE} here; a course folder needs one"])
    files: dict[str, bytes] = {}
    for path in sorted(folder.iterdir()):
        if path.is_file() and (path.name == COURSE_FILE or path.suffix == ".md"):
            if path.stat().st_size > MAX_FILE_BYTES:
                raise ContentError([f"{path.name}:1: larger than {MAX_FILE_BYTES:,} bytes"])
            files[path.name] = path.read_bytes()
    return read_files(files)


def read_zip(data: bytes) -> CourseSpec:
    """The course in a zip archive of its folder: ``course.yaml`` and its chapters, at the
    top of the archive or in one folder inside it. Sized up before anything is unpacked."""
    try:
        archive = safezip.open_archive(
            data, max_members=MAX_CHAPTERS * 4, max_unzipped=MAX_CHAPTERS * MAX_FILE_BYTES
        )
    except safezip.ZipError as exc:
        raise ContentError([f"the upload: cannot be used, because {exc}"]) from exc
    with archive:
        names = [n for n in archive.namelist() if not n.endswith("/")]
        courses = [n for n in names if n.rsplit("/", 1)[-1] == COURSE_FILE]
        if len(courses) != 1 or courses[0].count("/") > 1:
            raise ContentError(
                [f"the upload: a course's zip holds one {COURSE_FILE}, at the top or in one folder"]
            )
        folder = courses[0][: -len(COURSE_FILE)]
        files: dict[str, bytes] = {}
        for name in names:
            inside = name[len(folder) :]
            if (
                name.startswith(folder)
                and "/" not in inside
                and (inside == COURSE_FILE or inside.endswith(".md"))
            ):
                try:
                    files[inside] = safezip.open_member(archive, name).read(MAX_FILE_BYTES + 1)
                except safezip.ZipError as exc:
                    raise ContentError([f"{inside}:1: {exc}"]) from exc
    return read_files(files)


def read_files(files: Mapping[str, bytes]) -> CourseSpec:
    """The course in ``files`` (a name and its bytes each, as in a folder or a zip)."""
    problems: list[str] = []
    if COURSE_FILE not in files:
        raise ContentError([f"{COURSE_FILE}:1: missing; a course needs one"])
    text = _text(COURSE_FILE, files[COURSE_FILE], problems)
    course = _fields(COURSE_FILE, text, 0, COURSE_FIELDS, problems) if text is not None else None
    if course is None:
        raise ContentError(problems)
    chapters: list[ChapterSpec] = []
    seen_questions: dict[str, str] = {}
    slugs: dict[str, str] = {}
    for name, line in course["chapters"]:
        if name not in files:
            problems.append(f"{COURSE_FILE}:{line}: lists {name}, which is not in the course")
            continue
        source = _text(name, files[name], problems)
        if source is None:
            continue
        chapter = _chapter(name, source, problems, seen_questions)
        if chapter is None:
            continue
        if chapter.slug in RESERVED_CHAPTERS:
            problems.append(
                f"{COURSE_FILE}:{line}: {name} would be at a chapter address Learn uses "
                f"for its own page; rename the file"
            )
        if chapter.slug in slugs:
            problems.append(f"{COURSE_FILE}:{line}: {name} and {slugs[chapter.slug]} share a name")
        slugs[chapter.slug] = name
        chapters.append(chapter)
    if sum(len(c.questions) for c in chapters) > MAX_QUESTIONS:
        problems.append(f"{COURSE_FILE}:1: more than {MAX_QUESTIONS} questions in one course")
    if problems:
        raise ContentError(problems)
    return CourseSpec(
        slug=course["id"],
        title=course["title"],
        summary=course["summary"],
        version=course["version"],
        licence=course["licence"],
        authors=tuple(course["authors"]),
        language=course.get("language", "en-GB"),
        research=course.get("research", False),
        chapters=tuple(chapters),
    )


def _text(name: str, data: bytes, problems: list[str]) -> str | None:
    if len(data) > MAX_FILE_BYTES:
        problems.append(f"{name}:1: larger than {MAX_FILE_BYTES:,} bytes")
        return None
    try:
        return data.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.append(f"{name}:{line}: not UTF-8 text")
        return None


# -- chapters and questions ------------------------------------------------------------


def _chapter(
    name: str, source: str, problems: list[str], seen: dict[str, str]
) -> ChapterSpec | None:
    lines = source.split("\n")
    if not lines or lines[0].strip() != "---":
        problems.append(f"{name}:1: a chapter starts with front matter between '---' lines")
        return None
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        problems.append(f"{name}:1: the front matter has no closing '---' line")
        return None
    front = _fields(name, "\n".join(lines[1:end]), 1, CHAPTER_FIELDS, problems)
    body_start = end + 1  # lines before the body
    body = "\n".join(lines[body_start:])
    tokens = _markdown.parse(body)
    pieces: list[tuple[str, str]] = []
    questions: list[QuestionSpec] = []
    run: list[Token] = []
    count = len(problems)
    for token in tokens:
        if token.type == "fence" and token.info.strip() == "question":
            at = body_start + (token.map[0] if token.map else 0) + 1  # the line of ```question
            question = _question(name, token.content, at, problems)
            if run:
                pieces.append(("html", _html(run)))
                run = []
            if question is None:
                continue
            if question.key in seen:
                problems.append(
                    f"{name}:{at + 1}: the question id '{question.key}' is already used in "
                    f"{seen[question.key]}"
                )
            seen[question.key] = name
            questions.append(question)
            pieces.append(("question", question.key))
        elif token.type == "heading_open" and token.tag == "h1":
            line = body_start + (token.map[0] if token.map else 0) + 1
            problems.append(f"{name}:{line}: use '##' for headings; the chapter's title is '#'")
        else:
            run.append(token)
    if run:
        pieces.append(("html", _html(run)))
    if front is None or len(problems) > count:
        return None
    if not any(kind == "html" and body.strip() for kind, body in pieces):
        problems.append(f"{name}:{body_start + 1}: the chapter has no text")
        return None
    stem = Path(name).stem
    return ChapterSpec(
        file=name,
        slug=re.sub(r"^\d+[-_]", "", stem).lower().replace("_", "-"),
        title=front["title"],
        summary=front["summary"],
        reading_minutes=front["reading_minutes"],
        themes=tuple(front.get("themes", ())),
        pieces=tuple(pieces),
        questions=tuple(questions),
    )


def _html(tokens: list[Token]) -> str:
    rendered = _markdown.renderer.render(tokens, _markdown.options, {})
    return nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def _question(name: str, text: str, at: int, problems: list[str]) -> QuestionSpec | None:
    lines: dict[str, int] = {}
    found = _fields(name, text, at, QUESTION_FIELDS, problems, lines)
    if found is None:
        return None
    kind = found["kind"]
    needs = {"scale": ("points", SCALE_POINTS), "single": ("choices", CHOICES),
             "multiple": ("choices", CHOICES)}.get(kind)  # fmt: skip
    count = len(problems)
    for extra in ("points", "choices"):
        if extra in found and (needs is None or needs[0] != extra):
            problems.append(f"{name}:{lines[extra]}: a {kind} question has no {extra}")
    options: tuple[str, ...] = ()
    if needs is not None:
        field_name, (low, high) = needs
        options = tuple(found.get(field_name, ()))
        line = lines.get(field_name, lines["kind"])
        if not low <= len(options) <= high:
            problems.append(f"{name}:{line}: a {kind} question needs {low} to {high} {field_name}")
        elif len(set(options)) != len(options):
            problems.append(f"{name}:{line}: the same {field_name[:-1]} is given twice")
    if len(problems) > count:
        return None
    return QuestionSpec(found["id"], kind, found["prompt"], found.get("help", ""), options)


# -- fields: a small schema with line numbers ------------------------------------------


@dataclass(frozen=True)
class Field:
    check: Callable[[Any], str]  # returns what is wrong, or ""
    required: bool = True


def _text_of(limit: int) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if isinstance(value, bool):
            return "should be text (put words such as Yes, No, On and Off in quotes)"
        if not isinstance(value, str) or not value.strip():
            return "should be text"
        if len(value) > limit:
            return f"is longer than {limit} characters"
        return ""

    return check


def _slug(value: Any) -> str:
    if not isinstance(value, str) or not SLUG.match(value):
        return "should be lowercase letters, digits and hyphens, such as 'what-is-power'"
    return "" if len(value) <= 80 else "is longer than 80 characters"


def _course_slug(value: Any) -> str:
    if value in RESERVED:
        return f"cannot be {value}: Learn uses that address for its own pages"
    return _slug(value)


def _number(low: int, high: int) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            return f"should be a whole number from {low} to {high}"
        return ""

    return check


def _texts(low: int, high: int, each: Callable[[Any], str]) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if not isinstance(value, list) or not low <= len(value) <= high:
            return f"should be a list of {low} to {high} items, such as [one, two]"
        wrong = next((each(item) for item in value if each(item)), "")
        return f"has an item that {wrong}" if wrong else ""

    return check


def _flag(value: Any) -> str:
    return "" if isinstance(value, bool) else "should be true or false"


def _one_of(*names: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        return "" if value in names else "should be one of " + ", ".join(names)

    return check


COURSE_FIELDS = {
    "id": Field(_course_slug),
    "title": Field(_text_of(200)),
    "summary": Field(_text_of(1000)),
    "version": Field(_number(1, 100_000)),
    "licence": Field(_text_of(100)),
    "authors": Field(_texts(1, 50, _text_of(200))),
    "language": Field(_text_of(20), required=False),
    "research": Field(_flag, required=False),
    "chapters": Field(
        _texts(
            1,
            MAX_CHAPTERS,
            lambda v: (
                ""
                if isinstance(v, str) and CHAPTER_FILE.match(v)
                else "should be a file name ending .md, with no folder"
            ),
        )  # fmt: skip
    ),
}
CHAPTER_FIELDS = {
    "title": Field(_text_of(200)),
    "summary": Field(_text_of(1000)),
    "reading_minutes": Field(_number(1, 240)),
    "themes": Field(_texts(0, 10, _slug), required=False),
}
QUESTION_FIELDS = {
    "id": Field(_slug),
    "kind": Field(_one_of(*KINDS)),
    "prompt": Field(_text_of(500)),
    "help": Field(_text_of(500), required=False),
    "points": Field(_texts(1, 20, _text_of(80)), required=False),
    "choices": Field(_texts(1, 20, _text_of(200)), required=False),
}


def _fields(
    name: str,
    text: str,
    offset: int,
    schema: Mapping[str, Field],
    problems: list[str],
    lines: dict[str, int] | None = None,
) -> dict[str, Any] | None:
    """``text`` as a YAML mapping checked against ``schema``; lines are counted from
    ``offset`` lines into the file, and each field's line is put in ``lines``. List
    fields come back as given, except that the course's chapters come back with each
    file name's line."""
    lines = {} if lines is None else lines
    count = len(problems)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = offset + (mark.line + 1 if mark is not None else 1)
        reason = getattr(exc, "problem", None) or "cannot be read as YAML"
        problems.append(f"{name}:{line}: {reason}")
        return None
    if not isinstance(node, yaml.MappingNode):
        problems.append(f"{name}:{offset + 1}: should be a list of 'name: value' lines")
        return None
    loader = yaml.SafeLoader("")
    found: dict[str, Any] = {}
    for key_node, value_node in node.value:
        key = key_node.value
        line = offset + key_node.start_mark.line + 1
        lines[key] = line
        if key not in schema:
            problems.append(
                f"{name}:{line}: unknown field '{key}'; the fields are " + ", ".join(schema)
            )
            continue
        if key in found:
            problems.append(f"{name}:{line}: '{key}' is given twice")
            continue
        try:
            value = loader.construct_object(value_node, deep=True)
        except yaml.YAMLError:
            problems.append(f"{name}:{line}: '{key}' cannot be read")
            continue
        wrong = schema[key].check(value)
        if wrong:
            problems.append(f"{name}:{line}: '{key}' {wrong}")
            continue
        if key == "chapters":
            value = [
                (item, offset + item_node.start_mark.line + 1)
                for item, item_node in zip(value, value_node.value, strict=True)
            ]
            names = [item for item, _ in value]
            if len(set(names)) != len(names):
                problems.append(f"{name}:{line}: a chapter is listed twice")
        found[key] = value
    for key, spec in schema.items():
        if (
            spec.required
            and key not in found
            and not any(f"'{key}'" in p for p in problems[count:])
        ):
            problems.append(f"{name}:{offset + 1}: '{key}' is missing")
    return found if len(problems) == count else None
