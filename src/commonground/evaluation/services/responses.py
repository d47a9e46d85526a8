"""Writes for forms and their responses: forms and questions, responses one at a time (public
link, paper, API), tallies, and imports."""

from __future__ import annotations

import hashlib
import secrets
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from commonground.accounts.models import User
from commonground.evaluation import tables
from commonground.evaluation.models import (
    COMMON_SCALE,
    Activity,
    Answer,
    EvaluationForm,
    Programme,
    Question,
    Response,
    ResponseImport,
    Tally,
)
from commonground.evaluation.selectors import import_specs, next_position
from commonground.evaluation.tables import ACTIVITY, ORGANISATION, Checked, TableError
from commonground.lib import blobs, bulk, ratelimit
from commonground.lib.tasks import enqueue
from commonground.lib.text import size_words, whole_number

# -- forms and questions ---------------------------------------------------------------

MAX_POINTS = 11


def form_create(
    *,
    programme: Programme,
    title: str,
    introduction: str = "",
    activities: Iterable[Activity] = (),
    closes_at: datetime | None = None,
) -> EvaluationForm:
    """A new form with a public link, open for answers, for some of the programme's activities."""
    chosen = list(activities)
    _own_activities(programme, chosen)
    form = EvaluationForm.objects.create(
        programme=programme,
        title=title.strip(),
        introduction=introduction.strip(),
        public_key=secrets.token_urlsafe(18),
        closes_at=closes_at,
    )
    form.activities.set(chosen)
    return form


def form_update(
    *,
    form: EvaluationForm,
    title: str,
    introduction: str,
    activities: Iterable[Activity],
    accepting: bool,
    closes_at: datetime | None,
) -> EvaluationForm:
    chosen = list(activities)
    _own_activities(form.programme, chosen)
    form.title = title.strip()
    form.introduction = introduction.strip()
    form.accepting = accepting
    form.closes_at = closes_at
    form.save(update_fields=["title", "introduction", "accepting", "closes_at"])
    form.activities.set(chosen)
    return form


def form_new_link(*, form: EvaluationForm) -> EvaluationForm:
    """Retire the form's public link and make a new one (for a link that went too far)."""
    form.public_key = secrets.token_urlsafe(18)
    form.save(update_fields=["public_key"])
    return form


def _own_activities(programme: Programme, activities: list[Activity]) -> None:
    if any(a.programme_id != programme.pk for a in activities):
        raise ValidationError("A form can only be for activities of its own programme.")


def question_add(
    *,
    form: EvaluationForm,
    text: str,
    kind: str = Question.Kind.LIKERT,
    labels: list[str] | None = None,
    code: str = "",
    required: bool = False,
) -> Question:
    """Add a question at the end of ``form``. A Likert item gets ``labels`` (lowest point
    first), or the common four-point scale; ``code`` is its spreadsheet column heading, made
    from the question's significant words when not given (``short_code``)."""
    text = text.strip()
    if not text:
        raise ValidationError("Write the question.")
    if kind not in Question.Kind.values:
        raise ValidationError("Choose whether the question is rated or answered in words.")
    labels = _scale(kind, labels)
    taken = set(form.questions.values_list("code", flat=True))
    code = _own_code(code, taken) if code.strip() else short_code(text, taken=taken)
    return Question.objects.create(
        form=form,
        text=text,
        kind=kind,
        labels=labels,
        code=code,
        required=required,
        position=next_position(form.questions),
    )


def question_remove(*, question: Question) -> None:
    """Remove a question, refusing while it has answers (they would be lost)."""
    if question.answers.exists():
        raise ValidationError(
            "This question has answers, so it cannot be removed. Make a new form instead."
        )
    question.delete()


