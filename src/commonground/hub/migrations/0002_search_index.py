"""The full-text index that hub/search.py queries, in the database's own dialect."""

from __future__ import annotations

from typing import Any

from django.db import migrations

from commonground.hub import search


def install(apps: Any, schema_editor: Any) -> None:
    for statement in search.install_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement)


def uninstall(apps: Any, schema_editor: Any) -> None:
    for statement in search.install_sql(schema_editor.connection.vendor, reverse=True):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("hub", "0001_initial")]
    operations = [migrations.RunPython(install, uninstall, elidable=False)]
