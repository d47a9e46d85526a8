"""Reads that cross relations; who may do what is in ``rules.py``."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from commonground import access
from commonground.accounts.models import User
from commonground.accounts.rules import OWN
from commonground.conversations.models import Post
from commonground.hub import relate, rules, search
from commonground.hub.models import (
    Carriage,
    Comment,
    FeedKey,
    Follow,
    Item,
    ItemTheme,
    Sector,
    Source,
    Theme,
)

PAGE_SIZE = 20


def may_remove_theme(user: User | AnonymousUser, item_theme: ItemTheme) -> bool:
    """Moderators take any theme off an item; anyone else only a theme they added by hand.

    A theme the rules gave is the site's judgement, not one person's, so only a
    moderator overrules it.
    """
    if not user.is_authenticated:
        return False
    if access.may(user, rules.MODERATE):
        return True
    return not item_theme.by_rule and item_theme.added_by_id == user.pk


def get_item_theme_for_removal(*, user: User, item: Item, theme: Theme) -> ItemTheme:
    """``theme`` on ``item``, if ``user`` may take it off; 404 if the item does not have
    it, 403 saying who may if ``user`` may not."""
    found = ItemTheme.objects.filter(item=item, theme=theme).first()
    if found is None:
        raise Http404("This item does not have that theme.")
    if not may_remove_theme(user, found):
        raise PermissionDenied(
            f"Only moderators can remove the theme “{theme.name}” here: the theme's rules gave it."
            if found.by_rule
            else f"Only moderators and the person who added the theme “{theme.name}” can remove it."
        )
    return found


def removable_theme_ids(*, user: User | AnonymousUser, item: Item) -> set[int]:
    """The themes on ``item`` that ``user`` may take off: the item page offers only these."""
    if not user.is_authenticated:
        return set()
    return {
        found.theme_id
        for found in ItemTheme.objects.filter(item=item).only("theme", "by_rule", "added_by")
        if may_remove_theme(user, found)
    }


def with_sources(items: Iterable[Item]) -> list[Item]:
    """``items`` with the hubs that carried them (``carriage_list``, first carried first,
    each with its ``source``: only its id and title loaded) and their themes
    (``theme_list``, by name: only id, name and slug loaded), in two queries.

    Written in SQL, as raw querysets: built by the ORM, the two queries cost an item's
    page five times what running them did (0.4 ms each to build, 0.08 ms raw, on
    SQLite). One instance per hub, shared by its carriages. The fields of these
    carriages, hubs and themes that are not loaded load when asked for, as with
    ``only()``.
    """
    found = list(items)
    by_id: dict[int, Item] = {}
    for item in found:
        item.carriage_list, item.theme_list = [], []
        by_id[item.pk] = item
    if not by_id:
        return found
    marks = ", ".join(["%s"] * len(by_id))
    hubs: dict[int, Source] = {}
    for carriage in Carriage.objects.raw(
        "SELECT c.id, c.item_id, c.source_id, c.original_link, c.categories, "  # noqa: S608 - placeholders only
        "c.published_at, s.title AS hub_title FROM hub_carriage c "
        f"JOIN hub_source s ON s.id = c.source_id WHERE c.item_id IN ({marks}) "
        "ORDER BY c.published_at, c.id",
        list(by_id),
    ):
        if (hub := hubs.get(carriage.source_id)) is None:
            hub = hubs[carriage.source_id] = Source.from_db(
                carriage._state.db, ("id", "title"), (carriage.source_id, carriage.hub_title)
            )
        _CARRIED_BY.set_cached_value(carriage, hub)
        by_id[carriage.item_id].carriage_list.append(carriage)
    for theme in Theme.objects.raw(
        "SELECT t.id, t.name, t.slug, it.item_id AS on_item FROM hub_itemtheme it "  # noqa: S608 - placeholders only
        f"JOIN hub_theme t ON t.id = it.theme_id WHERE it.item_id IN ({marks}) "
        "ORDER BY t.name",
        list(by_id),
    ):
        by_id[theme.on_item].theme_list.append(theme)
    return found


_CARRIED_BY = Carriage.source.field


@dataclass
class Page:
    items: list[Item]
    number: int
    has_next: bool
    total: int | None = None
    more: bool = False


def page_of(items: QuerySet[Item], number: int) -> Page:
    """Page ``number`` of ``items`` with hubs and themes; one extra row says if more follow."""
    start = (number - 1) * PAGE_SIZE
    rows = with_sources(items[start : start + PAGE_SIZE + 1])
    return Page(items=rows[:PAGE_SIZE], number=number, has_next=len(rows) > PAGE_SIZE)


def items_in(
    *, source: Source | None = None, sector: Sector | None = None, theme: Theme | None = None
) -> QuerySet[Item]:
    items = Item.objects.all()
    if source is not None:
        items = items.filter(carriages__source=source)
    if sector is not None:
        items = items.filter(
            pk__in=Carriage.objects.filter(source__sectors=sector).values("item_id")
        )
    if theme is not None:
        items = items.filter(itemtheme__theme=theme)
    return items.order_by("-published_at", "-id")


def items_page(
    *,
    number: int,
    source: Source | None = None,
    sector: Sector | None = None,
    theme: Theme | None = None,
) -> Page:
    return page_of(items_in(source=source, sector=sector, theme=theme), number)


def search_page(*, query: str, filters: search.Filters, number: int) -> Page:
    found = search.search(
        query, filters=filters, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE + 1
    )
    hits = found.hits[:PAGE_SIZE]
    by_id = {item.pk: item for item in with_sources(_items([h.id for h in hits]))}
    for hit in hits:
        if hit.id in by_id:
            by_id[hit.id].snippet = hit.snippet
    return Page(
        items=[by_id[h.id] for h in hits if h.id in by_id],
        number=number,
        has_next=len(found.hits) > PAGE_SIZE,
        total=found.total,
        more=found.more,
    )


def followed_items(*, user: User) -> QuerySet[Item]:
    """Items from everything ``user`` follows (searches included), newest first."""
    follows = list(Follow.objects.filter(user=user))
    condition = Q(pk__in=[])
    sources = [f.source_id for f in follows if f.source_id is not None]
    sectors = [f.sector_id for f in follows if f.sector_id is not None]
    themes = [f.theme_id for f in follows if f.theme_id is not None]
    if sources:
        condition |= Q(pk__in=Carriage.objects.filter(source_id__in=sources).values("item_id"))
    if sectors:
        condition |= Q(
            pk__in=Carriage.objects.filter(source__sectors__in=sectors).values("item_id")
        )
    if themes:
        condition |= Q(itemtheme__theme_id__in=themes)
    for follow in follows:
        if follow.kind == Follow.Kind.SEARCH:
            found = search.search(follow.query, limit=100)
            condition |= Q(pk__in=[h.id for h in found.hits])
    return Item.objects.filter(condition).distinct().order_by("-published_at", "-id")


def get_item(pk: int) -> Item:
    found = with_sources(_items([pk]))
    if not found:
        raise Http404("No such item.")
    return found[0]


def _items(ids: Collection[int]) -> list[Item]:
    """The items with these ids, in no order. Read with a raw queryset, as in
    with_sources(): an item's page reads items by id twice, and the ORM took longer to
    build each query than the database took to answer it."""
    if not ids:
        return []
    marks = ", ".join(["%s"] * len(ids))
    sql = f"SELECT * FROM hub_item WHERE id IN ({marks})"  # noqa: S608 - placeholders only
    return list(Item.objects.raw(sql, list(ids)))


def hub_comments() -> QuerySet[Comment]:
    """The posts that are comments under Hub items (not any other conversation's)."""
    return Comment.objects.all()


def item_comments(*, item: Item, viewer: User | AnonymousUser) -> list[Post]:
    """Top-level comments with ``replies_list`` attached, in order; hidden ones only for moderators
    (and their authors, who see that they were hidden)."""
    if item.thread_id is None:
        return []
    comments = list(
        Post.objects.filter(thread_id=item.thread_id)
        .select_related("author")
        .order_by("created_at", "id")
        .annotate(open_reports=Count("reports", filter=Q(reports__resolved_at__isnull=True)))
    )
    moderator = access.may(viewer, rules.MODERATE)
    children: dict[int | None, list[Post]] = {}
    for comment in comments:
        visible = (
            comment.hidden_at is None
            or moderator
            or (viewer.is_authenticated and comment.author_id == viewer.pk)
        )
        if visible:
            children.setdefault(comment.parent_id, []).append(comment)
    for comment in comments:
        comment.replies_list = children.get(comment.pk, [])  # type: ignore[attr-defined]
    return children.get(None, [])


@dataclass
class Neighbours:
    """What an item's page lists beside it."""

    same_story: list[Item]  # near-identical text under other links, oldest first
    related: list[Item]  # similar items from other sectors, most similar first


def item_neighbours(*, item: Item) -> Neighbours:
    """The same story's other tellings and the related items, loaded together (their ids
    first, then one load of both lists with hubs and themes)."""
    root = item.story_id or item.pk
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT related_id FROM hub_relation WHERE item_id = %s ORDER BY score DESC LIMIT %s",
            [item.pk, relate.RELATED],
        )
        related = [row[0] for row in cursor.fetchall()]
        # The story's items found by the story_id index alone (no ORDER BY, which could
        # have the database walk every item in date order instead), then put in date
        # order here.
        cursor.execute("SELECT id FROM hub_item WHERE story_id = %s LIMIT 50", [root])
        story = {pk for pk in [root, *(row[0] for row in cursor.fetchall())] if pk != item.pk}
    related = [pk for pk in related if pk not in story]  # a telling is listed as one
    by_id = {i.pk: i for i in with_sources(_items(story | set(related)))}
    return Neighbours(
        same_story=sorted(
            (by_id[pk] for pk in story if pk in by_id), key=lambda i: (i.published_at, i.pk)
        )[:10],
        related=[by_id[pk] for pk in related if pk in by_id],
    )


