"""The ``commonground`` command: every Django management command, plus four of our own."""

from __future__ import annotations

import os
import sys

OWN_COMMANDS = {
    "demo": "Start Common Ground on this machine with demonstration content, "
    "at http://127.0.0.1:8000, until Ctrl-C.",
    "serve": "Serve the site for production with gunicorn; choose the address with --bind.",
    "worker": "Run a Celery worker that carries out background tasks (needs REDIS_URL).",
    "scheduler": "Run the Celery beat scheduler that queues periodic tasks (needs REDIS_URL).",
    "hub": "Follow and harvest hubs: 'hub import-opml FILE [--sector NAME]', "
    "'hub harvest [--due | --all]', 'hub export-opml'.",
}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "commonground"
    # The demo turns DEBUG on, and settings are read once, so say so before they load.
    if len(argv) > 1 and argv[1] == "demo":
        os.environ["COMMONGROUND_DEMO"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commonground.settings")

    from django.core.management import execute_from_command_line

    if len(argv) == 1 or (len(argv) == 2 and argv[1] in {"-h", "--help", "help"}):
        print("Common Ground: a platform for people who do community engagement.\n")
        print("Usage: commonground COMMAND [options]   (commonground help COMMAND for details)\n")
        print("Common Ground's own commands:")
        for name, sentence in OWN_COMMANDS.items():
            print(f"  {name:<10} {sentence}")
        print("\nEvery Django management command also works, for example")
        print("  migrate    Bring the database up to date after installing or upgrading.")
        print("  createsuperuser, changepassword, check --deploy, dumpdata, shell.\n")
        execute_from_command_line([argv[0], "help", "--commands"])
        return
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