def question_update(
    *,
    question: Question,
    text: str,
    kind: str,
    labels: list[str] | None = None,
    code: str = "",
    required: bool = False,
) -> Question:
    """Change a question's wording, scale labels, heading or whether it must be answered.

    Once a question has answers, its stored answers must still mean what they meant:
    it cannot change between rated and written, and its scale keeps its number of
    points (labels may be reworded). An empty ``code`` keeps the current heading.
    Raises ``ValidationError`` with a sentence saying what to do instead.
    """
    text = text.strip()
    if not text:
        raise ValidationError("Write the question.")
    if kind not in Question.Kind.values:
        raise ValidationError("Choose whether the question is rated or answered in words.")
    labels = _scale(kind, labels or (question.labels if kind == question.kind else None))
    answered = question.answers.count()
    if answered and kind != question.kind:
        raise ValidationError(
            f"This question has {answered} answer{'s' if answered != 1 else ''}, so it cannot "
            "change between rated and answered in words. Add a new question instead."
        )
    if answered and kind == Question.Kind.LIKERT and len(labels) != question.points:
        raise ValidationError(
            f"This question has {answered} answer{'s' if answered != 1 else ''} on a "
            f"{question.points}-point scale, so its scale keeps {question.points} points. "
            "You can reword the labels, or add a new question with a different scale."
        )
    if code.strip():
        taken = set(question.form.questions.exclude(pk=question.pk).values_list("code", flat=True))
        question.code = _own_code(code, taken)
    question.text = text
    question.kind = kind
    question.labels = labels
    question.required = required
    question.save(update_fields=["text", "kind", "labels", "code", "required"])
    return question


def question_move(*, question: Question, up: bool) -> Question:
    """Move a question one place up (``up``) or down its form.

    Raises ``ValidationError`` if it is already first (or last)."""
    with transaction.atomic():
        order = list(question.form.questions.select_for_update().order_by("position", "pk"))
        place = next(i for i, q in enumerate(order) if q.pk == question.pk)
        other = place - 1 if up else place + 1
        if not 0 <= other < len(order):
            raise ValidationError(
                f"This question is already {'first' if up else 'last'} on the form."
            )
        order[place], order[other] = order[other], order[place]
        # Number them afresh: forms made before positions were kept may share one.
        for position, row in enumerate(order, start=1):
            row.position = position
        Question.objects.bulk_update(order, ["position"])
    question.position = order.index(question) + 1
    return question


def _scale(kind: str, labels: list[str] | None) -> list[str]:
    """A Likert item's point labels, checked (the common scale if none); none for a write-in."""
    if kind != Question.Kind.LIKERT:
        return []
    labels = [label.strip() for label in (labels or COMMON_SCALE) if label.strip()]
    if not 2 <= len(labels) <= MAX_POINTS:
        raise ValidationError(
            f"A scale needs between 2 and {MAX_POINTS} labelled points, one per line."
        )
    if len({label.lower() for label in labels}) < len(labels):
        raise ValidationError("Each point of the scale needs its own label.")
    return labels


def _own_code(code: str, taken: set[str]) -> str:
    """A heading the evaluator typed, as a slug, refused if another question has it."""
    code = slugify(code)[:50].strip("-") or "question"
    if code in taken:
        raise ValidationError(f"Another question on this form has the heading {code}.")
    return code


# Words that carry little meaning in a question, left out of its heading.
_FILLER = frozenset(
    """a about after all also am an and any anyone are as at be been before being both but
    by can could did do does doing during each either ever every for from get got had
    has have having he her here his how i if in into is it its just me might more most much
    must my no nor not now of on once one only or other our out over own please quite rather
    really same she should so some someone something than that the their them then there
    these they this those through to too under until up us very was we were what when
    where whether which while who whom why will with would yet you your yours feel felt
    think thought helping help make made use using today""".split()
)
_CODE_WORDS = 3
_CODE_LENGTH = 40


def short_code(text: str, *, taken: Collection[str] = ()) -> str:
    """A short column heading for a question: its first few significant words, whole.

    "How confident do you feel helping someone spot a scam email?" becomes
    ``confident-spot-scam``. A heading in ``taken`` gets one more of the question's
    words, then a number, so each question of a form has its own (issue 14: headings
    were cut mid-word at 50 characters).
    """
    words = slugify(text).split("-")
    meaningful = [w for w in words if w and w not in _FILLER] or [w for w in words if w]
    if not meaningful:
        meaningful = ["question"]

    def joined(count: int) -> str:
        code = ""
        for word in meaningful[:count]:
            longer = f"{code}-{word}" if code else word
            if len(longer) > _CODE_LENGTH:
                break
            code = longer
        # A single word longer than the limit is the only one cut.
        return code or meaningful[0][:_CODE_LENGTH]

    base = joined(_CODE_WORDS)
    code = base
    if code in taken:
        code = joined(_CODE_WORDS + 1)
    number = 2
    while code in taken:
        code = f"{base}-{number}"
        number += 1
    return code


