"""Every write the Hub makes: sources, harvests, themes, comments, moderation, follows.

Rule breaks raise ``ValidationError`` with a sentence the person can act on.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from commonground.accounts.models import User
from commonground.conversations import services as talk
from commonground.conversations.models import Post, Report, Thread
from commonground.hub import discover, prepare, relate
from commonground.hub.harvest import Summary, fetch, harvest
from commonground.hub.models import (
    Carriage,
    FeedKey,
    Follow,
    Item,
    ItemTheme,
    Sector,
    Source,
    Theme,
)
from commonground.hub.parse import ParseError, parse
from commonground.lib import opml, safehttp
from commonground.lib.sanitise import web_link
from commonground.lib.tasks import enqueue

CLAIM_LEASE = timedelta(minutes=10)


# -- finding and adding sources --------------------------------------------------------


def _fetch(url: str) -> safehttp.Response:
    # Someone is waiting on the page, so discovery gives up sooner than a harvest.
    return fetch(url, total_timeout=20)


def _check_url(url: str) -> str:
    url = url.strip()
    if url and "://" not in url:
        url = "https://" + url
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as exc:
        raise ValidationError("Enter a web address starting with http:// or https://.") from exc
    return url


def _check_site_url(url: str) -> str:
    """A hub's website as given, checked: only http(s) links are shown as links."""
    url = url.strip()
    checked = web_link(url)
    if url and not checked:
        raise ValidationError(
            "Enter the website as an address starting with http:// or https://.", code="site_url"
        )
    return checked


def feeds_discover(*, url: str) -> list[discover.FoundFeed]:
    """The feeds at ``url``: the address itself if it is a feed, else the ones its page offers.

    Looks at the page's ``<link rel="alternate">`` tags, then at the common
    feed paths. Raises ``ValidationError`` saying what went wrong.
    """
    url = _check_url(url)
    try:
        response = _fetch(url)
    except safehttp.FetchError as exc:
        raise ValidationError(f"Could not fetch {url}: {exc}.") from exc
    if response.status != 200:
        raise ValidationError(f"{url} answered {response.status} {response.reason}.")
    content_type = response.header("content-type") or ""
    if "html" not in content_type.lower():
        try:
            feed = parse(response.body, url=response.url, content_type=content_type)
        except ParseError:
            pass
        else:
            return [discover.FoundFeed(url=response.url, title=feed.title, kind=feed.format)]
    found = discover.feed_links(response.body, url=response.url)
    if found:
        return found
    for path in discover.COMMON_PATHS:
        candidate = urljoin(response.url, path)
        try:
            guess = _fetch(candidate)
            if guess.status != 200:
                continue
            feed = parse(guess.body, url=guess.url, content_type=guess.header("content-type") or "")
        except (safehttp.FetchError, ParseError):
            continue
        found.append(discover.FoundFeed(url=guess.url, title=feed.title, kind=feed.format))
    if not found:
        raise ValidationError(
            f"{url} does not offer a feed that Common Ground could find. "
            "If you know the feed's own address, enter that instead."
        )
    return found


def source_add(
    *,
    feed_url: str,
    by: User | None,
    title: str = "",
    sectors: Iterable[Sector] = (),
    site_url: str = "",
    check_now: bool = True,
) -> Source:
    """Follow a new source; with ``check_now`` its first harvest is queued at once.

    Raises ``ValidationError`` if the address or the website is not http(s), or the
    address is already followed.
    """
    feed_url = _check_url(feed_url)
    site_url = _check_site_url(site_url)
    existing = Source.objects.filter(feed_url=feed_url).first()
    if existing is not None:
        raise ValidationError(
            f"{feed_url} is already followed as “{existing.title}”.", code="exists"
        )
    now = timezone.now()
    source = Source.objects.create(
        feed_url=feed_url,
        title=(title or feed_url)[:300],
        site_url=site_url[:2000],
        added_by=by,
        added_at=now,
        updated_at=now,
        next_check_at=now,
        host=urlsplit(feed_url).hostname or "",
    )
    source.sectors.set(list(sectors))
    if check_now:
        from commonground.hub import tasks

        enqueue(tasks.harvest_sources, source.pk)
    return source


