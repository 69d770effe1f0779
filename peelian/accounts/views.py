"""Staff pages: sign-in in two steps (password, then the second factor), enrolment of an
authenticator, the workspace, and the user's own security settings. Thin: each write is one
service call."""

from __future__ import annotations

import base64
import io
import logging
from typing import Any

import django_otp
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import NoReverseMatch, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from peelian.accounts import selectors, services
from peelian.accounts.forms import (
    CodeForm,
    EnrolForm,
    PasswordChangeForm,
    SignInForm,
    add_application_error,
)
from peelian.accounts.roles import BY_SLUG
from peelian.core.errors import ApplicationError
from peelian.core.permissions import roles_of
from peelian.core.registry import registry

logger = logging.getLogger(__name__)


def _next_url(request: HttpRequest) -> str:
    """The page to return to after signing in, if it is on this site; empty otherwise."""
    target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _with_next(url_name: str, next_url: str) -> str:
    url = reverse(url_name)
    return f"{url}?{urlencode({REDIRECT_FIELD_NAME: next_url})}" if next_url else url


def _is_verified(request: HttpRequest) -> bool:
    is_verified = getattr(request.user, "is_verified", None)
    return bool(request.user.is_authenticated and is_verified and is_verified())


def _once(response: HttpResponse) -> HttpResponse:
    """A page showing a secret (recovery codes, an API token): never stored by a cache."""
    add_never_cache_headers(response)
    return response


def _mfa_login(request: HttpRequest, device: Any) -> None:
    """Mark the session as having passed the second factor, under a new session key."""
    django_otp.login(request, device)
    request.session.cycle_key()


# --- signing in --------------------------------------------------------------------------


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = _next_url(request)
    if _is_verified(request):
        return HttpResponseRedirect(next_url or reverse("accounts:workspace"))
    form = SignInForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        login(request, user)
        target = "accounts:mfa" if services.mfa_is_enrolled(user) else "accounts:enrol"
        return HttpResponseRedirect(_with_next(target, next_url))
    return render(
        request,
        "accounts/login.html",
        {"form": form, "next": next_url},
        status=400 if form.is_bound else 200,
    )


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def mfa_view(request: HttpRequest) -> HttpResponse:
    next_url = _next_url(request)
    if not request.user.is_authenticated:
        return HttpResponseRedirect(_with_next("accounts:login", next_url))
    if _is_verified(request):
        return HttpResponseRedirect(next_url or reverse("accounts:workspace"))
    if not services.mfa_is_enrolled(request.user):
        return HttpResponseRedirect(_with_next("accounts:enrol", next_url))
    form = CodeForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                device = services.mfa_verify(user=request.user, token=form.cleaned_data["code"])
            except ApplicationError as exc:
                add_application_error(form, exc, {"token": "code"})
                status = exc.status
            else:
                _mfa_login(request, device)
                if isinstance(device, StaticDevice):
                    left = selectors.mfa_recovery_codes_remaining(user=request.user)
                    messages.warning(
                        request,
                        ngettext(
                            "You signed in with a recovery code; it cannot be used again. "
                            "You have %(n)d recovery code left. Make new ones on "
                            "“Your security”.",
                            "You signed in with a recovery code; it cannot be used again. "
                            "You have %(n)d recovery codes left. Make new ones on "
                            "“Your security”.",
                            left,
                        )
                        % {"n": left},
                    )
                return HttpResponseRedirect(next_url or reverse("accounts:workspace"))
    return render(request, "accounts/mfa.html", {"form": form, "next": next_url}, status=status)


