"""Small helpers that need little of Django."""
