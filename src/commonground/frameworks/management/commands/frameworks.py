from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonground.frameworks import services
from commonground.frameworks.content import FrameworkError, read_path, shipped


class Command(BaseCommand):
    help = (
        "Frameworks: 'frameworks load [FILE ...]' checks each framework file and stores it "
        "as a published version (the frameworks that come with Common Ground if none is "
        "named)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        loading = actions.add_parser("load", help="Check and store framework files.")
        loading.add_argument("files", nargs="*", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        failed = False
        for path in options["files"] or shipped():
            try:
                if not path.is_file():
                    raise FrameworkError([f"{path}: no such file"])
                loaded = services.framework_load(read_path(path))
            except FrameworkError as exc:
                failed = True
                self.stderr.write(f"{path}: not loaded; nothing was changed.")
                for problem in exc.problems:
                    self.stderr.write(f"  {problem}")
                continue
            self.stdout.write(str(loaded))
        if failed:
            raise CommandError("Fix the lines above and load again.")
