"""Pages for forms and their responses: building a form and its questions, answering it
(the public link and typing in paper forms), its results and downloads, and imports of
spreadsheets of responses. Thin views: parse, check access through ``selectors``, call a
service, render. Every action is a plain form post answered with a 303, so it all works
without JavaScript; the public form is the only page here that needs no sign-in.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from commonground import access
from commonground.access import allow
from commonground.accounts.selectors import signed_in_user
from commonground.evaluation import rules, selectors, services, stats
from commonground.evaluation.forms import (
    AnswerForm,
    EvaluationFormForm,
    ImportMappingForm,
    ImportUploadForm,
    QuestionForm,
)
from commonground.evaluation.models import (
    EvaluationForm,
    Programme,
    Question,
    Response,
    ResponseImport,
)
from commonground.evaluation.services.responses import (
    NO_ANSWER,
    import_rejected_rows,
    import_size_check,
    submission_key,
    submission_token,
)
from commonground.lib import charts, ratelimit
from commonground.lib.charts import ScaleChart
from commonground.lib.tabular import csv_bytes, csv_stream, xlsx_bytes
from commonground.lib.views import download, press, see_other

# -- forms and questions ---------------------------------------------------------------


@allow(rules.EVALUATE, on=Programme)
def form_add(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.get_programme_for_user(user=request.user, pk=pk)
    form = EvaluationFormForm(request.POST or None, programme=found)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created = services.form_create(
            programme=found,
            title=data["title"],
            introduction=data["introduction"],
            activities=data["activities"],
            closes_at=data["closes_at"],
        )
        messages.success(request, "Form made. Now add its questions.")
        return see_other(created.get_absolute_url())
    return render(
        request,
        "evaluation/form_settings.html",
        {"form": form, "programme": found, "heading": "New evaluation form"},
    )


@allow(rules.EVALUATE, on=EvaluationForm)
def form_edit(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.get_form_for_user(user=request.user, pk=pk)
    form = EvaluationFormForm(request.POST or None, instance=found, programme=found.programme)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.form_update(form=found, **data)
        messages.success(request, "Form saved.")
        return see_other(found.get_absolute_url())
    return render(
        request,
        "evaluation/form_settings.html",
        {
            "form": form,
            "programme": found.programme,
            "evaluation_form": found,
            "heading": f"Settings: {found.title}",
        },
    )


@allow(rules.EVALUATE, on=EvaluationForm)
def form_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The form builder: its questions, a question to add, and its public link."""
    found = selectors.get_form_for_user(user=request.user, pk=pk)
    question_form = QuestionForm(request.POST or None)
    if request.method == "POST" and question_form.is_valid():
        try:
            services.question_add(form=found, **question_form.question_fields())
        except ValidationError as exc:
            question_form.add_error(None, exc)
        else:
            messages.success(request, "Question added.")
            return see_other(found.get_absolute_url() + "#questions")
    return render(
        request,
        "evaluation/form.html",
        {
            "evaluation_form": found,
            "programme": found.programme,
            "questions": selectors.form_questions(found),
            "question_form": question_form,
            "public_url": request.build_absolute_uri(found.public_path()),
            "response_count": found.responses.count(),
            "activities": found.activities.all(),
        },
    )


@require_POST
@allow(rules.EVALUATE, on=Question)
def question_remove(request: HttpRequest, pk: int) -> HttpResponse:
    question = selectors.get_question_for_user(user=request.user, pk=pk)
    return press(
        request,
        lambda: services.question_remove(question=question),
        done="Question removed.",
        then=question.form.get_absolute_url() + "#questions",
    )


