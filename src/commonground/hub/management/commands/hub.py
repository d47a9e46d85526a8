from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonground.hub import selectors, services


class Command(BaseCommand):
    help = (
        "Follow and harvest hubs: 'hub import-opml FILE [--sector NAME]', "
        "'hub harvest [--due | --all]', 'hub relate [--waiting]', 'hub export-opml'."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        importing = actions.add_parser("import-opml", help="Follow every feed in an OPML file.")
        importing.add_argument("file", type=Path)
        importing.add_argument(
            "--sector", default="", help="Put every source in this sector (made if new)."
        )
        harvesting = actions.add_parser("harvest", help="Fetch sources now.")
        which = harvesting.add_mutually_exclusive_group()
        which.add_argument("--due", action="store_true", help="Only sources due a check (default).")
        which.add_argument("--all", action="store_true", help="Every followed source.")
        harvesting.add_argument("--limit", type=int, default=100_000)
        relating = actions.add_parser(
            "relate",
            help="Find the same story and related items from other sectors for every item "
            "waiting (a harvest here does this itself; with workers, they do).",
        )
        relating.add_argument(
            "--waiting", action="store_true", help="Only say how many items are waiting."
        )
        actions.add_parser("export-opml", help="Write the followed sources as OPML to stdout.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "import-opml":
            self._import(options["file"], options["sector"])
        elif action == "harvest":
            self._harvest(every=options["all"], limit=options["limit"])
        elif action == "relate":
            self._relate(only_count=options["waiting"])
        else:
            sys.stdout.buffer.write(services.opml_export())

    def _import(self, path: Path, sector: str) -> None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Could not read {path}: {exc.strerror}.") from exc
        try:
            result = services.opml_import(data=data, by=None, sector=sector)
        except ValidationError as exc:
            raise CommandError(exc.messages[0]) from exc
        for url, reason in result.rejected:
            self.stderr.write(f"Skipped {url}: {reason}")
        self.stdout.write(
            f"Added {len(result.added)} sources; {result.already} were already followed; "
            f"{len(result.rejected)} skipped. Run 'commonground hub harvest' to fetch them."
        )

    def _bar(self, unit: str) -> ProgressBar | None:
        stream = self.stderr._out
        return ProgressBar(stream, unit) if getattr(stream, "isatty", lambda: False)() else None

    def _harvest(self, *, every: bool, limit: int) -> None:
        fetching, relating = self._bar("sources"), self._bar("items related")
        summary = services.harvest_due(
            limit=limit, every=every, progress=fetching, relating=relating
        )
        for bar in (fetching, relating):
            if bar:
                bar.finish()
        self.stdout.write(summary.line())

    def _relate(self, *, only_count: bool) -> None:
        if not only_count:
            bar = self._bar("items related")
            done = services.items_relate_pending(progress=bar)
            if bar:
                bar.finish()
            self.stdout.write(f"{done.related:,} items related in {done.seconds:.1f} s.")
        self.stdout.write(f"{selectors.items_waiting():,} items waiting to be related.")


class ProgressBar:
    """A one-line bar on a terminal: ``[#######.....] 120/400 sources``."""

    def __init__(self, stream: Any, unit: str, width: int = 30) -> None:
        self.stream = stream
        self.unit = unit
        self.width = width
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        filled = int(self.width * done / total) if total else self.width
        bar = f"[{'#' * filled}{'.' * (self.width - filled)}]"
        self.stream.write(f"\r{bar} {done:,}/{total:,} {self.unit}")
        self.stream.flush()
        self.shown = True

    def finish(self) -> None:
        if self.shown:  # a bar that never moved left no line to end
            self.stream.write("\n")
            self.stream.flush()
