"""Learn's pages: courses, chapters with their questions, answering, and the journal."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_POST

from commonground import access
from commonground.access import allow
from commonground.accounts.models import User
from commonground.accounts.rules import OWN
from commonground.accounts.selectors import signed_in_user
from commonground.learning import exports, rules, selectors, services
from commonground.learning import research as research_data
from commonground.learning.content import ContentError, read_zip
from commonground.learning.models import Cohort, Consent, Share
from commonground.lib.pdf import PdfUnavailable
from commonground.lib.views import download, see_other, wants_json


@allow(access.ANYONE)
def courses(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "learning/courses.html",
        {"courses": selectors.courses(), "resume": selectors.resume(request.user)},
    )


@allow(access.ANYONE)
def course(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.get_course(slug)
    chapters = selectors.course_progress(found, request.user)
    person = request.user
    return render(
        request,
        "learning/course.html",
        {
            "course": found,
            "chapters": chapters,
            "resume": selectors.resume(person, found),
            "started": any(c.progress for c in chapters),
            "consent": research_data.consent_of(person, found)
            if found.research and isinstance(person, User)
            else None,
            "consent_text": research_data.CONSENT_TEXTS[research_data.CONSENT_VERSION],
            "levels": Consent.choices,
            "cohorts": selectors.cohorts_for_user(person, found),
            "can_start_cohort": selectors.facilitated_organisations(person).exists(),
            "seen_by": selectors.my_cohorts(person, found),
        },
    )


@allow(access.ANYONE)
def chapter(request: HttpRequest, slug: str, chapter: str) -> HttpResponse:
    found = selectors.get_chapter(selectors.get_course(slug), chapter)
    person = request.user
    progress = (
        services.chapter_visit(person=person, chapter=found) if isinstance(person, User) else None
    )
    return _chapter_page(request, found, progress=progress)


def _chapter_page(
    request: HttpRequest, found: Any, *, progress: Any = None, status: int = 200, **extra: Any
) -> HttpResponse:
    before, after = selectors.neighbours(found)
    return render(
        request,
        "learning/chapter.html",
        {
            "course": found.course,
            "chapter": found,
            "pieces": selectors.chapter_pieces(found, request.user),
            "progress": progress,
            "before": before,
            "after": after,
            "reading": selectors.further_reading(found),
            "new_for": request.GET.get("new", ""),
            **extra,
        },
        status=status,
    )


def _time(moment: Any) -> str:
    return date_format(timezone.localtime(moment), "H:i")


@require_POST
@allow(access.SIGNED_IN)
def answer(request: HttpRequest, slug: str, chapter: str, key: str) -> HttpResponse:
    """Save a reflection: from the page's Save button, or as the person types (the page's
    script posts here and reads JSON back). A stale page is told, never overwrites."""
    person = signed_in_user(request)
    found = selectors.get_chapter(selectors.get_course(slug), chapter)
    question = found.questions.filter(key=key, retired=False).first()
    if question is None:
        return _refuse(request, "That question is no longer in this chapter.", status=404)
    reflection = None
    if request.POST.get("reflection"):
        try:
            reflection = selectors.get_reflection_for_user(
                user=person, pk=int(request.POST["reflection"])
            )
        except ValueError:
            return _refuse(request, "That answer could not be found.", status=404)
    try:
        based_on = int(request.POST.get("based_on") or 0) or None
    except ValueError:
        based_on = None
    text = request.POST.get("text", "")
    chosen = request.POST.getlist("chosen")
    try:
        saved = services.reflection_save(
            person=person,
            question=question,
            text=text,
            chosen=chosen,
            reflection=reflection,
            based_on=based_on,
        )
    except services.Conflict as conflict:
        current = conflict.current
        message = (
            f"This answer was changed in another tab or window at {_time(current.saved_at)}. "
            "Your words here have not been saved over it."
        )
        if wants_json(request):
            return JsonResponse(
                {
                    "conflict": True,
                    "message": message,
                    "text": current.text,
                    "chosen": current.chosen,
                    "revision": current.revision,
                    "saved_at": _time(current.saved_at),
                },
                status=409,
            )
        messages.error(request, message + " Both versions are shown below: keep the one you want.")
        return _chapter_page(
            request, found, status=409, draft={"key": key, "text": text, "chosen": chosen}
        )
    except ValidationError as exc:
        return _refuse(request, exc.messages[0], status=400)
    if wants_json(request):
        return JsonResponse(
            {
                "reflection": saved.pk,
                "revision": saved.revision,
                "saved_at": _time(saved.saved_at),
            }
        )
    messages.success(request, f"Saved at {_time(saved.saved_at)}.")
    return see_other(found.get_absolute_url() + f"#{question.anchor}")


def _refuse(request: HttpRequest, message: str, *, status: int) -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"message": message}, status=status)
    return render(request, "learning/refused.html", {"message": message}, status=status)


@require_POST
@allow(access.SIGNED_IN)
def finish(request: HttpRequest, slug: str, chapter: str) -> HttpResponse:
    person = signed_in_user(request)
    found = selectors.get_chapter(selectors.get_course(slug), chapter)
    done = request.POST.get("finished", "1") == "1"
    services.chapter_finish(person=person, chapter=found, finished=done)
    messages.success(request, "Marked as finished." if done else "Marked as not finished.")
    _, after = selectors.neighbours(found)
    if done and after is not None:
        return see_other(after.get_absolute_url())
    return see_other(found.course.get_absolute_url())


# -- research --------------------------------------------------------------------------


@require_POST
@allow(access.SIGNED_IN)
def consent(request: HttpRequest, slug: str) -> HttpResponse:
    """A learner's choice about research use of their answers to a course."""
    found = selectors.get_course(slug)
    try:
        services.consent_set(
            person=signed_in_user(request), course=found, level=request.POST.get("level", "")
        )
    except ValidationError as exc:
        return _refuse(request, exc.messages[0], status=400)
    messages.success(request, "Your choice is saved, and applies from now on.")
    return see_other(found.get_absolute_url() + "#research")