@allow(rules.EVALUATE, on=Question)
def question_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Reword a question, relabel its scale, change its heading or whether it must be
    answered; the service refuses what would change the meaning of stored answers."""
    question = selectors.get_question_for_user(user=request.user, pk=pk)
    found = question.form
    question_form = QuestionForm(
        request.POST or None,
        initial={
            "text": question.text,
            "kind": question.kind,
            "labels": "\n".join(question.labels) if question.is_likert else "",
            "code": question.code,
            "required": question.required,
        },
        editing=True,
    )
    if request.method == "POST" and question_form.is_valid():
        try:
            services.question_update(question=question, **question_form.question_fields())
        except ValidationError as exc:
            question_form.add_error(None, exc)
        else:
            messages.success(request, "Question saved.")
            return see_other(f"{found.get_absolute_url()}#question-{question.pk}")
    return render(
        request,
        "evaluation/question_form.html",
        {
            "evaluation_form": found,
            "programme": found.programme,
            "question": question,
            "question_form": question_form,
            "answer_count": question.answers.count(),
        },
    )


@require_POST
@allow(rules.EVALUATE, on=Question)
def question_move(request: HttpRequest, pk: int) -> HttpResponse:
    question = selectors.get_question_for_user(user=request.user, pk=pk)
    up = request.POST.get("direction") != "down"
    return press(
        request,
        lambda: services.question_move(question=question, up=up),
        done=f"Question moved {'up' if up else 'down'}.",
        then=f"{question.form.get_absolute_url()}#question-{question.pk}",
    )


@require_POST
@allow(rules.EVALUATE, on=EvaluationForm)
def form_new_link(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.get_form_for_user(user=request.user, pk=pk)
    services.form_new_link(form=found)
    messages.success(request, "The form has a new public link; the old one no longer works.")
    return see_other(found.get_absolute_url())


# -- results ---------------------------------------------------------------------------


@allow(rules.EVALUATE, on=EvaluationForm)
def results(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.get_form_for_user(user=request.user, pk=pk)
    figures = selectors.form_results(found)
    return render(
        request,
        "evaluation/results.html",
        {
            "evaluation_form": found,
            "programme": found.programme,
            "results": figures,
            "charts": form_charts(found, figures.items),
            "min_for_range": stats.MIN_FOR_RANGE,
        },
    )


def form_charts(
    form: EvaluationForm, items: list[selectors.ItemResult], *, printed: bool = False
) -> list[ScaleChart]:
    """The form's items as one chart per scale, each with its own key."""
    return charts.scale_charts(
        [(i.question.text, i.question.labels, i.figures.counts) for i in items],
        key=f"form-{form.pk}",
        printed=printed,
    )


def _table(header: list[str], rows: list[list[object]], fmt: str, name: str) -> HttpResponse:
    """A table as a CSV or XLSX download (both safe to open: no cell runs as a formula)."""
    if fmt == "xlsx":
        return download(
            xlsx_bytes(header, rows, title=name),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            filename=f"{name}.xlsx",
        )
    if fmt != "csv":
        raise Http404("Downloads come as CSV or XLSX.")
    return download(
        csv_bytes(header, rows), content_type="text/csv; charset=utf-8", filename=f"{name}.csv"
    )


