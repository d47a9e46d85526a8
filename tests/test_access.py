"""Every page and API operation declares who may use it, and each persona meets exactly that.

The first tests walk the URL patterns and the API's operations and fail on any
without a declared rule, so a new page cannot forget one. The matrix then
tries every route as each persona (anonymous, a plain member, each role, an
outsider from another organisation, the site admin) against a world holding
one of everything, and checks the answer against what the rule says: allowed
means a page or a form error, never 401, 403, 404 or a sign-in redirect;
refused means a sign-in redirect (pages) or 401 (API) for the anonymous, 404
for outsiders to a private scope, 403 with a reason for everyone else.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import models, transaction
from django.http import HttpResponseBase
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import get_resolver
from django.urls.resolvers import URLPattern, URLResolver
from django.utils import timezone
from django.views.generic import RedirectView

from commonground import access
from commonground.accounts import demo as accounts_demo
from commonground.accounts import services as accounts_services
from commonground.accounts.models import ApiToken, Invitation, Membership, Organisation, Role, User
from commonground.api.api import api
from commonground.evaluation import demo as evaluation_demo
from commonground.evaluation import models as ev
from commonground.evaluation import services as evaluation_services
from commonground.frameworks import services as framework_services
from commonground.frameworks.content import read_bytes as read_framework
from commonground.frameworks.models import Action, FrameworkVersion, Round
from commonground.groups import services as groups_services
from commonground.groups import tokens as group_tokens
from commonground.groups.models import Group, invitation_digest
from commonground.groups.models import Invitation as GroupInvitation
from commonground.groups.models import Member as GroupMember
from commonground.hub import models as hub
from commonground.hub import services as hub_services
from commonground.learning import demo as learning_demo
from commonground.learning import services as learning_services
from commonground.learning.models import Course as LearnCourse
from tests.conftest import make_person
from tests.frameworks.fixtures import FRAMEWORK

pytestmark = pytest.mark.django_db

# Steps inside allauth's sign-in that only a sign-in in progress reaches: anyone else is
# sent back to the start, whoever they are.
SIGN_IN_STAGES = {"account_confirm_login_code"}
# Pages the matrix leaves to their own tests: Django's admin (its staff check and each
# model's permissions: the parts' test_admin.py) and the demo's feeds (served only while
# the demo runs: tests/hub).
# The inbound mail webhook answers mail providers, who prove themselves with a shared
# secret rather than a person's sign-in (tests/groups/test_mail_in.py).
ELSEWHERE = ("admin:", "hub:demo_feed", "groups:inbound")

PERSONAS = ("anonymous", "member", "admin", "evaluator", "facilitator", "outsider", "site_admin")


@dataclass(frozen=True)
class Route:
    pattern: str
    name: str
    view: Callable[..., Any]


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace else (entry.name or "")
            yield Route(prefix + str(entry.pattern), name, entry.callback)


def pages() -> list[Route]:
    """Every URL pattern except the API's operations (checked on their own)."""
    return [
        r
        for r in _walk(get_resolver().url_patterns)
        if not r.pattern.startswith("api/v1/") or r.name == "api_docs"
    ]


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    view: Callable[..., Any]


def operations() -> list[Operation]:
    found = []
    for _prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for op in path_view.operations:
                for method in op.methods:
                    found.append(Operation(method, path, op.view_func))
    return found


def rule_for(route: Route) -> access.Rule | None:
    declared = access.declared(route.view)
    if declared is not None:
        return declared.rule
    return access.outside_rule(route.name)


def test_every_page_declares_who_may_use_it() -> None:
    undeclared = [f"{r.pattern} ({r.name})" for r in pages() if rule_for(r) is None]
    assert undeclared == [], "Declare a rule with @allow(...) for: " + ", ".join(undeclared)


def test_every_api_operation_declares_who_may_use_it() -> None:
    found = operations()
    assert len(found) > 30
    undeclared = [f"{o.method} {o.path}" for o in found if access.declared(o.view) is None]
    assert undeclared == [], "Declare a rule with @allow(...) for: " + ", ".join(undeclared)


