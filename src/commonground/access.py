"""Who may see, change or run what: the one place every part asks.

A **rule** is data: who passes it (anyone, anyone signed in, site
administrators, a site-wide permission, or people holding given roles in the
object's *scope*), and the sentence a refused person reads. A **scope** is
what roles are held in: an organisation today, and a group whose members
come from several organisations as soon as a part registers one
(``scope_kind``). Each part writes its rules in its own ``rules.py`` and
says there which of its models belong to which scope (``belongs``).

Every view and API operation declares its rule with ``@allow(rule)``; a test
walks every URL pattern and API operation and fails on one without, then
tries each persona against each. For pages behind a scoped rule the view
fetches its object with ``get()``, which answers 404 to someone who should not
know the object exists and 403, with the rule's sentence, to a member who
lacks the role.

Site administrators run the site (sources, sectors, people's accounts); they
pass a scoped rule only when it says so, so private evidence, reflections and
group talk stay with those who hold a role that allows them.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser, PermissionsMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

# A person as the request has them: signed in (the project's user model) or not.
AnyUser = AbstractBaseUser | AnonymousUser
M = TypeVar("M", bound=models.Model)
V = TypeVar("V", bound=Callable[..., Any])

# The role every member of a scope holds, whatever else they hold.
MEMBER = "member"


@dataclass(frozen=True)
class Rule:
    """Who may do one kind of thing. ``refusal`` may name the scope as ``{scope}``."""

    name: str
    anyone: bool = False
    signed_in: bool = False
    roles: frozenset[str] = frozenset()
    site_admin: bool = False
    permission: str = ""
    # An outsider refused a scoped rule gets 404 (the scope's contents are not theirs
    # to know of) unless the scope is public anyway.
    hidden: bool = True
    refusal: str = "You may not do this."
    missing: str = "Not found."

    @property
    def scoped(self) -> bool:
        return bool(self.roles)

    def allows(self, user: AnyUser, roles: frozenset[str] = frozenset()) -> bool:
        """Whether ``user``, holding ``roles`` in the object's scope, passes."""
        if self.anyone:
            return True
        if not user.is_authenticated:
            return False
        if self.signed_in:
            return True
        if self.site_admin and getattr(user, "is_staff", False):
            return True
        if (
            self.permission
            and isinstance(user, PermissionsMixin)
            and user.has_perm(self.permission)
        ):
            return True
        return bool(self.roles & roles)


RULES: dict[str, Rule] = {}


def rule(name: str, **who: Any) -> Rule:
    """Declare a rule once, by name; ``roles`` may be any iterable of role names."""
    if name in RULES:
        raise ValueError(f"The access rule {name!r} is declared twice.")
    if "roles" in who:
        who["roles"] = frozenset(str(r) for r in who["roles"])
    made = Rule(name=name, **who)
    if not (made.anyone or made.signed_in or made.site_admin or made.permission or made.roles):
        raise ValueError(f"The access rule {name!r} lets nobody in.")
    RULES[name] = made
    return made


# -- the rules every part shares -----------------------------------------------------

ANYONE = rule("anyone", anyone=True)
SIGNED_IN = rule("signed-in", signed_in=True)
SITE_ADMIN = rule(
    "site-admin", site_admin=True, refusal="Only the site's administrators can do this."
)


# -- scopes --------------------------------------------------------------------------


@dataclass(frozen=True)
class ScopeKind:
    """How to read a person's roles in one kind of scope, and find their scopes."""

    model: type[models.Model]
    roles_of: Callable[[Any, Any], frozenset[str]]
    where: Callable[[Any, frozenset[str]], QuerySet[Any]]


SCOPE_KINDS: dict[type[models.Model], ScopeKind] = {}


def scope_kind(
    model: type[models.Model],
    *,
    roles_of: Callable[[Any, Any], frozenset[str]],
    where: Callable[[Any, frozenset[str]], QuerySet[Any]],
) -> None:
    """Register a kind of scope: ``roles_of(user, scope)`` gives the roles ``user`` holds
    there (``MEMBER`` among them for any member; empty for an outsider) and
    ``where(user, roles)`` the scopes in which they hold any of ``roles``."""
    SCOPE_KINDS[model] = ScopeKind(model=model, roles_of=roles_of, where=where)


def roles_in(user: AnyUser, scope: models.Model) -> frozenset[str]:
    """The roles ``user`` holds in ``scope`` (empty for the anonymous and outsiders)."""
    if not user.is_authenticated:
        return frozenset()
    return SCOPE_KINDS[type(scope)].roles_of(user, scope)


def scopes_where(user: AnyUser, rule: Rule, kind: type[M]) -> QuerySet[M]:
    """The scopes of ``kind`` in which ``user`` passes ``rule``: for lists of objects."""
    if not user.is_authenticated:
        return kind._default_manager.none()
    if rule.allows(user):  # passes without a role: every scope
        return kind._default_manager.all()
    return SCOPE_KINDS[kind].where(user, rule.roles)


