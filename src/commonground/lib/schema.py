"""Schema changes that Django's migrations do not make by themselves."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def key_constraints_dropped(app_label: str, keys: list[tuple[str, str]]) -> migrations.RunPython:
    """A migration step that drops the foreign key constraints of ``keys`` ((model,
    field) pairs of ``app_label``) on PostgreSQL, and makes them again when undone.

    Elsewhere it does nothing: on SQLite a key is checked as the row goes in, and
    dropping a constraint would copy the table. The migration says in its state that
    the fields have ``db_constraint=False``.
    """

    def change(keep: bool) -> Any:
        def run(apps: Any, schema_editor: Any) -> None:
            if schema_editor.connection.vendor != "postgresql":
                return
            for model_name, field_name in keys:
                model = apps.get_model(app_label, model_name)
                field = model._meta.get_field(field_name)
                if keep:
                    schema_editor.execute(
                        schema_editor._create_fk_sql(model, field, "_fk_%(to_table)s_%(to_column)s")
                    )
                    continue
                for name in schema_editor._constraint_names(
                    model, [field.column], foreign_key=True
                ):
                    schema_editor.execute(schema_editor._delete_fk_sql(model, name))

        return run

    return migrations.RunPython(change(keep=False), change(keep=True))
