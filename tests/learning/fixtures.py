"""A small course loaded from text, as a site admin would load one from its folder."""

from __future__ import annotations

import pytest

from commonground.learning import services
from commonground.learning.content import read_files
from commonground.learning.models import Course

COURSE = b"""id: listening
title: Listening well
summary: Two short chapters on listening.
version: 1
licence: CC BY 4.0
authors: [Common Ground contributors]
chapters: [01-why.md, 02-how.md]
"""
WHY = b"""---
title: Why listen?
summary: What listening changes.
reading_minutes: 2
themes: [consultation]
---

Listening changes what a service does.

```question
id: last-time-you-listened
kind: text
prompt: When did your service last change because of what someone said?
```

```question
id: how-often
kind: scale
prompt: How often does your team report back?
points: [Never, Sometimes, Usually, Always]
```
"""
HOW = b"""---
title: How to listen
summary: Ways of listening.
reading_minutes: 2
---

Go where people already are.

```question
id: places-to-go
kind: multiple
prompt: Where could you go?
choices: [Markets, Schools, Clinics]
```
"""


@pytest.fixture
def course(db: None) -> Course:
    spec = read_files({"course.yaml": COURSE, "01-why.md": WHY, "02-how.md": HOW})
    return services.course_load(spec).course
