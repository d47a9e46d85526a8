"""The shared sectors and starter themes every Common Ground begins with (site admins edit them).

A theme's keywords match their words' forms (see ``prepare.Rules``): "volunteer" is
enough for "volunteers" and "volunteering"; the plural forms listed are older rules.
"""

from __future__ import annotations

from typing import Any

SECTORS: list[tuple[str, str, str]] = [
    ("Libraries", "libraries", "Public, school and community libraries."),
    ("Museums", "museums", "Museums, galleries and heritage sites."),
    ("Archives", "archives", "Record offices, community archives and local studies."),
    ("Health", "health", "Public health, community health and care services."),
    ("Housing", "housing", "Social housing, tenant involvement and homelessness services."),
    (
        "Neighbourhood renewal",
        "neighbourhood-renewal",
        "Regeneration and neighbourhood partnerships.",
    ),
    ("Local government", "local-government", "Councils, their engagement and consultation teams."),
    (
        "Voluntary and community sector",
        "voluntary-community",
        "Charities, community groups and the infrastructure bodies that support them.",
    ),
    ("Education", "education", "Schools, colleges, adult and community learning."),
    ("Arts and culture", "arts-culture", "Arts organisations, festivals and participatory arts."),
]

THEMES: list[tuple[str, str, str, list[str]]] = [
    (
        "Volunteering",
        "volunteering",
        "Volunteer-led services and volunteer involvement.",
        ["volunteer", "volunteers", "volunteering", "volunteer-led", "community-run"],
    ),
    (
        "Participation and co-production",
        "co-production",
        "Designing and running services with the people who use them.",
        [
            "co-production",
            "co-produce",
            "co-design",
            "co-curate",
            "participatory",
            "participation",
            "citizens' panel",
            "residents' panel",
            "scrutiny panel",
        ],
    ),
    (
        "Consultation",
        "consultation",
        "Asking people what they think and acting on it.",
        ["consultation", "consult", "survey", "engagement exercise"],
    ),
    (
        "Digital inclusion",
        "digital-inclusion",
        "Getting everyone online with the skills to use it.",
        [
            "digital inclusion",
            "digital skills",
            "digitally excluded",
            "digital drop-in",
            "digital champion",
            "get online",
            "offline",
            "broadband",
            "devices",
        ],
    ),
    (
        "Evaluation and evidence",
        "evaluation",
        "Finding out what worked, and showing it.",
        ["evaluation", "evaluate", "outcomes", "impact", "evidence", "measure", "questionnaire"],
    ),
    (
        "Health and wellbeing",
        "wellbeing",
        "Community action for health and wellbeing.",
        ["wellbeing", "well-being", "loneliness", "social prescribing", "mental health"],
    ),
    (
        "Funding",
        "funding",
        "Grants, commissioning and paying for community work.",
        ["funding", "grant", "grants", "funder", "commissioning"],
    ),
    (
        "Community assets",
        "community-assets",
        "Buildings and spaces run by and for communities.",
        ["asset transfer", "community asset", "community centre", "community hub"],
    ),
]


def seed(apps: Any) -> None:
    """Add the sectors and themes above that are missing (``apps`` from a migration, or
    ``django.apps.apps``); ones a site admin has edited are left as they are."""
    sector_model = apps.get_model("hub", "Sector")
    theme_model = apps.get_model("hub", "Theme")
    for name, slug, description in SECTORS:
        sector_model.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )
    for name, slug, description, keywords in THEMES:
        theme_model.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "description": description, "keywords": "\n".join(keywords)},
        )
