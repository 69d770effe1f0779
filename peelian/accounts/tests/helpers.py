"""Helpers for the accounts tests: URLs, codes computed from a device's secret as a phone
would, and page checks."""

from __future__ import annotations

import re
import time
from typing import Any

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from peelian.audit.models import AuditEntry

LOGIN_URL = "/staff/login/"
MFA_URL = "/staff/mfa/"
ENROL_URL = "/staff/mfa/enrol/"
WORKSPACE_URL = "/staff/"
SECURITY_URL = "/staff/security/"


def totp_code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows for ``device`` now (or ``steps_ahead`` later,
    within the one step of tolerance the server allows)."""
    generator = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    generator.time = time.time() + steps_ahead * device.step
    return f"{generator.token():0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    """A well-formed code that is not the device's current one (nor the next step's)."""
    taken = {totp_code(device, steps_ahead=n) for n in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in taken)


def has_inline_code(html: str) -> bool:
    """Whether the page has an inline script or style, which the CSP would block."""
    return bool(
        re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
        or re.search(r"<style[\s>]", html)
        or re.search(r"\sstyle=", html)
        or re.search(r"\son[a-z]+=", html)
    )


def audit_actions(**filters: Any) -> list[str]:
    return list(AuditEntry.objects.filter(**filters).values_list("action", flat=True))
