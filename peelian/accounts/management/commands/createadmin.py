"""``peelian createadmin --username U --email E``: the first administrator of an installation.

The password is asked for twice at the terminal, or read from the first line of standard
input with ``--password-stdin`` (for scripts: ``printf '%s\\n' "$PW" | peelian createadmin
... --password-stdin``); it is never a command-line argument, which other users of the
machine could read. The account is made by the same service as every other account, with
the actor ``system:cli``, so it is audited like any other.
"""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse
from django.utils.translation import gettext as _

from peelian.accounts.roles import ADMINISTRATOR
from peelian.accounts.services import user_create
from peelian.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Create an administrator account (two-factor sign-in is set up at first sign-in)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", required=True)
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the password from the first line of standard input.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = self._password(options["password_stdin"])
        try:
            user = user_create(
                actor="system:cli",
                username=options["username"],
                email=options["email"],
                password=password,
                roles=[ADMINISTRATOR],
                first_name=options["first_name"],
                last_name=options["last_name"],
                check_permission=False,
            )
        except ApplicationError as exc:
            details = [f"{name}: {' '.join(map(str, msgs))}" for name, msgs in exc.fields.items()]
            raise CommandError(" ".join([str(exc.message), *details]) + f" [{exc.code}]") from exc
        self.stdout.write(
            self.style.SUCCESS(
                _("Administrator %(username)s created.") % {"username": user.get_username()}
            )
        )
        self.stdout.write(
            _(
                "At the first sign-in, at %(url)s, they will set up an authenticator app "
                "(scan a QR code or type the setup key, then enter a code) and receive 10 "
                "recovery codes, shown once, to store somewhere safe."
            )
            % {"url": reverse("accounts:login")}
        )

    def _password(self, from_stdin: bool) -> str:
        if from_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError(_("No password on standard input."))
            return password
        if not sys.stdin.isatty():
            raise CommandError(
                _("No terminal to ask for the password: pass --password-stdin and pipe it in.")
            )
        first = getpass.getpass(_("Password: "))
        second = getpass.getpass(_("Password (again): "))
        if first != second:
            raise CommandError(_("The two passwords differ."))
        if not first:
            raise CommandError(_("The password is empty."))
        return first
