"""Every Common Ground starts with the shared sectors and a few themes (editable later)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

from commonground.hub import vocabulary


def seed(apps: Any, schema_editor: Any) -> None:
    vocabulary.seed(apps)


class Migration(migrations.Migration):
    dependencies = [("hub", "0002_search_index")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
