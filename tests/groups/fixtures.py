"""Groups' fixtures: Ada facilitates an action learning set that Ben is in; Olu, from
another organisation, is in no group. And real SMTP on loopback: a sink that Django
sends to, and Groups' own receiver (what ``commonground mail-in`` runs)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.test import override_settings

from commonground.accounts.models import User
from commonground.groups import services
from commonground.groups.mailserver import Receiver
from commonground.groups.models import Group, Member


@pytest.fixture
def riverside_set(ada: User, ben: User) -> Group:
    group = services.group_start(
        name="Riverside set",
        by=ada,
        purpose="Librarians and partners learning from each other's outreach.",
        ground_rules="What is said here stays here.",
    )
    Member.objects.create(group=group, user=ben, rules_accepted=group.rules_version)
    return group


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Sink:
    """What a local SMTP server received."""

    port: int
    envelopes: list[Envelope] = field(default_factory=list)

    def messages(self) -> list[EmailMessage]:
        return [
            message_from_bytes(e.original_content or b"", policy=policy.default)  # type: ignore[misc]
            for e in self.envelopes
        ]

    def to(self, address: str) -> list[EmailMessage]:
        return [
            m for e, m in zip(self.envelopes, self.messages(), strict=True) if address in e.rcpt_tos
        ]


class _Keep:
    def __init__(self, sink: Sink) -> None:
        self.sink = sink

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        self.sink.envelopes.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_sink() -> Iterator[Sink]:
    """A real SMTP server on loopback that Django's mail goes to for the test."""
    sink = Sink(port=free_port())
    controller = Controller(_Keep(sink), hostname="127.0.0.1", port=sink.port)
    controller.start()
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=sink.port,
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
    ):
        yield sink
    controller.stop()


@pytest.fixture
def mail_in(transactional_db: None) -> Iterator[Receiver]:
    """Groups' own SMTP receiver on loopback, as ``commonground mail-in`` runs it."""
    receiver = Receiver(host="127.0.0.1", port=free_port())
    receiver.start()
    yield receiver
    receiver.stop()
