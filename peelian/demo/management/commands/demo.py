"""``peelian demo up|logins|codes``: run the demo city locally and sign in to it."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from peelian.accounts.roles import BY_SLUG
from peelian.core.errors import ApplicationError
from peelian.demo.management.commands.seed import (
    run_seed,
    seed_argument,
    size_argument,
    write_summary,
)
from peelian.demo.selectors import demo_codes, demo_logins, demo_recovery_codes
from peelian.demo.services import latest_finished_run
from peelian.demo.tables import nonempty_data_tables

CLI_ACTOR = "system:cli"


def login_url(host: str = "127.0.0.1", port: int = 8000) -> str:
    try:
        path = reverse("accounts:login")
    except NoReverseMatch:
        path = "/staff/login/"
    return f"http://{host}:{port}{path}"


class Command(BaseCommand):
    help = _(
        "The demo city: 'up' migrates, seeds (once) and serves; 'logins' prints the demo "
        "accounts and their password; 'codes' prints their current sign-in codes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        up = sub.add_parser(
            "up", help=_("migrate, seed if the database is empty, print logins, serve")
        )
        up.add_argument("--size", type=size_argument, default="small")
        up.add_argument("--seed", type=seed_argument, default=42)
        up.add_argument("--host", default="127.0.0.1")
        up.add_argument("--port", type=int, default=8000)
        up.add_argument(
            "--no-serve", action="store_true", help=_("stop after seeding; do not run a server")
        )
        logins = sub.add_parser("logins", help=_("print the demo accounts and their password"))
        logins.add_argument("--host", default="127.0.0.1")
        logins.add_argument("--port", type=int, default=8000)
        codes = sub.add_parser(
            "codes", help=_("print the demo accounts' current six-digit sign-in codes")
        )
        codes.add_argument("usernames", nargs="*", metavar="USERNAME")
        codes.add_argument(
            "--recovery",
            action="store_true",
            help=_("print the unused recovery codes instead (each works once)"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        sub = options["subcommand"]
        try:
            if sub == "up":
                self.up(options)
            elif sub == "logins":
                self.logins(options["host"], options["port"])
            else:
                self.codes(options["usernames"], options["recovery"])
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc

    # -- up ---------------------------------------------------------------------------------
    def up(self, options: dict[str, Any]) -> None:
        verbosity = options["verbosity"]
        size, seed = options["size"], options["seed"]
        call_command("migrate", interactive=False, verbosity=max(0, verbosity - 1))
        run = latest_finished_run()
        if run is not None:
            self.stdout.write(
                _("Reusing the synthetic city (size %(size)s, seed %(seed)d) seeded on %(when)s.")
                % {"size": run.size, "seed": run.seed, "when": f"{run.finished_at:%Y-%m-%d %H:%M}"}
            )
            if (run.size, run.seed) != (size, seed):
                self.stdout.write(
                    _("(You asked for size %(size)s, seed %(seed)d.)")
                    % {"size": size, "seed": seed}
                )
            self.stdout.write(
                _(
                    "To rebuild it: delete var/peelian.sqlite3, or run "
                    "peelian seed --force --size %(size)s --seed %(seed)d"
                )
                % {"size": size, "seed": seed}
            )
        else:
            existing = nonempty_data_tables()
            if existing:
                raise CommandError(
                    _(
                        "The database has data but no finished demo city (%(tables)s). If it is "
                        "a demo database whose seeding stopped part-way, run: peelian seed "
                        "--force --size %(size)s --seed %(seed)d. Otherwise point DATABASE_URL "
                        "at an empty database."
                    )
                    % {
                        "tables": ", ".join(list(existing)[:5]),
                        "size": size,
                        "seed": seed,
                    }
                )
            result = run_seed(self, size=size, seed=seed, force=False, verbosity=verbosity)
            write_summary(self, result)
        self.stdout.write("")
        self.logins(options["host"], options["port"])
        if not options["no_serve"]:
            call_command("runserver", f"{options['host']}:{options['port']}", use_reloader=False)

    # -- logins -------------------------------------------------------------------------------
    def logins(self, host: str, port: int) -> None:
        rows = demo_logins()
        if not rows:
            raise CommandError(
                _("There are no demo accounts. Seed the demo city first: peelian demo up")
            )
        titles = [str(BY_SLUG[r.role].title) if r.role in BY_SLUG else r.role for r in rows]
        width_title = max(len(_("Role")), *(len(t) for t in titles))
        width_user = max(len(_("Username")), *(len(r.username) for r in rows))
        header = f"{_('Role'):<{width_title}}  {_('Username'):<{width_user}}  {_('Name')}"
        self.stdout.write(self.style.MIGRATE_HEADING(header.rstrip()))
        for title, row in zip(titles, rows, strict=True):
            self.stdout.write(
                f"{title:<{width_title}}  {row.username:<{width_user}}  {row.full_name}".rstrip()
            )
        passwords = sorted({r.password for r in rows})
        self.stdout.write("")
        self.stdout.write(_("Password (every demo account): %(pw)s") % {"pw": ", ".join(passwords)})
        self.stdout.write(_("Sign in at: %(url)s") % {"url": login_url(host, port)})
        self.stdout.write(
            _(
                "Each account has an authenticator enrolled. For its current six-digit code "
                "run: .venv/bin/peelian demo codes [USERNAME]"
            )
        )

    # -- codes ----------------------------------------------------------------------------------
    def codes(self, usernames: list[str], recovery: bool) -> None:
        if recovery:
            for username, tokens in demo_recovery_codes(
                actor=CLI_ACTOR, usernames=usernames
            ).items():
                # Outside the f-string: xgettext does not read inside f-strings.
                none_left = _("(none left)")
                self.stdout.write(f"{username:<14} {' '.join(tokens) or none_left}")
            return
        for code in demo_codes(actor=CLI_ACTOR, usernames=usernames):
            if code.code:
                line = _("%(user)-14s %(code)s  (%(secs)2d s left)") % {
                    "user": code.username,
                    "code": code.code,
                    "secs": code.seconds_left,
                }
            else:
                line = f"{code.username:<14} ------"
            if code.note:
                line += f"  {code.note}"
            self.stdout.write(line)