def test_a_scoped_rule_names_the_model_it_guards() -> None:
    """A scoped rule is enforced by fetching its object through the access layer: the
    declaration says which model, and that model says which scope it belongs to."""
    views = [r.view for r in pages()] + [o.view for o in operations()]
    for view in views:
        declared = access.declared(view)
        if declared is not None and declared.rule.scoped:
            assert declared.on is not None, f"{view.__name__} guards no model"
            assert declared.on in access.OWNERS, f"{declared.on.__name__} belongs to no scope"


def test_a_rule_that_lets_nobody_in_is_refused() -> None:
    with pytest.raises(ValueError, match="lets nobody in"):
        access.rule("test.nobody")


def test_a_group_from_several_organisations_is_a_scope(
    riverside: Organisation, elsewhere: Organisation, ada: User, olu: User, ben: User
) -> None:
    """A scope need not be one organisation: here a set of people from two of them, as an
    action learning set is, registered the way a part registers its own kind of scope."""
    circle = Organisation.objects.create(name="Learning set", slug="learning-set")
    members = {ada.pk: {"facilitator"}, olu.pk: set()}  # from Riverside and from Elsewhere

    def roles_of(user: User, scope: Organisation) -> frozenset[str]:
        held = members.get(user.pk)
        return frozenset() if held is None else frozenset(held | {"member"})

    talk = access.Rule(
        name="test.talk", roles=frozenset({"member"}), refusal="Only the set's members."
    )
    facilitate = access.Rule(
        name="test.facilitate", roles=frozenset({"facilitator"}), refusal="Facilitators only."
    )
    original = access.SCOPE_KINDS[Organisation]
    access.scope_kind(Organisation, roles_of=roles_of, where=original.where)
    try:
        assert access.may(ada, talk, circle) and access.may(olu, talk, circle)
        assert access.may(ada, facilitate, circle) and not access.may(olu, facilitate, circle)
        assert not access.may(ben, talk, circle)  # Ada's colleague, but not in the set
    finally:
        access.SCOPE_KINDS[Organisation] = original


# -- the persona matrix -----------------------------------------------------------------


@dataclass
class World:
    people: dict[str, User | AnonymousUser]
    scope: Organisation
    pages: dict[str, tuple[dict[str, object], models.Model | None]]
    api: dict[str, int]
    bodies: dict[tuple[str, str], dict[str, object]]
    tokens: dict[str, str]
    posts: dict[str, dict[str, object]]


