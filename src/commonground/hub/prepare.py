"""Turn a fetched feed into entries ready to store: parse, sanitise, key, hash and theme them.

Pure: no database, no settings, so a harvest can run it in other processes
(``harvest.py`` does, for big harvests) as well as on its own threads.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from commonground.hub import links
from commonground.hub.parse import Entry, Feed, parse, text_of_html
from commonground.lib.sanitise import clean_html, web_link

TEXT_KEPT = 20_000


@dataclass
class Prepared:
    """One entry made ready to store."""

    link_key: str
    entry_key: str
    link: str
    original_link: str
    title: str
    content: str
    text: str
    author: str
    published: datetime
    categories: str
    content_hash: str
    theme_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Rules:
    """Keyword rules and category mappings of every theme, compiled once per harvest.

    A keyword matches, whatever its case, where no letter, digit or underscore
    directly precedes or follows it ("grant" is not in "granted"; "c++" is in
    "learning c++ together"). Keywords that start and end with a letter or digit
    are found by substring search and a look at the characters either side,
    several times faster than a regular expression over the whole text; the rest
    get a regular expression with the same rule.
    """

    keywords: list[tuple[int, tuple[str, ...], re.Pattern[str] | None]]
    categories: dict[str, int]

    @classmethod
    def compile(cls, themes: Iterable[tuple[int, str, str]]) -> Rules:
        """From (theme id, keywords one per line, categories one per line)."""
        keywords: list[tuple[int, tuple[str, ...], re.Pattern[str] | None]] = []
        categories: dict[str, int] = {}
        for pk, words_text, categories_text in themes:
            words = [w.strip().lower() for w in words_text.splitlines() if w.strip()]
            plain = tuple(w for w in words if _wordish(w[0]) and _wordish(w[-1]))
            awkward = [w for w in words if w not in plain]
            pattern = (
                re.compile(rf"(?<!\w)(?:{'|'.join(re.escape(w) for w in awkward)})(?!\w)")
                if awkward
                else None
            )
            if words:
                keywords.append((pk, plain, pattern))
            for category in categories_text.splitlines():
                if category.strip():
                    categories[category.strip().lower()] = pk
        return cls(keywords, categories)

    def themes_for(self, title: str, text: str, categories: Iterable[str]) -> list[int]:
        found = {self.categories[c.lower()] for c in categories if c.lower() in self.categories}
        haystack = f"{title}\n{text[:5000]}".lower()
        found.update(
            pk
            for pk, plain, pattern in self.keywords
            if pk not in found
            and (
                any(_has_word(haystack, w) for w in plain)
                or (pattern is not None and pattern.search(haystack))
            )
        )
        return sorted(found)


def _wordish(character: str) -> bool:
    return character.isalnum() or character == "_"


def _has_word(text: str, word: str) -> bool:
    """Whether ``word`` (starting and ending with a letter or digit) is in ``text`` whole."""
    start = text.find(word)
    while start != -1:
        end = start + len(word)
        if (start == 0 or not _wordish(text[start - 1])) and (
            end == len(text) or not _wordish(text[end])
        ):
            return True
        start = text.find(word, start + 1)
    return False


def entry(item: Entry, *, source_id: int, now: datetime, rules: Rules) -> Prepared:
    body_html = item.content_html or item.summary_html
    content = clean_html(body_html, base_url=item.base or item.link)
    text = text_of_html(content)[:TEXT_KEPT]
    title = (item.title or text[:120] or item.link or "Untitled")[:500]
    entry_key = hashlib.sha256(item.key.encode("utf-8", "replace")).hexdigest()[:40]
    # The parser keeps only http(s) links; checked again here, where they are stored.
    original = web_link(item.link)
    if original:
        link = links.normalise(original)
        link_key = links.key_of_normalised(link)
    else:
        # Without a link the entry is only this hub's; key it to the hub.
        link_key = hashlib.sha256(f"{source_id}:{item.key}".encode()).hexdigest()[:40]
        link = ""
    published = item.published or item.updated or now
    if published > now:
        published = now
    return Prepared(
        link_key=link_key,
        entry_key=entry_key,
        link=link[:2000],
        original_link=original[:2000],
        title=title,
        content=content,
        text=text,
        author=item.author[:300],
        published=published,
        categories=", ".join(item.categories)[:1000],
        content_hash=content_hash(title=title, content=content, link=link),
        theme_ids=rules.themes_for(title, text, item.categories),
    )


def content_hash(*, title: str, content: str, link: str) -> str:
    """What tells a harvest that an entry it has stored before has changed."""
    return hashlib.sha256(f"{title}\x00{content}\x00{link}".encode()).hexdigest()[:16]


def read(
    body: bytes, *, url: str, content_type: str, source_id: int, now: datetime, rules: Rules
) -> tuple[Feed, list[Prepared]]:
    """The feed (without its raw entries) and its entries prepared; raises ``ParseError``."""
    feed = parse(body, url=url, content_type=content_type)
    prepared = [entry(e, source_id=source_id, now=now, rules=rules) for e in feed.entries]
    return replace(feed, entries=[]), prepared