# -- objects and the scope they belong to -------------------------------------------

# Each scoped model, and the path from it to its scope ("programme__organisation").
OWNERS: dict[type[models.Model], str] = {}


def belongs(model: type[models.Model], path: str) -> None:
    """Declare that ``model``'s rows belong to the scope found by following ``path``
    (``""`` for a scope itself)."""
    OWNERS[model] = path


def scope_of(obj: models.Model) -> models.Model:
    found = obj
    for step in filter(None, OWNERS[type(obj)].split("__")):
        found = getattr(found, step)
    return found


def check(user: AnyUser, rule: Rule, scope: models.Model | None = None) -> None:
    """Pass, or raise: ``Http404`` to someone who should not know ``scope``'s contents
    exist, ``PermissionDenied`` with the rule's sentence to anyone else refused."""
    roles = roles_in(user, scope) if scope is not None and rule.scoped else frozenset()
    if rule.allows(user, roles):
        return
    if rule.scoped and not roles and rule.hidden:
        raise Http404(rule.missing)
    raise PermissionDenied(rule.refusal.format(scope=scope))


def may(user: AnyUser, rule: Rule, scope: models.Model | None = None) -> bool:
    """Whether ``check`` would pass: for offering a link or a button."""
    roles = roles_in(user, scope) if scope is not None and rule.scoped else frozenset()
    return rule.allows(user, roles)


def get(
    user: AnyUser,
    queryset: QuerySet[M],
    rule: Rule,
    *,
    missing: str | None = None,
    **lookup: Any,
) -> M:
    """The one row of ``queryset`` matching ``lookup`` if ``user`` passes ``rule`` in its
    scope: else 404 (no such row, or not theirs to know of) or 403 saying who may."""
    path = OWNERS[queryset.model]
    if path:
        queryset = queryset.select_related(path)
    found = queryset.filter(**lookup).first()
    if found is None:
        raise Http404(missing or rule.missing)
    try:
        check(user, rule, scope_of(found))
    except Http404:
        raise Http404(missing or rule.missing) from None
    return found


def visible(user: AnyUser, queryset: QuerySet[M], rule: Rule) -> QuerySet[M]:
    """The rows of ``queryset`` whose scope ``user`` passes ``rule`` in."""
    path = OWNERS[queryset.model]
    scope_model: type[models.Model] = queryset.model
    for step in filter(None, path.split("__")):
        related = scope_model._meta.get_field(step).related_model
        assert related is not None and not isinstance(related, str)  # noqa: S101
        scope_model = related
    scopes = scopes_where(user, rule, scope_model)
    return queryset.filter(**{f"{path}__in" if path else "pk__in": scopes})


# -- declaring who may use a view or an API operation -------------------------------


@dataclass(frozen=True)
class Declared:
    rule: Rule
    on: type[models.Model] | None = None


def allow(rule: Rule, on: type[models.Model] | None = None) -> Callable[[V], V]:
    """Declare who may use a view or an API operation.

    Rules without a scope are enforced here: a page for the signed-in sends
    anyone else to sign in (the API's own authentication answers 401 first), a
    site-wide rule refuses with its sentence. A scoped rule names the model
    ``on`` whose row the view fetches with ``get()``, which enforces it.
    """

    def declare(view: V) -> V:
        @functools.wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            user = request.user
            if not rule.anyone and not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not rule.scoped and not rule.allows(user):
                raise PermissionDenied(rule.refusal)
            return view(request, *args, **kwargs)

        guarded.access = Declared(rule=rule, on=on)  # type: ignore[attr-defined]
        # django-ninja reads an operation's parameters from its signature, resolving
        # postponed annotations in the function's own module: hand it them resolved.
        try:
            guarded.__signature__ = inspect.signature(view, eval_str=True)  # type: ignore[attr-defined]
        except NameError:
            pass
        return guarded  # type: ignore[return-value]

    return declare


def declared(view: Callable[..., Any]) -> Declared | None:
    """The rule a view or operation declared, if it did."""
    found: Declared | None = getattr(view, "access", None)
    return found


# Views from libraries the project mounts (allauth's sign-in pages, Django's
# admin) are not ours to decorate: their rule is declared here by URL name.
OUTSIDE_VIEWS: dict[str, Rule] = {}


def allow_outside(rule: Rule, names: Iterable[str]) -> None:
    """Declare the rule of views mounted from a library, by URL name (``"admin:*"`` for
    every view of a namespace)."""
    for name in names:
        OUTSIDE_VIEWS[name] = rule


def outside_rule(url_name: str) -> Rule | None:
    """The rule declared for a library's view, by its URL name or its namespace."""
    namespace = url_name.rpartition(":")[0]
    return OUTSIDE_VIEWS.get(url_name) or OUTSIDE_VIEWS.get(f"{namespace}:*")
