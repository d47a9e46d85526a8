"""API endpoints for the Hub: sources (site admins write), items, search and comments.

Reading is open to anyone, like the pages and feeds; writing needs a personal
token or a signed-in browser. The endpoints call the same services and
selectors as the pages, so the rules are the same.
"""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from commonground import access
from commonground.access import allow
from commonground.accounts.selectors import signed_in_user
from commonground.conversations.models import Post
from commonground.hub import rules, search, selectors, services
from commonground.hub.models import Item, Sector, Source, Theme
from commonground.lib.sanitise import web_link

router = Router(tags=["Hub"])


# -- schemas ---------------------------------------------------------------------------


class Named(Schema):
    slug: str
    name: str


class SourceBrief(Schema):
    id: int
    title: str
    url: str


class SourceOut(Schema):
    id: int
    title: str
    feed_url: str
    site_url: str
    description: str
    sectors: list[Named]
    state: str = Field(description="`active`, or `retired` when no longer checked.")
    last_checked_at: datetime | None
    last_outcome: str
    last_message: str = Field(description="What happened at the last check, in plain words.")
    next_check_at: datetime | None
    url: str = Field(description="The source's page, listing what it carried.")


class SourceIn(Schema):
    feed_url: str = Field(description="The feed's own address (find it with the web page first).")
    title: str = ""
    site_url: str = ""
    sectors: list[str] = Field(default=[], description="Sector slugs, e.g. `libraries`.")
    check_now: bool = True


class SourcePatch(Schema):
    title: str | None = None
    site_url: str | None = None
    description: str | None = None
    sectors: list[str] | None = None
    active: bool | None = Field(
        default=None, description="False retires the source; true takes it back."
    )


class ItemOut(Schema):
    id: int
    title: str
    link: str = Field(description="The original resource on the hub that published it.")
    author: str
    published_at: datetime
    summary: str = Field(description="The first 300 characters of the text.")
    sources: list[SourceBrief] = Field(description="Every hub that carried it.")
    themes: list[Named]
    url: str = Field(description="The item's permalink page on this site.")


class SearchHit(ItemOut):
    snippet: str = Field(description="HTML with the matched words in `<mark>`.")


class ItemDetail(ItemOut):
    content: str = Field(description="The resource's content or summary, sanitised HTML.")
    comment_count: int
    related: list[ItemOut] = Field(description="Related resources from other sectors.")
    same_story: list[ItemOut] = Field(description="Near-identical stories under other links.")


class ItemPage(Schema):
    page: int
    has_next: bool
    items: list[ItemOut]


class SearchPage(Schema):
    query: str
    page: int
    has_next: bool
    total: int
    total_is_lower_bound: bool
    items: list[SearchHit]


class CommentOut(Schema):
    id: int
    item: int
    parent: int | None
    author: str
    body: str
    created_at: datetime
    hidden: bool


class CommentIn(Schema):
    body: str
    parent: int | None = None


class ReportIn(Schema):
    reason: str = ""


class HideIn(Schema):
    reason: str = ""


class ListFilters(Schema):
    source: int | None = None
    sector: str | None = Field(default=None, description="A sector slug.")
    theme: str | None = Field(default=None, description="A theme slug.")
    page: int = Field(default=1, ge=1, le=10_000)


class SearchFilters(Schema):
    q: str = Field(max_length=200, description='Words, and "quoted phrases".')
    source: int | None = None
    sector: str | None = None
    theme: str | None = None
    since: date | None = None
    until: date | None = None
    page: int = Field(default=1, ge=1, le=500)


# -- converting ------------------------------------------------------------------------


