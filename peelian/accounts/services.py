"""Every write to accounts: users, roles, MFA devices, recovery codes, API tokens."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from peelian.accounts.models import User
from peelian.accounts.permissions import policy
from peelian.accounts.roles import ROLE_SLUGS
from peelian.audit.services import audit_log
from peelian.core.errors import ApplicationError, validation_error_to_application_error

RECOVERY_CODE_COUNT = 10
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
        if password is not None:
            validate_password(password, user)
    except ValidationError as exc:
        raise validation_error_to_application_error(exc) from exc
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


# --- MFA ---------------------------------------------------------------------------------


def mfa_is_enrolled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


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
        "".join(secrets.choice(_CODE_ALPHABET) for _i in range(10))
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

    Recovery codes are single use (django-otp deletes a static token once it is used).
    Each attempt is audited, success or failure, in its own transaction so a failure is
    recorded even though the request fails.
    """
    token = (token or "").strip().replace(" ", "").replace("-", "").lower()
    matched = None
    if token:
        devices: list[Any] = [
            *TOTPDevice.objects.filter(user=user, confirmed=True),
            *StaticDevice.objects.filter(user=user, confirmed=True),
        ]
        for device in devices:
            ok, _reason = device.verify_is_allowed()
            if ok and device.verify_token(token):
                matched = device
                break
    with transaction.atomic():
        if matched is None:
            audit_log(actor=user, action="accounts.mfa.verify_failed", target=user)
        else:
            action = (
                "accounts.mfa.recovery_used"
                if isinstance(matched, StaticDevice)
                else "accounts.mfa.verify"
            )
            audit_log(actor=user, action=action, target=user)
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
