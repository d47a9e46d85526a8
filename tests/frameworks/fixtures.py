"""A small framework loaded from text, as a site admin would load one from its file."""

from __future__ import annotations

import pytest

from commonground.accounts.models import Organisation, User
from commonground.frameworks import services
from commonground.frameworks.content import read_bytes
from commonground.frameworks.models import FrameworkVersion, Round

FRAMEWORK = b"""id: listening-partnership
title: Listening partnership
version: 1
licence: CC BY 4.0
attribution: Written for Common Ground's tests.
language: en-GB
scale:
  points:
    - {value: 1, label: Not yet}
    - {value: 2, label: Starting}
    - {value: 3, label: Partly}
    - {value: 4, label: Mostly}
    - {value: 5, label: Fully}
  dont_know: true
dimensions:
  - id: confident
    title: Confident
    statements:
      - id: confident-skills
        text: We help community groups build the skills they ask for.
        prompts: ["Who asked for what last year?"]
      - id: confident-say
        text: We make it easy for people to say what they think.
  - id: inclusive
    title: Inclusive
    statements:
      - id: inclusive-venues
        text: We meet in places everyone can get into.
"""


@pytest.fixture
def framework(db: None) -> FrameworkVersion:
    services.framework_load(read_bytes("listening.yaml", FRAMEWORK))
    return FrameworkVersion.objects.get(framework__slug="listening-partnership")


@pytest.fixture
def assessment(framework: FrameworkVersion, riverside: Organisation, ada: User) -> Round:
    """A round run by Riverside, whose admin Ada facilitates it."""
    return services.round_open(
        organisation=riverside, version=framework, title="Spring review", by=ada
    )
