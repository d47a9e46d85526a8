"""The hubs this site collects (sources), what they publish (items), and what people do with it."""

from __future__ import annotations

import secrets
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from commonground.conversations.models import Post, Report
from commonground.lib.urls import url_for


class Sector(models.Model):
    """A field of work a hub serves: libraries, health, housing, ... (edited by site admins)."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return url_for("hub:sector", self.slug)


class Theme(models.Model):
    """A shared subject across sectors. Site admins edit the rules that assign it."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    keywords = models.TextField(
        blank=True,
        help_text="One word or phrase per line. An item whose title or text contains one "
        "of them gets this theme.",
    )
    categories = models.TextField(
        "source categories",
        blank=True,
        help_text="One per line: categories that hubs use in their feeds which mean this "
        "theme (for example 'Volunteering' or 'volunteers').",
    )

    class Meta:
        ordering = ["name"]

    # The item it is on, on themes read through selectors.with_sources.
    on_item: int

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return url_for("hub:theme", self.slug)


class Source(models.Model):
    """A hub whose feed this site collects, and the state of our checks on it."""

    class State(models.TextChoices):
        ACTIVE = "active", "Collected"
        RETIRED = "retired", "Retired"

    class Outcome(models.TextChoices):
        NEW = "new", "Not checked yet"
        OK = "ok", "New or changed items"
        UNCHANGED = "unchanged", "No change"
        PROBLEM = "problem", "Read, with a problem"
        FAILED = "failed", "Failed"
        RETIRED = "retired", "Retired"

    title = models.CharField(max_length=300)
    feed_url = models.URLField("feed address", max_length=2000, unique=True)
    site_url = models.URLField("website", max_length=2000, blank=True)
    description = models.TextField(blank=True)
    sectors = models.ManyToManyField(Sector, related_name="sources", blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    added_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    # Harvest state. See services.source_harvest for how each field moves.
    host = models.CharField(max_length=255, db_index=True, editable=False)
    etag = models.CharField(max_length=500, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)
    check_interval = models.PositiveIntegerField(
        default=3600, help_text="Seconds between checks; adapts to how often the hub posts."
    )
    next_check_at = models.DateTimeField(default=timezone.now, db_index=True)
    failures = models.PositiveIntegerField(default=0, editable=False)
    last_checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_outcome = models.CharField(
        max_length=10, choices=Outcome.choices, default=Outcome.NEW, editable=False
    )
    last_message = models.CharField(max_length=500, blank=True, editable=False)
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    claim_token = models.CharField(max_length=32, blank=True, editable=False, db_index=True)

    class Meta:
        ordering = ["title"]
        indexes = [models.Index(fields=["state", "next_check_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return url_for("hub:source", self.pk)


class SourceCheck(models.Model):
    """One check of a source: the history shown on its page."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="checks")
    checked_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=10, choices=Source.Outcome.choices)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    message = models.CharField(max_length=500, blank=True)
    new_items = models.PositiveIntegerField(default=0)
    updated_items = models.PositiveIntegerField(default=0)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-checked_at", "-id"]
        indexes = [models.Index(fields=["source", "-checked_at"])]

    def __str__(self) -> str:
        return f"{self.source_id} at {self.checked_at:%Y-%m-%d %H:%M}: {self.outcome}"


class Item(models.Model):
    """One resource in the commons, however many hubs carried it."""

    # sha of the normalised link (links.link_key): the unique key items are upserted on.
    link_key = models.CharField(max_length=40, unique=True, editable=False)
    link = models.URLField(max_length=2000)
    title = models.CharField(max_length=500)
    content = models.TextField(blank=True, help_text="Sanitised HTML.")
    text = models.TextField(blank=True, help_text="Plain text, for search and snippets.")
    author = models.CharField(max_length=300, blank=True)
    # Indexed by hub_item_recent (published_at, id), whose first column it is.
    published_at = models.DateTimeField()
    first_seen_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(default=timezone.now)
    # The comments under the item: a public thread of the project's conversations,
    # made with the first comment.
    # (A plain key with a unique index, not a OneToOneField: on SQLite that would rebuild
    # the table, and with it lose the search index's triggers.)
    # Indexed by hub_item_one_thread, the unique index of the items that have one.
    thread = models.ForeignKey(
        "conversations.Thread",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hub_items",
        db_index=False,
    )
    content_hash = models.CharField(max_length=16, editable=False)
    sources = models.ManyToManyField(Source, through="Carriage", related_name="items")
    themes = models.ManyToManyField(Theme, through="ItemTheme", related_name="items", blank=True)
    # "The same story": near-identical text under different links; see hub/similar.py.
    story = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="retellings"
    )

    # Set on items read through selectors.with_sources.
    carriage_list: list[Carriage]
    theme_list: list[Theme]
    # Where the search matched, on items found by a search (selectors.search_page). Empty
    # elsewhere, so that a list page's cards find it: for a name a template looks up and
    # does not find, Django lists every name the item has (dir()), on every card.
    snippet: str = ""

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["-published_at", "-id"], name="hub_item_recent")]
        constraints = [
            models.UniqueConstraint(
                fields=["thread"],
                condition=models.Q(thread__isnull=False),
                name="hub_item_one_thread",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return url_for("hub:item", self.pk)


class Carriage(models.Model):
    """A hub carried an item: the entry in its feed that pointed at it."""

    # No key constraints in the database (hub 0012: the harvest's commits checked them);
    # Django's cascade still deletes carriages with their item or hub.
    item = models.ForeignKey(
        Item, on_delete=models.CASCADE, related_name="carriages", db_constraint=False
    )
    # Indexed by hub_carriage_once (source, entry_key), whose first column it is.
    source = models.ForeignKey(
        Source,
        on_delete=models.CASCADE,
        related_name="carriages",
        db_index=False,
        db_constraint=False,
    )
    entry_key = models.CharField(max_length=40, editable=False)
    original_link = models.URLField(max_length=2000, blank=True)
    categories = models.CharField(max_length=1000, blank=True)
    published_at = models.DateTimeField()
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "entry_key"], name="hub_carriage_once"),
        ]
        indexes = [models.Index(fields=["source", "-published_at"])]

    # The hub's title, on carriages read through selectors.with_sources.
    hub_title: str

    def __str__(self) -> str:
        return f"{self.source_id} carried {self.item_id}"


class ItemTheme(models.Model):
    # Indexed by hub_itemtheme_once (item, theme), whose first column it is. No key
    # constraints in the database, as for carriages (hub 0012).
    item = models.ForeignKey(Item, on_delete=models.CASCADE, db_index=False, db_constraint=False)
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, db_constraint=False)
    by_rule = models.BooleanField(default=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "theme"], name="hub_itemtheme_once"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} is about {self.theme_id}"


# -- relating: see hub/relate.py ---------------------------------------------------------


class Waiting(models.Model):
    """An item stored or changed since it was last related: the queue of the relating step,
    kept apart so that counting what waits never reads the item table."""

    # No key constraint in the database, as for carriages (hub 0012).
    item = models.OneToOneField(
        Item, primary_key=True, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )

    def __str__(self) -> str:
        return f"{self.item_id} waits to be related"


class Fingerprint(models.Model):
    """An item's SimHash and its four 16-bit bands (hub/similar.py), and its key words, in
    a narrow table of their own: relating writes here, never to the wide item row and its
    search index. A row means the item has been related."""

    item = models.OneToOneField(Item, primary_key=True, on_delete=models.CASCADE, related_name="+")
    value = models.BigIntegerField(null=True)  # None: too short a text to tell stories apart
    band0 = models.PositiveIntegerField(null=True)
    band1 = models.PositiveIntegerField(null=True)
    band2 = models.PositiveIntegerField(null=True)
    band3 = models.PositiveIntegerField(null=True)
    # The key words counted in Term for this item, to take back when it is related again.
    words = models.TextField(blank=True, default="")

    class Meta:
        # Each band's lookup is answered from its index alone (the value compared in it).
        indexes = [
            models.Index(fields=[f"band{n}", "value", "item"], name=f"hub_print_band{n}")
            for n in range(4)
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.value}"


class Term(models.Model):
    """A key word of items, with how many items have it: the rarer, the more it says."""

    word = models.CharField(max_length=64, unique=True)
    items = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.word


class Posting(models.Model):
    """``item`` has ``term`` among its key words and is carried by a hub of ``sector``: one
    row a sector, so a lookup reads the newest items of a word with their sectors from
    the index alone."""

    # Relating writes tens of thousands of these a batch, and a database's check that each
    # key exists (at commit, on PostgreSQL) cost a third of the batch: they are written
    # only by hub/relate.py from rows it has just read, and deleting an item, word or
    # sector still takes its postings with it (Django's cascade), so no constraint is kept
    # in the database. The same holds for Relation.
    term = models.ForeignKey(
        Term, on_delete=models.CASCADE, db_index=False, db_constraint=False, related_name="+"
    )
    item = models.ForeignKey(Item, on_delete=models.CASCADE, db_constraint=False, related_name="+")
    sector = models.ForeignKey(
        Sector, on_delete=models.CASCADE, db_index=False, db_constraint=False, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["term", "item", "sector"], name="hub_posting_lookup")]

    def __str__(self) -> str:
        return f"{self.item_id} has {self.term_id} in {self.sector_id}"


class Relation(models.Model):
    """``related`` is on the same subject as ``item`` and comes from another sector."""

    # No index of its own: the unique constraint's index starts with the item. No
    # constraint in the database either, as for Posting.
    item = models.ForeignKey(
        Item,
        on_delete=models.CASCADE,
        related_name="relations",
        db_index=False,
        db_constraint=False,
    )
    related = models.ForeignKey(
        Item, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    score = models.FloatField()

    class Meta:
        ordering = ["-score"]
        constraints = [
            models.UniqueConstraint(fields=["item", "related"], name="hub_relation_once"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} relates to {self.related_id}"


class HubComments(models.Manager["Comment"]):
    def get_queryset(self) -> models.QuerySet[Comment]:
        return super().get_queryset().filter(thread__hub_items__isnull=False)


class Comment(Post):
    """A comment under a Hub item: a post in the item's public thread, kept by the
    project's conversation piece. Replies thread under a parent."""

    objects: ClassVar[HubComments] = HubComments()

    class Meta:
        proxy = True
        permissions = [("moderate_comment", "Can hide and restore comments")]

    @property
    def item(self) -> Item:
        # Prefetch ``thread__hub_items`` when listing comments of several items.
        return self.thread.hub_items.all()[0]


class HubReports(models.Manager["CommentReport"]):
    def get_queryset(self) -> models.QuerySet[CommentReport]:
        return super().get_queryset().filter(post__thread__hub_items__isnull=False)


class CommentReport(Report):
    """Someone asks the Hub's moderators to look at a comment."""

    objects: ClassVar[HubReports] = HubReports()

    class Meta:
        proxy = True


class Follow(models.Model):
    """A person follows a source, sector, theme or search."""

    class Kind(models.TextChoices):
        SOURCE = "source", "Hub"
        SECTOR = "sector", "Sector"
        THEME = "theme", "Theme"
        SEARCH = "search", "Search"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hub_follows"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.CASCADE)
    sector = models.ForeignKey(Sector, null=True, blank=True, on_delete=models.CASCADE)
    theme = models.ForeignKey(Theme, null=True, blank=True, on_delete=models.CASCADE)
    query = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "created_at"]
        # One follow of each thing per person (partial indexes: SQLite and PostgreSQL).
        constraints = [  # type: ignore[assignment]  # a list of partial unique constraints
            models.UniqueConstraint(
                fields=["user", field], condition=models.Q(kind=field), name=f"hub_follow_{field}"
            )
            for field in ("source", "sector", "theme")
        ] + [
            models.UniqueConstraint(
                fields=["user", "query"],
                condition=models.Q(kind="search"),
                name="hub_follow_search",
            )
        ]

    def __str__(self) -> str:
        return self.query or str(self.source_id or self.sector_id or self.theme_id)


def new_feed_key() -> str:
    return secrets.token_urlsafe(24)


class FeedKey(models.Model):
    """The secret in a person's private feed address; reset it to cut off old copies."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hub_feed_key"
    )
    key = models.CharField(max_length=64, unique=True, default=new_feed_key)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Private feed of {self.user_id}"
