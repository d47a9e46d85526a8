"""Frameworks as files: one YAML (or JSON) file per version of a framework.

A file is checked against ``framework.schema.json`` (a published JSON Schema, served at
``/frameworks/schema.json``) and then for what a schema cannot say: ids used once, the
scale's values in rising order. Every mistake is reported as ``file:line: what is wrong``.
Nothing here touches the database: ``services.framework_load`` stores what this returns,
and checks the file against the versions already published.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

SCHEMA_FILE = Path(__file__).with_name("framework.schema.json")
FILES = Path(__file__).with_name("files")
MAX_FILE_BYTES = 300_000
# Frameworks' own addresses beside each framework's.
RESERVED = {"rounds", "upload", "rate", "schema", "coverage", "plans", "actions", "j"}


class FrameworkError(Exception):
    """The file cannot be loaded; ``problems`` are ``file:line: what is wrong`` lines."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Point:
    value: int
    label: str
    description: str


@dataclass(frozen=True)
class StatementSpec:
    key: str
    text: str
    prompts: tuple[str, ...]
    learn: tuple[str, ...]
    themes: tuple[str, ...]
    replaces: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class DimensionSpec:
    key: str
    title: str
    summary: str
    statements: tuple[StatementSpec, ...]


@dataclass(frozen=True)
class FrameworkSpec:
    """One version of a framework, read and checked; ``source`` is the file as given."""

    name: str
    key: str
    title: str
    version: int
    licence: str
    attribution: str
    language: str
    summary: str
    points: tuple[Point, ...]
    dont_know: bool
    dimensions: tuple[DimensionSpec, ...]
    source: str

    @property
    def statements(self) -> list[StatementSpec]:
        return [s for d in self.dimensions for s in d.statements]


@cache
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return loaded


def read_path(path: Path) -> FrameworkSpec:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise FrameworkError([f"{path.name}:1: larger than {MAX_FILE_BYTES:,} bytes"])
    return read_bytes(path.name, path.read_bytes())


def read_bytes(name: str, data: bytes) -> FrameworkSpec:
    """The framework in ``data``, a file called ``name``; raises FrameworkError."""
    if len(data) > MAX_FILE_BYTES:
        raise FrameworkError([f"{name}:1: larger than {MAX_FILE_BYTES:,} bytes"])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FrameworkError([f"{name}:{line}: not UTF-8 text"]) from exc
    try:
        # Anchors and aliases are refused before anything is built from them: a few
        # lines of them can stand for millions of values, or for a value inside itself.
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if isinstance(token, yaml.AnchorToken | yaml.AliasToken):
                line = token.start_mark.line + 1
                raise FrameworkError([f"{name}:{line}: write each value out; & and * are not used"])
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        reason = getattr(exc, "problem", None) or "cannot be read as YAML"
        hint = " (put text holding a colon, a question mark or # in quotes)"
        raise FrameworkError([f"{name}:{line}: {reason}{hint}"]) from exc
    if node is None or not isinstance(document, dict):
        raise FrameworkError([f"{name}:1: a framework file is a mapping of fields (id, title, …)"])
    lines = _lines(node)
    found = [
        (_line_of(lines, _where(error)), _say(error))
        for error in jsonschema.Draft202012Validator(schema()).iter_errors(document)
    ]
    problems = [f"{name}:{line}: {said}" for line, said in sorted(found)]
    if problems:
        raise FrameworkError(problems)
    problems = _sense(name, document, lines)
    if problems:
        raise FrameworkError(problems)
    scale = document["scale"]
    return FrameworkSpec(
        name=name,
        key=document["id"],
        title=document["title"].strip(),
        version=document["version"],
        licence=document["licence"].strip(),
        attribution=document["attribution"].strip(),
        language=document["language"],
        summary=document.get("summary", "").strip(),
        points=tuple(
            Point(p["value"], p["label"].strip(), p.get("description", "").strip())
            for p in scale["points"]
        ),
        dont_know=scale.get("dont_know", True),
        dimensions=tuple(
            DimensionSpec(
                key=d["id"],
                title=d["title"].strip(),
                summary=d.get("summary", "").strip(),
                statements=tuple(
                    StatementSpec(
                        key=s["id"],
                        text=s["text"].strip(),
                        prompts=tuple(p.strip() for p in s.get("prompts", [])),
                        learn=tuple(s.get("learn", [])),
                        themes=tuple(s.get("themes", [])),
                        replaces=tuple(s.get("replaces", [])),
                        line=_line_of(lines, ("dimensions", i, "statements", j)),
                    )
                    for j, s in enumerate(d["statements"])
                ),
            )
            for i, d in enumerate(document["dimensions"])
        ),
        source=text,
    )


