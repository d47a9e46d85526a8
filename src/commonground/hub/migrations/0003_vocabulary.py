"""Every Common Ground starts with the shared sectors and a few themes (editable later)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

from commonground.hub import vocabulary


def seed(apps: Any, schema_editor: Any) -> None:
    Sector = apps.get_model("hub", "Sector")
    Theme = apps.get_model("hub", "Theme")
    for name, slug, description in vocabulary.SECTORS:
        Sector.objects.get_or_create(slug=slug, defaults={"name": name, "description": description})
    for name, slug, description, keywords in vocabulary.THEMES:
        Theme.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "description": description, "keywords": "\n".join(keywords)},
        )


class Migration(migrations.Migration):
    dependencies = [("hub", "0002_search_index")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