def _qr_data_uri(config_url: str) -> str:
    buffer = io.BytesIO()
    segno.make(config_url, error="m").save(
        buffer,
        kind="svg",
        scale=5,
        border=4,
        light="#fff",
        xmldecl=False,
        svgclass=None,
        lineclass=None,
    )
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _grouped_secret(device: TOTPDevice) -> str:
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def enrol_view(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator. Reached with a correct password only, before any second
    factor exists; once one is confirmed this page is closed (an administrator's "Reset
    MFA" opens it again)."""
    next_url = _next_url(request)
    if not request.user.is_authenticated:
        return HttpResponseRedirect(_with_next("accounts:login", next_url))
    if services.mfa_is_enrolled(request.user):
        if _is_verified(request):
            return HttpResponseRedirect(reverse("accounts:security"))
        return HttpResponseRedirect(_with_next("accounts:mfa", next_url))
    # Idempotent: the same pending authenticator until it is confirmed.
    device = services.mfa_totp_start(user=request.user)
    form = EnrolForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                codes = services.mfa_totp_confirm(
                    user=request.user, token=form.cleaned_data["code"]
                )
            except ApplicationError as exc:
                add_application_error(form, exc, {"token": "code"})
            else:
                device.refresh_from_db()
                _mfa_login(request, device)
                return _once(
                    render(
                        request,
                        "accounts/recovery_codes.html",
                        {
                            "codes": codes,
                            "first_time": True,
                            "continue_url": next_url or reverse("accounts:workspace"),
                        },
                    )
                )
    return _once(
        render(
            request,
            "accounts/enrol.html",
            {
                "form": form,
                "next": next_url,
                "qr_data_uri": _qr_data_uri(device.config_url),
                "secret": _grouped_secret(device),
                "issuer": getattr(settings, "OTP_TOTP_ISSUER", ""),
            },
            status=status,
        )
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    was_signed_in = request.user.is_authenticated
    logout(request)
    if was_signed_in:
        messages.info(request, _("You are signed out."))
    return HttpResponseRedirect(resolve_url(settings.LOGOUT_REDIRECT_URL))


# --- the workspace and the user's own security ----------------------------------------


@login_required
def workspace(request: HttpRequest) -> HttpResponse:
    roles = roles_of(request.user)
    links = []
    for link in registry.staff_links_for(roles):
        try:
            href = reverse(link.url_name)
        except NoReverseMatch:
            # One app's broken registration must not take the workspace down for everyone.
            logger.error("staff link %r does not resolve; it is left out", link.url_name)
            continue
        links.append({"href": href, "title": link.title, "description": link.description})
    role_list = [BY_SLUG[slug] for slug in sorted(roles) if slug in BY_SLUG]
    return render(request, "accounts/workspace.html", {"links": links, "roles": role_list})


def _security_page(
    request: HttpRequest, password_form: PasswordChangeForm | None = None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "accounts/security.html",
        {
            "recovery_left": selectors.mfa_recovery_codes_remaining(user=request.user),
            "token_created": selectors.api_token_created_at(user=request.user),
            "password_form": password_form or PasswordChangeForm(),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET"])
def security(request: HttpRequest) -> HttpResponse:
    return _security_page(request)


@login_required
@require_POST
def recovery_codes_regenerate(request: HttpRequest) -> HttpResponse:
    codes = services.mfa_recovery_codes_regenerate(actor=request.user, user=request.user)
    return _once(
        render(
            request,
            "accounts/recovery_codes.html",
            {"codes": codes, "first_time": False, "continue_url": reverse("accounts:security")},
        )
    )


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    token = services.api_token_create(actor=request.user, user=request.user)
    return _once(render(request, "accounts/token_created.html", {"token": token.key}))


@login_required
@require_POST
def token_revoke(request: HttpRequest) -> HttpResponse:
    services.api_token_revoke(actor=request.user, user=request.user)
    messages.success(request, _("Your API token is revoked; programs using it are refused."))
    return HttpResponseRedirect(reverse("accounts:security"))


@sensitive_post_parameters("current_password", "new_password", "new_password_again")
@login_required
@require_POST
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST)
    if form.is_valid():
        try:
            services.user_set_password(
                actor=request.user,
                user=request.user,
                password=form.cleaned_data["new_password"],
                current_password=form.cleaned_data["current_password"],
            )
        except ApplicationError as exc:
            add_application_error(form, exc, {"password": "new_password"})
        else:
            # Keep this session (and its second factor); other sessions are signed out.
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password is changed."))
            return HttpResponseRedirect(reverse("accounts:security"))
    return _security_page(request, password_form=form, status=400)