@allow(rules.EVALUATE, on=EvaluationForm)
def statistics_table(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    found = selectors.get_form_for_user(user=request.user, pk=pk)
    figures = selectors.form_results(found, write_ins=False)
    header = [
        "question",
        "heading",
        "valid_n",
        "responses",
        "participants",
        "mean",
        "mean_95ci_low",
        "mean_95ci_high",
        "sd",
        "median",
        "q1",
        "q3",
        "top_box_pct",
        "top_two_box_pct",
        "top_two_box_95ci_low_pct",
        "top_two_box_95ci_high_pct",
        "band",
        "lowest_point_count",
    ]
    width = max((item.figures.points for item in figures.items), default=0)
    header += [f"point_{i}_count" for i in range(1, width + 1)]

    def pct(share: float | None) -> float | str:
        return round(share * 100, 1) if share is not None else ""

    def num(value: float | None) -> float | str:
        return round(value, 3) if value is not None else ""

    rows: list[list[object]] = []
    for item in figures.items:
        f = item.figures
        rows.append(
            [
                item.question.text,
                item.question.code,
                f.n,
                figures.responses,
                figures.participants,
                num(f.mean),
                num(f.ci_low),
                num(f.ci_high),
                num(f.sd),
                num(f.median),
                num(f.q1),
                num(f.q3),
                pct(f.top_box.share),
                pct(f.top_two_box.share),
                pct(f.top_two_box.low),
                pct(f.top_two_box.high),
                f.band.name if f.band else "",
                f.lowest,
                *f.counts,
            ]
        )
    return _table(header, rows, fmt, f"statistics-form-{found.pk}")


@allow(rules.EVALUATE, on=EvaluationForm)
def responses_table(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    found = selectors.get_form_for_user(user=request.user, pk=pk)
    questions = selectors.form_questions(found)
    header = ["response", "submitted_at", "channel", "activity", "organisation"]
    header += [q.code for q in questions]
    rows: list[list[object]] = []
    for response in selectors.form_responses(found):
        answers = {a.question_id: a for a in response.answers.all()}
        row: list[object] = [
            response.pk,
            response.submitted_at,
            response.get_channel_display(),
            response.activity.title if response.activity else "",
            response.organisation_name,
        ]
        for question in questions:
            answer = answers.get(question.pk)
            row.append(
                "" if answer is None else answer.value if question.is_likert else answer.text
            )
        rows.append(row)
    return _table(header, rows, fmt, f"responses-form-{found.pk}")


# -- answering -------------------------------------------------------------------------


def _page_token(form: EvaluationForm, posted: str) -> str:
    """The token the page carries: the one it was sent with, if good, so that a page sent
    again after a correction still counts once; else a fresh one."""
    if posted:
        try:
            submission_key(form=form, token=posted)
        except ValidationError:
            pass
        else:
            return posted
    return submission_token(form=form)


def _answer_page(
    request: HttpRequest,
    form: EvaluationForm,
    *,
    channel: str,
    template: str,
    done_url: Callable[[], str],
    extra: dict[str, object] | None = None,
) -> HttpResponse:
    """The public form and the paper-entry page: one way of reading and storing answers.

    The page carries a signed token the server made for this form (see
    ``services.responses.submission_token``): a public answer without a good one is not
    stored, and one connection can send a form only so often. Either way the
    person gets the page back with their answers in it, and nothing is lost.
    """
    questions = list(form.questions.all())
    activities = list(form.activities.all())
    answer_form = AnswerForm(request.POST or None, questions=questions, activities=activities)
    problems: dict[int, str] = {}
    token = request.POST.get("submission", "")
    status = 200
    if request.method == "POST" and answer_form.is_valid():
        data = answer_form.cleaned_data
        activity = next((a for a in activities if str(a.pk) == data.get("activity")), None)
        if activity is None and len(activities) == 1:
            activity = activities[0]
        public = channel == Response.Channel.WEB
        try:
            key = submission_key(form=form, token=token) if public or token else None
            submitted = services.response_submit(
                form=form,
                answers=answer_form.answers(),
                channel=channel,
                activity=activity,
                organisation_name=data.get("organisation_name", ""),
                submission_key=key,
                sent_from=ratelimit.client_network(request) if public else "",
                # A typist is recorded; a respondent never is, signed in or not.
                by=signed_in_user(request) if channel == Response.Channel.PAPER else None,
            )
        except ValidationError as exc:
            if isinstance(exc, ratelimit.TooMany):
                status = 429
            if hasattr(exc, "error_dict"):
                problems = {int(k): v[0].messages[0] for k, v in exc.error_dict.items()}
            else:
                answer_form.add_error(None, exc)
        else:
            if channel == Response.Channel.PAPER:
                messages.success(request, f"Form saved as response {submitted.response.pk}.")
            return see_other(done_url())
    if problems or answer_form.errors:
        status = status if status != 200 else 422
    return render(
        request,
        template,
        {
            "evaluation_form": form,
            "answer_form": answer_form,
            "questions": [
                (q, answer_form[f"q{q.pk}"].value() or "", problems.get(q.pk)) for q in questions
            ],
            "problems": [(q, _summary(q, problems[q.pk])) for q in questions if q.pk in problems],
            "submission": _page_token(form, token),
            **(extra or {}),
        },
        status=status,
    )


def _summary(question: Question, problem: str) -> str:
    """A line of the error summary: the question named in quotes, then what to do."""
    if problem == NO_ANSWER:
        return f"Answer \u201c{question.text}\u201d"
    return f"\u201c{question.text}\u201d: {problem}"


@allow(rules.EVALUATE, on=EvaluationForm)
def enter(request: HttpRequest, pk: int) -> HttpResponse:
    """Type in paper forms one after another, with the keyboard only."""
    found = selectors.get_form_for_user(user=request.user, pk=pk)
    return _answer_page(
        request,
        found,
        channel=Response.Channel.PAPER,
        template="evaluation/enter.html",
        done_url=lambda: reverse("evaluation:enter", args=[found.pk]),
        extra={"programme": found.programme, "response_count": found.responses.count()},
    )


@allow(access.ANYONE)
def respond(request: HttpRequest, key: str) -> HttpResponse:
    """The public form: no sign-in, for anyone holding the link."""
    found = selectors.get_form_for_respondent(key=key)
    if not found.is_open:
        return render(request, "evaluation/respond_closed.html", {"evaluation_form": found})
    if not found.questions.all():
        # A link sent before the form had questions (issue 14): say so, take nothing.
        return render(request, "evaluation/respond_not_ready.html", {"evaluation_form": found})
    return _answer_page(
        request,
        found,
        channel=Response.Channel.WEB,
        template="evaluation/respond.html",
        done_url=lambda: reverse("evaluation:respond_thanks", args=[key]),
    )


@allow(access.ANYONE)
def respond_thanks(request: HttpRequest, key: str) -> HttpResponse:
    found = selectors.get_form_for_respondent(key=key)
    return render(request, "evaluation/respond_thanks.html", {"evaluation_form": found})


# -- importing -------------------------------------------------------------------------


@allow(rules.EVALUATE, on=EvaluationForm)
def import_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a spreadsheet of responses; earlier imports are listed below."""
    found = selectors.get_form_for_user(user=request.user, pk=pk)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            import_size_check(upload.size or 0)  # before it is read into memory
            batch = services.import_upload(
                form=found, by=signed_in_user(request), file_name=upload.name, data=upload.read()
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            return see_other(batch.get_absolute_url())
    return render(
        request,
        "evaluation/import_start.html",
        {
            "evaluation_form": found,
            "programme": found.programme,
            "form": form,
            "imports": found.imports.defer("content").select_related("uploaded_by")[:20],
            "questions": selectors.form_questions(found),
        },
        status=422 if form.errors else 200,
    )


@allow(rules.EVALUATE, on=ResponseImport)
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Match columns, check every cell, then import all rows or only the valid ones."""
    batch = selectors.get_import_for_user(user=request.user, pk=pk)
    specs = selectors.import_specs(batch.form)
    mapping_form = ImportMappingForm(
        request.POST or None,
        header=batch.header,
        choices=[(spec.key, spec.text) for spec in specs],
        mapping=batch.mapping,
    )
    action = request.POST.get("action", "")
    if request.method == "POST":
        try:
            if action == "check" and mapping_form.is_valid():
                services.import_check(batch=batch, mapping=mapping_form.mapping())
                return see_other(batch.get_absolute_url() + "#checked")
            if action in ("all", "valid"):
                done = services.import_accept(
                    batch=batch, only_valid=action == "valid", by=signed_in_user(request)
                )
                if done.state != ResponseImport.State.DONE:  # running in the background
                    return see_other(batch.get_absolute_url())
                messages.success(request, f"{done.rows_imported} responses imported.")
                return see_other(reverse("evaluation:results", args=[batch.form_id]))
            if action == "cancel":
                services.import_cancel(batch=batch)
                messages.success(request, "Import cancelled; nothing was stored.")
                return see_other(reverse("evaluation:import_start", args=[batch.form_id]))
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
            return see_other(batch.get_absolute_url())
    return render(
        request,
        "evaluation/import.html",
        {
            "batch": batch,
            "evaluation_form": batch.form,
            "programme": batch.form.programme,
            "mapping_form": mapping_form,
            "problems": batch.problems,
        },
    )


@allow(rules.EVALUATE, on=ResponseImport)
def import_rejects(request: HttpRequest, pk: int) -> HttpResponseBase:
    batch = selectors.get_import_for_user(user=request.user, pk=pk)
    if batch.state != ResponseImport.State.CHECKED:
        messages.error(request, "The rejected rows can be downloaded once the file is checked.")
        return see_other(batch.get_absolute_url())
    header, rows = import_rejected_rows(batch=batch)
    # Written as the file is read again, so a big file's rejects never sit in memory whole.
    stem = batch.file_name.rsplit(".", 1)[0] or "import"
    return download(
        csv_stream(header, rows),
        content_type="text/csv; charset=utf-8",
        filename=f"{stem}-rejected-rows.csv",  # a person's file name: download() makes it safe
    )