# -- responses -------------------------------------------------------------------------


@dataclass(frozen=True)
class Submitted:
    response: Response
    # True when this submission was already stored (the same page sent twice).
    repeated: bool = False


# What a required question left empty is told (the page's summary names the question).
NO_ANSWER = "Answer this question."


def check_answers(
    questions: list[Question], raw: Mapping[int, object]
) -> tuple[dict[int, int | str], dict[int, str]]:
    """Each question's answer read from ``raw`` (question id to a point or words), and a
    plain-words problem for each question whose answer cannot be taken."""
    answers: dict[int, int | str] = {}
    problems: dict[int, str] = {}
    for question in questions:
        value = raw.get(question.pk)
        text = "" if value is None else str(value).strip()
        if not text:
            if question.required:
                problems[question.pk] = NO_ANSWER
            continue
        if question.is_likert:
            point = whole_number(text)
            if point is None or not 1 <= point <= question.points:
                problems[question.pk] = f"'{text[:20]}' is not on the 1-{question.points} scale."
                continue
            answers[question.pk] = point
        else:
            answers[question.pk] = text[:10_000]
    return answers, problems


_SUBMISSION_SALT = "commonground.evaluation.submission"


def submission_token(*, form: EvaluationForm) -> str:
    """A signed token for one filling-in of ``form``'s page, put in the page by the server.

    It names the form and holds a fresh random key: a page sent twice is stored
    once, and no key can be made up or carried to another form.
    """
    nonce = secrets.token_urlsafe(18)
    return signing.TimestampSigner(salt=_SUBMISSION_SALT).sign(f"{form.pk}.{nonce}")


def submission_key(*, form: EvaluationForm, token: str) -> str:
    """The one-off key inside ``token``, to pass to ``response_submit``.

    Raises ``ValidationError`` if the token was not issued for ``form`` by this
    site, or is older than ``EVALUATION_SUBMISSION_DAYS``.
    """
    max_age = timedelta(days=settings.EVALUATION_SUBMISSION_DAYS)
    try:
        value = signing.TimestampSigner(salt=_SUBMISSION_SALT).unsign(token[:200], max_age=max_age)
    except signing.SignatureExpired:
        raise ValidationError(
            "This page was opened too long ago to send. Your answers are kept below: "
            "check them and press the button again.",
            code="expired",
        ) from None
    except signing.BadSignature:
        value = ""
    form_id, _, nonce = value.partition(".")
    if form_id != str(form.pk) or not nonce:
        raise ValidationError(
            "We could not check that this page came from this form, so your answers are not "
            "saved yet. They are kept below: check them and press the button again.",
            code="forged",
        )
    return value


def response_submit(
    *,
    form: EvaluationForm,
    answers: Mapping[int, object],
    channel: str = Response.Channel.WEB,
    activity: Activity | None = None,
    organisation_name: str = "",
    submission_key: str | None = None,
    sent_from: str = "",
    by: User | None = None,
) -> Submitted:
    """Store one filled-in form. ``answers`` maps question ids to points or words.

    A public submission must come while the form is open. With ``submission_key``
    (the key of the page the person filled in, read from the page's signed token by
    ``submission_key()``, which the public page requires), a second sending of the
    same page is recognised and not counted again. Raises ``ValidationError`` naming
    each question whose answer cannot be taken. With ``sent_from`` (the network a public
    answer came from), one network may send the form only ``EVALUATION_RESPOND_RATE``
    times; past that it raises ``ratelimit.TooMany``.
    """
    if channel == Response.Channel.WEB and not form.is_open:
        raise ValidationError("This form has closed and takes no more answers.")
    if sent_from and not ratelimit.allow(
        action=f"respond:{form.pk}", key=sent_from, rates=settings.EVALUATION_RESPOND_RATE
    ):
        raise ratelimit.TooMany(
            "Many answers to this form have come from your connection in the last few "
            "minutes, so we have paused it. Your answers are kept below: wait ten minutes, "
            "then press the button again."
        )
    if activity is not None and not form.activities.filter(pk=activity.pk).exists():
        raise ValidationError("Choose one of the activities this form is for.")
    questions = list(form.questions.all())
    checked, problems = check_answers(questions, answers)
    if problems:
        raise ValidationError({str(pk): message for pk, message in problems.items()})
    if not checked:
        raise ValidationError("Answer at least one question.")
    if submission_key:
        earlier = Response.objects.filter(form=form, submission_key=submission_key).first()
        if earlier is not None:
            return Submitted(earlier, repeated=True)
    points = {pk: value for pk, value in checked.items() if isinstance(value, int)}
    try:
        with transaction.atomic():
            response = Response.objects.create(
                form=form,
                activity=activity,
                organisation_name=organisation_name.strip()[:200],
                channel=channel,
                submission_key=submission_key or None,
                entered_by=by,
                lowest_points=_lowest(points),
            )
            Answer.objects.bulk_create(
                [
                    Answer(
                        response=response,
                        question_id=pk,
                        value=value if isinstance(value, int) else None,
                        text=value if isinstance(value, str) else "",
                    )
                    for pk, value in checked.items()
                ]
            )
            _tally_add(_tally_of(points, activity.pk if activity else 0))
    except IntegrityError:
        # The same page sent twice at the same moment: the other sending stored it.
        earlier = Response.objects.filter(form=form, submission_key=submission_key).first()
        if earlier is None:
            raise
        return Submitted(earlier, repeated=True)
    return Submitted(response)


