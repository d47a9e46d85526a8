from __future__ import annotations

import os
import stat
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from commonground.settings import (
    ConfigurationError,
    database_from_url,
    email_from_url,
    env_bool,
    env_int,
    env_list,
    secret_key_in,
)


def test_env_helpers_parse_and_reject(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CG_FLAG", "yes")
    monkeypatch.setenv("CG_NUMBER", " 42 ")
    monkeypatch.setenv("CG_LIST", "a.example, b.example,,")
    assert env_bool("CG_FLAG") is True
    assert env_bool("CG_MISSING", default=True) is True
    assert env_int("CG_NUMBER", 0) == 42
    assert env_list("CG_LIST", []) == ["a.example", "b.example"]
    monkeypatch.setenv("CG_FLAG", "perhaps")
    with pytest.raises(ConfigurationError, match="CG_FLAG must be true or false"):
        env_bool("CG_FLAG")
    monkeypatch.setenv("CG_NUMBER", "many")
    with pytest.raises(ConfigurationError, match="whole number"):
        env_int("CG_NUMBER", 0)


def test_postgres_url_becomes_django_database() -> None:
    db = database_from_url("postgres://cg:s%40cret@db.internal:6543/commonground?sslmode=require")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"]) == ("commonground", "cg", "s@cret")
    assert (db["HOST"], db["PORT"]) == ("db.internal", "6543")
    assert db["OPTIONS"] == {"sslmode": "require"}


def test_sqlite_urls_relative_and_absolute() -> None:
    assert database_from_url("sqlite:////var/lib/cg/db.sqlite3")["NAME"] == "/var/lib/cg/db.sqlite3"
    assert database_from_url("sqlite:///data/db.sqlite3")["NAME"] == "data/db.sqlite3"
    with pytest.raises(ConfigurationError, match="sqlite:// or postgres://"):
        database_from_url("mysql://root@localhost/cg")


def test_email_urls() -> None:
    smtp = email_from_url("smtp://mailer:pw@smtp.example.org:587?tls=true")
    assert smtp["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (smtp["EMAIL_HOST"], smtp["EMAIL_PORT"], smtp["EMAIL_USE_TLS"]) == (
        "smtp.example.org",
        587,
        True,
    )
    assert email_from_url("smtps://smtp.example.org")["EMAIL_PORT"] == 465
    assert email_from_url("console://")["EMAIL_BACKEND"].endswith("console.EmailBackend")
    assert email_from_url("file:///var/mail/cg")["EMAIL_FILE_PATH"] == "/var/mail/cg"
    with pytest.raises(ConfigurationError, match="EMAIL_URL"):
        email_from_url("carrier-pigeon://loft")


def test_secret_key_is_made_once_and_kept_private(tmp_path: Path) -> None:
    first = secret_key_in(tmp_path / "data")
    assert len(first) >= 50
    assert secret_key_in(tmp_path / "data") == first
    mode = stat.S_IMODE(os.stat(tmp_path / "data" / "secret_key").st_mode)
    assert mode == 0o600


def test_workers_starting_at_once_on_a_new_data_directory_share_one_key(tmp_path: Path) -> None:
    data = tmp_path / "data"
    together = threading.Barrier(8)

    def start(_: int) -> str:
        together.wait()
        return secret_key_in(data)

    with ThreadPoolExecutor(8) as pool:
        keys = list(pool.map(start, range(8)))
    assert len(set(keys)) == 1 and len(keys[0]) >= 50
    assert [p.name for p in data.iterdir()] == ["secret_key"]  # no temporary files left