def shipped() -> list[Path]:
    """The framework files that come with Common Ground."""
    return sorted(FILES.glob("*.yaml"))


# -- lines -------------------------------------------------------------------------------


def _lines(node: yaml.Node, path: tuple[Any, ...] = ()) -> dict[tuple[Any, ...], int]:
    """The line of every value in the document, by its path of keys and indexes."""
    found = {path: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                found[(*path, key.value)] = key.start_mark.line + 1
                inner = _lines(value, (*path, key.value))
                inner.pop((*path, key.value))
                found.update(inner)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            found.update(_lines(item, (*path, index)))
    return found


def _line_of(lines: dict[tuple[Any, ...], int], path: tuple[Any, ...]) -> int:
    while path not in lines:
        path = path[:-1]
    return lines[path]


def _unknown(error: jsonschema.ValidationError) -> list[str]:
    known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
    instance = error.instance if isinstance(error.instance, dict) else {}
    return sorted(str(k) for k in instance if k not in known)


def _where(error: jsonschema.ValidationError) -> tuple[Any, ...]:
    """The path to the value at fault: an unknown field's own line, not its mapping's."""
    path = tuple(error.absolute_path)
    if error.validator == "additionalProperties" and _unknown(error):
        return (*path, _unknown(error)[0])
    return path


def _say(error: jsonschema.ValidationError) -> str:
    """A schema error in words a framework's author can act on."""
    where = ".".join(str(p) for p in error.absolute_path)
    field = f"'{where}'" if where else "the file"
    if error.validator == "required":
        missing = error.message.split("'")[1]
        return f"{field} needs '{missing}'"
    if error.validator == "additionalProperties":
        known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        unknown = ", ".join(f"'{k}'" for k in _unknown(error))
        return f"{field} has an unknown field {unknown}; its fields are " + ", ".join(known)
    if error.validator == "pattern":
        return f"{field} must be lowercase words joined by hyphens, like 'we-listen-first'"
    if error.validator in ("minItems", "maxItems", "minLength", "maxLength"):
        return f"{field} {error.message.split(' is ', 1)[-1]}"
    return f"{field}: {error.message}"


def _sense(name: str, document: dict[str, Any], lines: dict[tuple[Any, ...], int]) -> list[str]:
    """What the schema cannot check: ids used once, values rising, replacing only later."""
    problems = []
    if document["id"] in RESERVED:
        at = _line_of(lines, ("id",))
        problems.append(
            f"{name}:{at}: 'id' cannot be {document['id']}: Frameworks uses that address"
        )
    if not isinstance(document["version"], int) or isinstance(document["version"], bool):
        problems.append(f"{name}:{_line_of(lines, ('version',))}: 'version' is a whole number")
    values = [p["value"] for p in document["scale"]["points"]]
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        at = _line_of(lines, ("scale", "points"))
        problems.append(f"{name}:{at}: the scale's values are whole numbers, like 1, 2, 3")
    elif values != list(range(values[0], values[0] + len(values))):
        at = _line_of(lines, ("scale", "points"))
        problems.append(
            f"{name}:{at}: the scale's values rise one at a time (1, 2, 3 …), each used once"
        )
    seen: dict[str, int] = {}
    for i, dimension in enumerate(document["dimensions"]):
        at = _line_of(lines, ("dimensions", i, "id"))
        if dimension["id"] in seen:
            problems.append(f"{name}:{at}: the id '{dimension['id']}' is used twice")
        seen[dimension["id"]] = at
        for j, statement in enumerate(dimension["statements"]):
            at = _line_of(lines, ("dimensions", i, "statements", j, "id"))
            if statement["id"] in seen:
                problems.append(
                    f"{name}:{at}: the id '{statement['id']}' is also used on line "
                    f"{seen[statement['id']]}"
                )
            seen[statement["id"]] = at
            if statement.get("replaces") and document["version"] == 1:
                at = _line_of(lines, ("dimensions", i, "statements", j, "replaces"))
                problems.append(f"{name}:{at}: version 1 has no earlier statements to replace")
    return problems
