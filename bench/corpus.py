"""A commons with right answers: items on planted subjects, from hubs in several sectors.

Each subject has words of its own (made-up words, so no two subjects share
one by chance) and every subject is written about in every sector, so for
any item the right "related" items are those on its subject from another
sector. Filler words, common to all subjects, make up most of each text, as
the field's everyday words do. Near-duplicates are planted by the benchmarks
that use this: one body passed on by other hubs under their own titles and
links, as syndicated posts are.
"""

from __future__ import annotations

import random

SECTORS = [
    "Libraries",
    "Museums",
    "Archives",
    "Councils",
    "Health",
    "Housing",
    "Voluntary sector",
    "Education",
]
FILLER = (
    "community library volunteers museum archive residents council housing health "
    "neighbourhood engagement workshop reading group history collection outreach "
    "partnership funding evaluation listening consultation tenants youth older people "
    "digital inclusion skills training session venue programme pilot learning network "
    "heritage exhibition story walk garden cafe repair conversation survey findings "
    "production board trustees grant report evidence wellbeing loneliness belonging "
    "access barriers transport childcare welcome languages translation families schools"
).split()
SUBJECT_SHARE = 0.35  # of a text's words, how many are its subject's own
_SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]


def subjects(count: int, own: int = 9, kin: int = 3, family: int = 5) -> list[list[str]]:
    """``count`` subjects, each with ``own`` words no other subject has and ``kin`` words
    shared with the other subjects of its family of ``family``: neighbouring subjects
    share some words, as real ones do, so a wrong answer is there to be found."""
    rng = random.Random(20)
    seen: set[str] = set(FILLER)

    def fresh(n: int) -> list[str]:
        words: list[str] = []
        while len(words) < n:
            word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3)))
            if word not in seen:
                seen.add(word)
                words.append(word)
        return words

    made: list[list[str]] = []
    shared: list[str] = []
    for n in range(count):
        if n % family == 0:
            shared = fresh(kin * 2)
        made.append(fresh(own) + rng.sample(shared, kin))
    return made


def sentence(rng: random.Random, own: list[str]) -> str:
    words = [
        rng.choice(own) if rng.random() < SUBJECT_SHARE else rng.choice(FILLER)
        for _ in range(rng.randint(9, 18))
    ]
    return " ".join(words).capitalize() + "."


def title(rng: random.Random, own: list[str]) -> str:
    words = rng.sample(own, 3) + rng.sample(FILLER, 3)
    rng.shuffle(words)
    return " ".join(words).capitalize()


def body(rng: random.Random, own: list[str], sentences: tuple[int, int] = (5, 9)) -> str:
    return " ".join(sentence(rng, own) for _ in range(rng.randint(*sentences)))
