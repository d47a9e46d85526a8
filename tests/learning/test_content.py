"""Course files: read and checked before anything is stored; every mistake with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from commonground.learning.content import ContentError, read_files, read_folder
from commonground.learning.demo import COURSES

COURSE = b"""id: a-course
title: A course
summary: Short.
version: 1
licence: CC BY 4.0
authors: [Someone]
chapters:
  - 01-first.md
"""

CHAPTER = """---
title: First
summary: The first chapter.
reading_minutes: 3
themes: [co-production]
---

Some *text* <script>alert(1)</script> and [a link](javascript:alert(1)).

```question
id: own-community
kind: text
prompt: Which communities?
```

More text.

```question
id: how-sure
kind: scale
prompt: How sure?
points: [Not, A bit, Very]
```
"""


def problems(files: dict[str, bytes]) -> list[str]:
    with pytest.raises(ContentError) as caught:
        read_files(files)
    return caught.value.problems


def with_chapter(text: str, course: bytes = COURSE) -> dict[str, bytes]:
    return {"course.yaml": course, "01-first.md": text.encode()}


def test_a_course_reads_into_chapters_text_and_questions() -> None:
    course = read_files(with_chapter(CHAPTER))
    assert course.slug == "a-course" and course.authors == ("Someone",)
    chapter = course.chapters[0]
    assert chapter.slug == "first" and chapter.themes == ("co-production",)
    assert [q.key for q in chapter.questions] == ["own-community", "how-sure"]
    assert chapter.questions[1].options == ("Not", "A bit", "Very")
    kinds = [kind for kind, _ in chapter.pieces]
    assert kinds == ["html", "question", "html", "question"]
    first = chapter.pieces[0][1]
    # Raw HTML is shown as text and a javascript: link is not made a link.
    assert "<script>" not in first and "&lt;script&gt;" in first and "href" not in first


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("reading_minutes: 3", "reading_minutes: lots"),
            "01-first.md:4: 'reading_minutes' should be a whole number from 1 to 240",
        ),
        (("summary: The first chapter.\n", ""), "01-first.md:2: 'summary' is missing"),
        (
            ("themes: [co-production]", "themes: [Co Production]"),
            "01-first.md:5: 'themes' has an item that should be lowercase",
        ),
        (("title: First", "title: First\ncolour: blue"), "01-first.md:3: unknown field 'colour'"),
        (
            ("kind: scale", "kind: slider"),
            "01-first.md:20: 'kind' should be one of text, scale, single, multiple",
        ),
        (
            ("points: [Not, A bit, Very]", "points: [Not, Very]"),
            "01-first.md:22: a scale question needs 3 to 7 points",
        ),
        (
            ("points: [Not, A bit, Very]", "points: [No, A bit, Very]"),
            "01-first.md:22: 'points' has an item that should be text (put words such as Yes",
        ),
        (
            ("id: how-sure", "id: own-community"),
            "01-first.md:19: the question id 'own-community' is already used in 01-first.md",
        ),
        (
            ("prompt: Which communities?\n", "prompt: Which communities?\nchoices: [A, B]\n"),
            "01-first.md:14: a text question has no choices",
        ),
        (("id: how-sure\n", "id: how-sure\n  nested: [\n"), "01-first.md:2"),
        (("More text.", "# A title"), "01-first.md:16: use '##' for headings"),
    ],
)
def test_each_mistake_is_reported_with_its_file_and_line(
    change: tuple[str, str], expected: str
) -> None:
    old, new = change
    assert old in CHAPTER
    found = problems(with_chapter(CHAPTER.replace(old, new, 1)))
    assert any(p.startswith(expected) for p in found), found


def test_course_file_mistakes_name_their_line() -> None:
    found = problems(with_chapter(CHAPTER, COURSE.replace(b"version: 1", b"version: one")))
    assert found == ["course.yaml:4: 'version' should be a whole number from 1 to 100000"]
    found = problems(with_chapter(CHAPTER, COURSE + b"  - 02-missing.md\n"))
    assert found == ["course.yaml:9: lists 02-missing.md, which is not in the course"]
    assert problems({"01-first.md": b""}) == ["course.yaml:1: missing; a course needs one"]
    found = problems(with_chapter(CHAPTER, COURSE.replace(b"id: a-course", b"id: journal")))
    assert found[0].startswith("course.yaml:1: 'id' cannot be journal")
    renamed = COURSE.replace(b"01-first.md", b"research-consent.md")
    found = problems({"course.yaml": renamed, "research-consent.md": CHAPTER.encode()})
    assert found[0].startswith("course.yaml:8: research-consent.md would be at a chapter address")


def test_broken_files_say_so_plainly() -> None:
    assert problems(with_chapter("No front matter")) == [
        "01-first.md:1: a chapter starts with front matter between '---' lines"
    ]
    assert problems({"course.yaml": COURSE, "01-first.md": b"---\n\xff\xfe"}) == [
        "01-first.md:2: not UTF-8 text"
    ]
    assert problems(with_chapter("---\ntitle: x\n")) == [
        "01-first.md:1: the front matter has no closing '---' line"
    ]
    assert problems(with_chapter("---\n- a\n- b\n---\ntext")) == [
        "01-first.md:2: should be a list of 'name: value' lines"
    ]


def test_the_course_that_comes_with_common_ground_reads_cleanly() -> None:
    folders = [p for p in COURSES.iterdir() if p.is_dir()]
    assert folders
    for folder in folders:
        course = read_folder(folder)
        assert course.licence == "CC BY 4.0"
        keys = [q.key for c in course.chapters for q in c.questions]
        assert len(keys) == len(set(keys))
        for chapter in course.chapters:
            assert 800 <= chapter.words <= 1600, (chapter.file, chapter.words)
            assert 3 <= len(chapter.questions) <= 6, chapter.file


def test_a_folder_without_a_course_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ContentError) as caught:
        read_folder(tmp_path)
    assert "no course.yaml here" in caught.value.problems[0]
