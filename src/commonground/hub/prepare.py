"""Turn a fetched feed into entries ready to store: parse, sanitise, key, hash and theme them.

Pure: no database, no settings, so a harvest can run it in other processes
(``harvest.py`` does, for big harvests) as well as on its own threads.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import NamedTuple

from commonground.hub import links
from commonground.hub.parse import Entry, Feed, parse, text_of_html
from commonground.lib.sanitise import clean_html, web_link

TEXT_KEPT = 20_000


class Prepared(NamedTuple):
    """One entry made ready to store.

    A named tuple, not a dataclass: prepared entries cross from the parsing process to
    the storing one pickled, and the storing process unpickles tuples in under half the
    time (48,000 entries: 0.13 s against 0.31 s; pickling costs the same).
    """

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
    theme_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Word:
    """A one-word keyword as its stem, and what every word with that stem begins with:
    the stem, but for a "y" that stands for "ies" ("community", from "communities")."""

    stem: str
    start: str


@dataclass(frozen=True)
class Keywords:
    """One theme's keyword rules, as :meth:`Rules.compile` sorts them.

    Keywords of words as their stems: the one-word keywords (in the order given, as the
    first found ends the search); the phrases, one space apart and padded with a space,
    with the set of their words and patterns for where they may be in the text as
    written (see :meth:`_Text.has_phrase`). And a pattern for the keywords that match
    only as written.
    """

    theme: int
    words: tuple[Word, ...]
    phrases: tuple[str, ...]
    phrase_words: frozenset[str]
    nearby: tuple[re.Pattern[str], ...]
    pattern: re.Pattern[str] | None

    @classmethod
    def compile(cls, theme: int, keywords: list[str]) -> Keywords:
        exact = [w[1:-1] for w in keywords if len(w) > 2 and w[0] == w[-1] == '"']
        exact += [w for w in keywords if w[0] != '"' and not _forms(w)]
        # A hyphenated keyword is looked for with its words joined up ("coproduct"), so
        # that "well-being" is not found in "as well be".
        stems = [key for key in dict.fromkeys(word_key(w) for w in keywords if _forms(w)) if key]
        phrases = [key.split() for key in stems if " " in key]
        # One pattern per first word: where one of the phrases may be, each word starting
        # as its stem does, with only characters never in a word (or a possessive's "s")
        # between. Found with the first word's letters, as str.find finds a word.
        after_first: dict[str, list[str]] = {}
        for phrase in phrases:
            first, *rest = map(_start, phrase)
            after_first.setdefault(first, []).append(_GAP.join(map(re.escape, rest)))
        return cls(
            theme=theme,
            words=tuple(Word(key, _start(key)) for key in stems if " " not in key),
            phrases=tuple(f" {' '.join(phrase)} " for phrase in phrases),
            phrase_words=frozenset(word for phrase in phrases for word in phrase),
            nearby=tuple(
                re.compile(f"{re.escape(first)}{_GAP}(?:{'|'.join(rest)})")
                for first, rest in after_first.items()
            ),
            pattern=(
                re.compile(rf"(?<!\w)(?:{'|'.join(re.escape(w) for w in exact)})(?!\w)")
                if exact
                else None
            ),
        )


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

    keywords: list[Keywords]
    categories: dict[str, int]

    @classmethod
    def compile(cls, themes: Iterable[tuple[int, str, str]]) -> Rules:
        """From (theme id, keywords one per line, categories one per line)."""
        keywords: list[Keywords] = []
        categories: dict[str, int] = {}
        for pk, words_text, categories_text in themes:
            words = [w.strip().lower() for w in words_text.splitlines() if w.strip()]
            if words:
                keywords.append(Keywords.compile(pk, words))
            for category in categories_text.splitlines():
                if category.strip():
                    categories[category.strip().lower()] = pk
        return cls(keywords, categories)

    def themes_for(self, title: str, text: str, categories: Iterable[str]) -> tuple[int, ...]:
        found = {self.categories[c.lower()] for c in categories if c.lower() in self.categories}
        haystack = f"{title}\n{text[:5000]}".lower()
        words = _Text(haystack)
        for rule in self.keywords:
            if rule.theme not in found and (
                any(words.has_word(word) for word in rule.words)
                or (rule.phrases and words.has_phrase(rule))
                or (rule.pattern is not None and rule.pattern.search(haystack))
            ):
                found.add(rule.theme)
        return tuple(sorted(found))


_WORDS = re.compile(r"[\w\s'’-]+")
_TOKEN = re.compile(r"\w+(?:-\w+)*")
_POSSESSIVE = re.compile(r"['’]s\b")
# Between two words of a phrase as written: the rest of the first word, then characters
# never in a word, or the "s" of a possessive.
_GAP = r"\w*(?:\W|s\b)+"
# Spaces, and characters that are never part of a word (none is a letter, digit, "_",
# "-" or an apostrophe, which a possessive needs), as one space: text is cut into
# pieces at them with str.translate and str.find or str.split, many times faster than
# a regular expression; each distinct piece is then read with _TOKEN once (see _piece).
_BREAKS = str.maketrans(
    dict.fromkeys(
        '!"#$%&()*+,./:;<=>?@[\\]^`{|}~‘“”–—…«»•'
        + "".join(c for c in map(chr, range(0x3001)) if c.isspace()),
        " ",
    )
)


def _forms(keyword: str) -> bool:
    """Whether a keyword is made of words only, and so matches their forms."""
    return keyword[0] != '"' and _WORDS.fullmatch(keyword) is not None


def _start(stem: str) -> str:
    """What every word with this stem begins with (see :class:`Word`)."""
    return stem[:-1] if len(stem) >= 3 and stem.endswith("y") else stem


class _Text:
    """A text, lower-cased, in which keywords are found by their stems, both ways that
    hyphenated words read: part by part ("co-design" as "co design") and joined up
    ("codesign").

    Only the words where a keyword may be are read: reading every word took twice as
    long as the rest of preparing an entry. A word whose stem is "volunt" begins with
    "volunt", so str.find finds where it may be, and only the piece of text there (cut
    at spaces and at characters never in a word) is read. Hyphenated words, whose stems
    joined up are not in the text as written, are read at once. The whole text is read
    only where a phrase may be in it.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.spaced = text.translate(_BREAKS)
        hyphenated: list[_Piece] = []
        at = self.spaced.find("-")
        while at >= 0:
            start, end = self._around(at)
            hyphenated.append(_piece(self.spaced[start:end]))
            at = self.spaced.find("-", end)
        self.hyphens_both = set().union(*(p.stems for p in hyphenated))
        self.hyphens_joined = set().union(*(p.joined.split() for p in hyphenated))
        self._readings: tuple[str, str] | None = None

    def has_word(self, word: Word) -> bool:
        at = self.spaced.find(word.start)
        while at >= 0:
            start, end = self._around(at)
            if word.stem in _piece(self.spaced[start:end]).stems:
                return True
            at = self.spaced.find(word.start, end)
        return word.stem in self.hyphens_both

    def has_phrase(self, rule: Keywords) -> bool:
        # Joined up, the text reads differently only where a hyphenated word is joined
        # up: without one of their stems, a phrase is in it only as the patterns find.
        if rule.phrase_words.isdisjoint(self.hyphens_joined) and not any(
            nearby.search(self.text) for nearby in rule.nearby
        ):
            return False
        if self._readings is None:
            pieces = [_piece(p) for p in self.spaced.split()]
            self._readings = (
                f" {' '.join(p.split for p in pieces if p.split)} ",
                f" {' '.join(p.joined for p in pieces if p.joined)} ",
            )
        return any(phrase in reading for phrase in rule.phrases for reading in self._readings)

    def _around(self, at: int) -> tuple[int, int]:
        """Where the piece of text with the character at ``at`` in it starts and ends."""
        end = self.spaced.find(" ", at)
        return self.spaced.rfind(" ", 0, at) + 1, end if end >= 0 else len(self.spaced)


@dataclass(frozen=True, slots=True)
class _Piece:
    """How a piece of text without spaces reads, as stems one space apart: part by part
    and joined up; and every stem of both."""

    split: str
    joined: str
    stems: tuple[str, ...]


# The same words come back in every feed: each distinct piece is read once per process.
@functools.lru_cache(maxsize=10_000)
def _piece(text: str) -> _Piece:
    tokens = _TOKEN.findall(_POSSESSIVE.sub("", text))
    split = " ".join(stem(p) for t in tokens for p in t.split("-"))
    joined = " ".join(stem(t.replace("-", "")) for t in tokens) if "-" in text else split
    return _Piece(split, joined, tuple({*split.split(), *joined.split()}))


def word_key(text: str) -> str:
    """What ``text`` and its word forms have in common: "Co-producing", "coproduction"
    and "co-production" share one key (search compares a query's words with themes
    by it)."""
    pieces = (_piece(p) for p in text.lower().translate(_BREAKS).split())
    return " ".join(p.joined for p in pieces if p.joined)


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
