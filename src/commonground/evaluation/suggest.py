"""Suggest codes for passages nobody has coded yet, from text statistics alone: pure, no
ORM, no network, no model to download.

Each code gets a profile: the words of the passages already coded with it
(and of its name and memo), weighted by TF-IDF over everything the programme
holds, so words every answer uses count for little. Each sentence not yet
coded is compared with every profile by cosine similarity; a code whose
profile is close enough is suggested for the sentence. People accept or
reject each suggestion; nothing is coded without them.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

WORD = re.compile(r"[a-z][a-z'-]{2,}")
# A sentence ends at . ! or ? followed by space, or at a line break.
SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)", re.MULTILINE)
STOPWORDS = frozenset(
    """about above after again against all also and any are because been before being below
    between both but can could did does doing down during each few for from further had has
    have having her here hers him his how into its itself just more most much must not now
    off once only other our ours out over own same she should some such than that the their
    theirs them then there these they this those through too under until very was were what
    when where which while who whom why will with would you your yours yourself we us i me my
    one get got lot lots really thing things way ways yes""".split()
)
# Low on purpose: a person decides on each suggestion, and short answers share few words.
THRESHOLD = 0.12


@dataclass(frozen=True)
class Passage:
    """A stretch of text to consider: where it is, and its words."""

    source: Hashable  # which text it is in
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Proposal:
    passage: Passage
    code: Hashable
    score: float


def words(text: str) -> list[str]:
    """Content words, lower-cased, with a plural or -ing ending trimmed."""
    found = []
    for word in WORD.findall(text.lower()):
        word = word.strip("'-")
        if len(word) < 3 or word in STOPWORDS:
            continue
        if word.endswith("ing") and len(word) > 5:
            word = word[:-3]
        elif word.endswith("s") and not word.endswith("ss") and len(word) > 4:
            word = word[:-1]
        found.append(word)
    return found


def sentences(source: Hashable, text: str) -> list[Passage]:
    """``text`` cut into sentences, each with its offsets (surrounding space left out)."""
    passages = []
    for match in SENTENCE.finditer(text):
        raw = match.group(0)
        start = match.start() + (len(raw) - len(raw.lstrip()))
        end = match.end() - (len(raw) - len(raw.rstrip()))
        if end - start >= 15:  # too short to say anything a code could match
            passages.append(Passage(source, start, end, text[start:end]))
    return passages


def propose(
    passages: Sequence[Passage],
    examples: dict[Hashable, Iterable[str]],
    *,
    threshold: float = THRESHOLD,
) -> list[Proposal]:
    """For each passage, the code whose examples it is closest to, when close enough.

    ``examples`` maps each code to texts that show it (its coded quotes, its
    name and memo); a code with none is never proposed.
    """
    documents = [Counter(words(p.text)) for p in passages]
    profiles_raw = {code: Counter(words(" ".join(texts))) for code, texts in examples.items()}
    profiles_raw = {code: bag for code, bag in profiles_raw.items() if bag}
    if not documents or not profiles_raw:
        return []
    everything = documents + list(profiles_raw.values())
    seen_in: Counter[str] = Counter()
    for bag in everything:
        seen_in.update(bag.keys())
    total = len(everything)
    idf = {word: math.log((1 + total) / (1 + count)) + 1 for word, count in seen_in.items()}
    profiles = {code: _weigh(bag, idf) for code, bag in profiles_raw.items()}
    proposals = []
    for passage, bag in zip(passages, documents, strict=True):
        if not bag:
            continue
        vector = _weigh(bag, idf)
        best, score = None, 0.0
        for code, profile in profiles.items():
            similarity = _cosine(vector, profile)
            if similarity > score:
                best, score = code, similarity
        if best is not None and score >= threshold:
            proposals.append(Proposal(passage, best, round(score, 4)))
    return proposals


def _weigh(bag: Counter[str], idf: dict[str, float]) -> dict[str, float]:
    vector = {word: (1 + math.log(count)) * idf[word] for word, count in bag.items()}
    norm = math.sqrt(sum(v * v for v in vector.values()))
    return {word: v / norm for word, v in vector.items()} if norm else {}


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(value * b.get(word, 0.0) for word, value in a.items())
