"""Text likeness without a network or a model: fingerprints for "the same story", key words for
"related". Pure: no ORM.

A fingerprint is a 64-bit SimHash of the text's three-word shingles: texts
that differ in a few words differ in a few bits. Split into four 16-bit
bands, two fingerprints within 3 bits of each other must share a band
(pigeonhole), so the database finds candidates with four indexed lookups.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter

SAME_STORY_BITS = 3
MIN_STORY_WORDS = 25
_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
STOP_WORDS = frozenset(
    """a about after again all also am an and any are as at be because been before being
    between both but by can could did do does doing down during each few for from further had
    has have having he her here hers him his how i if in into is it its just me more most my
    new no nor not now of off on once one only or other our ours out over own same she should
    so some such than that the their theirs them then there these they this those through to
    too under until up very was we were what when where which while who whom why will with
    would you your yours us may many much well way use used using make made get got also
    said says say two three first last year years people work""".split()
)


def words(text: str) -> list[str]:
    return [w for w in (m.lower() for m in _WORD.findall(text)) if w not in STOP_WORDS]


def fingerprint(text: str) -> int | None:
    """The SimHash of ``text`` as a signed 64-bit integer (it fits a BigIntegerField).

    ``None`` for texts too short to tell stories apart reliably.
    """
    tokens = words(text)
    if len(tokens) < MIN_STORY_WORDS:
        return None
    counts = [0] * 64
    for i in range(len(tokens) - 2):
        shingle = " ".join(tokens[i : i + 3]).encode()
        value = int.from_bytes(hashlib.blake2b(shingle, digest_size=8).digest(), "big")
        for bit in range(64):
            counts[bit] += 1 if value >> bit & 1 else -1
    unsigned = sum(1 << bit for bit in range(64) if counts[bit] > 0)
    return unsigned - (1 << 64) if unsigned >= 1 << 63 else unsigned


def bands(signed: int) -> tuple[int, int, int, int]:
    unsigned = signed & 0xFFFF_FFFF_FFFF_FFFF
    return (
        unsigned & 0xFFFF,
        unsigned >> 16 & 0xFFFF,
        unsigned >> 32 & 0xFFFF,
        unsigned >> 48 & 0xFFFF,
    )


def distance(a: int, b: int) -> int:
    return ((a ^ b) & 0xFFFF_FFFF_FFFF_FFFF).bit_count()


def key_words(title: str, text: str, *, limit: int = 10) -> list[str]:
    """The words that say what a text is about: title words first, then the most frequent."""
    picked: list[str] = []
    for word in words(title):
        if word not in picked and len(word) > 3:
            picked.append(word)
    for word, _ in Counter(w for w in words(text[:8000]) if len(w) > 3).most_common(limit * 2):
        if word not in picked:
            picked.append(word)
    return picked[:limit]