def source_update(
    *,
    source: Source,
    title: str,
    site_url: str,
    description: str,
    sectors: Iterable[Sector],
    active: bool,
) -> Source:
    """Change what people see of a source, or retire it or take it back.

    Raises ``ValidationError`` if the website is not an http(s) address.
    """
    source.title = title[:300]
    source.site_url = _check_site_url(site_url)
    source.description = description
    if active and source.state == Source.State.RETIRED:
        # Taking a source back: check it soon and forget the old failures.
        source.state = Source.State.ACTIVE
        source.failures = 0
        source.next_check_at = timezone.now()
    elif not active:
        source.state = Source.State.RETIRED
    source.updated_at = timezone.now()
    source.save()
    sectors = list(sectors)
    if {s.pk for s in sectors} != set(source.sectors.values_list("pk", flat=True)):
        source.sectors.set(sectors)
        # Which items are "from another sector" changed: relate the source's items again.
        relate.requeue(item_ids=source.carriages.values_list("item_id", flat=True))
    return source


def sector_by_name(name: str) -> Sector:
    """The sector called ``name``, made if new (for imports)."""
    name = name.strip()[:80]
    sector = Sector.objects.filter(name__iexact=name).first()
    if sector is None:
        slug = slugify(name)[:80] or "sector"
        if Sector.objects.filter(slug=slug).exists():
            slug = f"{slug[:70]}-{secrets.token_hex(3)}"
        sector = Sector.objects.create(name=name, slug=slug)
    return sector


@dataclass
class ImportResult:
    added: list[Source]
    already: int
    rejected: list[tuple[str, str]]


def opml_import(*, data: bytes, by: User | None, sector: str = "") -> ImportResult:
    """Follow every feed in an OPML file. Folders become sectors unless ``sector`` is given.

    The new sources are due at once, so the next harvest (scheduled, or
    ``commonground hub harvest``) fetches them.
    Feeds already followed are left alone; bad addresses are listed, not fatal.
    Raises ``ValidationError`` if the file is not OPML.
    """
    try:
        outlines = opml.read(data)
    except opml.OpmlError as exc:
        raise ValidationError(f"The file could not be imported: {exc}.") from exc
    result = ImportResult(added=[], already=0, rejected=[])
    fixed_sector = sector_by_name(sector) if sector.strip() else None
    for outline in outlines:
        sectors = (
            [fixed_sector] if fixed_sector else [sector_by_name(f) for f in outline.folders[-1:]]
        )
        try:
            with transaction.atomic():
                result.added.append(
                    source_add(
                        feed_url=outline.feed_url,
                        by=by,
                        title=outline.title,
                        # A file's other links are left out, not a reason to refuse the feed.
                        site_url=web_link(outline.site_url),
                        sectors=sectors,
                        check_now=False,
                    )
                )
        except ValidationError as exc:
            if exc.code == "exists":
                result.already += 1
            else:
                result.rejected.append((outline.feed_url, exc.messages[0]))
    return result


def opml_export() -> bytes:
    """Every followed source, in one folder per sector (sources in several appear in each)."""
    folders: list[tuple[str, list[opml.Outline]]] = []
    sources = list(
        Source.objects.filter(state=Source.State.ACTIVE)
        .prefetch_related("sectors")
        .order_by("title")
    )
    by_sector: dict[str, list[opml.Outline]] = {}
    for source in sources:
        outline = opml.Outline(
            feed_url=source.feed_url, title=source.title, site_url=source.site_url
        )
        names = [s.name for s in source.sectors.all()] or [""]
        for name in names:
            by_sector.setdefault(name, []).append(outline)
    for name in sorted(by_sector, key=lambda n: (n == "", n)):
        folders.append((name, by_sector[name]))
    return opml.write("Common Ground: hubs followed", folders, when=timezone.now())


# -- harvesting ------------------------------------------------------------------------