def _absolute(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


def _source_out(request: HttpRequest, source: Source) -> SourceOut:
    return SourceOut(
        id=source.pk,
        title=source.title,
        feed_url=source.feed_url,
        site_url=web_link(source.site_url),
        description=source.description,
        sectors=[Named(slug=s.slug, name=s.name) for s in source.sectors.all()],
        state=source.state,
        last_checked_at=source.last_checked_at,
        last_outcome=source.last_outcome,
        last_message=source.last_message,
        next_check_at=source.next_check_at if source.state == Source.State.ACTIVE else None,
        url=_absolute(request, source.get_absolute_url()),
    )


def _item_fields(request: HttpRequest, item: Item) -> dict[str, object]:
    """The fields every item shape shares; ``item`` comes through ``selectors.with_sources``."""
    return {
        "id": item.pk,
        "title": item.title,
        "link": web_link(item.link),
        "author": item.author,
        "published_at": item.published_at,
        "summary": item.text[:300],
        "sources": [
            SourceBrief(
                id=c.source.pk,
                title=c.source.title,
                url=_absolute(request, c.source.get_absolute_url()),
            )
            for c in item.carriage_list
        ],
        "themes": [Named(slug=t.slug, name=t.name) for t in item.theme_list],
        "url": _absolute(request, item.get_absolute_url()),
    }


def _item_out(request: HttpRequest, item: Item) -> ItemOut:
    return ItemOut(**_item_fields(request, item))  # type: ignore[arg-type]


def _comment_out(comment: Post) -> CommentOut:
    return CommentOut(
        id=comment.pk,
        item=comment.thread.hub_items.all()[0].pk,
        parent=comment.parent_id,
        author=comment.author.name if comment.author else "A former member",
        body="" if comment.hidden_at else comment.body,
        created_at=comment.created_at,
        hidden=comment.hidden_at is not None,
    )


def _sectors(slugs: list[str]) -> list[Sector]:
    found = list(Sector.objects.filter(slug__in=slugs))
    missing = sorted(set(slugs) - {s.slug for s in found})
    if missing:
        raise HttpError(422, f"No sector with the slug {', '.join(missing)}.")
    return found


def _by_slug(model: type[Sector] | type[Theme], slug: str | None) -> Sector | Theme | None:
    if not slug:
        return None
    found = model.objects.filter(slug=slug).first()
    if found is None:
        raise HttpError(422, f"No {model._meta.verbose_name} with the slug {slug}.")
    return found


# -- sources ---------------------------------------------------------------------------


@router.get(
    "/hub/sources", response=list[SourceOut], auth=None, summary="Every hub Common Ground follows"
)
@allow(access.ANYONE)
def sources_list(request: HttpRequest) -> list[SourceOut]:
    """Active and retired sources, with when each was last checked and what happened."""
    return [
        _source_out(request, s)
        for s in Source.objects.prefetch_related("sectors").order_by("title")
    ]


@router.get("/hub/sources/{source_id}", response=SourceOut, auth=None, summary="One source")
@allow(access.ANYONE)
def source_detail(request: HttpRequest, source_id: int) -> SourceOut:
    return _source_out(request, get_object_or_404(Source, pk=source_id))


@router.post("/hub/sources", response={201: SourceOut}, summary="Follow a new source (site admins)")
@allow(rules.SOURCES)
def source_create(request: HttpRequest, data: SourceIn) -> Status[SourceOut]:
    """Follows the feed at `feed_url` and, with `check_now`, queues its first harvest.

    Answers 422 if the address is not http(s) or is already followed."""
    user = signed_in_user(request)
    added = services.source_add(
        feed_url=data.feed_url,
        by=user,
        title=data.title,
        site_url=data.site_url,
        sectors=_sectors(data.sectors),
        check_now=data.check_now,
    )
    return Status(201, _source_out(request, added))


@router.patch("/hub/sources/{source_id}", response=SourceOut, summary="Change or retire a source")
@allow(rules.SOURCES)
def source_change(request: HttpRequest, source_id: int, data: SourcePatch) -> SourceOut:
    """Only the fields sent change. Site admins only."""
    found = get_object_or_404(Source, pk=source_id)
    services.source_update(
        source=found,
        title=data.title if data.title is not None else found.title,
        site_url=data.site_url if data.site_url is not None else found.site_url,
        description=data.description if data.description is not None else found.description,
        sectors=_sectors(data.sectors) if data.sectors is not None else found.sectors.all(),
        active=data.active if data.active is not None else found.state == Source.State.ACTIVE,
    )
    return _source_out(request, found)


# -- items and search ------------------------------------------------------------------


@router.get("/hub/items", response=ItemPage, auth=None, summary="The commons, newest first")
@allow(access.ANYONE)
def items_list(request: HttpRequest, filters: Query[ListFilters]) -> ItemPage:
    """Twenty items a page, optionally only those from one source, sector or theme."""
    source = get_object_or_404(Source, pk=filters.source) if filters.source else None
    page = selectors.items_page(
        number=filters.page,
        source=source,
        sector=_by_slug(Sector, filters.sector),  # type: ignore[arg-type]
        theme=_by_slug(Theme, filters.theme),  # type: ignore[arg-type]
    )
    return ItemPage(
        page=page.number,
        has_next=page.has_next,
        items=[_item_out(request, i) for i in page.items],
    )


@router.get("/hub/items/{item_id}", response=ItemDetail, auth=None, summary="One item")
@allow(access.ANYONE)
def item_detail(request: HttpRequest, item_id: int) -> ItemDetail:
    """The item with its content, every hub that carried it, related resources from other
    sectors and the same story under other links."""
    found = selectors.get_item(item_id)
    neighbours = selectors.item_neighbours(item=found)
    return ItemDetail(
        **_item_fields(request, found),  # type: ignore[arg-type]
        content=found.content,
        comment_count=selectors.hub_comments()
        .filter(thread__hub_items=found, hidden_at__isnull=True)
        .count(),
        related=[_item_out(request, i) for i in neighbours.related],
        same_story=[_item_out(request, i) for i in neighbours.same_story],
    )


@router.get("/hub/search", response=SearchPage, auth=None, summary="Full-text search")
@allow(access.ANYONE)
def search_items(request: HttpRequest, filters: Query[SearchFilters]) -> SearchPage:
    """Ranked matches with highlighted snippets, twenty a page. Dates are inclusive."""
    sector = _by_slug(Sector, filters.sector)
    theme = _by_slug(Theme, filters.theme)
    page = selectors.search_page(
        query=filters.q,
        filters=search.Filters(
            sector=sector.pk if sector else None,
            source=filters.source,
            theme=theme.pk if theme else None,
            since=filters.since,
            until=filters.until,
        ),
        number=filters.page,
    )
    return SearchPage(
        query=filters.q,
        page=page.number,
        has_next=page.has_next,
        total=page.total or 0,
        total_is_lower_bound=page.more,
        items=[
            SearchHit(
                **_item_fields(request, i),  # type: ignore[arg-type]
                snippet=str(getattr(i, "snippet", "")),
            )
            for i in page.items
        ],
    )


# -- comments --------------------------------------------------------------------------


@router.get(
    "/hub/items/{item_id}/comments",
    response=list[CommentOut],
    auth=None,
    summary="The comments on an item",
)
@allow(access.ANYONE)
def comments_list(request: HttpRequest, item_id: int) -> list[CommentOut]:
    """Oldest first; a reply names its `parent`. A hidden comment keeps its place with an
    empty body, so replies still make sense."""
    found = get_object_or_404(Item, pk=item_id)
    return [
        _comment_out(c)
        for c in selectors.hub_comments()
        .filter(thread__hub_items=found)
        .select_related("author", "thread")
        .prefetch_related("thread__hub_items")
        .order_by("created_at", "id")
    ]


@router.post(
    "/hub/items/{item_id}/comments", response={201: CommentOut}, summary="Comment on an item"
)
@allow(access.SIGNED_IN)
def comment_create(request: HttpRequest, item_id: int, data: CommentIn) -> Status[CommentOut]:
    """Posts as the signed-in person. Answers 422 if the body is empty or over 5,000
    characters."""
    found = get_object_or_404(Item, pk=item_id)
    parent = (
        get_object_or_404(selectors.hub_comments(), pk=data.parent, thread__hub_items=found)
        if data.parent
        else None
    )
    comment = services.comment_add(
        item=found, author=signed_in_user(request), body=data.body, parent=parent
    )
    return Status(201, _comment_out(comment))


@router.post(
    "/hub/comments/{comment_id}/report",
    response={202: None},
    summary="Ask moderators to look at a comment",
)
@allow(access.SIGNED_IN)
def comment_report(request: HttpRequest, comment_id: int, data: ReportIn) -> Status[None]:
    comment = get_object_or_404(selectors.hub_comments(), pk=comment_id, hidden_at__isnull=True)
    services.comment_report(comment=comment, reporter=signed_in_user(request), reason=data.reason)
    return Status(202, None)


@router.post(
    "/hub/comments/{comment_id}/hide", response=CommentOut, summary="Hide a comment (moderators)"
)
@allow(rules.MODERATE)
def comment_hide(request: HttpRequest, comment_id: int, data: HideIn) -> CommentOut:
    user = signed_in_user(request)
    comment = get_object_or_404(
        selectors.hub_comments()
        .select_related("author", "thread")
        .prefetch_related("thread__hub_items"),
        pk=comment_id,
    )
    return _comment_out(services.comment_hide(comment=comment, by=user, reason=data.reason))


@router.get(
    "/hub/moderation",
    response=list[CommentOut],
    summary="Reported comments waiting for a moderator",
)
@allow(rules.MODERATE)
def moderation_list(request: HttpRequest) -> list[CommentOut]:
    return [_comment_out(c) for c in selectors.moderation_queue()]
