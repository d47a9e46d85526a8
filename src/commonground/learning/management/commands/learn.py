from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonground.learning import services
from commonground.learning.content import ContentError, read_folder
from commonground.learning.demo import COURSES


class Command(BaseCommand):
    help = (
        "Courses for Learn: 'learn load [FOLDER ...]' checks each course folder and stores "
        "it (the courses that come with Common Ground if none is named)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        loading = actions.add_parser("load", help="Check and store course folders.")
        loading.add_argument("folders", nargs="*", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        folders = options["folders"] or sorted(p for p in COURSES.iterdir() if p.is_dir())
        failed = False
        for folder in folders:
            try:
                loaded = services.course_load(read_folder(folder))
            except ContentError as exc:
                failed = True
                self.stderr.write(f"{folder}: not loaded; nothing was changed.")
                for problem in exc.problems:
                    self.stderr.write(f"  {problem}")
                continue
            self.stdout.write(str(loaded))
        if failed:
            raise CommandError("Fix the lines above and load again.")
