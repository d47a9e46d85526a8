"""Small rules for text from outside (pure): names kept on one line, whole numbers read.

Names go into email subjects and headers, file names and page titles. A line
break there breaks the email (Django refuses header injection by raising), and
bidirectional overrides can make a name read as something else
(CVE-2021-42574's "Trojan Source" trick), so forms refuse them and services
fold them away.
"""

from __future__ import annotations

import re

# C0 and C1 controls (line breaks and tabs among them), the Unicode line and
# paragraph separators, and the bidirectional marks, embeddings and overrides.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def single_line(value: str) -> str:
    """``value`` with every control character and run of spaces made one space, trimmed."""
    return " ".join(_CONTROL.sub(" ", value).split())


def refuse_control_characters(value: str) -> None:
    """A model and form validator for names: one line of plain text."""
    from django.core.exceptions import ValidationError

    if _CONTROL.search(value):
        raise ValidationError(
            "Write this on one line, without line breaks, tabs or other control characters.",
            code="control_characters",
        )


_WHOLE = re.compile(r"[0-9]{1,18}")


def whole_number(text: str | None) -> int | None:
    """``text`` as a whole number if it is written in ASCII digits (at most 18), else None.

    Not ``str.isdigit()``: that also says yes to "²" and "١٢", which ``int()`` then refuses
    or reads, and to numbers of thousands of digits, which ``int()`` refuses too.
    """
    if text is None or not _WHOLE.fullmatch(text):
        return None
    return int(text)


def size_words(count: int) -> str:
    """A size as people read it: '3 KB', '52.4 MB'."""
    return f"{count / 1e6:.1f} MB" if count >= 1e6 else f"{max(1, round(count / 1e3))} KB"