@pytest.fixture
def world(commons: Any) -> World:
    accounts_demo.load()
    evaluation_demo.load()
    learning_demo.load()
    programme = ev.Programme.objects.order_by("pk").first()
    assert programme is not None
    scope = programme.organisation
    other = Organisation.objects.create(name="Elsewhere Museum", slug="elsewhere-museum")

    def person(key: str, organisation: Organisation | None, roles: set[str]) -> User:
        made = make_person(f"{key}@matrix.example.org", key.replace("_", " ").title())
        if organisation is not None:
            Membership.objects.create(user=made, organisation=organisation, roles=roles)
        return made

    people: dict[str, User | AnonymousUser] = {
        "anonymous": AnonymousUser(),
        "member": person("member", scope, set()),
        "admin": person("admin", scope, {Role.ADMIN}),
        "evaluator": person("evaluator", scope, {Role.EVALUATOR}),
        "facilitator": person("facilitator", scope, {Role.FACILITATOR}),
        "outsider": person("outsider", other, {Role.ADMIN, Role.EVALUATOR}),
    }
    root = person("site_admin", None, set())
    root.is_staff = root.is_superuser = True
    root.save()
    people["site_admin"] = root
    admin = people["admin"]
    assert isinstance(admin, User)
    tokens = {}
    for key, someone in people.items():
        if isinstance(someone, User):
            tokens[key] = accounts_services.api_token_create(user=someone, name="matrix")[1]

    # The Hub: a harvested item with a comment and a theme, a follow of the admin's.
    item = hub.Item.objects.order_by("pk").first()
    assert item is not None
    comment = hub_services.comment_add(item=item, author=admin, body="A first comment.")
    carriage = hub.Carriage.objects.select_related("source").filter(item=item).first()
    assert carriage is not None
    source = carriage.source
    sector = hub.Sector.objects.order_by("pk").first()
    theme = hub.Theme.objects.order_by("pk").first()
    assert sector is not None and theme is not None
    follow = hub_services.follow_add(user=admin, source=source)
    feed_key = hub_services.feed_key_for(user=admin).key
    own_token = ApiToken.objects.filter(user=admin).first()
    invitation = Invitation.objects.filter(organisation=scope).first() or Invitation.objects.first()
    assert invitation is not None
    membership = Membership.objects.get(user=people["member"])
    form = ev.EvaluationForm.objects.filter(programme=programme).order_by("pk").first()
    assert form is not None
    evaluation_services.suggestions_refresh(programme=programme)
    evaluation_services.import_upload(
        form=form,
        by=admin,
        file_name="paper.csv",
        data=b"When,Note\n2026-03-01,Fine\n",
    )
    answer = ev.Answer.objects.filter(response__form__programme=programme).exclude(text="")
    first = lambda model, **where: model.objects.filter(**where).order_by("pk").first()  # noqa: E731
    objects = {
        "programme": programme,
        "activity": first(ev.Activity, programme=programme),
        "form": form,
        "question": first(ev.Question, form__programme=programme),
        "import": first(ev.ResponseImport, form__programme=programme),
        "guide": first(ev.InterviewGuide, programme=programme),
        "interview": first(ev.Interview, guide__programme=programme),
        "note": first(ev.InterviewNote, interview__guide__programme=programme),
        "observation": first(ev.Observation, programme=programme),
        "code": first(ev.Code, programme=programme),
        "coding": first(ev.Coding, code__programme=programme),
        "suggestion": first(ev.Suggestion, code__programme=programme),
        "objective": first(ev.Objective, programme=programme),
        "measure": first(ev.Measure, programme=programme),
    }
    missing = [name for name, found in objects.items() if found is None]
    assert missing == [], f"The world lacks: {missing}"
    o = {name: found.pk for name, found in objects.items() if found is not None}
    text_id = answer.order_by("pk").values_list("pk", flat=True).first()
    feed = {"fmt": "atom"}
    org = {"slug": scope.slug}
    samples: dict[str, tuple[dict[str, object], models.Model | None]] = {
        "accounts:api_token_revoke": ({"token_id": own_token.pk if own_token else 0}, admin),
        "accounts:organisation": (org, scope),
        "accounts:organisation_edit": (org, scope),
        "accounts:organisation_leave": (org, scope),
        "accounts:organisation_members": (org, scope),
        "accounts:organisation_invitations": (org, scope),
        "accounts:member_role": ({**org, "membership_id": membership.pk}, scope),
        "accounts:member_remove": ({**org, "membership_id": membership.pk}, scope),
        "accounts:invitation_resend": ({**org, "invitation_id": invitation.pk}, scope),
        "accounts:invitation_revoke": ({**org, "invitation_id": invitation.pk}, scope),
        "accounts:invitation": ({"token": accounts_services.invitation_token(invitation)}, None),
        "hub:feed": (feed, None),
        "hub:search_feed": (feed, None),
        "hub:item": ({"pk": item.pk}, None),
        "hub:comment_add": ({"pk": item.pk}, None),
        "hub:item_theme": ({"pk": item.pk}, None),
        "hub:comment_report": ({"pk": comment.pk}, None),
        "hub:comment_hide": ({"pk": comment.pk}, None),
        "hub:comment_restore": ({"pk": comment.pk}, None),
        "hub:report_dismiss": ({"pk": comment.pk}, None),
        "hub:source": ({"pk": source.pk}, None),
        "hub:source_feed": ({"pk": source.pk, **feed}, None),
        "hub:source_edit": ({"pk": source.pk}, None),
        "hub:source_check": ({"pk": source.pk}, None),
        "hub:sector": ({"slug": sector.slug}, None),
        "hub:sector_feed": ({"slug": sector.slug, **feed}, None),
        "hub:theme": ({"slug": theme.slug}, None),
        "hub:theme_feed": ({"slug": theme.slug, **feed}, None),
        "hub:personal_feed": ({"key": feed_key, **feed}, None),
        "hub:unfollow": ({"pk": follow.pk}, admin),
        "evaluation:respond": ({"key": form.public_key}, None),
        "evaluation:respond_thanks": ({"key": form.public_key}, None),
    }
    by_model = {
        "programme": "programme",
        "activity": "activity",
        "form": "form",
        "question": "question",
        "import": "import",
        "guide": "guide",
        "interview": "interview",
        "note": "note",
        "observation": "observation",
        "code": "code",
        "coding": "coding",
        "suggestion": "suggestion",
        "objective": "objective",
    }
    page_objects = {
        "evaluation:programme": "programme",
        "evaluation:programme_edit": "programme",
        "evaluation:objective_add": "programme",
        "evaluation:activity_add": "programme",
        "evaluation:activity_edit": "activity",
        "evaluation:activity_remove": "activity",
        "evaluation:activity_register": "activity",
        "evaluation:form_add": "programme",
        "evaluation:form": "form",
        "evaluation:form_edit": "form",
        "evaluation:form_new_link": "form",
        "evaluation:enter": "form",
        "evaluation:results": "form",
        "evaluation:import_start": "form",
        "evaluation:import": "import",
        "evaluation:import_rejects": "import",
        "evaluation:question_remove": "question",
        "evaluation:question_edit": "question",
        "evaluation:question_move": "question",
        "evaluation:interviews": "programme",
        "evaluation:guide": "guide",
        "evaluation:interview_add": "guide",
        "evaluation:interview": "interview",
        "evaluation:note_edit": "note",
        "evaluation:observation_edit": "observation",
        "evaluation:observation_add": "programme",
        "evaluation:codebook": "programme",
        "evaluation:codebook_qdc": "programme",
        "evaluation:project_qdpx": "programme",
        "evaluation:project_import": "programme",
        "evaluation:code_edit": "code",
        "evaluation:code_remove": "code",
        "evaluation:texts": "programme",
        "evaluation:coding_remove": "coding",
        "evaluation:suggestions_refresh": "programme",
        "evaluation:suggestion_decide": "suggestion",
        "evaluation:quotes": "programme",
        "evaluation:judgements": "programme",
        "evaluation:judgement": "objective",
        "evaluation:outcomes": "programme",
        "evaluation:report": "programme",
        "evaluation:report_pdf": "programme",
        "evaluation:report_docx": "programme",
    }
    for name, key in page_objects.items():
        samples[name] = ({"pk": o[by_model[key]]}, scope)
    samples["evaluation:statistics_table"] = ({"pk": o["form"], "fmt": "csv"}, scope)
    samples["evaluation:responses_table"] = ({"pk": o["form"], "fmt": "csv"}, scope)
    samples["evaluation:objective_remove"] = (
        {"pk": o["programme"], "objective_id": o["objective"]},
        scope,
    )
    samples["evaluation:figure_add"] = ({"kind": "measure", "pk": o["measure"]}, scope)
    samples["evaluation:section"] = ({"pk": o["programme"], "key": "summary"}, scope)
    chapter = {"slug": "foundations", "chapter": "what-is-community"}
    samples["learning:course"] = ({"slug": "foundations"}, None)
    samples["learning:chapter"] = (chapter, None)
    samples["learning:finish"] = (chapter, None)
    samples["learning:answer"] = ({**chapter, "key": "communities-you-belong-to"}, None)
    samples["learning:journal_export"] = ({"fmt": "md"}, None)
    samples["learning:consent"] = ({"slug": "foundations"}, None)
    samples["learning:cohort_start"] = ({"slug": "foundations"}, None)
    cohort = learning_services.cohort_start(
        course=LearnCourse.objects.get(slug="foundations"), organisation=scope, by=None
    )
    samples["learning:cohort"] = ({"pk": cohort.pk}, scope)
    samples["learning:research_course"] = ({"slug": "foundations"}, None)
    samples["learning:research_export"] = ({"slug": "foundations"}, None)
    priya = User.objects.get(email="priya.natarajan@example.org")
    share = learning_services.share_create(owner=priya, reflection=priya.reflections.first())
    samples["learning:shared"] = ({"token": share.token}, None)
    samples["learning:share_withdraw"] = ({"pk": share.pk}, priya)
    samples["evaluation:text"] = (
        {"pk": o["programme"], "kind": "answer", "text_id": text_id or 0},
        scope,
    )
    framework_services.framework_load(read_framework("listening.yaml", FRAMEWORK))
    version = FrameworkVersion.objects.get(framework__slug="listening-partnership")
    assessment = framework_services.round_open(
        organisation=scope, version=version, title="A round", by=people["admin"]
    )
    partner = framework_services.rater_invite(round=assessment, name="A partner")
    samples["frameworks:framework"] = ({"slug": "listening-partnership"}, None)
    samples["frameworks:file"] = ({"slug": "listening-partnership", "number": 1}, None)
    samples["frameworks:rate_by_link"] = ({"token": partner.token}, None)
    framework_services.workshop_start(round=assessment)
    samples["frameworks:join"] = ({"code": assessment.code}, None)
    samples["frameworks:rate_status"] = ({"token": partner.token}, None)
    samples["frameworks:rate_results"] = ({"token": partner.token}, None)
    for name in ("round", "rate", "reveal", "close", "invite", "change", "plan", "plan_keep",
                 "workshop", "workshop_count", "paper"):  # fmt: skip
        samples[f"frameworks:{name}"] = ({"pk": assessment.pk}, scope)
    samples["frameworks:agree"] = ({"pk": assessment.pk, "key": "confident-skills"}, scope)
    samples["frameworks:plan_export"] = ({"pk": assessment.pk, "fmt": "csv"}, scope)
    planned = framework_services.plan_keep(
        round=assessment,
        kept=[framework_services.Kept("confident-skills", "Run a skills swap")],
        by=people["admin"],
    )[0]
    samples["frameworks:action"] = ({"pk": planned.pk}, scope)
    samples["frameworks:coverage"] = ({"slug": scope.slug}, scope)
    samples["frameworks:coverage_change"] = ({"slug": scope.slug}, scope)
    samples["frameworks:action_activity"] = ({"pk": planned.pk}, scope)
    # Groups: a listed set whose members mirror the organisation's, so its rules meet
    # each persona as the organisation's would; one of everything in it.
    circle = groups_services.group_start(
        name="Matrix set", by=people["facilitator"], ground_rules="Be kind.",
        visibility=Group.Visibility.LISTED,
    )  # fmt: skip
    for key in ("member", "admin", "evaluator"):
        GroupMember.objects.create(group=circle, user=people[key], rules_accepted=1)
    gathering = groups_services.meeting_schedule(
        group=circle, title="First meeting", starts_at=timezone.now() + timedelta(days=7),
        minutes=90, mode="online", join_url="https://meet.example.org/set",
    )[0]  # fmt: skip
    piece = groups_services.work_add(
        member=GroupMember.objects.get(group=circle, user=people["member"]),
        title="Library outreach", hope="More visits.", visibility="group",
    )  # fmt: skip
    talk = groups_services.topic_start(
        group=circle, author=people["member"], title="Hello", body="Hello all."
    )
    topic = talk.thread.topic
    raw_invitation = "matrix-invitation-token"
    GroupInvitation.objects.create(
        group=circle, email="new@matrix.example.org", digest=invitation_digest(raw_invitation)
    )
    keyed = groups_services.preferences_of(people["facilitator"])
    fac_member = GroupMember.objects.get(group=circle, user=people["facilitator"])
    group_pages = ("group rules edit members invite requests leave meetings meeting_new "
                   "attendance attendance_csv works topics")  # fmt: skip
    for name in group_pages.split():
        samples[f"groups:{name}"] = ({"slug": circle.slug}, circle)
    for name in ("about", "ask"):
        samples[f"groups:{name}"] = ({"slug": circle.slug}, None)
    for name in ("meeting", "meeting_edit", "register", "apologies"):
        samples[f"groups:{name}"] = ({"pk": gathering.pk}, circle)
    samples["groups:work"] = ({"pk": piece.pk}, circle)
    samples["groups:topic"] = ({"pk": topic.pk}, circle)
    samples["groups:reply"] = ({"pk": topic.pk}, circle)
    samples["groups:moderate"] = ({"pk": topic.pk, "post": talk.pk}, circle)
    samples["groups:invitation"] = ({"token": raw_invitation}, None)
    samples["groups:unsubscribe"] = ({"token": group_tokens.unsubscribe_token(fac_member.pk)}, None)
    samples["groups:my_calendar"] = (
        {"token": group_tokens.calendar_token(user_id=fac_member.user_id, key=keyed.calendar_key)},
        None,
    )
    samples["groups:calendar"] = (
        {
            "slug": circle.slug,
            "token": group_tokens.calendar_token(
                user_id=fac_member.user_id, key=keyed.calendar_key, group_id=circle.pk
            ),
        },
        None,
    )
    api_ids = {
        "group": circle.slug,
        "meeting_id": gathering.pk,
        "work_id": piece.pk,
        "thread_id": topic.pk,
        "source_id": source.pk,
        "item_id": item.pk,
        "comment_id": comment.pk,
        "programme_id": o["programme"],
        "activity_id": o["activity"],
        "form_id": o["form"],
        "coding_id": o["coding"],
        "objective_id": o["objective"],
        "slug": "foundations",
        "chapter": "what-is-community",
        "fmt": "md",
        "number": 1,
        "framework": "listening-partnership",
        "round_id": Round.objects.get(title="A round").pk,
        "action_id": Action.objects.get(title="Run a skills swap").pk,
    }
    question = objects["question"]
    bodies: dict[tuple[str, str], dict[str, object]] = {
        ("POST", "/hub/sources"): {"feed_url": "http://127.0.0.1:9/feed.xml"},
        ("PATCH", "/hub/sources/{source_id}"): {"title": "Renamed"},
        ("POST", "/hub/items/{item_id}/comments"): {"body": "Useful, thank you."},
        ("POST", "/hub/comments/{comment_id}/report"): {"reason": "Off topic."},
        ("POST", "/hub/comments/{comment_id}/hide"): {"reason": "Off topic."},
        ("POST", "/evaluation/programmes"): {
            "organisation": scope.slug,
            "title": "A new programme",
        },
        ("POST", "/evaluation/programmes/{programme_id}/objectives"): {"text": "Something."},
        ("POST", "/evaluation/programmes/{programme_id}/activities"): {"title": "A walk"},
        ("PUT", "/evaluation/activities/{activity_id}"): {"title": "A walk"},
        ("POST", "/evaluation/programmes/{programme_id}/forms"): {"title": "Another form"},
        ("POST", "/evaluation/forms/{form_id}/questions"): {"text": "How was it?"},
        ("POST", "/evaluation/forms/{form_id}/responses"): {
            "answers": {getattr(question, "code", "q"): 3}
        },
        ("POST", "/evaluation/programmes/{programme_id}/codes"): {"name": "A new code"},
        ("POST", "/evaluation/programmes/{programme_id}/codings"): {
            "code": o["code"],
            "kind": "answer",
            "text_id": text_id or 0,
            "start": 0,
            "end": 4,
        },
        ("POST", "/frameworks/rounds"): {
            "organisation": scope.slug,
            "framework": "listening-partnership",
        },
        ("PUT", "/frameworks/rounds/{round_id}/ratings"): [
            {"statement": "confident-skills", "value": 3}
        ],
        ("POST", "/frameworks/rounds/{round_id}/reveal"): {},
        ("POST", "/frameworks/actions/{action_id}/updates"): {"status": "done", "text": "Done."},
        ("POST", "/groups/{group}/meetings"): {
            "title": "Another meeting",
            "starts_at": "2027-03-02T18:00:00+00:00",
            "mode": "online",
            "join_url": "https://meet.example.org/x",
        },
        ("PUT", "/groups/meetings/{meeting_id}/register"): [
            {"person": people["member"].pk, "status": "present", "mode": "online"}
        ],
        ("POST", "/groups/work/{work_id}/updates"): {"progress": "Two new partners."},
        ("POST", "/groups/{group}/threads"): {"title": "A question", "body": "Who has tried this?"},
        ("POST", "/groups/threads/{thread_id}/posts"): {"body": "I have."},
        ("POST", "/learn/answers"): {
            "course": "foundations",
            "question": "communities-you-belong-to",
            "text": "A street, a faith, a network.",
        },
        ("PUT", "/evaluation/objectives/{objective_id}/judgement"): {
            "rating": "largely_met",
            "narrative": "Shown by the survey.",
        },
    }
    # What a form posts, where an empty post would be turned away before the rule is met.
    posts: dict[str, dict[str, object]] = {
        "hub:item_theme": {"theme": theme.pk},
        "learning:share_create": {"course": "foundations", "chapter": "what-is-community"},
        "learning:consent": {"level": "counts"},
        "frameworks:plan_keep": {"keep": "confident-skills", "title-confident-skills": "An action"},
        "frameworks:action": {"text": "We met.", "status": "under_way"},
        "frameworks:paper": {"name": "A sheet", "ratings": "3 3 3"},
        "frameworks:coverage_change": {"change": "team", "name": "A team"},
        "groups:reply": {"body": "Thank you."},
        "groups:moderate": {"action": "report", "reason": "Off topic."},
        "groups:ask": {"message": "May I join?"},
    }
    return World(people, scope, samples, api_ids, bodies, tokens, posts)


