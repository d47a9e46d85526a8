"""The new words of an emailed reply: quoted text, signatures and mail-program chatter
taken off. Pure, tested against sample replies from common mail programs
(tests/groups/mail/) and in tests/lib/test_replies.py."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Lines that start what was quoted below the reply, in the wordings mail programs use.
_QUOTE_HEADERS = [
    # Gmail, Apple Mail, Thunderbird: "On Tue, 3 Mar 2026 at 10:02, Ada <a@b> wrote:"
    # (which mail programs may wrap over two lines).
    re.compile(r"^\s*On\b.{0,300}\bwrote:\s*$", re.IGNORECASE | re.DOTALL),
    re.compile(r"^\s*Le\b.{0,300}\ba écrit\s*:\s*$", re.IGNORECASE | re.DOTALL),
    re.compile(r"^\s*Am\b.{0,300}\bschrieb\b.{0,100}:\s*$", re.IGNORECASE | re.DOTALL),
    # Outlook
    re.compile(r"^\s*-{2,}\s*Original Message\s*-{2,}\s*$", re.IGNORECASE),
    re.compile(r"^\s*_{10,}\s*$"),
    re.compile(r"^\s*-{2,}\s*Forwarded message\s*-{2,}\s*$", re.IGNORECASE),
]
# Outlook's header block above the quote: "From: …" then "Sent: …" or "Date: …".
_FROM = re.compile(r"^\s*\*?From:\*?\s.+$", re.IGNORECASE)
_SENT = re.compile(r"^\s*\*?(Sent|Date):\*?\s.+$", re.IGNORECASE)
# Signatures: the standard "-- " line, and what phones add by themselves.
_SIGNATURE = re.compile(r"^-- ?$")
_SENT_FROM = re.compile(
    r"^\s*(Sent from (my )?(iPhone|iPad|Android|Samsung|Outlook|Mail for Windows|"
    r"Yahoo Mail|mobile)\b.*|Get Outlook for (iOS|Android).*)$",
    re.IGNORECASE,
)

# Most mail programs put no "-- " line above a signature they add (Outlook, Apple Mail,
# Gmail when told to), so a signature is also known by its look: after a sign-off and the
# name, or as the last paragraph below a name, a few short lines that are not sentences,
# one of them a way to reach the person or a "job title | organisation".
_SIGN_OFFS = (
    "thanks", "thank you", "many thanks", "thanks again", "thanks so much",
    "thanks very much", "thanks in advance", "thanks all", "thank you all", "with thanks",
    "best", "best wishes", "with best wishes", "all the best", "all best", "best regards",
    "regards", "kind regards", "kindest regards", "with kind regards", "warm regards",
    "warmest regards", "warmly", "cheers", "ta", "yours", "yours sincerely",
    "yours faithfully", "sincerely", "take care", "speak soon", "see you soon",
    "see you then",
)  # fmt: skip
_SIGN_OFF = re.compile(
    "^(?:" + "|".join(sorted(map(re.escape, _SIGN_OFFS), key=len, reverse=True)) + ")"
    r"(?P<rest>[\s,.!–-].*)?$",
    re.IGNORECASE,
)
_CONTACT = re.compile(
    r"[\w.+-]+@[\w-]+(\.[\w-]+)+"  # an email address
    r"|\b(https?://|www\.)\S"  # a web address
    r"|\b[\w-]+(\.[\w-]+)*\.(org|com|net|gov|ac|co|edu|info|uk|ie)\b"  # or its domain
    r"|^(t|m|f|tel|telephone|phone|mob|mobile|cell|direct|office|fax|ddi)\b\.?\s*:?\s*"
    r"\+?[\d(][\d\s().-]{6,}"  # "T: 01632 960 123"
    r"|^\+?[\d(][\d\s().-]{8,}\d$"  # a number on its own
    r"|^(twitter|linkedin|bluesky|mastodon|instagram|facebook|pronouns)\s*:"
    r"|\S\s+\|\s+\S",  # "Outreach Librarian | Riverside Libraries"
    re.IGNORECASE,
)
# Small words inside names: "Ana de la Cruz", "Jan van der Berg".
_NAME_PARTICLES = frozenset("al ap bin da de del della den der di du el la le van von".split())
_NAME_WORD = re.compile(r"[^\W\d_]([^\W\d_]|['’.-])*")
# A signature is short; more than this below a sign-off is taken to be something else.
_MOST_SIGNATURE_LINES = 8


def new_words(text: str) -> str:
    """What the person wrote above the quote, without their signature."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        if line.lstrip().startswith(">"):
            break
        joined = line if index + 1 >= len(lines) else f"{line} {lines[index + 1]}"
        if any(p.match(line) for p in _QUOTE_HEADERS) or (
            line.strip().lower().startswith("on ") and _QUOTE_HEADERS[0].match(joined)
        ):
            break
        if _FROM.match(line) and any(_SENT.match(n) for n in lines[index + 1 : index + 4]):
            break
        if _SIGNATURE.match(line) or _SENT_FROM.match(line):
            break
        kept.append(line.rstrip())
    return "\n".join(_unsigned(kept)).strip()