def _takeable(now: object, *, due_only: bool) -> Q:
    """Collected, not held by another worker's live claim and, with ``due_only``, due."""
    condition = (Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)) & Q(
        state=Source.State.ACTIVE
    )
    return condition & Q(next_check_at__lte=now) if due_only else condition


def sources_claim(
    *, ids: Iterable[int] | None = None, due_only: bool = True, limit: int = 100
) -> list[Source]:
    """Claim sources for this worker: one conditional UPDATE, so no two workers get the same one.

    With ``ids``, only those (the ones another worker holds are skipped);
    otherwise the ``limit`` most overdue. A claim lasts ``CLAIM_LEASE``; a
    worker killed mid-harvest loses it then and the source is taken again.
    """
    now = timezone.now()
    # The same condition guards the UPDATE, so a source another worker claimed (or
    # harvested and released, no longer due) since the SELECT is not taken again.
    condition = _takeable(now, due_only=due_only)
    candidates = Source.objects.filter(condition)
    if ids is not None:
        candidates = candidates.filter(pk__in=list(ids))
    wanted = list(candidates.order_by("next_check_at", "pk").values_list("pk", flat=True)[:limit])
    if not wanted:
        return []
    token = secrets.token_hex(16)
    Source.objects.filter(condition, pk__in=wanted).update(
        claimed_until=now + CLAIM_LEASE, claim_token=token
    )
    return list(Source.objects.filter(claim_token=token))


def harvest_due(
    *,
    limit: int = 1000,
    every: bool = False,
    progress: Callable[[int, int], None] | None = None,
    relating: Callable[[int, int], None] | None = None,
) -> Summary:
    """Harvest the sources that are due (or, with ``every``, all followed sources) now,
    then relate what waits, so that the summary is what people will see: every item
    stored, searchable, and with its story and related items. ``progress`` hears of
    sources checked, ``relating`` of items related."""
    sources = sources_claim(due_only=not every, limit=limit)
    summary = harvest(sources, progress=progress)
    if summary.new_items or summary.updated_items or relate.waiting_count():
        done = relate.relate_waiting(progress=relating)
        summary.related, summary.relate_seconds = done.related, done.seconds
    return summary


def harvest_ids(*, ids: Iterable[int], due_only: bool = True) -> Summary:
    """Harvest these sources if no one else holds them and, with ``due_only``, if they are
    still due: a batch queued twice, or by two beats, is fetched once per interval."""
    return harvest(sources_claim(ids=ids, due_only=due_only))


def due_source_ids(*, limit: int = 10_000) -> list[int]:
    now = timezone.now()
    return list(
        Source.objects.filter(_takeable(now, due_only=True))
        .order_by("next_check_at")
        .values_list("pk", flat=True)[:limit]
    )


# -- stories and related items ---------------------------------------------------------


def items_relate_pending(*, progress: Callable[[int, int], None] | None = None) -> relate.Progress:
    """Relate every waiting item now (in this process), batch by batch: each item's story
    and its related items from other sectors (see hub/relate.py)."""
    return relate.relate_waiting(progress=progress)


def items_relate_batch() -> int:
    """Relate the next batch of waiting items no other worker holds; returns how many."""
    return relate.relate_batch()


# -- themes ----------------------------------------------------------------------------


def item_theme_add(*, item: Item, theme: Theme, by: User) -> None:
    ItemTheme.objects.get_or_create(
        item=item, theme=theme, defaults={"by_rule": False, "added_by": by}
    )


def item_theme_remove(*, item_theme: ItemTheme) -> None:
    """Take a theme off an item; who may is ``selectors.get_item_theme_for_removal``'s rule."""
    item_theme.delete()