def _client(world: World, persona: str) -> Client:
    client = Client(raise_request_exception=False)
    someone = world.people[persona]
    if isinstance(someone, User):
        client.force_login(someone)
    return client


def _refused(response: HttpResponseBase) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    location = response.get("Location", "") if response.status_code in (301, 302) else ""
    return bool(location) and location.startswith(str(resolve_url(settings.LOGIN_URL)))


def _expected(rule: access.Rule, someone: User | AnonymousUser, scope: Any) -> str:
    roles = access.roles_in(someone, scope) if scope is not None and rule.scoped else frozenset()
    if rule.allows(someone, roles):
        return "allowed"
    if not someone.is_authenticated:
        return "sign in"
    return "404" if rule.scoped and rule.hidden and not roles else "403"


def _outcome(response: HttpResponseBase, *, api: bool) -> str:
    code = response.status_code
    if code >= 500:
        return f"error {code}"
    if not _refused(response):
        return "allowed"
    if code in (301, 302) or (api and code == 401):
        return "sign in"
    return str(code)


def _send(client: Client, method: str, url: str, **extra: Any) -> HttpResponseBase:
    """One request whose writes are undone, so the next persona meets the same world."""
    with transaction.atomic():
        response = getattr(client, method.lower())(url, **extra)
        transaction.set_rollback(True)
    return response