def moderation_queue() -> QuerySet[Comment]:
    return (
        # Both conditions on the same join: a comment with no reports at all is not queued.
        Comment.objects.filter(
            reports__id__isnull=False,
            reports__resolved_at__isnull=True,
            hidden_at__isnull=True,
        )
        .select_related("author", "thread")
        .prefetch_related("thread__hub_items")
        .prefetch_related("reports")
        .distinct()
        .order_by("created_at")
    )


def recently_hidden() -> QuerySet[Comment]:
    return (
        Comment.objects.filter(hidden_at__isnull=False)
        .select_related("author", "thread", "hidden_by")
        .prefetch_related("thread__hub_items")
        .order_by("-hidden_at")[:20]
    )


def sources_overview() -> QuerySet[Source]:
    return (
        Source.objects.prefetch_related("sectors")
        .annotate(item_count=Count("carriages"))
        .order_by("state", "title")
    )


def follow_of(*, user: User | AnonymousUser, target: dict[str, object] | None) -> Follow | None:
    """The viewer's follow of what a page lists, or None; ``target`` is what the page's
    follow button sends (``{"source": pk}``, ``{"sector": pk}``, ``{"theme": pk}`` or
    ``{"query": words}``)."""
    if not target or not user.is_authenticated:
        return None
    ((field, value),) = target.items()
    mine = Follow.objects.filter(user=user)
    if field == "query":
        return mine.filter(kind=Follow.Kind.SEARCH, query=str(value).strip()[:200]).first()
    return mine.filter(kind=field, **{f"{field}_id": value}).first()


def get_follow_for_user(*, user: User, pk: int) -> Follow:
    return access.get(user, Follow.objects.all(), OWN, missing="No such follow.", pk=pk)


def get_user_for_feed_key(key: str) -> User:
    found = FeedKey.objects.select_related("user").filter(key=key).first()
    if found is None or not found.user.is_active:
        raise Http404("No such feed.")
    return found.user


def items_waiting(*, source: Source | None = None) -> int:
    """How many items (of ``source``) are stored but not related yet: their story and
    related items appear when they are."""
    return relate.waiting_count(source_id=source.pk if source else None)
