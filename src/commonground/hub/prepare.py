"""Turn a fetched feed into entries ready to store: parse, sanitise, key, hash and theme them.

Pure: no database, no settings, so a harvest can run it in other processes
(``harvest.py`` does, for big harvests) as well as on its own threads.
"""

from __future__ import annotations

import functools
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

    A keyword made of words (letters, digits, spaces, hyphens, apostrophes) matches,
    whatever its case, the forms of its words (issue 14): "volunteer" matches
    "volunteers", "volunteering" and "volunteered"; "co-production" matches
    "co-productions" and "coproduction"; "wellbeing" matches "well-being". Both
    sides are cut to their stems (:func:`stem`) and compared word by word, never
    inside a word ("grant" is not in "migrant", nor "volunteer" in "volunteer_rota").

    A keyword "in double quotes", or one with other characters ("c++", "(pilot)"),
    matches only as written, where no letter, digit or underscore directly precedes
    or follows it: the way to keep "grant" from matching "granted".
    """

    keywords: list[tuple[int, tuple[str, ...], tuple[str, ...], re.Pattern[str] | None]]
    categories: dict[str, int]

    @classmethod
    def compile(cls, themes: Iterable[tuple[int, str, str]]) -> Rules:
        """From (theme id, keywords one per line, categories one per line)."""
        keywords: list[tuple[int, tuple[str, ...], tuple[str, ...], re.Pattern[str] | None]] = []
        categories: dict[str, int] = {}
        for pk, words_text, categories_text in themes:
            words = [w.strip().lower() for w in words_text.splitlines() if w.strip()]
            exact = [w[1:-1] for w in words if len(w) > 2 and w[0] == w[-1] == '"']
            exact += [w for w in words if w[0] != '"' and not _forms(w)]
            # A hyphenated keyword is looked for with its words joined up ("coproduct"),
            # so as not to find "well-being" in "as well be"; any other, in both forms.
            anywhere = {f" {_stems(w, joined=True)} " for w in words if _forms(w) and "-" not in w}
            joined = {f" {_stems(w, joined=True)} " for w in words if _forms(w) and "-" in w}
            pattern = (
                re.compile(rf"(?<!\w)(?:{'|'.join(re.escape(w) for w in exact)})(?!\w)")
                if exact
                else None
            )
            if words:
                keywords.append((pk, tuple(sorted(anywhere)), tuple(sorted(joined)), pattern))
            for category in categories_text.splitlines():
                if category.strip():
                    categories[category.strip().lower()] = pk
        return cls(keywords, categories)

    def themes_for(self, title: str, text: str, categories: Iterable[str]) -> list[int]:
        found = {self.categories[c.lower()] for c in categories if c.lower() in self.categories}
        haystack = f"{title}\n{text[:5000]}".lower()
        split = f" {_stems(haystack, joined=False)} "
        joined = f" {_stems(haystack, joined=True)} "
        found.update(
            pk
            for pk, anywhere, joined_forms, pattern in self.keywords
            if pk not in found
            and (
                any(f in split or f in joined for f in anywhere)
                or any(f in joined for f in joined_forms)
                or (pattern is not None and pattern.search(haystack))
            )
        )
        return sorted(found)


_WORDS = re.compile(r"[\w\s'’-]+")
_TOKEN = re.compile(r"\w+(?:-\w+)*")
_POSSESSIVE = re.compile(r"['’]s\b")


def _forms(keyword: str) -> bool:
    """Whether a keyword is made of words only, and so matches their forms."""
    return keyword[0] != '"' and _WORDS.fullmatch(keyword) is not None


def _stems(text: str, *, joined: bool) -> str:
    """The stems of the words of ``text``, one space apart: hyphenated words joined up
    first ("co-design" as "codesign") or, without ``joined``, taken part by part."""
    tokens = _TOKEN.findall(_POSSESSIVE.sub("", text))
    if joined:
        return " ".join(stem(t.replace("-", "")) for t in tokens)
    return " ".join(stem(p) for t in tokens for p in t.split("-"))


def word_key(text: str) -> str:
    """What ``text`` and its word forms have in common: "Co-producing", "coproduction"
    and "co-production" share one key (search compares a query's words with themes
    by it)."""
    return _stems(text.lower(), joined=True)


@functools.lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """A light English stemmer, the same for keywords and text: enough that a keyword
    meets its plural, -ing, -ed and -ion forms ("volunteers", "co-curating",
    "consultations"). Words of digits or underscores, and short words, are left alone.
    """
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            # "running" and "planned": the doubled consonant goes too (not "install").
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]
            break
    if word.endswith("ion") and len(word) > 6:
        word = word[:-3]
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


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