def response_delete(*, response: Response) -> None:
    """Remove one response and take its answers out of the form's tallies."""
    with transaction.atomic():
        key = response.activity_id or 0
        taken = Counter(
            (question_id, key, value)
            for question_id, value in response.answers.filter(value__isnull=False).values_list(
                "question_id", "value"
            )
        )
        with connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE evaluation_tally SET count = count - %s "
                "WHERE question_id = %s AND activity_key = %s AND value = %s",
                [(n, q, a, v) for (q, a, v), n in taken.items()],
            )
        response.delete()


# -- tallies ---------------------------------------------------------------------------


def _lowest(points: Mapping[int, int]) -> int:
    """How many items were rated at the lowest point (1)."""
    return sum(1 for value in points.values() if value == 1)


def _tally_of(points: Mapping[int, int], activity_key: int) -> Counter[tuple[int, int, int]]:
    """One person's points as tally keys: (question, activity or 0, point)."""
    return Counter((pk, activity_key, value) for pk, value in points.items())


TALLY_COLUMNS = "(question_id, activity_key, value, count)"
TALLY_ADD = (
    "ON CONFLICT (question_id, activity_key, value) "
    "DO UPDATE SET count = evaluation_tally.count + excluded.count"
)


def _tally_add(counts: Counter[tuple[int, int, int]]) -> None:
    """Add answers, keyed (question, activity or 0, point), to the tallies."""
    if not counts:
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO evaluation_tally {TALLY_COLUMNS} VALUES (%s, %s, %s, %s) "  # noqa: S608
            f"{TALLY_ADD}",
            [(q, a, v, n) for (q, a, v), n in counts.items()],
        )


def form_recount(*, form: EvaluationForm) -> None:
    """Rebuild the form's tallies and each response's lowest-point count from the answers."""
    with transaction.atomic():
        Tally.objects.filter(question__form=form).delete()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO evaluation_tally {TALLY_COLUMNS} "  # noqa: S608 - fixed SQL
                "SELECT a.question_id, COALESCE(r.activity_id, 0), a.value, COUNT(*) "
                "FROM evaluation_answer a JOIN evaluation_response r ON r.id = a.response_id "
                "WHERE r.form_id = %s AND a.value IS NOT NULL "
                "GROUP BY a.question_id, COALESCE(r.activity_id, 0), a.value",
                [form.pk],
            )
            cursor.execute(
                "UPDATE evaluation_response SET lowest_points = (SELECT COUNT(*) "
                "FROM evaluation_answer a WHERE a.response_id = evaluation_response.id "
                "AND a.value = 1) WHERE form_id = %s",
                [form.pk],
            )


# -- importing spreadsheets ------------------------------------------------------------

PROBLEMS_KEPT = 200


def import_limits() -> tables.Limits:
    """How much of a file one import reads, from settings (read now, not at start-up)."""
    return tables.Limits(
        rows=settings.EVALUATION_IMPORT_MAX_ROWS,
        columns=settings.EVALUATION_IMPORT_MAX_COLUMNS,
        cell_chars=settings.EVALUATION_IMPORT_MAX_CELL_CHARS,
        unzipped_bytes=settings.EVALUATION_IMPORT_MAX_UNZIPPED_BYTES,
    )


