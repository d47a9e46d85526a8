"""Shared fixtures: three fixed personas, and the rule for tests that need services.

The personas (STYLE.md): Ada, an admin of Riverside Libraries; Ben, a member
of her organisation; and Olu, an outsider who runs another organisation and
must see nothing private of Ada's.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings

from commonground.accounts.models import Membership, Organisation, Role, User

pytest_plugins = [
    "tests.hub.fixtures",
    "tests.evaluation.fixtures",
    "tests.learning.fixtures",
    "tests.frameworks.fixtures",
    "tests.groups.fixtures",
]

PASSWORD = "a long test password 42"

# Set by .ci/run: a test that cannot find Chromium, Redis or PostgreSQL fails
# instead of skipping, so CI never skips silently.
STRICT = os.environ.get("COMMONGROUND_TESTS_REQUIRE_SERVICES", "") == "1"


def need(available: bool, reason: str) -> None:
    """Skip (or, in CI, fail) the calling test when a service it needs is missing."""
    if available:
        return
    if STRICT:
        pytest.fail(f"{reason} (COMMONGROUND_TESTS_REQUIRE_SERVICES=1 forbids skipping)")
    pytest.skip(reason)


def pytest_report_header() -> str:
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return f"commonground: database {engine}; strict services: {STRICT}"


@pytest.fixture(autouse=True, scope="session")
def _test_settings() -> Iterator[None]:
    # Production uses hashed file names from `collectstatic`; tests serve from the source tree.
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Real hashing is slow by design; tests only need it to be a hasher.
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Groups' mail addresses: a domain of their own, as a real install would have.
    with override_settings(
        STORAGES=storages, PASSWORD_HASHERS=hashers, MAIL_DOMAIN="groups.example.org"
    ):
        yield


def make_person(email: str, name: str, *, verified: bool = True) -> User:
    """A person who has (or, with ``verified=False``, has not) confirmed their address."""
    user = User.objects.create_user(email=email, password=PASSWORD, name=name)
    EmailAddress.objects.create(user=user, email=user.email, verified=verified, primary=True)
    return user


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    # Rate limits count in the cache; each test starts with none used.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def riverside(db: None) -> Organisation:
    return Organisation.objects.create(
        name="Riverside Libraries", slug="riverside", kind=Organisation.Kind.LIBRARY
    )


@pytest.fixture
def elsewhere(db: None) -> Organisation:
    return Organisation.objects.create(
        name="Elsewhere Museum", slug="elsewhere", kind=Organisation.Kind.MUSEUM
    )


@pytest.fixture
def ada(riverside: Organisation) -> User:
    user = make_person("ada@example.org", "Ada Admin")
    Membership.objects.create(user=user, organisation=riverside, roles={Role.ADMIN})
    return user


@pytest.fixture
def ben(riverside: Organisation) -> User:
    user = make_person("ben@example.org", "Ben Member")
    Membership.objects.create(user=user, organisation=riverside, roles=set())
    return user


@pytest.fixture
def olu(elsewhere: Organisation) -> User:
    user = make_person("olu@example.org", "Olu Outsider")
    Membership.objects.create(user=user, organisation=elsewhere, roles={Role.ADMIN})
    return user


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def ada_client(ada: User) -> Client:
    return client_for(ada)


@pytest.fixture
def ben_client(ben: User) -> Client:
    return client_for(ben)


@pytest.fixture
def olu_client(olu: User) -> Client:
    return client_for(olu)


@pytest.fixture
def db_vendor(db: None) -> str:
    return connection.vendor
