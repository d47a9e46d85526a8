"""Names on one line; every existing account gets an email address record for allauth.

Accounts made before email verification existed are recorded as unconfirmed:
nobody proved they receive mail at the address, so each person confirms it the
next time they sign in (allauth emails the link). Names that hold line breaks
or other control characters are folded onto one line.
"""

import re

from django.db import migrations, models

import commonground.lib.text

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _one_line(value):
    return " ".join(_CONTROL.sub(" ", value).split())


def forwards(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Organisation = apps.get_model("accounts", "Organisation")
    EmailAddress = apps.get_model("account", "EmailAddress")
    have = set(EmailAddress.objects.values_list("user_id", flat=True))
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(user_id=pk, email=email, verified=False, primary=True)
            for pk, email in User.objects.values_list("pk", "email")
            if pk not in have
        ]
    )
    for model in (User, Organisation):
        for pk, name in model.objects.values_list("pk", "name"):
            if _CONTROL.search(name):
                model.objects.filter(pk=pk).update(name=_one_line(name))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [
        migrations.AlterField(
            model_name="organisation",
            name="name",
            field=models.CharField(
                max_length=200, validators=[commonground.lib.text.refuse_control_characters]
            ),
        ),
        migrations.AlterField(
            model_name="user",
            name="name",
            field=models.CharField(
                help_text="How others on the site see you.",
                max_length=150,
                validators=[commonground.lib.text.refuse_control_characters],
                verbose_name="name",
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
