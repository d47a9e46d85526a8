"""Pages for qualitative evidence: interview guides and interviews, observations, the codebook,
coding passages of text, suggested codes, and the quote bank."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from commonground.access import allow
from commonground.accounts.selectors import signed_in_user
from commonground.evaluation import rules, selectors, services
from commonground.evaluation.forms import (
    CodeForm,
    CodingForm,
    GuideForm,
    GuideQuestionForm,
    InterviewForm,
    NoteForm,
    ObservationForm,
)
from commonground.evaluation.models import (
    Code,
    Coding,
    Interview,
    InterviewGuide,
    InterviewNote,
    Observation,
    Programme,
    Suggestion,
)
from commonground.evaluation.services.coding import codebook_export, project_export
from commonground.evaluation.services.responses import import_size_check
from commonground.evaluation.texts import KINDS, ref_of
from commonground.lib.text import whole_number
from commonground.lib.views import download, press, see_other

TEXTS_PER_PAGE = 50


def _int(raw: str | None) -> int | None:
    return whole_number(raw)


# -- interviews and observations -------------------------------------------------------


@allow(rules.EVALUATE, on=Programme)
def interviews(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.get_programme_for_user(user=request.user, pk=pk)
    guide_form = GuideForm(request.POST or None)
    if request.method == "POST" and guide_form.is_valid():
        guide = services.guide_create(programme=programme, **guide_form.cleaned_data)
        messages.success(request, "Guide made. Add its questions, grouped by theme.")
        return see_other(reverse("evaluation:guide", args=[guide.pk]))
    return render(
        request,
        "evaluation/interviews.html",
        {
            "programme": programme,
            "guides": programme.interview_guides.prefetch_related("interviews", "questions"),
            "observations": programme.observations.select_related("activity"),
            "guide_form": guide_form,
        },
    )


@allow(rules.EVALUATE, on=InterviewGuide)
def guide(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.get_guide_for_user(user=request.user, pk=pk)
    form = GuideQuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.guide_question_add(guide=found, **form.cleaned_data)
        messages.success(request, "Question added.")
        return see_other(reverse("evaluation:guide", args=[found.pk]) + "#questions")
    return render(
        request,
        "evaluation/guide.html",
        {
            "guide": found,
            "programme": found.programme,
            "question_form": form,
            "themes": selectors.guide_answers_by_theme(found),
            "interviews": found.interviews.select_related("activity"),
        },
    )


@allow(rules.EVALUATE, on=InterviewGuide)
def interview_add(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.get_guide_for_user(user=request.user, pk=pk)
    form = InterviewForm(request.POST or None, guide=found)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            interview = services.interview_record(
                guide=found,
                organisation_name=data["organisation_name"],
                role=data["role"],
                held_on=data["held_on"],
                mode=data["mode"],
                activity=data["activity"],
                notes=form.notes(),
                by=signed_in_user(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Interview recorded.")
            return see_other(reverse("evaluation:interview", args=[interview.pk]))
    return render(
        request,
        "evaluation/interview_form.html",
        {"guide": found, "programme": found.programme, "form": form},
    )


@allow(rules.EVALUATE, on=Interview)
def interview(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.get_interview_for_user(user=request.user, pk=pk)
    return render(
        request,
        "evaluation/interview.html",
        {
            "interview": found,
            "programme": found.guide.programme,
            "themes": selectors.interview_notes_by_theme(found),
        },
    )


@allow(rules.EVALUATE, on=Programme)
def observation_add(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.get_programme_for_user(user=request.user, pk=pk)
    form = ObservationForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            observation = services.observation_add(
                programme=programme, by=signed_in_user(request), **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Observation saved. Code its passages when you are ready.")
            return see_other(
                reverse("evaluation:text", args=[programme.pk, "observation", observation.pk])
            )
    return render(
        request, "evaluation/observation_form.html", {"programme": programme, "form": form}
    )


@allow(rules.EVALUATE, on=InterviewNote)
def note_edit(request: HttpRequest, pk: int) -> HttpResponse:
    note = selectors.get_note_for_user(user=request.user, pk=pk)
    form = NoteForm(request.POST or None, initial={"notes": note.notes})
    form.fields["notes"].label = note.question.text
    if request.method == "POST" and form.is_valid():
        try:
            services.note_update(note=note, notes=form.cleaned_data["notes"])
        except ValidationError as exc:
            form.add_error("notes", exc)
        else:
            messages.success(request, "Notes saved.")
            return see_other(reverse("evaluation:interview", args=[note.interview_id]))
    programme = note.interview.guide.programme
    return render(
        request,
        "evaluation/notes_form.html",
        {"programme": programme, "form": form, "heading": "Edit interview notes"},
    )


@allow(rules.EVALUATE, on=Observation)
def observation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    observation = selectors.get_observation_for_user(user=request.user, pk=pk)
    programme = observation.programme
    form = ObservationForm(request.POST or None, instance=observation, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            services.observation_update(observation=observation, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error("notes", exc)
        else:
            messages.success(request, "Observation saved.")
            return see_other(
                reverse("evaluation:text", args=[programme.pk, "observation", observation.pk])
            )
    return render(
        request,
        "evaluation/notes_form.html",
        {"programme": programme, "form": form, "heading": f"Edit {observation.title}"},
    )


# -- the codebook ----------------------------------------------------------------------


@allow(rules.EVALUATE, on=Programme)
def codebook(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.get_programme_for_user(user=request.user, pk=pk)
    form = CodeForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            services.code_add(programme=programme, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error("name", exc)
        else:
            messages.success(request, "Code added.")
            return see_other(reverse("evaluation:codebook", args=[programme.pk]))
    return render(
        request,
        "evaluation/codebook.html",
        {"programme": programme, "codes": selectors.codebook(programme), "form": form},
    )


@allow(rules.EVALUATE, on=Code)
def code_edit(request: HttpRequest, pk: int) -> HttpResponse:
    code = selectors.get_code_for_user(user=request.user, pk=pk)
    programme = code.programme
    initial = {"name": code.name, "parent": code.parent, "description": code.description}
    form = CodeForm(request.POST or None, programme=programme, initial=initial)
    form.fields["parent"].queryset = programme.codes.exclude(pk=code.pk)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        try:
            services.code_update(code=code, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error("parent", exc)
        else:
            messages.success(request, "Code saved.")
            return see_other(reverse("evaluation:codebook", args=[programme.pk]))
    return render(
        request, "evaluation/code_form.html", {"programme": programme, "code": code, "form": form}
    )


@require_POST
@allow(rules.EVALUATE, on=Code)
def code_remove(request: HttpRequest, pk: int) -> HttpResponse:
    code = selectors.get_code_for_user(user=request.user, pk=pk)
    removed = services.code_remove(code=code)
    messages.success(
        request, f"Code {code.name} removed, with {removed} coded passage{'s' * (removed != 1)}."
    )
    return see_other(reverse("evaluation:codebook", args=[code.programme_id]))


# -- coding ----------------------------------------------------------------------------


@allow(rules.EVALUATE, on=Programme)
def texts(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything there is to code, and the codes suggested for passages not yet coded."""
    programme = selectors.get_programme_for_user(user=request.user, pk=pk)
    units = selectors.programme_texts(programme)
    uncoded = request.GET.get("show") == "uncoded"
    suggestions = (
        Suggestion.objects.filter(code__programme=programme, state=Suggestion.State.OPEN)
        .select_related("code")
        .order_by("-score")[:50]
    )
    shown = [u for u in units if not (uncoded and u.codings)]
    page = Paginator(shown, TEXTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "evaluation/texts.html",
        {
            "programme": programme,
            "units": [(u, u.url(programme)) for u in page.object_list],
            "page": page,
            "total": len(units),
            "coded": sum(1 for u in units if u.codings),
            "uncoded": uncoded,
            "suggestions": suggestions,
            "has_codes": programme.codes.exists(),
        },
    )


