"""The mail receiver behind ``commonground mail-in``: SMTP or LMTP (RFC 2033), to sit
behind the organisation's own mail server, which hands it the mail for Groups' domain.

It refuses, while the sender's server is still talking, mail to an address that is not
ours (550) and mail over ``MAIL_IN_MAX_BYTES`` (552), so that server bounces it to the
sender. Whatever it accepts goes to ``mailin.receive`` on one worker thread, which
posts it or records why not and tells the sender.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.conf import settings
from django.db import close_old_connections, connection

from commonground.groups import mailin

log = logging.getLogger(__name__)


class Handler:
    """aiosmtpd's handler: checks each recipient, then hands the message over."""

    def __init__(self, *, lmtp: bool = False) -> None:
        self.lmtp = lmtp
        # Threads for the database work: one on SQLite, which takes one writer at a time;
        # on PostgreSQL a few, so one message's round trips overlap another's.
        workers = 1 if connection.vendor == "sqlite" else 4
        self.worker = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mail-in")

    async def _run(self, work: Any, *args: Any, **kwargs: Any) -> Any:
        def call() -> Any:
            close_old_connections()
            return work(*args, **kwargs)

        return await asyncio.get_running_loop().run_in_executor(self.worker, call)

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        # A reply address is checked by its signature when the message comes; only a
        # group's address needs the database now.
        if not (
            mailin.reply_address_here(address) or await self._run(mailin.known_address, address)
        ):
            return "550 5.1.1 No such address here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        try:
            await self._run(
                mailin.receive,
                raw,
                recipients=list(envelope.rcpt_tos),
                envelope_sender=envelope.mail_from or "",
            )
        except Exception:
            log.exception("Mail from %s could not be taken in", envelope.mail_from)
            reply = "451 4.3.0 Could not take the message in just now; try again later"
        else:
            reply = "250 2.0.0 Message accepted"
        if self.lmtp:
            # LMTP answers DATA once for each recipient (RFC 2033 §4.2).
            return "\r\n".join([reply] * len(envelope.rcpt_tos))
        return reply


class Receiver(Controller):
    """A running receiver on ``host``:``port`` (its own thread and event loop)."""

    def __init__(self, *, host: str, port: int, lmtp: bool = False) -> None:
        # aiosmtpd logs every command at INFO: a line per step of every message.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self.lmtp = lmtp
        super().__init__(
            Handler(lmtp=lmtp),
            hostname=host,
            port=port,
            data_size_limit=settings.MAIL_IN_MAX_BYTES,
            server_hostname=settings.MAIL_DOMAIN,
        )

    def factory(self) -> SMTP:
        kind = LMTP if self.lmtp else SMTP
        return kind(self.handler, **self.SMTP_kwargs)
