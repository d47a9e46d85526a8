"""Links and images stored before the rules for them: only http(s) links are kept, and
images in items' content become links to them (see ``lib/sanitise.py`` for why).

Links that are not http(s) (a feed's ``javascript:`` link kept as a hub's original
link or website, say) are blanked. Content is cleaned again where it holds an image,
a ``mailto:`` link or a quote's ``cite``; its plain text and hash follow, so the next
harvest does not take it for a change.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.db.models import Q

from commonground.hub.parse import text_of_html
from commonground.hub.prepare import TEXT_KEPT, content_hash
from commonground.lib.sanitise import clean_html, web_link

LINKS = [("Item", "link"), ("Carriage", "original_link"), ("Source", "site_url")]
CHUNK = 2000


def links_to_web_only(apps: Any, schema_editor: Any) -> None:
    for model_name, field in LINKS:
        model = apps.get_model("hub", model_name)
        stored = model.objects.exclude(**{field: ""}).values_list("pk", field)
        changed = [
            model(pk=pk, **{field: web_link(value)})
            for pk, value in stored.iterator(chunk_size=CHUNK)
            if web_link(value) != value
        ]
        model.objects.bulk_update(changed, [field], batch_size=CHUNK)


def content_again(apps: Any, schema_editor: Any) -> None:
    item_model = apps.get_model("hub", "Item")
    found = item_model.objects.filter(
        Q(content__contains="<img") | Q(content__contains="mailto:") | Q(content__contains=" cite=")
    ).only("pk", "title", "link", "content")
    batch: list[Any] = []
    for item in found.iterator(chunk_size=CHUNK):
        # Stored links are absolute already, so no base is needed.
        item.content = clean_html(item.content)
        item.text = text_of_html(item.content)[:TEXT_KEPT]
        item.content_hash = content_hash(title=item.title, content=item.content, link=item.link)
        batch.append(item)
        if len(batch) == CHUNK:
            item_model.objects.bulk_update(batch, ["content", "text", "content_hash"])
            batch = []
    item_model.objects.bulk_update(batch, ["content", "text", "content_hash"])


class Migration(migrations.Migration):
    dependencies = [("hub", "0003_vocabulary")]
    operations = [
        migrations.RunPython(links_to_web_only, migrations.RunPython.noop),
        migrations.RunPython(content_again, migrations.RunPython.noop),
    ]