@allow(rules.EVALUATE, on=Programme)
def text(request: HttpRequest, pk: int, kind: str, text_id: int) -> HttpResponse:
    """One text with its coded passages marked, and a form to code another passage."""
    if kind not in KINDS:
        return HttpResponse(status=404)
    programme = selectors.get_programme_for_user(user=request.user, pk=pk)
    unit = selectors.programme_text(programme, kind=kind, pk=text_id)
    form = CodingForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.coding_add(
                ref=unit.ref,
                code=data["code"],
                quote=data["quote"],
                occurrence=data["occurrence"] or 1,
                memo=data["memo"],
                objectives=data["objectives"],
                by=signed_in_user(request),
            )
        except ValidationError as exc:
            form.add_error("quote", exc)
        else:
            messages.success(request, f"Passage coded as {data['code'].name}.")
            return see_other(unit.url(programme))
    return render(
        request,
        "evaluation/text.html",
        {
            "programme": programme,
            "unit": unit,
            "form": form,
            "has_codes": programme.codes.exists(),
        },
        status=422 if form.errors else 200,
    )


@require_POST
@allow(rules.EVALUATE, on=Coding)
def coding_remove(request: HttpRequest, pk: int) -> HttpResponse:
    coding = selectors.get_coding_for_user(user=request.user, pk=pk)
    programme = coding.code.programme
    ref = ref_of(coding)
    services.coding_remove(coding=coding)
    messages.success(request, "Coding removed.")
    return see_other(reverse("evaluation:text", args=[programme.pk, ref.kind, ref.pk]))


