"""Evaluation benchmark: item statistics of a big form against pandas, a big import, and
the report drawn as PDF and Word.

    uv sync --group bench
    uv run --group bench python bench/evaluation.py               # SQLite
    uv run --group bench python bench/evaluation.py --database-url postgres://postgres@127.0.0.1:5432/postgres

Three phases, each in its own process so that its memory is its own:

- statistics: a form with 100,000 responses x 10 items on the 1-4 scale
  (stored straight into the tables), then every figure of every item as the
  results page and the API compute them (``selectors.form_results``), against
  pandas computing the same figures (counts, mean, standard deviation and
  t-interval, median and quartiles, top-box shares with Wilson intervals,
  lowest-point use per respondent) from a DataFrame already in memory;
- import: a 100,000-row CSV file of the same shape, uploaded, checked and
  imported through the services the import pages use, timed from upload to
  the last row stored, with the process's peak memory;
- report: a programme of 6 activities, 500 responses, 200 coded quotes, judged
  objectives, measures and an indicator; its report drawn as a PDF the way the
  report's PDF link draws it (gathering, templates, WeasyPrint), and as Word
  the way its Word link does; and the demo programme's report, both ways.

Targets (issue 4): statistics under 1 s and within 2x of pandas; the import
under 20 s with peak memory under 500 MB; the report's PDF under 10 s, and
its Word file under 10 s (``--only report`` runs just the reports).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Report, django_fresh, peak_mb  # noqa: E402

ITEMS = 10
# Chances of points 1-4 for each item: spread like the field's forms (means 2.9-3.6).
CHANCES = [
    (0.02 + 0.01 * i, 0.08 + 0.01 * i, 0.45 - 0.01 * i, 0.45 - 0.01 * i) for i in range(ITEMS)
]


def _setup_form(participants: int) -> Any:
    from commonground.accounts.models import Organisation, User
    from commonground.evaluation import services

    organisation = Organisation.objects.create(name="Bench", slug="bench")
    user = User.objects.create_user(email="bench@example.org", password=None, name="Bench")
    programme = services.programme_create(organisation=organisation, by=user, title="Bench")
    activity = services.activity_save(
        programme=programme, title="Training", participants=participants
    )
    form = services.form_create(programme=programme, title="Bench form", activities=[activity])
    for i in range(ITEMS):
        services.question_add(form=form, text=f"Item {i + 1}", code=f"item{i + 1}")
    return form, user


def _values(rows: int) -> list[list[int]]:
    rng = random.Random(4)
    return [
        [rng.choices((1, 2, 3, 4), weights=CHANCES[i])[0] for i in range(ITEMS)]
        for _ in range(rows)
    ]


def phase_statistics(rows: int, database_url: str, repeats: int) -> dict[str, Any]:
    django_fresh(database_url, name="commonground_bench_evaluation")
    import numpy as np
    import pandas as pd
    from django.db import connection, transaction
    from scipy import stats as scipy_stats

    from commonground.evaluation import selectors, services
    from commonground.evaluation.models import Response

    form, _ = _setup_form(participants=int(rows * 1.5))
    values = _values(rows)
    questions = list(form.questions.order_by("position").values_list("pk", flat=True))
    started = time.perf_counter()
    with transaction.atomic():
        responses = Response.objects.bulk_create(
            [Response(form=form, channel=Response.Channel.IMPORT) for _ in range(rows)],
            batch_size=5_000,
        )
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO evaluation_answer (response_id, question_id, value, text) "
                "VALUES (%s, %s, %s, '')",
                [
                    (response.pk, questions[i], row[i])
                    for response, row in zip(responses, values, strict=True)
                    for i in range(ITEMS)
                ],
            )
        services.form_recount(form=form)
    loaded = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    ours = []
    for _ in range(repeats):
        began = time.perf_counter()
        result = selectors.form_results(form, write_ins=False)
        ours.append(time.perf_counter() - began)
    assert result.responses == rows and result.items[0].figures.n == rows

    frame = pd.DataFrame(values, columns=[f"item{i + 1}" for i in range(ITEMS)])

    def with_pandas() -> dict[str, Any]:
        out: dict[str, Any] = {}
        z = 1.959963984540054
        for column in frame.columns:
            series = frame[column].dropna()
            n = len(series)
            counts = series.value_counts().reindex([1, 2, 3, 4], fill_value=0)
            mean = series.mean()
            sd = series.std()
            half = scipy_stats.t.ppf(0.975, n - 1) * sd / np.sqrt(n)
            q1, median, q3 = series.quantile([0.25, 0.5, 0.75])
            shares = []
            for top in (counts[4], counts[3] + counts[4]):
                p = top / n
                centre = (p + z * z / (2 * n)) / (1 + z * z / n)
                width = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
                shares.append((p, centre - width, centre + width))
            out[column] = (counts.tolist(), mean, sd, mean - half, mean + half, q1, median, q3)
            out[column] += (shares, min(3, int((mean - 1) / 0.75)))
        out["lowest"] = (frame == 1).sum(axis=1).value_counts().to_dict()
        return out

    theirs = []
    for _ in range(repeats):
        began = time.perf_counter()
        figures = with_pandas()
        theirs.append(time.perf_counter() - began)
    # The same figures, to be sure both sides did the same work.
    first = result.items[0].figures
    assert list(first.counts) == figures["item1"][0]
    assert abs((first.mean or 0) - figures["item1"][1]) < 1e-9
    assert abs((first.ci_low or 0) - figures["item1"][3]) < 1e-9
    assert {k: v for k, v in figures["lowest"].items() if k} == result.lowest_use
    return {
        "database": connection.vendor,
        "loaded": loaded,
        "ours": statistics.median(ours),
        "pandas": statistics.median(theirs),
        "peak_mb": peak_mb(),
    }


def write_csv(path: Path, rows: int) -> None:
    values = _values(rows)
    organisations = ["Riverside Libraries", "Eastbrook Council", "Valleys Housing", ""]
    with path.open("w") as out:
        out.write(",".join([f"item{i + 1}" for i in range(ITEMS)] + ["organisation"]) + "\n")
        for number, row in enumerate(values):
            out.write(",".join(map(str, row)) + f",{organisations[number % 4]}\n")


def phase_import(csv_path: str, database_url: str) -> dict[str, Any]:
    django_fresh(database_url, name="commonground_bench_evaluation")
    from django.db import connection

    from commonground.evaluation import services

    form, user = _setup_form(participants=150_000)
    data = Path(csv_path).read_bytes()
    base_mb = peak_mb()
    started = time.perf_counter()
    batch = services.import_upload(form=form, by=user, file_name="big.csv", data=data)
    uploaded = time.perf_counter() - started
    services.import_check(batch=batch, mapping=batch.mapping)
    checked = time.perf_counter() - started
    services.import_accept(batch=batch, only_valid=False, by=user)
    # Without REDIS_URL the background task has run in this process by now, as on one machine.
    seconds = time.perf_counter() - started
    batch.refresh_from_db()
    assert form.responses.count() == batch.rows_imported
    return {
        "database": connection.vendor,
        "rows": batch.rows_imported,
        "upload": uploaded,
        "check": checked - uploaded,
        "store": seconds - checked,
        "seconds": seconds,
        "peak_mb": peak_mb(),
        "base_mb": base_mb,
        "mb": len(data) / 1e6,
    }


def phase_report(database_url: str, responses: int, quotes: int) -> dict[str, Any]:
    django_fresh(database_url, name="commonground_bench_evaluation")
    from decimal import Decimal

    from django.db import connection

    from commonground.evaluation import services
    from commonground.evaluation.models import Measure, Question
    from commonground.evaluation.texts import ANSWER, TextRef

    form, user = _setup_form(participants=100)
    programme = form.programme
    activities = [form.activities.get()] + [
        services.activity_save(
            programme=programme, title=f"Activity {n}", participants=100, cost=Decimal(1000 * n)
        )
        for n in range(2, 7)
    ]
    form.activities.set(activities)
    why = services.question_add(form=form, text="Why?", code="why", kind=Question.Kind.WRITE_IN)
    items = list(form.questions.filter(kind="likert"))
    rng = random.Random(5)
    words = "confident listened partners time manager residents plan network".split()
    answers = []
    for n in range(responses):
        values = {
            q.pk: rng.choices((1, 2, 3, 4), weights=CHANCES[i])[0] for i, q in enumerate(items)
        }
        text = " ".join(rng.choice(words) for _ in range(12)).capitalize() + "."
        submitted = services.response_submit(
            form=form,
            answers={**values, why.pk: text},
            activity=activities[n % len(activities)],
            organisation_name=f"Organisation {n % 23}",
        )
        answers.append(submitted.response.answers.get(question=why))
    codes = [services.code_add(programme=programme, name=f"Code {n}") for n in range(8)]
    objectives = [
        services.objective_add(programme=programme, text=f"Objective {n}") for n in range(4)
    ]
    codings = [
        services.coding_add(
            ref=TextRef(ANSWER, answer.pk), code=codes[n % 8], start=0, end=len(answer.text)
        )
        for n, answer in enumerate(answers[:quotes])
    ]
    measure = services.measure_add(programme=programme, kind=Measure.Kind.HOW_MUCH, name="Days")
    services.measure_value_add(measure=measure, period="2026", value=Decimal(12))
    indicator = services.indicator_add(
        programme=programme, name="Volunteering", baseline=Decimal(20)
    )
    for year in range(2020, 2027):
        services.indicator_value_add(
            indicator=indicator, period=str(year), value=Decimal(year - 2000)
        )
    for n, objective in enumerate(objectives):
        services.judgement_set(
            objective=objective,
            rating="largely_met",
            narrative="Because of the evidence.",
            items=items[:3],
            quotes=codings[n * 5 : n * 5 + 5],
            measures=[measure],
        )
    return {
        "database": connection.vendor,
        **time_report(programme),
        "activities": len(activities),
        "responses": responses,
        "quotes": len(codings),
    }


def phase_demo_report(database_url: str) -> dict[str, Any]:
    """The demo programme's report, as someone trying Common Ground first meets it."""
    django_fresh(database_url, name="commonground_bench_evaluation")
    from commonground.accounts import demo as accounts_demo
    from commonground.evaluation import demo as evaluation_demo
    from commonground.evaluation.models import Programme

    accounts_demo.load()
    evaluation_demo.load()
    return time_report(Programme.objects.get(title=evaluation_demo.TITLE))