def themes_reapply(*, theme: Theme) -> int:
    """Apply a theme's edited rules to every stored item; returns how many items now carry it."""
    rules = prepare.Rules.compile([(theme.pk, theme.keywords, theme.categories)])
    categories = set(rules.categories)
    with transaction.atomic():
        ItemTheme.objects.filter(theme=theme, by_rule=True).delete()
        batch: list[ItemTheme] = []
        matched = Item.objects.values_list("id", "title", "text").iterator(chunk_size=2000)
        for pk, title, text in matched:
            if rules.keywords and rules.themes_for(title, text, ()):
                batch.append(ItemTheme(item_id=pk, theme=theme, by_rule=True))
        if categories:
            for item_id, cats in Carriage.objects.exclude(categories="").values_list(
                "item_id", "categories"
            ):
                if {c.strip().lower() for c in cats.split(",")} & categories:
                    batch.append(ItemTheme(item_id=item_id, theme=theme, by_rule=True))
        ItemTheme.objects.bulk_create(batch, ignore_conflicts=True, batch_size=1000)
    return ItemTheme.objects.filter(theme=theme).count()


# -- comments and moderation -----------------------------------------------------------


def _thread_of(item: Item) -> Thread:
    """The item's comment thread, made with its first comment (one conditional UPDATE,
    so two first comments at once still share one thread)."""
    if item.thread_id is None:
        made = talk.thread_for(title=item.title, public=True)
        if not Item.objects.filter(pk=item.pk, thread__isnull=True).update(thread=made):
            made.delete()
        item.refresh_from_db(fields=["thread"])
    assert item.thread is not None  # noqa: S101 - made above
    return item.thread


def comment_add(*, item: Item, author: User, body: str, parent: Post | None = None) -> Post:
    """Post a comment (or a reply to ``parent``) in the item's thread, which is the
    project's conversation piece (``conversations``).

    Raises ``ValidationError`` if it is empty or too long, or ``ratelimit.TooMany`` if the
    person has posted ``HUB_COMMENT_RATE`` comments already."""
    if len(body.strip()) > 5000:
        raise ValidationError("Keep a comment under 5,000 characters.", code="long")
    if parent is not None and parent.thread_id != item.thread_id:
        raise ValidationError("That reply belongs to another item.", code="wrong_item")
    return talk.post_add(
        thread=_thread_of(item), author=author, body=body, parent=parent,
        rates=settings.HUB_COMMENT_RATE, what="comment",
    )  # fmt: skip


def comment_report(*, comment: Post, reporter: User, reason: str) -> Report:
    """Ask moderators to look at a comment; reporting twice changes nothing."""
    return talk.post_report(post=comment, reporter=reporter, reason=reason)


def comment_hide(*, comment: Post, by: User, reason: str) -> Post:
    return talk.post_hide(post=comment, by=by, reason=reason)


def comment_restore(*, comment: Post) -> Post:
    return talk.post_restore(post=comment)


def reports_dismiss(*, comment: Post) -> None:
    comment.reports.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())


# -- follows and the private feed ------------------------------------------------------


def follow_add(
    *,
    user: User,
    source: Source | None = None,
    sector: Sector | None = None,
    theme: Theme | None = None,
    query: str = "",
) -> Follow:
    if source is not None:
        follow, _ = Follow.objects.get_or_create(user=user, kind=Follow.Kind.SOURCE, source=source)
    elif sector is not None:
        follow, _ = Follow.objects.get_or_create(user=user, kind=Follow.Kind.SECTOR, sector=sector)
    elif theme is not None:
        follow, _ = Follow.objects.get_or_create(user=user, kind=Follow.Kind.THEME, theme=theme)
    elif query.strip():
        follow, _ = Follow.objects.get_or_create(
            user=user, kind=Follow.Kind.SEARCH, query=query.strip()[:200]
        )
    else:
        raise ValidationError("Choose something to follow.", code="nothing")
    return follow


def follow_remove(*, follow: Follow) -> None:
    follow.delete()


def feed_key_for(*, user: User) -> FeedKey:
    key, _ = FeedKey.objects.get_or_create(user=user)
    return key


def feed_key_reset(*, user: User) -> FeedKey:
    """A new secret for the private feed address; the old address stops working at once."""
    FeedKey.objects.filter(user=user).delete()
    return FeedKey.objects.create(user=user)