def test_every_page_answers_each_persona_as_its_rule_says(world: World) -> None:
    from django.urls import reverse

    wrong = []
    # A common address sent on to a page (Part.redirects) is open to anyone; the page it
    # leads to is checked under its own name.
    routes = [
        r
        for r in pages()
        if rule_for(r) is not None and getattr(r.view, "view_class", None) is not RedirectView
    ]
    for route in routes:
        rule = rule_for(route)
        assert rule is not None
        needs_args = "<" in route.pattern or "(?P<" in route.pattern
        if route.name in SIGN_IN_STAGES or route.name.startswith(ELSEWHERE):
            continue
        if needs_args and route.name not in world.pages:
            if not route.name.startswith("account_"):  # allauth's links carry secrets
                wrong.append(f"{route.name}: add a sample to the world")
            continue
        kwargs, scope = world.pages.get(route.name, ({}, None))
        url = reverse(route.name, kwargs=kwargs or None)
        for persona in PERSONAS:
            client = _client(world, persona)
            response = _send(client, "GET", url)
            if response.status_code == 405:
                response = _send(client, "POST", url, data=world.posts.get(route.name, {}))
            expected = _expected(rule, world.people[persona], scope)
            got = _outcome(response, api=False)
            if got != expected:
                wrong.append(f"{persona} at {url} ({rule.name}): expected {expected}, got {got}")
    assert wrong == [], "\n".join(wrong)


