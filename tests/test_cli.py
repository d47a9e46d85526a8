"""The ``commonground`` command, run as a newcomer or an operator would run it."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path


def run(
    args: list[str], env: dict[str, str], timeout: int = 120
) -> subprocess.CompletedProcess[str]:
    # A newcomer's or operator's shell: none of the test run's own settings.
    inherited = {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    full_env = {k: v for k, v in os.environ.items() if k not in inherited}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "-m", "commonground.cli", *args],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_help_explains_each_own_command(tmp_path: Path) -> None:
    result = run(["--help"], {"DATA_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    for command in ("demo", "serve", "worker", "scheduler"):
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