def _is_name(text: str) -> bool:
    """Whether ``text`` reads as a person's name: "Ben Member", "Ana de la Cruz",
    "Kit Fraser (they/them)"."""
    words = re.sub(r"\s*\([^()]{1,20}\)$", "", text.strip()).split()
    return (
        0 < len(words) <= 4
        and words[0][0].isupper()
        and all(_NAME_WORD.fullmatch(w) and (w[0].isupper() or w in _NAME_PARTICLES) for w in words)
    )


def _signed(line: str) -> bool:
    """Whether the line under a sign-off is the writer's name: a name, or one word
    (people sign "ben" too), but not already a way to reach them."""
    return (_is_name(line) or len(line.split()) == 1) and not _CONTACT.search(line)


def _is_signature_line(line: str) -> bool:
    """A short line that is not a sentence (nor the start of a list, with its colon)."""
    words = line.split()
    return (
        len(line) <= 80
        and len(words) <= 12
        and not line.endswith(":")
        and not (len(words) >= 4 and line[-1] in ".?!")
    )


def _is_signature(block: list[str]) -> bool:
    lines = [line.strip() for line in block if line.strip()]
    return (
        0 < len(lines) <= _MOST_SIGNATURE_LINES
        and all(_is_signature_line(line) for line in lines)
        and any(_CONTACT.search(line) for line in lines)
    )


def _unsigned(lines: list[str]) -> list[str]:
    """``lines`` without a signature block at their end; what may be someone's words
    (a sign-off and the name under it, a last paragraph of sentences, a contact given
    after a colon) is kept."""
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    filled = [i for i, line in enumerate(lines) if line.strip()]
    if not filled:
        return lines
    # "Kind regards," (or "Thanks, Ben"), the name, then the block: keep the first two.
    for index in reversed(filled[-(_MOST_SIGNATURE_LINES + 2) :]):
        found = _SIGN_OFF.match(lines[index].strip())
        rest = (found.group("rest") or "").strip(" ,.!–-") if found else ""
        if not found or (rest and not _is_name(rest)):
            continue
        start = index + 1
        name = next((i for i in filled if i > index), None)
        if not rest and name is not None and _signed(lines[name]):
            start = name + 1
        if _is_signature(lines[start:]):
            return lines[:start]
        break
    # No sign-off: a last paragraph that is a name then at least two short lines.
    blank = max((i for i, line in enumerate(lines) if not line.strip()), default=-1)
    last = [line.strip() for line in lines[blank + 1 :]]
    before = [line for line in lines[: blank + 1] if line.strip()]
    if (
        before
        and not before[-1].rstrip().endswith(":")
        and len(last) >= 3
        and _is_name(last[0])
        and _is_signature(last)
    ):
        return lines[:blank]
    return lines


class _Text(HTMLParser):
    """Just the text of an HTML email, with block ends as line breaks; quoted blocks
    (``<blockquote>``, Gmail's and Outlook's quote containers) left out, and all that
    follows Outlook's reply header, which is the quote (Outlook does not wrap it)."""

    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "blockquote"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.stack: list[bool] = []
        self.ended = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id") in {"divRplyFwdMsg", "appendonsend"}:
            self.ended = True
        classes = (found.get("class") or "").split()
        quoted = (
            tag == "blockquote"
            or "gmail_quote" in classes
            or "gmail_signature" in classes
            or found.get("id") in {"divRplyFwdMsg", "appendonsend", "Signature"}
        )
        if tag not in {"br", "img", "hr", "meta", "input"}:
            self.stack.append(quoted)
            self.skipping += quoted
        if tag in self.BLOCKS and not self.skipping:
            self.parts.append("\n")
        if tag in {"script", "style", "head", "title"}:
            self.skipping += 1
            self.stack[-1] = True

    def handle_endtag(self, tag: str) -> None:
        if tag in {"br", "img", "hr", "meta", "input"}:
            return
        if self.stack:
            self.skipping -= self.stack.pop()
        if tag in self.BLOCKS and not self.skipping:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping and not self.ended:
            self.parts.append(data)


def html_text(html: str) -> str:
    """The words of an HTML email, its quoted part left out."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    text = re.sub(r"[ \t\xa0]+", " ", text)
    return re.sub(r"\n\s*\n\s*(\n\s*)+", "\n\n", text).strip()
