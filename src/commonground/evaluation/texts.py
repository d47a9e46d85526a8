"""The texts that can be coded, named without the database.

Three kinds of text can be coded: a written answer to a form, the notes for one
question of an interview, and an observation. A ``TextRef`` names one of them by
its kind and row id. Pure (no ORM import), so that the reads in ``selectors``
and the writes in ``services`` share it without either importing the other's
layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

# The three kinds of text that can be coded, as they appear in addresses.
ANSWER, NOTE, OBSERVATION = "answer", "note", "observation"
KINDS = (ANSWER, NOTE, OBSERVATION)

# The column of a coding or a suggestion that points at each kind of text.
_COLUMN = {ANSWER: "answer_id", NOTE: "interview_note_id", OBSERVATION: "observation_id"}


@dataclass(frozen=True)
class TextRef:
    """One codable text: its kind and the id of the row that holds it."""

    kind: str
    pk: int

    def fields(self) -> dict[str, int]:
        """The column and id that point a coding or a suggestion at this text: to filter
        them by, or to make one with."""
        return {_COLUMN[self.kind]: self.pk}


class OnText(Protocol):
    """A row that points at one codable text (a coding or a suggestion)."""

    @property
    def answer_id(self) -> int | None: ...

    @property
    def interview_note_id(self) -> int | None: ...

    @property
    def observation_id(self) -> int | None: ...


def ref_of(row: OnText) -> TextRef:
    """The text ``row`` points at (exactly one of its three columns is set)."""
    if row.answer_id:
        return TextRef(ANSWER, row.answer_id)
    if row.interview_note_id:
        return TextRef(NOTE, row.interview_note_id)
    return TextRef(OBSERVATION, row.observation_id or 0)
