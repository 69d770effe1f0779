"""The ``peelian`` console command: Django's manage.py with Peelian's settings by default.

``peelian worker`` is a short name for the background-task worker (django-tasks-db).
"""

from __future__ import annotations

import os
import sys

ALIASES = {"worker": ["db_worker"]}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.base")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and args[1] in ALIASES:
        args[1:2] = ALIASES[args[1]]
    args[0] = "peelian"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
