"""Demonstration people and organisations, written for Common Ground.

Every organisation and person here is fictional; email addresses use the
reserved ``example.org`` domain. Loading is idempotent: what is already there
(including a changed password) is kept.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from commonground.accounts import services
from commonground.accounts.models import Invitation, Membership, Organisation, Role, User

DEMO_PASSWORD = "common-ground-demo"  # noqa: S105 - printed for the newcomer, local demo only
ADMIN_EMAIL = "admin@example.org"

ORGANISATIONS = [
    (
        "riverside-libraries",
        "Riverside Libraries",
        Organisation.Kind.LIBRARY,
        "Eleven branch libraries, a mobile library and a home delivery service across the "
        "Riverside district. Our community team co-designs events and collections with local "
        "groups, and runs digital inclusion sessions with volunteers.",
    ),
    (
        "northmoor-museums",
        "Northmoor Museums and Archives",
        Organisation.Kind.MUSEUM,
        "Three small museums and the county archive. We work with community groups to "
        "collect and tell their own stories, from mining heritage to recent migration.",
    ),
    (
        "eastbrook-engagement",
        "Eastbrook Council Community Engagement Team",
        Organisation.Kind.COUNCIL,
        "The council's engagement officers: we support services to involve residents in "
        "decisions, from budget priorities to neighbourhood plans, and keep the council's "
        "engagement standards.",
    ),
    (
        "harbourside-community-action",
        "Harbourside Community Action",
        Organisation.Kind.VOLUNTARY,
        "A community development charity working with tenants' associations, youth groups "
        "and faith groups around the old harbour. We help residents organise and be heard.",
    ),
    (
        "three-valleys-partnership",
        "Three Valleys Engagement Partnership",
        Organisation.Kind.PARTNERSHIP,
        "Libraries, museums, the council, health and housing partners across three valleys, "
        "sharing training, action learning sets and evaluation of what works.",
    ),
]

PEOPLE: list[tuple[str, str, str, list[tuple[str, set[Role]]]]] = [
    # email, name, job title, [(organisation slug, roles beyond taking part)]
    (
        "amara.okafor@example.org",
        "Amara Okafor",
        "Community Librarian",
        [("riverside-libraries", {Role.ADMIN}), ("three-valleys-partnership", set())],
    ),
    (
        "tom.haldane@example.org",
        "Tom Haldane",
        "Outreach Officer",
        [("riverside-libraries", set())],
    ),
    (
        "priya.natarajan@example.org",
        "Priya Natarajan",
        "Learning and Engagement Manager",
        [
            ("northmoor-museums", {Role.ADMIN}),
            ("three-valleys-partnership", {Role.FACILITATOR, Role.EVALUATOR}),
        ],
    ),
    (
        "gwen.pritchard@example.org",
        "Gwen Pritchard",
        "Archivist",
        [("northmoor-museums", set())],
    ),
    (
        "daniel.mensah@example.org",
        "Daniel Mensah",
        "Senior Engagement Officer",
        [("eastbrook-engagement", {Role.ADMIN}), ("three-valleys-partnership", {Role.ADMIN})],
    ),
    (
        "rosa.delgado@example.org",
        "Rosa Delgado",
        "Policy and Insight Officer",
        [
            ("eastbrook-engagement", {Role.EVALUATOR}),
            ("three-valleys-partnership", {Role.EVALUATOR}),
        ],
    ),
    (
        "kit.fraser@example.org",
        "Kit Fraser",
        "Community Development Worker",
        [("harbourside-community-action", {Role.ADMIN})],
    ),
    (
        "sam.oduya@example.org",
        "Sam Oduya",
        "Youth Engagement Worker",
        [("harbourside-community-action", {Role.FACILITATOR})],
    ),
]

INVITATIONS = [
    ("three-valleys-partnership", "housing.lead@example.org", Role.MEMBER),
    ("riverside-libraries", "new.volunteer.coordinator@example.org", Role.FACILITATOR),
]


@transaction.atomic
def load(*, addr: str = "127.0.0.1:8000") -> str:
    """Add the demo content that is missing. Returns how to sign in, for printing."""
    admin = User.objects.filter(email=ADMIN_EMAIL).first()
    if admin is None:
        admin = User.objects.create_superuser(
            email=ADMIN_EMAIL,
            password=DEMO_PASSWORD,
            name="Demo Administrator",
            job_title="Site administrator",
        )
    services.address_confirm(user=admin)
    organisations = {}
    for slug, name, kind, description in ORGANISATIONS:
        organisations[slug], _ = Organisation.objects.get_or_create(
            slug=slug, defaults={"name": name, "kind": kind, "description": description}
        )
    Membership.objects.get_or_create(
        user=admin,
        organisation=organisations["three-valleys-partnership"],
        defaults={"roles": {Role.ADMIN}},
    )
    for email, name, job_title, roles in PEOPLE:
        person = User.objects.filter(email=email).first()
        if person is None:
            person = User.objects.create_user(
                email=email, password=DEMO_PASSWORD, name=name, job_title=job_title
            )
        services.address_confirm(user=person)
        for slug, held in roles:
            Membership.objects.get_or_create(
                user=person, organisation=organisations[slug], defaults={"roles": held}
            )
    for slug, email, role in INVITATIONS:
        if not Invitation.objects.filter(email=email).exists():
            Invitation.objects.create(
                organisation=organisations[slug],
                email=email,
                role=role,
                invited_by=admin,
                expires=timezone.now() + timedelta(days=14),
            )

    if admin.check_password(DEMO_PASSWORD):
        password_line = f"password {DEMO_PASSWORD}"
    else:
        password_line = "the password you set for it"  # noqa: S105 - a sentence
    return (
        f"Sign in as the demo administrator: {ADMIN_EMAIL}, {password_line}.\n"
        f"The other demo people (such as {PEOPLE[0][0]}) use the password {DEMO_PASSWORD} "
        "unless it was changed."
    )