def test_every_api_operation_answers_each_persona_as_its_rule_says(world: World) -> None:
    wrong = []
    for op in operations():
        declared = access.declared(op.view)
        assert declared is not None
        path = op.path
        for param, value in world.api.items():
            path = path.replace("{" + param + "}", str(value))
        assert "{" not in path, f"add a sample id for {op.path}"
        body = world.bodies.get((op.method, op.path))
        if op.method in ("POST", "PUT", "PATCH") and body is None:
            wrong.append(f"{op.method} {op.path}: add a sample body to the world")
            continue
        scope = world.scope if declared.rule.scoped else None
        for persona in PERSONAS:
            headers = {}
            if persona in world.tokens:
                headers["Authorization"] = f"Bearer {world.tokens[persona]}"
            response = _send(
                Client(raise_request_exception=False),
                op.method,
                f"/api/v1{path}",
                data=json.dumps(body) if body is not None else None,
                content_type="application/json",
                headers=headers,
            )
            expected = _expected(declared.rule, world.people[persona], scope)
            got = _outcome(response, api=True)
            if got == "allowed" and response.status_code == 422 and expected == "allowed":
                continue  # let in, and told what was wrong with the sample
            if got != expected:
                wrong.append(f"{persona} {op.method} {path}: expected {expected}, got {got}")
    assert wrong == [], "\n".join(wrong)


