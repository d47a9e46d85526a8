from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonground.hub import services


class Command(BaseCommand):
    help = (
        "Follow and harvest hubs: 'hub import-opml FILE [--sector NAME]', "
        "'hub harvest [--due | --all]', 'hub export-opml'."
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
        actions.add_parser("export-opml", help="Write the followed sources as OPML to stdout.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "import-opml":
            self._import(options["file"], options["sector"])
        elif action == "harvest":
            self._harvest(every=options["all"], limit=options["limit"])
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

    def _harvest(self, *, every: bool, limit: int) -> None:
        stream = self.stderr._out
        bar = ProgressBar(stream) if getattr(stream, "isatty", lambda: False)() else None
        summary = services.harvest_due(limit=limit, every=every, progress=bar)
        if bar:
            bar.finish()
        self.stdout.write(summary.line())


class ProgressBar:
    """A one-line bar on a terminal: ``[#######.....] 120/400 sources``."""

    def __init__(self, stream: Any, width: int = 30) -> None:
        self.stream = stream
        self.width = width

    def __call__(self, done: int, total: int) -> None:
        filled = int(self.width * done / total) if total else self.width
        self.stream.write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {done}/{total} sources")
        self.stream.flush()

    def finish(self) -> None:
        self.stream.write("\n")
        self.stream.flush()