def import_upload(*, form: EvaluationForm, by: User, file_name: str, data: bytes) -> ResponseImport:
    """Keep an uploaded spreadsheet and match its columns to the form's questions.

    Every row is read once, as a stream, to count the rows and check them against the
    limits of ``import_limits()``. Raises ``ValidationError`` if the file is too big,
    cannot be read as a table, passes a limit, or is a file already imported into this
    form (its rows would count twice).
    """
    import_size_check(len(data))
    digest = hashlib.sha256(data).hexdigest()
    _refuse_repeat(form, digest)
    try:
        table = tables.read(data, file_name, limits=import_limits())
        rows = tables.count_rows(table)
    except TableError as exc:
        raise ValidationError(str(exc)) from exc
    with transaction.atomic():
        batch = ResponseImport.objects.create(
            form=form,
            file_name=file_name[:255],
            file_sha256=digest,
            size=len(data),
            uploaded_by=by,
            header=table.header,
            mapping=tables.propose(table.header, import_specs(form)),
            note=table.note[:300],
            rows_total=rows,
        )
        blobs.blob_write(ResponseImport._meta.db_table, "content", batch.pk, data)
    return batch


def import_size_check(size: int) -> None:
    """Refuse a file over ``EVALUATION_IMPORT_MAX_BYTES`` (checked before it is read)."""
    limit = settings.EVALUATION_IMPORT_MAX_BYTES
    if size > limit:
        raise ValidationError(
            f"The file is {size_words(size)}; files of up to {size_words(limit)} can be "
            "imported. Split it into smaller files."
        )


def _refuse_repeat(form: EvaluationForm, digest: str) -> None:
    earlier = (
        ResponseImport.objects.filter(
            form=form, file_sha256=digest, state=ResponseImport.State.DONE
        )
        .select_related("uploaded_by")
        .first()
    )
    if earlier is not None:
        who = f" by {earlier.uploaded_by}" if earlier.uploaded_by else ""
        when = timezone.localtime(earlier.imported_at or earlier.uploaded_at)
        raise ValidationError(
            f"This file was already imported into this form on {when:%d %B %Y}{who} "
            f"({earlier.rows_imported} rows). Importing it again would count those "
            "responses twice."
        )


def _checked_rows(batch: ResponseImport) -> Iterator[tables.Row]:
    """Each row of the import's file checked against the columns as matched, read from the
    stored file as the rows are taken (one reading of the file, whatever its length)."""
    # Loaded apart from ``batch``, which stays without it: saving the import never writes
    # the file back, and no page that shows the import holds it.
    content = blobs.blob_read(ResponseImport._meta.db_table, "content", batch.pk)
    activities = {a.title.lower(): a.pk for a in batch.form.activities.all()}
    try:
        table = tables.read(content, batch.file_name, limits=import_limits())
        yield from tables.check(
            table, batch.mapping, import_specs(batch.form), activities=activities
        )
    except TableError as exc:
        # The file passed these limits when it came; they have been lowered since.
        raise ValidationError(str(exc)) from exc


def import_check(*, batch: ResponseImport, mapping: list[str]) -> ResponseImport:
    """Check every row against the columns as matched; keep the counts and first problems."""
    if batch.state not in (ResponseImport.State.UPLOADED, ResponseImport.State.CHECKED):
        raise ValidationError("This import is finished; upload the file again to start anew.")
    keys = {spec.key for spec in import_specs(batch.form)}
    chosen = [key for key in mapping if key]
    if any(key not in keys for key in chosen):
        raise ValidationError("Match each column to one of this form's questions, or ignore it.")
    if len(chosen) != len(set(chosen)):
        raise ValidationError("Two columns are matched to the same question; match each once.")
    if not any(key.startswith("q") for key in chosen):
        raise ValidationError("Match at least one column to a question.")
    batch.mapping = list(mapping)[: len(batch.header)]
    checked = Checked(keep=PROBLEMS_KEPT)
    for row in _checked_rows(batch):
        checked.count(row)
    batch.state = ResponseImport.State.CHECKED
    batch.rows_good = checked.good
    batch.rows_rejected = checked.rejected
    batch.rows_empty = checked.empty
    batch.problem_count = checked.problem_count
    batch.problems = [[p.row, p.column, p.message] for p in checked.problems]
    batch.save(
        update_fields=[
            "mapping",
            "state",
            "rows_good",
            "rows_rejected",
            "rows_empty",
            "problem_count",
            "problems",
        ]
    )
    return batch


