"""The ``commonground`` command, run as a newcomer or an operator would run it."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path


def shell_env(extra: dict[str, str]) -> dict[str, str]:
    """A newcomer's or operator's shell: none of the test run's own settings."""
    inherited = {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in inherited}
    env.update(extra)
    return env


def run(
    args: list[str], env: dict[str, str], timeout: int = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "commonground.cli", *args],
        env=shell_env(env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_help_explains_each_own_command(tmp_path: Path) -> None:
    result = run(["--help"], {"DATA_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    # Found in the project and in each part's app, each with its own help.
    for command in ("demo", "serve", "worker", "scheduler", "hub"):
        assert f"  {command} " in result.stdout
    assert "migrate" in result.stdout  # Django's own commands are listed too


def test_worker_without_redis_says_what_to_do(tmp_path: Path) -> None:
    result = run(["worker"], {"DATA_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "REDIS_URL is not set" in result.stderr


def test_check_deploy_is_clean_under_production_settings(tmp_path: Path) -> None:
    env = {
        "DATA_DIR": str(tmp_path),
        "SITE_URL": "https://engage.example.org",
        "ALLOWED_HOSTS": "engage.example.org",
    }
    result = run(["check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_demo_prepares_database_and_a_second_run_keeps_data(tmp_path: Path) -> None:
    env = {"DATA_DIR": str(tmp_path)}
    first = run(["demo", "--no-serve"], env)
    assert first.returncode == 0, first.stderr
    assert "admin@example.org" in first.stdout
    assert "http://127.0.0.1:8000/" in first.stdout
    database = tmp_path / "commonground.sqlite3"
    with sqlite3.connect(database) as db:
        db.execute(
            "UPDATE accounts_user SET about = 'kept between runs' WHERE email = ?",
            ("admin@example.org",),
        )
        before = db.execute("SELECT COUNT(*) FROM accounts_user").fetchone()[0]
    second = run(["demo", "--no-serve"], env)
    assert second.returncode == 0, second.stderr
    with sqlite3.connect(database) as db:
        about = db.execute(
            "SELECT about FROM accounts_user WHERE email = ?", ("admin@example.org",)
        ).fetchone()[0]
        after = db.execute("SELECT COUNT(*) FROM accounts_user").fetchone()[0]
    assert about == "kept between runs"
    assert after == before


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_demo_serves_and_the_demo_administrator_signs_in(tmp_path: Path) -> None:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "commonground.cli", "demo", "--addr", f"127.0.0.1:{port}"],
        env=shell_env({"DATA_DIR": str(tmp_path)}),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    browser = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                home = browser.open(f"{base}/", timeout=2).read().decode()
                break
            except OSError:
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                assert time.monotonic() < deadline, "the demo did not start serving"
                time.sleep(0.5)
        assert "Common ground for community engagement" in home
        form = browser.open(f"{base}/accounts/login/", timeout=5).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
        assert token is not None
        data = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token.group(1),
                "login": "admin@example.org",
                "password": "common-ground-demo",
            }
        ).encode()
        request = urllib.request.Request(
            f"{base}/accounts/login/", data=data, headers={"Referer": f"{base}/accounts/login/"}
        )
        page = browser.open(request, timeout=5).read().decode()
        assert "Welcome, Demo Administrator" in page
        assert "Three Valleys Engagement Partnership" in page
    finally:
        server.terminate()
        server.wait(timeout=20)
