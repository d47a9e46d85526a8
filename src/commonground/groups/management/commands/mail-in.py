"""``commonground mail-in``: receive Groups' mail by SMTP or LMTP."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from commonground.groups.mailserver import Receiver


class Command(BaseCommand):
    help = "Receive group email (replies and new threads) by SMTP or LMTP."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=2525, help="Port to listen on.")
        parser.add_argument(
            "--lmtp", action="store_true", help="Speak LMTP (RFC 2033) instead of SMTP."
        )

    def handle(self, *args: Any, host: str, port: int, lmtp: bool, **options: Any) -> None:
        receiver = Receiver(host=host, port=port, lmtp=lmtp)
        receiver.start()
        self.stdout.write(
            f"Receiving mail for @{settings.MAIL_DOMAIN} by {'LMTP' if lmtp else 'SMTP'} "
            f"on {host}:{port}. Stop with Ctrl-C."
        )
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            receiver.stop()
            self.stdout.write("Stopped.")
