"""The ``commonground`` command: every Django management command, ours listed first."""

from __future__ import annotations

import os
import sys


def own_commands() -> list[tuple[str, str]]:
    """Our commands, from the project and from each part's app, with their help."""
    from django.core.management import get_commands, load_command_class

    found = sorted(
        (name, app)
        for name, app in get_commands().items()
        if app == "commonground" or app.startswith("commonground.")
    )
    return [(name, str(load_command_class(app, name).help)) for name, app in found]


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "commonground"
    # The demo turns DEBUG on, and settings are read once, so say so before they load.
    if len(argv) > 1 and argv[1] == "demo":
        os.environ["COMMONGROUND_DEMO"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commonground.settings")

    import django
    from django.core.management import execute_from_command_line

    if len(argv) == 1 or (len(argv) == 2 and argv[1] in {"-h", "--help", "help"}):
        django.setup()
        print("Common Ground: a platform for people who do community engagement.\n")
        print("Usage: commonground COMMAND [options]   (commonground help COMMAND for details)\n")
        print("Common Ground's own commands:")
        for name, sentence in own_commands():
            print(f"  {name:<10} {sentence}")
        print("\nEvery Django management command also works, for example")
        print("  migrate    Bring the database up to date after installing or upgrading.")
        print("  createsuperuser, changepassword, check --deploy, dumpdata, shell.\n")
        execute_from_command_line([argv[0], "help", "--commands"])
        return
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
