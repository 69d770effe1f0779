"""Every write to accounts: users, roles, MFA devices, recovery codes, API tokens."""

from __future__ import annotations

import datetime as dt
import math
import secrets
from typing import Any

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from peelian.accounts.models import User
from peelian.accounts.permissions import policy
from peelian.accounts.roles import ROLE_SLUGS
from peelian.audit.services import audit_log, snapshot
from peelian.core.errors import ApplicationError, validation_error_to_application_error

RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_LENGTH = 10
# Unambiguous alphabet for codes people copy by hand (no 0/O, 1/l/I).
_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def _check_roles(roles: list[str] | set[str]) -> list[str]:
    unknown = sorted(set(roles) - ROLE_SLUGS)
    if unknown:
        raise ApplicationError(
            _("Unknown role: %(roles)s.") % {"roles": ", ".join(unknown)},
            code="unknown_role",
            fields={"roles": [_("Unknown role: %(r)s.") % {"r": r} for r in unknown]},
        )
    return sorted(set(roles))


def _check_password_strength(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError(
            exc.messages[0], code="weak_password", fields={"password": list(exc.messages)}
        ) from exc


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    email: str,
    password: str | None,
    roles: list[str],
    first_name: str = "",
    last_name: str = "",
    preferred_language: str = "en",
    check_permission: bool = True,
) -> User:
    """Create a staff account with roles. ``password=None`` makes an unusable password
    (the user sets one through a reset link)."""
    if check_permission:
        policy.require(actor, "user.create")
    roles = _check_roles(roles)
    if User.objects.filter(username__iexact=username).exists():
        raise ApplicationError(
            _("That username is taken."),
            code="username_taken",
            fields={"username": [_("That username is taken.")]},
        )
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        preferred_language=preferred_language,
        is_staff=False,
    )
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        raise validation_error_to_application_error(exc) from exc
    if password is not None:
        _check_password_strength(password, user)
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.is_staff = "administrator" in roles  # Django admin access
    user.save()
    user.groups.set(Group.objects.filter(name__in=roles))
    audit_log(
        actor=actor,
        action="accounts.user.create",
        target=user,
        after={"username": username, "roles": roles},
    )
    return user


@transaction.atomic
def user_set_roles(*, actor: Any, user: User, roles: list[str]) -> User:
    policy.require(actor, "user.roles")
    roles = _check_roles(roles)
    before = sorted(user.groups.values_list("name", flat=True))
    if actor.pk == user.pk and "administrator" in before and "administrator" not in roles:
        raise ApplicationError(
            _("You cannot remove your own administrator role."), code="self_demotion"
        )
    user.groups.set(Group.objects.filter(name__in=roles))
    user.is_staff = "administrator" in roles
    user.save(update_fields=["is_staff"])
    user.__dict__.pop("_peelian_roles", None)
    audit_log(
        actor=actor,
        action="accounts.user.roles",
        target=user,
        before={"roles": before},
        after={"roles": roles},
    )
    return user


@transaction.atomic
def user_deactivate(*, actor: Any, user: User) -> User:
    policy.require(actor, "user.update")
    if actor.pk == user.pk:
        raise ApplicationError(_("You cannot deactivate your own account."), code="self_deactivate")
    user.is_active = False
    user.save(update_fields=["is_active"])
    Token.objects.filter(user=user).delete()
    audit_log(
        actor=actor,
        action="accounts.user.deactivate",
        target=user,
        before={"is_active": True},
        after={"is_active": False},
    )
    return user


@transaction.atomic
def user_reactivate(*, actor: Any, user: User) -> User:
    policy.require(actor, "user.update")
    if user.is_active:
        return user
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit_log(
        actor=actor,
        action="accounts.user.reactivate",
        target=user,
        before={"is_active": False},
        after={"is_active": True},
    )
    return user


_PROFILE_FIELDS = ("email", "first_name", "last_name", "preferred_language")


@transaction.atomic
def user_update(
    *,
    actor: Any,
    user: User,
    email: str,
    first_name: str,
    last_name: str,
    preferred_language: str,
) -> User:
    """Change a user's profile (not their username, roles, password or status)."""
    policy.require(actor, "user.update")
    before = snapshot(user, _PROFILE_FIELDS)
    user.email = email
    user.first_name = first_name
    user.last_name = last_name
    user.preferred_language = preferred_language
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        raise validation_error_to_application_error(exc) from exc
    after = snapshot(user, _PROFILE_FIELDS)
    changed = [name for name in _PROFILE_FIELDS if before[name] != after[name]]
    if not changed:
        return user
    user.save(update_fields=changed)
    audit_log(
        actor=actor,
        action="accounts.user.update",
        target=user,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
    )
    return user


