"""Text likeness without a network or a model: fingerprints for "the same story", key words for
"related". Pure: no ORM.

A fingerprint is a 64-bit SimHash of the text's three-word shingles: texts
that differ in a few words differ in a few bits. Split into four 16-bit
bands, two fingerprints within 3 bits of each other must share a band
(pigeonhole), so the database finds candidates with four indexed lookups.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from functools import lru_cache
from hashlib import blake2b

import numpy as np

SAME_STORY_BITS = 3
MIN_STORY_WORDS = 25
# Words past this many say nothing more about which story a text tells.
MAX_STORY_WORDS = 3000
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


# ASCII letters as themselves and every other ASCII character as a space: most texts are
# ASCII, and split() after translate() reads them in half the time _WORD takes.
_ASCII_LETTERS = bytes(c if chr(c).isalpha() else 32 for c in range(128)).ljust(256, b" ")
_ASCII_SKIPPED = STOP_WORDS | set(string.ascii_lowercase)


def words(text: str) -> list[str]:
    """The words likeness is read from: each run of two or more letters, lower-cased, but
    for stop words."""
    lowered = text.lower()
    if lowered.isascii():
        spaced = lowered.encode().translate(_ASCII_LETTERS).decode()
        return [w for w in spaced.split() if w not in _ASCII_SKIPPED]
    return [w for w in _WORD.findall(lowered) if w not in STOP_WORDS]


@lru_cache(maxsize=100_000)
def _word_hash(word: str) -> int:
    return int.from_bytes(blake2b(word.encode(), digest_size=8).digest())


def _mix(values: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: every bit of the result depends on every bit of the input."""
    values = (values ^ (values >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    values = (values ^ (values >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))


def fingerprint(text: str) -> int | None:
    """The SimHash of ``text`` as a signed 64-bit integer (it fits a BigIntegerField).

    ``None`` for texts too short to tell stories apart reliably. Each three-word
    shingle is hashed from its words' hashes (in order), and a bit of the print is
    set where most shingles' hashes have it: numpy does both for all the shingles at
    once, so a text costs little more than reading its words.
    """
    return fingerprint_of(words(text))


def fingerprint_of(tokens: list[str]) -> int | None:
    """:func:`fingerprint` of a text already split into :func:`words`."""
    tokens = tokens[:MAX_STORY_WORDS]
    if len(tokens) < MIN_STORY_WORDS:
        return None
    hashed = np.fromiter(map(_word_hash, tokens), dtype=np.uint64, count=len(tokens))
    with np.errstate(over="ignore"):  # the arithmetic is modulo 2**64 on purpose
        shingles = _mix(
            hashed[:-2] * np.uint64(0x9E3779B97F4A7C15)
            + hashed[1:-1] * np.uint64(0xC2B2AE3D27D4EB4F)
            + hashed[2:]
        )
    # The hashes' bytes, most significant first, unpacked to bits: bit 63 comes first.
    bits = np.unpackbits(shingles.astype(">u8").view(np.uint8).reshape(-1, 8), axis=1)
    majority = bits.sum(axis=0, dtype=np.int64) * 2 > len(shingles)
    unsigned = int.from_bytes(np.packbits(majority).tobytes())
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
    return key_words_of(words(title), words(text[:8000]), limit=limit)


def key_words_of(title: list[str], text: list[str], *, limit: int = 10) -> list[str]:
    """:func:`key_words` of a title and a text already split into :func:`words`."""
    picked = list(dict.fromkeys(w for w in title if len(w) > 3))
    if len(picked) < limit:
        chosen = set(picked)
        for word, _ in Counter(w for w in text if len(w) > 3).most_common(limit * 2):
            if word not in chosen:
                picked.append(word)
                chosen.add(word)
    return picked[:limit]


def summary(title: str, text: str, *, limit: int, read: int) -> tuple[int | None, list[str]]:
    """What relating needs of an item: its fingerprint (``None`` for a short text) and up
    to ``limit`` key words, chosen from the title and the text's first ``read`` words.

    The body tells the story; the title (often changed when a post is passed on) only
    when the body is too short to.
    """
    title_words, text_words = words(title), words(text)
    fingerprint = fingerprint_of(text_words) or fingerprint_of(title_words + text_words)
    return fingerprint, key_words_of(title_words, text_words[:read], limit=limit)


def summaries(
    texts: list[tuple[str, str]], *, limit: int, read: int
) -> list[tuple[int | None, list[str]]]:
    """:func:`summary` of each (title, text): many items a call, as helper processes are
    given them."""
    return [summary(title, text, limit=limit, read=read) for title, text in texts]
