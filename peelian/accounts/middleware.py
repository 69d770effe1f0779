"""Session rules for staff: idle and absolute timeouts, and MFA before anything else."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.messages.storage import default_storage
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from peelian.accounts.signals import SESSION_AUTH_AT, SESSION_LAST_SEEN
from peelian.api.errors import error_body

# Paths a signed-in user may reach before passing MFA.
MFA_EXEMPT_PREFIXES = ("/static/", "/i18n/", "/favicon")
MFA_EXEMPT_URL_NAMES = {"accounts:login", "accounts:logout", "accounts:mfa", "accounts:enrol"}


class StaffSessionMiddleware:
    """End a session after ``PEELIAN_SESSION_IDLE_TIMEOUT`` without a request, and
    ``PEELIAN_SESSION_MAX_AGE`` after sign-in, whatever the activity."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = timezone.now().timestamp()
            auth_at = request.session.get(SESSION_AUTH_AT, now)
            last_seen = request.session.get(SESSION_LAST_SEEN, now)
            reason = ""
            if now - last_seen > settings.PEELIAN_SESSION_IDLE_TIMEOUT.total_seconds():
                reason = "idle"
            elif now - auth_at > settings.PEELIAN_SESSION_MAX_AGE.total_seconds():
                reason = "max_age"
            if reason:
                request._peelian_logout_reason = reason  # type: ignore[attr-defined]
                logout(request)
                message = (
                    _("You were signed out after %(m)d minutes without activity.")
                    % {"m": settings.PEELIAN_SESSION_IDLE_TIMEOUT.total_seconds() // 60}
                    if reason == "idle"
                    else _("You were signed out: a session lasts at most %(h)d hours.")
                    % {"h": settings.PEELIAN_SESSION_MAX_AGE.total_seconds() // 3600}
                )
                if request.path.startswith("/api/"):
                    return JsonResponse(error_body("session_expired", message), status=401)
                # MessageMiddleware runs after this one, so its storage is not there yet:
                # make it, and write it to the response ourselves, as that middleware would.
                storage = getattr(request, "_messages", None)
                if storage is None:
                    storage = default_storage(request)
                    request._messages = storage  # type: ignore[attr-defined]
                storage.add(messages.INFO, message)
                response = redirect(
                    f"{reverse('accounts:login')}?{urlencode({'next': request.get_full_path()})}"
                )
                storage.update(response)
                return response
            request.session.setdefault(SESSION_AUTH_AT, auth_at)
            request.session[SESSION_LAST_SEEN] = now
        return self.get_response(request)


class RequireMFAMiddleware:
    """Every account is staff; none may use a session until it passed the second factor."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(MFA_EXEMPT_PREFIXES)
            and not self._exempt(request)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    error_body("mfa_required", _("Complete two-factor sign-in first.")),
                    status=403,
                )
            from peelian.accounts.services import mfa_is_enrolled

            target = "accounts:mfa" if mfa_is_enrolled(user) else "accounts:enrol"
            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _exempt(request: HttpRequest) -> bool:
        from django.urls import Resolver404, resolve

        try:
            match = resolve(request.path_info)
        except Resolver404:
            return True  # the 404 page reveals nothing
        return match.view_name in MFA_EXEMPT_URL_NAMES
