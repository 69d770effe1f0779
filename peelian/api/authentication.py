"""API authentication: the browser session (with CSRF, MFA-verified) or a token."""

from __future__ import annotations

from typing import Any

from rest_framework import authentication


class SessionAuthentication(authentication.SessionAuthentication):
    """Session auth that only counts a session which has passed the second factor."""

    def authenticate(self, request: Any) -> tuple[Any, None] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        user = result[0]
        is_verified = getattr(user, "is_verified", None)
        if is_verified is not None and not is_verified():
            return None
        return result


class TokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>``; tokens are made in the staff workspace after MFA."""

    keyword = "Token"
