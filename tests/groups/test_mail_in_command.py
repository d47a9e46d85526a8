"""``commonground mail-in`` itself, as an operator starts it: a process of its own on a
database of its own, refusing unknown addresses at RCPT and recording what it takes."""

from __future__ import annotations

import os
import smtplib
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.groups.fixtures import free_port


def _start(data: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATA_DIR": str(data), "DATABASE_URL": "", "REDIS_URL": "",
           "MAIL_DOMAIN": "groups.example.org"}  # fmt: skip
    cli = [sys.executable, "-m", "commonground.cli"]
    subprocess.run([*cli, "migrate", "-v0"], env=env, check=True, timeout=300)
    return subprocess.Popen([*cli, "mail-in", "--port", str(port)], env=env)


def _wait(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail("commonground mail-in did not start")


def test_the_command_refuses_strangers_and_records_what_it_takes(tmp_path: Path) -> None:
    port = free_port()
    server = _start(tmp_path, port)
    try:
        _wait(port)
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            code, _ = smtp.ehlo()
            assert code == 250
            smtp.mail("someone@example.org")
            assert smtp.rcpt("nobody@groups.example.org")[0] == 550
            assert smtp.rcpt("someone@elsewhere.example.org")[0] == 550
            forged = "reply+1.1.2526.00000000000000000000@groups.example.org"
            assert smtp.rcpt(forged)[0] == 250
            smtp.data(
                b"From: someone@example.org\r\nSubject: Hi\r\nMessage-ID: <c@x>\r\n\r\nHello\r\n"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    with sqlite3.connect(tmp_path / "commonground.sqlite3") as db:
        rows = db.execute("SELECT outcome, reason FROM groups_inbound").fetchall()
    assert len(rows) == 1 and rows[0][0] == "refused" and "not made by this site" in rows[0][1]
