"""The Django admin, for verified staff only.

``AccountsConfig.ready()`` turns the default ``admin.site`` into this class (see there why).
It answers like ``django_otp.admin.OTPAdminSite`` (staff *and* a passed second factor), but
it has no password form of its own: signing in goes through the staff sign-in and its MFA
step, and changing one's password through "Your security", which both audit.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin import AdminSite
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _


class PeelianAdminSite(AdminSite):
    site_header = _("Peelian administration")
    site_title = _("Peelian administration")
    index_title = _("Administration")
    site_url = reverse_lazy("accounts:workspace")

    def has_permission(self, request: HttpRequest) -> bool:
        is_verified = getattr(request.user, "is_verified", None)
        return bool(super().has_permission(request) and is_verified and is_verified())

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        if self.has_permission(request):
            return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
        if request.user.is_authenticated:
            # Signed in with both factors (the MFA middleware sees to that) but not an
            # administrator: sending them to sign in again would only loop.
            raise PermissionDenied
        target = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = reverse("admin:index", current_app=self.name)
        return HttpResponseRedirect(
            f"{reverse('accounts:login')}?{urlencode({REDIRECT_FIELD_NAME: target})}"
        )

    def password_change(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        return HttpResponseRedirect(reverse("accounts:security"))

    def password_change_done(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        return HttpResponseRedirect(reverse("accounts:security"))
