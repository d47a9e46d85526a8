"""A membership holds a set of roles instead of one: a facilitator may also evaluate."""

from __future__ import annotations

from typing import Any

from django.db import migrations

import commonground.accounts.models


def roles_from_role(apps: Any, schema_editor: Any) -> None:
    Membership = apps.get_model("accounts", "Membership")
    for role in ("admin", "facilitator", "evaluator"):
        Membership.objects.filter(role=role).update(roles=f" {role} ")


def role_from_roles(apps: Any, schema_editor: Any) -> None:
    Membership = apps.get_model("accounts", "Membership")
    # Going back keeps the strongest role each member held.
    for role in ("evaluator", "facilitator", "admin"):
        Membership.objects.filter(roles__contains=f" {role} ").update(role=role)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_verified_addresses")]

    operations = [
        migrations.AddField(
            model_name="membership",
            name="roles",
            field=commonground.accounts.models.RoleSet(
                blank=True,
                default=frozenset,
                help_text="Roles beyond taking part: admin, facilitator, evaluator.",
                max_length=100,
            ),
        ),
        migrations.RunPython(roles_from_role, role_from_roles),
        migrations.RemoveField(model_name="membership", name="role"),
    ]
