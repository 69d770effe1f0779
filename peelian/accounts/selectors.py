"""Reads of a user's own security state, for the "Your security" page."""

from __future__ import annotations

import datetime as dt

from django_otp.plugins.otp_static.models import StaticToken
from rest_framework.authtoken.models import Token

from peelian.accounts.models import User


def mfa_recovery_codes_remaining(*, user: User) -> int:
    """How many unused recovery codes the user has left."""
    remaining = StaticToken.objects.filter(
        device__user=user, device__name="recovery", device__confirmed=True
    ).count()
    return int(remaining)


def api_token_created_at(*, user: User) -> dt.datetime | None:
    """When the user's API token was made, or ``None`` if they have none. The key itself
    is shown once, when it is made, and never read back."""
    return Token.objects.filter(user=user).values_list("created", flat=True).first()