def import_rejected_rows(*, batch: ResponseImport) -> tuple[list[str], Iterator[list[str]]]:
    """The rejected rows as they were in the file, each with its problems, to fix and import.

    The rows come as the file is read, to be written out as they come."""
    width = len(batch.header)

    def rows() -> Iterator[list[str]]:
        try:
            for row in _checked_rows(batch):
                if row.empty or not row.problems:
                    continue
                # Padded to the headings, so that the problems are always the last column.
                cells = row.cells[:width] + [""] * (width - len(row.cells))
                reasons = (str(p) if p.row == row.number else p.message for p in row.problems)
                yield [*cells, "; ".join(reasons)]
        except ValidationError as exc:
            # The download has begun, so the reason is its last row, not an error page.
            yield [""] * width + [f"The file could not be read to the end: {exc.messages[0]}"]

    return [*batch.header, "problems"], rows()


# Files of this many good rows or more are stored by a background task, with progress shown.
IMPORT_IN_BACKGROUND_FROM = 5_000
CHUNK = 10_000
# A chunk also ends at this many characters of answers, so that long write-ins (up to
# 10,000 characters each) never make one chunk hold hundreds of megabytes.
CHUNK_CHARS = 4_000_000


def import_accept(*, batch: ResponseImport, only_valid: bool, by: User) -> ResponseImport:
    """Accept the checked rows: all of them (only when none has a problem) or only the good
    ones. Small files are stored at once; bigger ones by a background task (``import_run``)
    while the import's page shows the progress."""
    with transaction.atomic():
        batch = (
            ResponseImport.objects.select_for_update()
            .select_related("form")
            .defer("content")
            .get(pk=batch.pk)
        )
        if batch.state in (ResponseImport.State.DONE, ResponseImport.State.IMPORTING):
            return batch  # a second press of the button
        if batch.state != ResponseImport.State.CHECKED:
            raise ValidationError("Check the file before importing it.")
        _refuse_repeat(batch.form, batch.file_sha256)
        # The counts of the check stand: the file and the matching change only by checking again.
        if not batch.rows_good:
            raise ValidationError(
                "No row can be imported as the columns are matched. Change the matches, or "
                "fix the file and upload it again."
            )
        if batch.rows_rejected and not only_valid:
            raise ValidationError(
                f"{batch.rows_rejected} rows have problems. Import only the valid rows, or "
                "fix the file and upload it again."
            )
        batch.state = ResponseImport.State.IMPORTING
        batch.only_valid = only_valid
        batch.accepted_by = by
        batch.rows_imported = 0
        batch.save(update_fields=["state", "only_valid", "accepted_by", "rows_imported"])
        if batch.rows_good >= IMPORT_IN_BACKGROUND_FROM:
            from commonground.evaluation import tasks

            enqueue(tasks.import_run, batch.pk)
            return batch
    return import_run(batch_id=batch.pk)


def import_run(*, batch_id: int) -> ResponseImport:
    """Store an accepted import's rows, a chunk per transaction, then mark it done.

    Safe to run again, and by two workers at once: each chunk first takes the import's
    row lock and leaves out rows already stored, so a worker stopped part-way loses
    nothing that was committed and a second run stores each row once. The file is read
    as a stream while the chunks are stored: one chunk of rows is held at a time.
    """
    batch = (
        ResponseImport.objects.select_related("form", "accepted_by")
        .defer("content")
        .get(pk=batch_id)
    )
    if batch.state != ResponseImport.State.IMPORTING:
        return batch
    for chunk in _chunks(_good_rows(batch)):
        with transaction.atomic():
            ResponseImport.objects.select_for_update().filter(pk=batch.pk).first()
            # Row numbers rise through the file, so the chunk's are one range.
            stored = set(
                Response.objects.filter(
                    import_batch=batch, source_row__range=(chunk[0][0], chunk[-1][0])
                ).values_list("source_row", flat=True)
            )
            fresh = [(n, values) for n, values in chunk if n not in stored]
            if fresh:
                _store_rows(batch, fresh, batch.accepted_by)
                ResponseImport.objects.filter(pk=batch.pk).update(
                    rows_imported=F("rows_imported") + len(fresh)
                )
    with transaction.atomic():
        batch = ResponseImport.objects.select_for_update().defer("content").get(pk=batch.pk)
        if batch.state == ResponseImport.State.IMPORTING:
            batch.state = ResponseImport.State.DONE
            batch.imported_at = timezone.now()
            batch.rows_imported = batch.responses.count()
            batch.content = b""  # the responses hold what mattered; the fingerprint stays
            batch.save(update_fields=["state", "imported_at", "rows_imported", "content"])
    return batch


