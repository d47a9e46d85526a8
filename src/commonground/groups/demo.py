"""Demonstration content for Groups (filled in below)."""

from __future__ import annotations


def load(*, addr: str) -> str:
    return ""
