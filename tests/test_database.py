from __future__ import annotations

import os

import pytest


def test_runs_on_the_database_ci_asked_for(db_vendor: str) -> None:
    """CI sets COMMONGROUND_EXPECT_DB so a PostgreSQL run cannot quietly use SQLite."""
    expected = os.environ.get("COMMONGROUND_EXPECT_DB")
    if not expected:
        pytest.skip("COMMONGROUND_EXPECT_DB is not set; any database will do")
    assert db_vendor == expected
