"""The parts of Common Ground, and what each brings to the site as a whole.

A part (the Hub, Evaluate, people and organisations, ...) is a Django app whose
``AppConfig`` subclasses :class:`Part` and declares, from its own app, where its pages
are mounted, its API router, its entry in the main navigation, its panel on the home
page and its demonstration content; it adds its periodic jobs in ``ready()`` (see
``commonground.jobs``). The project root (``urls.py``, ``api/api.py``, ``base.html``,
the ``demo`` command, the home page) loops over the parts found here and names none.

Mounts, API routers and demo loaders come in ``INSTALLED_APPS`` order, so a part's demo
loader can use what the parts above it made; navigation entries and home panels come in
each part's ``order``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from django.apps import AppConfig, apps
from django.http import HttpRequest
from django.urls import URLPattern, URLResolver, include, path, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.module_loading import import_string
from django.views.generic import RedirectView

if TYPE_CHECKING:
    from ninja import Router


@dataclass(frozen=True)
class Mount:
    """A URL module served under ``prefix`` (``"hub/"``; ``""`` for the site's root)."""

    prefix: str
    urls: str


@dataclass(frozen=True)
class NavEntry:
    """A part's link in the main navigation. It is marked current on every page whose
    path starts with ``current`` (by default, the link's own address)."""

    label: str
    url_name: str
    current: str = ""
    signed_in_only: bool = False


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    # aria-current: "page" on the link's own page, "true" elsewhere in its part, else "".
    current: str


@dataclass(frozen=True)
class Panel:
    template: str
    context: Mapping[str, Any]


class Part(AppConfig):
    """An app that is one part of Common Ground. Everything here is optional."""

    # Where the navigation entry and home panel come among the parts', lowest first.
    order: ClassVar[int] = 100
    mounts: ClassVar[tuple[Mount, ...]] = ()
    # Common addresses people type or guess (``"login/"``), each sent on to the URL name
    # of the real page with the query string kept.
    redirects: ClassVar[Mapping[str, str]] = {}
    # The module whose ``router`` (a ``ninja.Router``) joins the API under /api/v1/.
    api: ClassVar[str] = ""
    # A ``ninja.security`` class by which API callers may prove who they are (tried
    # before the session of a signed-in browser).
    api_auth: ClassVar[str] = ""
    # The URL name of the page where people make what ``api_auth`` checks (their tokens).
    api_auth_page: ClassVar[str] = ""
    # The module whose ``load(*, addr)`` adds demonstration content and returns a line
    # for the console (or "").
    demo: ClassVar[str] = ""
    nav: ClassVar[NavEntry | None] = None
    # The template of the part's panel on the home page; its context comes from
    # ``home_context``.
    home_panel: ClassVar[str] = ""
    # Templates of list items the part adds to the header's account menu and to the
    # footer's links (``<li>`` elements; the request's context is theirs).
    header_links: ClassVar[str] = ""
    footer_links: ClassVar[str] = ""

    def home_context(self, request: HttpRequest, *, since: datetime) -> Mapping[str, Any] | None:
        """What the home panel shows to this request (``None`` leaves the panel out).
        ``since`` is when the person's previous visit ended: show what is new after it."""
        return {}


def registered() -> list[Part]:
    """The installed parts, in ``INSTALLED_APPS`` order."""
    return [config for config in apps.get_app_configs() if isinstance(config, Part)]


def _by_order() -> list[Part]:
    return sorted(registered(), key=lambda part: part.order)


def url_patterns() -> list[URLPattern | URLResolver]:
    # Not at the top: parts.py is imported while apps load, before access.py can be.
    from commonground import access

    patterns: list[URLPattern | URLResolver] = []
    for part in registered():
        for address, url_name in part.redirects.items():
            # Anyone may be sent on; the page they reach applies its own rule.
            view = access.allow(access.ANYONE)(
                RedirectView.as_view(pattern_name=url_name, query_string=True)
            )
            patterns.append(path(address, view))
    for part in registered():
        patterns += [path(mount.prefix, include(mount.urls)) for mount in part.mounts]
    return patterns


def api_routers() -> list[Router]:
    return [importlib.import_module(part.api).router for part in registered() if part.api]


def api_authenticators() -> list[Any]:
    return [import_string(part.api_auth)() for part in registered() if part.api_auth]


def api_auth_pages() -> list[str]:
    return [reverse(part.api_auth_page) for part in registered() if part.api_auth_page]


def header_links() -> list[str]:
    return [part.header_links for part in _by_order() if part.header_links]


def footer_links() -> list[str]:
    return [part.footer_links for part in _by_order() if part.footer_links]


def demo_loaders() -> list[Callable[..., str]]:
    return [importlib.import_module(part.demo).load for part in registered() if part.demo]


def navigation(request: HttpRequest) -> list[NavLink]:
    """The main navigation's links from the parts, with which one the request is in."""
    links = []
    signed_in = request.user.is_authenticated
    for part in _by_order():
        entry = part.nav
        if entry is None or (entry.signed_in_only and not signed_in):
            continue
        url = reverse(entry.url_name)
        current = ""
        if request.path == url:
            current = "page"
        elif request.path.startswith(entry.current or url):
            current = "true"
        links.append(NavLink(label=entry.label, url=url, current=current))
    return links


def lazy_navigation(request: HttpRequest) -> SimpleLazyObject:
    """:func:`navigation`, worked out only if a template shows it."""
    return SimpleLazyObject(lambda: navigation(request))


def home_panels(request: HttpRequest, *, since: datetime) -> list[Panel]:
    panels = []
    for part in _by_order():
        if not part.home_panel:
            continue
        context = part.home_context(request, since=since)
        if context is not None:
            panels.append(Panel(template=part.home_panel, context=context))
    return panels
