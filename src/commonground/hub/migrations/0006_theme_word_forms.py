"""Theme rules now match words' forms (issue 14): give the starter themes the keywords
that the demonstration and real posts use, then apply every theme's rules again, so
items stored before this change carry the themes they would get today."""

from __future__ import annotations

from typing import Any

from django.db import migrations

from commonground.hub import prepare

# Fixed here, not read from vocabulary.py, which may change after this migration.
ADDED = {
    "co-production": [
        "co-curate",
        "participation",
        "residents' panel",
        "scrutiny panel",
    ],
    "digital-inclusion": ["digital drop-in", "digital champion", "get online", "offline"],
    "evaluation": ["measure", "questionnaire"],
}


def add_keywords(apps: Any, schema_editor: Any) -> None:
    theme_model = apps.get_model("hub", "Theme")
    for slug, words in ADDED.items():
        theme = theme_model.objects.filter(slug=slug).first()
        if theme is None:
            continue  # a site admin removed it
        have = {w.strip().lower() for w in theme.keywords.splitlines()}
        missing = [w for w in words if w not in have]
        if missing:
            theme.keywords = "\n".join([theme.keywords.rstrip(), *missing]).strip()
            theme.save(update_fields=["keywords"])


def reapply(apps: Any, schema_editor: Any) -> None:
    """Every theme's rules over every item, in one pass; themes people added stay."""
    theme_model = apps.get_model("hub", "Theme")
    item_model = apps.get_model("hub", "Item")
    item_theme_model = apps.get_model("hub", "ItemTheme")
    carriage_model = apps.get_model("hub", "Carriage")
    rules = prepare.Rules.compile(theme_model.objects.values_list("pk", "keywords", "categories"))
    categories: dict[int, list[str]] = {}
    for item_id, cats in carriage_model.objects.exclude(categories="").values_list(
        "item_id", "categories"
    ):
        categories.setdefault(item_id, []).extend(c.strip() for c in cats.split(","))
    item_theme_model.objects.filter(by_rule=True).delete()
    batch = []
    for pk, title, text in item_model.objects.values_list("id", "title", "text").iterator(
        chunk_size=2000
    ):
        for theme_id in rules.themes_for(title, text, categories.get(pk, ())):
            batch.append(item_theme_model(item_id=pk, theme_id=theme_id, by_rule=True))
        if len(batch) >= 5000:
            item_theme_model.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    item_theme_model.objects.bulk_create(batch, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("hub", "0005_source_collected")]
    operations = [
        migrations.RunPython(add_keywords, migrations.RunPython.noop),
        migrations.RunPython(reapply, migrations.RunPython.noop),
    ]