@transaction.atomic
def user_set_password(
    *, actor: Any, user: User, password: str, current_password: str | None = None
) -> User:
    """Set a password. Users changing their own must give the current one; administrators
    may set anyone else's. The audit entry never holds either password."""
    own = not isinstance(actor, str) and getattr(actor, "pk", None) == user.pk
    if own:
        policy.require(actor, "password.change_own", user)
        if not user.check_password(current_password or ""):
            raise ApplicationError(
                _("Your current password is not right."),
                code="wrong_password",
                fields={"current_password": [_("Your current password is not right.")]},
            )
    else:
        policy.require(actor, "user.update")
    _check_password_strength(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_log(actor=actor, action="accounts.user.password", target=user, after={"own": own})
    return user


# --- MFA ---------------------------------------------------------------------------------


def mfa_is_enrolled(user: User) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


@transaction.atomic
def mfa_totp_start(*, user: User) -> TOTPDevice:
    """Begin enrolment: an unconfirmed authenticator whose secret is shown once as a QR code."""
    if mfa_is_enrolled(user):
        raise ApplicationError(_("An authenticator is already enrolled."), code="mfa_enrolled")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def _new_recovery_codes(user: User) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name="recovery", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [
        "".join(secrets.choice(_CODE_ALPHABET) for _i in range(RECOVERY_CODE_LENGTH))
        for _j in range(RECOVERY_CODE_COUNT)
    ]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


@transaction.atomic
def mfa_totp_confirm(*, user: User, token: str) -> list[str]:
    """Finish enrolment with a code from the app; return fresh recovery codes (shown once)."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None:
        raise ApplicationError(_("Start enrolment first."), code="mfa_not_started")
    token = (token or "").strip().replace(" ", "")
    if not token.isdigit() or not device.verify_token(token):
        raise ApplicationError(
            _("That code is not right. Check your phone's clock and try the newest code."),
            code="mfa_bad_token",
            fields={"token": [_("That code is not right.")]},
        )
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    audit_log(actor=user, action="accounts.mfa.enrol", target=user)
    return codes


@transaction.atomic
def mfa_recovery_codes_regenerate(*, actor: Any, user: User) -> list[str]:
    policy.require(actor, "mfa.manage_own", user)
    codes = _new_recovery_codes(user)
    audit_log(actor=actor, action="accounts.mfa.recovery_regenerate", target=user)
    return codes


@transaction.atomic
def mfa_reset(*, actor: Any, user: User) -> None:
    """An administrator removes a user's authenticators (lost phone); they re-enrol."""
    policy.require(actor, "mfa.reset")
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit_log(actor=actor, action="accounts.mfa.reset", target=user)


def mfa_verify(*, user: User, token: str) -> Any:
    """Check a TOTP code or a recovery code. Returns the device that matched, or raises.

    A code as long as a recovery code is checked against the recovery codes only, anything
    else against the authenticator only, so a mistyped code of one kind never slows down
    (django-otp throttles each device after a failure: 1, 2, 4, 8 ... seconds) the other.
    Recovery codes are single use (django-otp deletes a static token once it is used).
    Each attempt is audited, success or failure, in its own transaction so a failure is
    recorded even though the request fails.
    """
    token = (token or "").strip().replace(" ", "").replace("-", "").lower()
    recovery = len(token) == RECOVERY_CODE_LENGTH
    model: type[TOTPDevice] | type[StaticDevice] = StaticDevice if recovery else TOTPDevice
    matched: Any = None
    locked_until: dt.datetime | None = None
    if token:
        with transaction.atomic():
            # The row lock makes a recovery code or a TOTP step usable by one request only.
            devices: list[Any] = list(
                model.objects.select_for_update().filter(user=user, confirmed=True)
            )
            for device in devices:
                allowed, info = device.verify_is_allowed()
                if not allowed:
                    until = (info or {}).get("locked_until")
                    if until is not None and (locked_until is None or until > locked_until):
                        locked_until = until
                    continue
                if device.verify_token(token):
                    matched = device
                    break
    kind = "recovery" if recovery else "totp"
    with transaction.atomic():
        if matched is None:
            audit_log(
                actor=user,
                action="accounts.mfa.verify_failed",
                target=user,
                after={"kind": kind, "throttled": locked_until is not None},
            )
        else:
            action = "accounts.mfa.recovery_used" if recovery else "accounts.mfa.verify"
            audit_log(actor=user, action=action, target=user)
    if matched is None and locked_until is not None:
        wait = max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
        message = _("Too many wrong codes. Wait %(s)d seconds, then try again.") % {"s": wait}
        raise ApplicationError(
            message, code="mfa_throttled", status=429, fields={"token": [message]}
        )
    if matched is None:
        raise ApplicationError(
            _("That code is not right."),
            code="mfa_bad_token",
            fields={"token": [_("That code is not right.")]},
        )
    return matched


# --- API tokens ----------------------------------------------------------------------------


@transaction.atomic
def api_token_create(*, actor: Any, user: User) -> Token:
    policy.require(actor, "token.manage_own", user)
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    audit_log(actor=actor, action="accounts.token.create", target=user)
    return token


@transaction.atomic
def api_token_revoke(*, actor: Any, user: User) -> None:
    policy.require(actor, "token.manage_own", user)
    Token.objects.filter(user=user).delete()
    audit_log(actor=actor, action="accounts.token.revoke", target=user)