def test_the_site_admin_reads_no_evidence_without_a_role(
    evaluation_form: ev.EvaluationForm, riverside: Organisation
) -> None:
    """Respondents are told only the organisation's evaluators and admins see their
    answers: the site's administrator is neither until the organisation says so."""
    root = User.objects.create_superuser(email="root@example.org", password="x", name="Root")
    client = Client()
    client.force_login(root)
    results = f"/evaluate/forms/{evaluation_form.pk}/results/"
    assert client.get(results).status_code == 404
    assert client.get(f"/api/v1/evaluation/forms/{evaluation_form.pk}").status_code == 404
    Membership.objects.create(user=root, organisation=riverside, roles={Role.EVALUATOR})
    assert client.get(results).status_code == 200


def test_a_facilitator_may_also_evaluate(
    evaluation_form: ev.EvaluationForm, riverside: Organisation, ben: User
) -> None:
    client = Client()
    client.force_login(ben)
    results = f"/evaluate/forms/{evaluation_form.pk}/results/"
    Membership.objects.filter(user=ben).update(roles={Role.FACILITATOR})
    assert client.get(results).status_code == 403
    Membership.objects.filter(user=ben).update(roles={Role.FACILITATOR, Role.EVALUATOR})
    assert client.get(results).status_code == 200
    assert Membership.objects.filter(roles__has=Role.FACILITATOR).filter(
        roles__has=Role.EVALUATOR
    ).get() == Membership.objects.get(user=ben)