def time_report(programme: Any) -> dict[str, Any]:
    """Draw ``programme``'s report as PDF and as DOCX the way their links do."""
    import pypdfium2

    from commonground.evaluation.views.outcomes import report_docx_bytes, report_pdf_bytes

    started = time.perf_counter()
    pdf = report_pdf_bytes(programme)
    drawn = time.perf_counter()
    docx = report_docx_bytes(programme)
    written = time.perf_counter()
    return {
        "seconds": drawn - started,
        "docx_seconds": written - drawn,
        "bytes": len(pdf),
        "docx_bytes": len(docx),
        "pages": len(pypdfium2.PdfDocument(pdf)),
    }


def run_phase(args: list[str]) -> dict[str, Any]:
    command = [sys.executable, __file__, *args]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        sys.exit(f"The phase {args} failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--database-url", default="", help="PostgreSQL; SQLite if empty.")
    parser.add_argument(
        "--only", choices=("statistics", "import", "report"), help="Run one phase alone."
    )
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--csv", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.phase == "statistics":
        print(json.dumps(phase_statistics(args.responses, args.database_url, args.repeats)))
        return
    if args.phase == "import":
        print(json.dumps(phase_import(args.csv, args.database_url)))
        return
    if args.phase == "report":
        print(json.dumps(phase_report(args.database_url, 500, 200)))
        return
    if args.phase == "demo-report":
        print(json.dumps(phase_demo_report(args.database_url)))
        return

    common = ["--database-url", args.database_url]
    report = Report(
        {
            "statistics": f"Evaluation: statistics of {args.responses:,} responses x {ITEMS} items",
            "import": f"Evaluation: import of {args.import_rows:,} rows",
            "report": "Evaluation: the report as PDF and Word",
        }.get(
            args.only or "",
            f"Evaluation: statistics of {args.responses:,} responses x {ITEMS} items; "
            f"import of {args.import_rows:,} rows; the report as PDF and Word",
        )
    )
    if args.only in (None, "statistics"):
        statistics_phase(report, args, common)
    if args.only in (None, "import"):
        import_phase(report, args, common)
    if args.only in (None, "report"):
        report_phase(report, common)
    report.finish()


