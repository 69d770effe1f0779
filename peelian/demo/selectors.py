"""Reads for the demo commands: the demo accounts with their password, and their current
sign-in codes. Only accounts marked as demo accounts are ever shown."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from peelian.audit.services import audit_log
from peelian.core.errors import NotFound, PermissionDenied
from peelian.demo.models import DemoAccount


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    full_name: str
    password: str


@dataclass(frozen=True)
class DemoCode:
    username: str
    code: str
    seconds_left: int
    note: str = ""


def demo_logins() -> list[DemoLogin]:
    rows = DemoAccount.objects.select_related("user").order_by("position", "id")
    return [
        DemoLogin(
            username=a.user.username,
            role=a.role,
            full_name=a.user.get_full_name(),
            password=a.password,
        )
        for a in rows
    ]


def totp_now(device: Any, now: float) -> DemoCode:
    """The code ``device.verify_token`` accepts at ``now``. django-otp refuses a code whose
    time step was already used (``last_t``); then, if the tolerance allows, the next step's
    code is accepted at once, and that is the one returned."""
    totp = TOTP(
        device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift
    )
    totp.time = now
    t = totp.t()
    seconds_left = int(device.step - ((now - device.t0) % device.step))
    note = ""
    if t <= device.last_t:
        wanted = device.last_t + 1
        if wanted - t <= device.tolerance:
            totp.time = now + (wanted - t) * device.step
            seconds_left += (wanted - t) * device.step
            note = _("the current code was already used; this is the next one")
        else:
            return DemoCode(
                username=device.user.username,
                code="",
                seconds_left=seconds_left,
                note=_("already used; wait for the next code"),
            )
    code = str(totp.token()).zfill(device.digits)
    return DemoCode(device.user.username, code, seconds_left, note)


def _demo_accounts(usernames: list[str] | None) -> list[DemoAccount]:
    """The demo accounts, or the named ones; refuses any name that is not a demo account,
    whether or not such a user exists."""
    accounts = list(DemoAccount.objects.select_related("user").order_by("position", "id"))
    if usernames:
        wanted = {u.strip().lower() for u in usernames}
        refused = sorted(wanted - {a.user.username.lower() for a in accounts})
        if refused:
            raise PermissionDenied(
                _(
                    "%(names)s: not a demo account. Codes are printed only for the demo "
                    "city's accounts (see `peelian demo logins`)."
                )
                % {"names": ", ".join(refused)},
                code="not_a_demo_account",
            )
        accounts = [a for a in accounts if a.user.username.lower() in wanted]
    if not accounts:
        raise NotFound(
            _("There are no demo accounts. Seed the demo city first: peelian demo up."),
            code="no_demo_accounts",
        )
    return accounts


def demo_codes(
    *, actor: Any, usernames: list[str] | None = None, now: float | None = None
) -> list[DemoCode]:
    """The current six-digit code of each demo account (or of the named ones).

    The command prints second factors, so it must never work for a real account: any name
    that is not a demo account is refused. Each call is recorded in the audit log.
    """
    accounts = _demo_accounts(usernames)
    when = time.time() if now is None else now
    out: list[DemoCode] = []
    for account in accounts:
        device = (
            TOTPDevice.objects.select_related("user")
            .filter(user=account.user, confirmed=True)
            .order_by("id")
            .first()
        )
        if device is None:
            out.append(DemoCode(account.user.username, "", 0, _("no authenticator enrolled")))
            continue
        out.append(totp_now(device, when))
    with transaction.atomic():
        audit_log(
            actor=actor,
            action="demo.codes.view",
            after={"usernames": [c.username for c in out]},
        )
    return out


def demo_recovery_codes(*, actor: Any, usernames: list[str] | None = None) -> dict[str, list[str]]:
    """The unused recovery codes of each demo account (or of the named ones); audited."""
    accounts = _demo_accounts(usernames)
    out: dict[str, list[str]] = {}
    for account in accounts:
        tokens = StaticToken.objects.filter(
            device__user=account.user, device__confirmed=True
        ).order_by("id")
        out[account.user.username] = [t.token for t in tokens]
    with transaction.atomic():
        audit_log(
            actor=actor,
            action="demo.codes.view",
            after={"usernames": list(out), "recovery": True},
        )
    return out