@allow(rules.RESEARCH)
def research(request: HttpRequest) -> HttpResponse:
    return render(request, "learning/research.html", {"courses": selectors.research_courses()})


@allow(rules.RESEARCH)
def research_course(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.get_research_course(slug)
    return render(
        request,
        "learning/research_course.html",
        {
            "course": found,
            "breakdowns": research_data.aggregates(found),
            "min_group": research_data.MIN_GROUP,
            "exports": found.exports.select_related("researcher")[:20],
        },
    )


@allow(rules.RESEARCH)
def research_export(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.get_research_course(slug)
    data, _ = services.research_export(researcher=signed_in_user(request), course=found)
    return download(data, content_type="application/zip", filename=f"{found.slug}-research.zip")


# -- cohorts ---------------------------------------------------------------------------


@allow(access.SIGNED_IN)
def cohort_start(request: HttpRequest, slug: str) -> HttpResponse:
    """Run a course with the members of an organisation you facilitate."""
    found = selectors.get_course(slug)
    person = signed_in_user(request)
    choices = selectors.facilitated_organisations(person)
    if request.method == "POST":
        organisation = choices.filter(slug=request.POST.get("organisation", "")).first()
        if organisation is None:
            return _refuse(
                request, "Choose an organisation whose facilitator or admin you are.", status=400
            )
        cohort = services.cohort_start(
            course=found, organisation=organisation, by=person, name=request.POST.get("name", "")
        )
        messages.success(request, "Cohort started: its members' progress shows here.")
        return see_other(cohort.get_absolute_url())
    return render(
        request, "learning/cohort_start.html", {"course": found, "organisations": choices}
    )


@allow(rules.FACILITATE, on=Cohort)
def cohort(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.get_cohort_for_user(user=request.user, pk=pk)
    chapters, rows = selectors.cohort_progress(found)
    return render(
        request,
        "learning/cohort.html",
        {"cohort": found, "course": found.course, "chapters": chapters, "rows": rows},
    )


# -- sharing ---------------------------------------------------------------------------


@require_POST
@allow(access.SIGNED_IN)
def share_create(request: HttpRequest) -> HttpResponse:
    """A link to one of your answers, or to your answers to a chapter."""
    person = signed_in_user(request)
    reflection = chapter = None
    try:
        if request.POST.get("reflection"):
            reflection = selectors.get_reflection_for_user(
                user=person, pk=int(request.POST["reflection"])
            )
        else:
            course = selectors.get_course(request.POST.get("course", ""))
            chapter = selectors.get_chapter(course, request.POST.get("chapter", ""))
    except ValueError:
        return _refuse(request, "That answer could not be found.", status=404)
    share = services.share_create(
        owner=person, reflection=reflection, chapter=chapter, note=request.POST.get("note", "")
    )
    messages.success(
        request,
        "Link made. Anyone signed in to this site who has it can read what it shares, "
        "until you withdraw it.",
    )
    return see_other(reverse("learning:shares") + f"#share-{share.pk}")


@allow(access.SIGNED_IN)
def shares(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "learning/shares.html",
        {"shares": selectors.shares_of(signed_in_user(request))},
    )


@require_POST
@allow(OWN, on=Share)
def share_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    share = selectors.get_share_for_user(user=request.user, pk=pk)
    services.share_withdraw(share=share)
    messages.success(request, "Link withdrawn: it no longer shows anything to anyone.")
    return see_other(reverse("learning:shares"))


@allow(access.SIGNED_IN)
def shared(request: HttpRequest, token: str) -> HttpResponse:
    share, entries = selectors.shared(token)
    return render(request, "learning/shared.html", {"share": share, "entries": entries})


# -- adding courses --------------------------------------------------------------------

MAX_UPLOAD = 5 * 1024 * 1024


@allow(rules.COURSES)
def course_upload(request: HttpRequest) -> HttpResponse:
    """Add or reload a course from a zip of its folder (site admins)."""
    problems: list[str] = []
    if request.method == "POST":
        upload = request.FILES.get("archive")
        if upload is None:
            problems = ["Choose the zip file of a course folder."]
        elif upload.size is None or upload.size > MAX_UPLOAD:
            problems = [f"The file is larger than {MAX_UPLOAD // (1024 * 1024)} MB."]
        else:
            try:
                loaded = services.course_load(read_zip(upload.read()))
            except ContentError as exc:
                problems = exc.problems
            else:
                messages.success(request, str(loaded))
                return see_other(loaded.course.get_absolute_url())
    return render(
        request,
        "learning/upload.html",
        {"problems": problems, "max_mb": MAX_UPLOAD // (1024 * 1024)},
        status=400 if problems else 200,
    )


# -- the journal -----------------------------------------------------------------------


@allow(access.SIGNED_IN)
def journal(request: HttpRequest) -> HttpResponse:
    person = signed_in_user(request)
    query = request.GET.get("q", "").strip()[:200]
    course = request.GET.get("course", "")
    order = "date" if request.GET.get("order") == "date" else "course"
    entries = list(selectors.journal(person, query=query, course=course, order=order)[:1000])
    return render(
        request,
        "learning/journal.html",
        {
            "entries": entries,
            "query": query,
            "course": course,
            "order": order,
            "courses": selectors.journal_courses(person),
            "formats": exports.FORMATS,
        },
    )


@allow(access.SIGNED_IN)
def journal_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """Everything the person wrote, with each question's words and version."""
    if fmt not in exports.FORMATS:
        return _refuse(request, "No such format.", status=404)
    try:
        data, name = exports.journal(
            signed_in_user(request), fmt, base_url=request.build_absolute_uri("/")
        )
    except PdfUnavailable as exc:
        messages.error(request, f"The PDF could not be made here. {exc}.")
        return see_other(reverse("learning:journal"))
    return download(data, content_type=exports.FORMATS[fmt], filename=name)