def statistics_phase(report: Report, args: argparse.Namespace, common: list[str]) -> None:
    print("Statistics ...", flush=True)
    numbers = run_phase(
        ["--phase", "statistics", "--responses", str(args.responses)]
        + ["--repeats", str(args.repeats), *common]
    )
    report.figure("database", numbers["database"])
    report.figure("responses loaded in", f"{numbers['loaded']:.1f} s")
    report.figure("Common Ground item statistics", f"{numbers['ours'] * 1000:.0f} ms (median)")
    report.figure("pandas, same figures, in memory", f"{numbers['pandas'] * 1000:.0f} ms")
    ratio = numbers["ours"] / numbers["pandas"]
    report.figure("Common Ground / pandas", f"{ratio:.2f}x")
    report.target("item statistics under 1 s", numbers["ours"] < 1)
    report.target("item statistics within 2x of pandas", ratio <= 2)


def import_phase(report: Report, args: argparse.Namespace, common: list[str]) -> None:
    print("Import ...", flush=True)
    folder = Path(tempfile.mkdtemp(prefix="cg-bench-import-"))
    csv_path = folder / "responses.csv"
    write_csv(csv_path, args.import_rows)
    imported = run_phase(["--phase", "import", "--csv", str(csv_path), *common])
    report.figure(
        "import",
        f"{imported['rows']:,} rows ({imported['mb']:.1f} MB) in {imported['seconds']:.1f} s: "
        f"upload {imported['upload']:.1f} s, check {imported['check']:.1f} s, "
        f"store {imported['store']:.1f} s",
    )
    report.figure(
        "import peak memory",
        f"{imported['peak_mb']:.0f} MB (the process, {imported['base_mb']:.0f} MB before)",
    )
    report.target("import under 20 s", imported["seconds"] < 20)
    report.target("import peak memory under 500 MB", imported["peak_mb"] < 500)
    os.remove(csv_path)


def report_phase(report: Report, common: list[str]) -> None:
    for phase, what in (("demo-report", "the demo's report"), ("report", "a large report")):
        print(f"Report: {what} ...", flush=True)
        drawn = run_phase(["--phase", phase, *common])
        size = f"{drawn['pages']} pages, {drawn['bytes'] / 1e3:.0f} kB"
        if phase == "report":
            size = (
                f"{drawn['activities']} activities, {drawn['responses']} responses, "
                f"{drawn['quotes']} quotes: {size}"
            )
        report.figure(f"{what} as PDF", f"{drawn['seconds']:.1f} s ({size})")
        report.figure(
            f"{what} as Word",
            f"{drawn['docx_seconds']:.1f} s ({drawn['docx_bytes'] / 1e3:.0f} kB)",
        )
        report.target(f"{what}: PDF under 10 s", drawn["seconds"] < 10)
        report.target(f"{what}: Word under 10 s", drawn["docx_seconds"] < 10)


if __name__ == "__main__":
    main()