Good = tuple[int, dict[str, object]]


def _good_rows(batch: ResponseImport) -> Iterator[Good]:
    """The rows that passed the check, as (row number, values), read as they are taken."""
    for row in _checked_rows(batch):
        if row.good:
            yield row.number, row.values


def _chunks(rows: Iterable[Good]) -> Iterator[list[Good]]:
    """``rows`` a chunk at a time: ``CHUNK`` rows, or fewer that hold ``CHUNK_CHARS``."""
    chunk: list[Good] = []
    chars = 0
    for number, values in rows:
        chunk.append((number, values))
        chars += sum(len(value) for value in values.values() if isinstance(value, str))
        if len(chunk) >= CHUNK or chars >= CHUNK_CHARS:
            yield chunk
            chunk, chars = [], 0
    if chunk:
        yield chunk


def import_cancel(*, batch: ResponseImport) -> None:
    if batch.state == ResponseImport.State.DONE:
        raise ValidationError("This file is imported already; it cannot be cancelled.")
    batch.state = ResponseImport.State.CANCELLED
    batch.content = b""
    batch.save(update_fields=["state", "content"])


ANSWER_COLUMNS: bulk.Columns = (
    "evaluation_answer",
    {"response_id": "bigint", "question_id": "bigint", "value": "smallint", "text": "text"},
)


RESPONSE_COLUMNS: bulk.Columns = (
    "evaluation_response",
    {
        "form_id": "bigint",
        "activity_id": "bigint",
        "organisation_name": "text",
        "channel": "text",
        "submitted_at": "timestamptz",
        "entered_by_id": "bigint",
        "import_batch_id": "bigint",
        "source_row": "integer",
        "lowest_points": "smallint",
    },
)


def _store_rows(
    batch: ResponseImport, rows: list[tuple[int, dict[str, object]]], by: User | None
) -> int:
    """Insert a chunk of rows' responses, answers and tallies in a few large statements.

    Plain SQL through ``lib/bulk``, not the ORM: for thousands of rows its per-object
    work (and psycopg's reading of thousands of placeholders) costs more than the
    database's own.
    """
    when = connection.ops.adapt_datetimefield_value(timezone.now())
    points = {
        number: {int(k[1:]): v for k, v in values.items() if k[0] == "q" and isinstance(v, int)}
        for number, values in rows
    }
    tallies: Counter[tuple[int, int, int]] = Counter()
    with connection.cursor() as cursor:
        ids = dict(
            bulk.insert_new(
                cursor,
                RESPONSE_COLUMNS,
                [
                    (batch.form_id, values.get(ACTIVITY), str(values.get(ORGANISATION) or ""))
                    + (Response.Channel.IMPORT.value, when, by.pk if by else None, batch.pk)
                    + (number, _lowest(points[number]))
                    for number, values in rows
                ],
                returning="source_row, id",
            )
        )
        if len(ids) < len(rows):  # a database that returns no ids
            ids = dict(
                Response.objects.filter(
                    import_batch=batch, source_row__in=[n for n, _ in rows]
                ).values_list("source_row", "id")
            )
        bulk.copy_in(
            cursor,
            ANSWER_COLUMNS,
            [
                (ids[number], int(key[1:]), value if isinstance(value, int) else None)
                + (value if isinstance(value, str) else "",)
                for number, values in rows
                for key, value in values.items()
                if key[0] == "q"
            ],
        )
    for number, values in rows:
        tallies.update(_tally_of(points[number], int(values.get(ACTIVITY) or 0)))  # type: ignore[call-overload]
    _tally_add(tallies)
    return len(rows)
