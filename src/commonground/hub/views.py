"""The Hub's pages and feeds. Thin views: parse, call a selector or service, render.

Every list is also a feed: the same view answers ``feed.atom`` and
``feed.json`` beside the page, through ``syndication.respond``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from commonground import access
from commonground.access import allow
from commonground.accounts.rules import OWN
from commonground.accounts.selectors import signed_in_user
from commonground.hub import rules, search, selectors, services, syndication
from commonground.hub.forms import OpmlImportForm, SourceAddForm, SourceEditForm
from commonground.hub.models import Comment, Follow, Item, Sector, Source, Theme
from commonground.lib import ratelimit
from commonground.lib.text import whole_number
from commonground.lib.views import see_other


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    number = whole_number(raw)
    return max(1, min(number, 10_000)) if number is not None else 1


def _listing(
    request: HttpRequest,
    *,
    fmt: str | None,
    heading: str,
    intro: str,
    page_url: str,
    feed_url: str,
    page: selectors.Page,
    extra: dict[str, Any] | None = None,
    template: str = "hub/list.html",
) -> HttpResponse:
    """A list of items as a page, or (with ``fmt``) as an Atom or JSON feed."""
    if fmt is not None:
        return syndication.respond(
            request,
            fmt=fmt,
            title=f"{heading} – Common Ground",
            page_url=page_url,
            feed_path=feed_url.replace("FORMAT", fmt),
            items=page.items,
            number=page.number,
            has_next=page.has_next,
        )
    context = {
        "heading": heading,
        "intro": intro,
        "page": page,
        "page_url": page_url,
        "atom_url": feed_url.replace("FORMAT", "atom"),
        "json_url": feed_url.replace("FORMAT", "json"),
        "sectors": Sector.objects.all(),
        "themes": Theme.objects.all(),
        **(extra or {}),
    }
    # The follow button says whether the viewer already follows this list, and toggles.
    context["followed"] = selectors.follow_of(user=request.user, target=context.get("follow"))
    return render(request, template, context)


@allow(access.ANYONE)
def index(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    return _listing(
        request,
        fmt=fmt,
        heading="The commons",
        intro="Everything the hubs this site collects have published, newest first, from every "
        "sector.",
        page_url=reverse("hub:index"),
        feed_url=reverse("hub:feed", args=["FORMAT"]),
        page=selectors.items_page(number=_page_number(request)),
    )


@allow(access.ANYONE)
def source(request: HttpRequest, pk: int, fmt: str | None = None) -> HttpResponse:
    found = get_object_or_404(Source.objects.prefetch_related("sectors"), pk=pk)
    page = selectors.items_page(number=_page_number(request), source=found)
    extra: dict[str, Any] = {"source": found, "follow": {"source": found.pk}}
    extra["waiting"] = selectors.items_waiting(source=found) if fmt is None else 0
    if fmt is None:
        # The feed address and the check history are for the site admins who run the
        # harvest; everyone else sees the hub, its sectors and whether it is collected.
        extra["can_manage"] = access.may(request.user, rules.SOURCES)
        extra["checks"] = found.checks.all()[:20] if extra["can_manage"] else []
    return _listing(
        request,
        fmt=fmt,
        heading=found.title,
        intro=found.description,
        page_url=found.get_absolute_url(),
        feed_url=reverse("hub:source_feed", args=[pk, "FORMAT"]),
        page=page,
        extra=extra,
        template="hub/source.html",
    )


@allow(access.ANYONE)
def sector(request: HttpRequest, slug: str, fmt: str | None = None) -> HttpResponse:
    found = get_object_or_404(Sector, slug=slug)
    return _listing(
        request,
        fmt=fmt,
        heading=f"Sector: {found.name}",
        intro=found.description,
        page_url=found.get_absolute_url(),
        feed_url=reverse("hub:sector_feed", args=[slug, "FORMAT"]),
        page=selectors.items_page(number=_page_number(request), sector=found),
        extra={"follow": {"sector": found.pk}, "current_sector": found},
    )


@allow(access.ANYONE)
def theme(request: HttpRequest, slug: str, fmt: str | None = None) -> HttpResponse:
    found = get_object_or_404(Theme, slug=slug)
    return _listing(
        request,
        fmt=fmt,
        heading=f"Theme: {found.name}",
        intro=found.description,
        page_url=found.get_absolute_url(),
        feed_url=reverse("hub:theme_feed", args=[slug, "FORMAT"]),
        page=selectors.items_page(number=_page_number(request), theme=found),
        extra={"follow": {"theme": found.pk}, "current_theme": found},
    )


def _date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _id(raw: str | None) -> int | None:
    return whole_number(raw)


@allow(access.ANYONE)
def search_view(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    filters = search.Filters(
        sector=_id(request.GET.get("sector")),
        source=_id(request.GET.get("source")),
        theme=_id(request.GET.get("theme")),
        since=_date(request.GET.get("since")),
        until=_date(request.GET.get("until")),
    )
    page = selectors.search_page(query=query, filters=filters, number=_page_number(request))
    params: dict[str, str] = {k: str(v) for k, v in request.GET.items() if k != "page" and v}
    encoded = urlencode(params)
    return _listing(
        request,
        fmt=fmt,
        heading=f"Search: {query}" if query else "Search",
        intro="",
        page_url=f"{reverse('hub:search')}?{encoded}",
        feed_url=f"{reverse('hub:search_feed', args=['FORMAT'])}?{encoded}",
        page=page,
        template="hub/search.html",
        extra={
            "query": query,
            "filters": filters,
            "params": params,
            "query_string": encoded,
            "follow": {"query": query} if query else None,
            "sector_choices": Sector.objects.values_list("pk", "name"),
            "theme_choices": Theme.objects.values_list("pk", "name"),
            "source_choices": Source.objects.values_list("pk", "title"),
            "max_ranked": f"{search.MAX_RANKED:,}",
        },
    )


@allow(access.ANYONE)
def item(request: HttpRequest, pk: int) -> HttpResponse:
    return _item_page(request, selectors.get_item(pk))


def _item_page(
    request: HttpRequest, found: Item, draft: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    """The item's page; ``draft`` is a comment that could not be posted, given back with
    its words and the reason (``parent``, ``body``, ``error``)."""
    neighbours = selectors.item_neighbours(item=found)
    return render(
        request,
        "hub/item.html",
        {
            "item": found,
            "comments": selectors.item_comments(item=found, viewer=request.user),
            "related": neighbours.related,
            "same_story": neighbours.same_story,
            "can_moderate": access.may(request.user, rules.MODERATE),
            "themes": Theme.objects.all(),
            "removable": selectors.removable_theme_ids(user=request.user, item=found),
            "draft": draft or {},
        },
        status=status,
    )


# -- comments and moderation -----------------------------------------------------------


def _comment(pk: int, **where: object) -> Comment:
    """A comment under a Hub item: posts of other conversations (a group's) are not the
    Hub's to report, hide or show, so they are not found here."""
    return get_object_or_404(
        selectors.hub_comments().select_related("thread").prefetch_related("thread__hub_items"),
        pk=pk,
        **where,
    )


def _comment_url(comment: Comment) -> str:
    return f"{comment.item.get_absolute_url()}#comment-{comment.pk}"


@allow(access.SIGNED_IN)
@require_POST
def comment_add(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Item, pk=pk)
    parent = None
    if parent_id := _id(request.POST.get("parent")):
        parent = _comment(parent_id, thread__hub_items=found)
    try:
        comment = services.comment_add(
            item=found,
            author=signed_in_user(request),
            body=request.POST.get("body", ""),
            parent=parent,
        )
    except ValidationError as exc:
        # The page comes back with the words in their box, so nothing typed is lost.
        draft = {
            "parent": parent.pk if parent else None,
            "body": request.POST.get("body", "")[:5000],
            "error": exc.messages[0],
        }
        status = 429 if isinstance(exc, ratelimit.TooMany) else 422
        return _item_page(request, selectors.get_item(found.pk), draft, status)
    messages.success(request, "Your comment is posted.")
    return see_other(f"{found.get_absolute_url()}#comment-{comment.pk}")


@allow(access.SIGNED_IN)
@require_POST
def comment_report(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment(pk, hidden_at__isnull=True)
    services.comment_report(
        comment=comment, reporter=signed_in_user(request), reason=request.POST.get("reason", "")
    )
    messages.success(request, "Thank you. A moderator will look at that comment.")
    return see_other(_comment_url(comment))


@allow(rules.MODERATE)
@require_POST
def comment_hide(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment(pk)
    services.comment_hide(
        comment=comment, by=signed_in_user(request), reason=request.POST.get("reason", "")
    )
    messages.success(request, "The comment is hidden.")
    return see_other(
        request.POST.get("next") == "queue" and reverse("hub:moderation") or _comment_url(comment)
    )


@allow(rules.MODERATE)
@require_POST
def comment_restore(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment(pk)
    services.comment_restore(comment=comment)
    messages.success(request, "The comment is shown again.")
    return see_other(_comment_url(comment))


@allow(rules.MODERATE)
@require_POST
def report_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    services.reports_dismiss(comment=_comment(pk))
    messages.success(request, "Reports dismissed; the comment stays.")
    return see_other(reverse("hub:moderation"))


@allow(rules.MODERATE)
def moderation(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "hub/moderation.html",
        {"queue": selectors.moderation_queue(), "hidden": selectors.recently_hidden()},
    )


# -- themes on items -------------------------------------------------------------------


@allow(access.SIGNED_IN)
@require_POST
def item_theme(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Item, pk=pk)
    chosen = get_object_or_404(Theme, pk=_id(request.POST.get("theme")) or 0)
    if request.POST.get("action") == "remove":
        services.item_theme_remove(
            item_theme=selectors.get_item_theme_for_removal(
                user=signed_in_user(request), item=found, theme=chosen
            )
        )
        messages.success(request, f"Removed the theme “{chosen.name}”.")
    else:
        services.item_theme_add(item=found, theme=chosen, by=signed_in_user(request))
        messages.success(request, f"Added the theme “{chosen.name}”.")
    return see_other(f"{found.get_absolute_url()}#themes")


# -- following -------------------------------------------------------------------------


@allow(access.SIGNED_IN)
@require_POST
def follow(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    post = request.POST
    try:
        services.follow_add(
            user=user,
            source=get_object_or_404(Source, pk=post["source"])
            if _id(post.get("source"))
            else None,
            sector=get_object_or_404(Sector, pk=post["sector"])
            if _id(post.get("sector"))
            else None,
            theme=get_object_or_404(Theme, pk=post["theme"]) if _id(post.get("theme")) else None,
            query=post.get("query", ""),
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(
            request,
            "You now follow this. Its items are on your Following page and in your private feed.",
        )
    return see_other(_back(request))


def _back(request: HttpRequest) -> str:
    """Where a follow button's page asked to go back to: a Hub page, else Following."""
    back = request.POST.get("back", "")
    return back if back.startswith("/hub/") else reverse("hub:following")


@allow(OWN, on=Follow)
@require_POST
def unfollow(request: HttpRequest, pk: int) -> HttpResponse:
    services.follow_remove(
        follow=selectors.get_follow_for_user(user=signed_in_user(request), pk=pk)
    )
    messages.success(request, "You no longer follow this.")
    return see_other(_back(request))


@allow(access.SIGNED_IN)
def following(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    key = services.feed_key_for(user=user)
    return render(
        request,
        "hub/following.html",
        {
            "follows": user.hub_follows.select_related("source", "sector", "theme"),
            "page": selectors.page_of(selectors.followed_items(user=user), _page_number(request)),
            "atom_url": request.build_absolute_uri(
                reverse("hub:personal_feed", args=[key.key, "atom"])
            ),
            "json_url": request.build_absolute_uri(
                reverse("hub:personal_feed", args=[key.key, "json"])
            ),
        },
    )


@allow(access.SIGNED_IN)
@require_POST
def feed_key_reset(request: HttpRequest) -> HttpResponse:
    services.feed_key_reset(user=signed_in_user(request))
    messages.success(request, "Your private feed has a new address; the old one no longer works.")
    return see_other(reverse("hub:following"))


@allow(access.ANYONE)
def personal_feed(request: HttpRequest, key: str, fmt: str) -> HttpResponse:
    user = selectors.get_user_for_feed_key(key)
    page = selectors.page_of(selectors.followed_items(user=user), _page_number(request))
    response = syndication.respond(
        request,
        fmt=fmt,
        title=f"Followed by {user.name} – Common Ground",
        page_url=reverse("hub:following"),
        feed_path=reverse("hub:personal_feed", args=[key, fmt]),
        items=page.items,
        number=page.number,
        has_next=page.has_next,
    )
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


# -- sources ---------------------------------------------------------------------------


@allow(access.ANYONE)
def sources(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "hub/sources.html",
        {
            "sources": selectors.sources_overview(),
            "can_manage": access.may(request.user, rules.SOURCES),
            "sectors": Sector.objects.all(),
        },
    )


@allow(access.ANYONE)
def sources_opml(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(services.opml_export(), content_type="text/x-opml; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="common-ground-sources.opml"'
    return response


@allow(rules.SOURCES)
def source_add(request: HttpRequest) -> HttpResponse:
    """Two steps: find the feeds at an address, then pick one and its sectors."""
    form = SourceAddForm(request.POST or None)
    found: list[Any] = []
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data.get("feed_url"):
            try:
                added = services.source_add(
                    feed_url=form.cleaned_data["feed_url"],
                    by=signed_in_user(request),
                    title=form.cleaned_data.get("title", ""),
                    sectors=form.cleaned_data["sectors"],
                )
            except ValidationError as exc:
                form.add_error("feed_url", exc)
            else:
                messages.success(request, f"This site now collects {added.title}.")
                return see_other(added.get_absolute_url())
        else:
            try:
                found = services.feeds_discover(url=form.cleaned_data["address"])
            except ValidationError as exc:
                form.add_error("address", exc)
            else:
                form.offer(found)
    return render(request, "hub/source_add.html", {"form": form, "found": found})


@allow(rules.SOURCES)
def source_edit(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Source, pk=pk)
    form = SourceEditForm(request.POST or None, instance=found)
    if request.method == "POST" and form.is_valid():
        try:
            services.source_update(
                source=found,
                title=form.cleaned_data["title"],
                site_url=form.cleaned_data["site_url"],
                description=form.cleaned_data["description"],
                sectors=form.cleaned_data["sectors"],
                active=form.cleaned_data["active"],
            )
        except ValidationError as exc:
            form.add_error("site_url", exc)
        else:
            messages.success(request, "Saved.")
            return see_other(found.get_absolute_url())
    return render(request, "hub/source_edit.html", {"form": form, "source": found})


@allow(rules.SOURCES)
@require_POST
def source_check(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Source, pk=pk, state=Source.State.ACTIVE)
    summary = services.harvest_ids(ids=[found.pk], due_only=False)
    if summary.checked:
        found.refresh_from_db()
        messages.success(request, f"Checked: {found.last_message}.")
    else:
        messages.error(
            request, "Someone else is checking this source right now; try again in a minute."
        )
    return see_other(found.get_absolute_url())


@allow(rules.SOURCES)
def sources_import(request: HttpRequest) -> HttpResponse:
    form = OpmlImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = services.opml_import(
                data=form.cleaned_data["file"].read(),
                by=signed_in_user(request),
                sector=form.cleaned_data["sector"].name if form.cleaned_data["sector"] else "",
            )
        except ValidationError as exc:
            form.add_error("file", exc)
    return render(request, "hub/sources_import.html", {"form": form, "result": result})