@require_POST
@allow(rules.EVALUATE, on=Programme)
def suggestions_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.get_programme_for_user(user=request.user, pk=pk)
    count = services.suggestions_refresh(programme=programme)
    messages.success(
        request,
        f"{count} suggestion{'s' * (count != 1)} for passages nobody has coded yet."
        if count
        else "No suggestions: code a few passages with each code first, so there is "
        "something to compare with.",
    )
    return see_other(reverse("evaluation:texts", args=[programme.pk]) + "#suggestions")


@require_POST
@allow(rules.EVALUATE, on=Suggestion)
def suggestion_decide(request: HttpRequest, pk: int) -> HttpResponse:
    suggestion = selectors.get_suggestion_for_user(user=request.user, pk=pk)
    then = reverse("evaluation:texts", args=[suggestion.code.programme_id]) + "#suggestions"
    if request.POST.get("decision") == "accept":
        return press(
            request,
            lambda: services.suggestion_accept(suggestion=suggestion, by=signed_in_user(request)),
            done=f"Passage coded as {suggestion.code.name}.",
            then=then,
        )
    services.suggestion_reject(suggestion=suggestion)
    messages.success(request, "Suggestion rejected; it will not be made again.")
    return see_other(then)


# -- quotes ----------------------------------------------------------------------------


@allow(rules.EVALUATE, on=Programme)
def quotes(request: HttpRequest, pk: int) -> HttpResponse:
    """The quote bank: coded passages by code, objective, activity and organisation."""
    programme = selectors.get_programme_for_user(user=request.user, pk=pk)
    chosen = {
        "code": _int(request.GET.get("code")),
        "objective": _int(request.GET.get("objective")),
        "activity": request.GET.get("activity", ""),
        "organisation": request.GET.get("organisation", ""),
    }
    units = selectors.programme_texts(programme)
    return render(
        request,
        "evaluation/quotes.html",
        {
            "programme": programme,
            "quotes": selectors.quote_bank(programme, texts=units, **chosen),  # type: ignore[arg-type]
            "chosen": chosen,
            "codes": [
                (c.pk, "– " * depth + c.name) for c, depth, _ in selectors.codebook(programme)
            ],
            "objectives": [(o.pk, o.text) for o in programme.objectives.all()],
            "activities": sorted({(u.activity, u.activity) for u in units if u.activity}),
            "organisations": sorted(
                {(u.organisation, u.organisation) for u in units if u.organisation}
            ),
        },
    )


# -- REFI-QDA --------------------------------------------------------------------------


@allow(rules.EVALUATE, on=Programme)
def codebook_qdc(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.get_programme_for_user(user=request.user, pk=pk)
    name = f"{slugify(programme.title)[:60] or 'codebook'}.qdc"
    data = codebook_export(programme=programme)
    return download(data, content_type="application/xml", filename=name)


@allow(rules.EVALUATE, on=Programme)
def project_qdpx(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.get_programme_for_user(user=request.user, pk=pk)
    name = f"{slugify(programme.title)[:60] or 'project'}.qdpx"
    data = project_export(programme=programme)
    return download(data, content_type="application/zip", filename=name)


@require_POST
@allow(rules.EVALUATE, on=Programme)
def project_import(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.get_programme_for_user(user=request.user, pk=pk)
    upload = request.FILES.get("file")
    then = reverse("evaluation:codebook", args=[programme.pk])
    if upload is None:
        messages.error(request, "Choose a .qdpx file to bring back.")
        return see_other(then)
    try:
        import_size_check(upload.size or 0)
        done = services.project_import(
            programme=programme, data=upload.read(), by=signed_in_user(request)
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return see_other(then)
    note = f"{done.codes} new code{'s' * (done.codes != 1)} and {done.codings} new coding"
    note += "s" * (done.codings != 1) + " brought back."
    if done.skipped:
        note += f" {len(done.skipped)} left out: " + "; ".join(done.skipped[:5]) + "."
    messages.success(request, note)
    return see_other(then)
