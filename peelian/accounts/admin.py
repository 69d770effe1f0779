"""Users and roles in the Django admin. Every change goes through a service (which checks the
policy and writes the audit entry); the admin only collects input and shows results.

Roles are Django groups whose permissions come from the registry, and MFA devices and API
tokens belong to their users' own pages; their stock admin pages would write those tables
around the services, so they are taken out of the admin here.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from peelian.accounts import services
from peelian.accounts.models import User
from peelian.accounts.permissions import policy
from peelian.accounts.roles import ADMINISTRATOR, BY_SLUG, ROLES
from peelian.core.admin import ServiceModelAdmin
from peelian.core.errors import ApplicationError

ROLE_CHOICES = [(r.slug, r.title) for r in ROLES]


def _unregister(*models: Any) -> None:
    for model in models:
        if admin.site.is_registered(model):
            admin.site.unregister(model)


def _stock_admin_models() -> list[Any]:
    models: list[Any] = [Group, TOTPDevice, StaticDevice]
    try:
        from rest_framework.authtoken.models import TokenProxy
    except ImportError:  # pragma: no cover - DRF's authtoken is installed
        pass
    else:
        models.append(TokenProxy)
    return models


_unregister(*_stock_admin_models())


class RoleFilter(admin.SimpleListFilter):
    title = _("role")
    parameter_name = "role"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return ROLE_CHOICES

    def queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> QuerySet[User]:
        value = self.value()
        if value:
            return queryset.filter(groups__name=value)
        return queryset


class _PasswordPairMixin:
    """Two password fields that must match and pass the password rules."""

    def _check_password_pair(
        self, data: dict[str, Any], first: str, second: str, user: User
    ) -> None:
        one, two = data.get(first), data.get(second)
        if not one and not two:
            return
        if one != two:
            self.add_error(second, gettext("The two passwords differ."))  # type: ignore[attr-defined]
            return
        try:
            validate_password(one, user)
        except ValidationError as exc:
            self.add_error(first, exc)  # type: ignore[attr-defined]


class UserAddForm(_PasswordPairMixin, forms.ModelForm):
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=ROLE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Give it to the person by a safe channel; they sign in with it and then set up "
            "their authenticator app."
        ),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = User
        fields = ["username", "email", "first_name", "last_name", "preferred_language"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(gettext("That username is taken."), code="username_taken")
        return username

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        probe = User(
            username=data.get("username", ""),
            email=data.get("email", ""),
            first_name=data.get("first_name", ""),
            last_name=data.get("last_name", ""),
        )
        self._check_password_pair(data, "password1", "password2", probe)
        return data


class UserChangeForm(_PasswordPairMixin, forms.ModelForm):
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=ROLE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    new_password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to keep the current password."),
    )
    new_password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    # Set by UserAdmin.get_form: the administrator making the change.
    acting_user: Any = None

    class Meta:
        model = User
        fields = ["email", "first_name", "last_name", "preferred_language"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        if self.instance.pk:
            self.initial["roles"] = sorted(self.instance.groups.values_list("name", flat=True))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        own = self.acting_user is not None and self.acting_user.pk == self.instance.pk
        demoted = ADMINISTRATOR in self.initial.get("roles", []) and (
            ADMINISTRATOR not in data.get("roles", [])
        )
        if own and demoted:
            self.add_error("roles", gettext("You cannot remove your own administrator role."))
        if own and (data.get("new_password1") or data.get("new_password2")):
            self.add_error(
                "new_password1",
                gettext("Change your own password on “Your security”, with your current one."),
            )
            return data
        self._check_password_pair(data, "new_password1", "new_password2", self.instance)
        return data


@admin.register(User)
class UserAdmin(ServiceModelAdmin):
    list_display = [
        "username",
        "full_name",
        "email",
        "role_list",
        "mfa_enrolled",
        "is_active",
        "last_login",
    ]
    list_filter = [RoleFilter, "is_active"]
    search_fields = ["username", "email", "first_name", "last_name"]
    ordering = ["username"]
    actions = ["deactivate_users", "reactivate_users", "reset_mfa"]
    readonly_fields = ["username", "is_active", "last_login", "date_joined", "public_id"]

    add_fieldsets = [
        (None, {"fields": ["username", "email", "first_name", "last_name"]}),
        (_("Language"), {"fields": ["preferred_language"]}),
        (_("Roles"), {"fields": ["roles"]}),
        (_("Password"), {"fields": ["password1", "password2"]}),
    ]
    change_fieldsets = [
        (None, {"fields": ["username", "email", "first_name", "last_name"]}),
        (_("Language"), {"fields": ["preferred_language"]}),
        (_("Roles"), {"fields": ["roles"]}),
        (_("Set a new password"), {"fields": ["new_password1", "new_password2"]}),
        (_("Status"), {"fields": ["is_active", "last_login", "date_joined", "public_id"]}),
    ]

    # -- permissions: the accounts policy, not Django's per-model permissions --------------
    def has_module_permission(self, request: HttpRequest) -> bool:
        return policy.can(request.user, "user.list")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.can(request.user, "user.list")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return policy.can(request.user, "user.create")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.can(request.user, "user.update")

    # -- the list -----------------------------------------------------------------------------
    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        enrolled = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return (
            super()
            .get_queryset(request)
            .prefetch_related("groups")
            .annotate(_mfa_enrolled=Exists(enrolled))
        )

    @admin.display(description=_("name"), ordering="last_name")
    def full_name(self, obj: User) -> str:
        return obj.get_full_name()

    @admin.display(description=_("roles"))
    def role_list(self, obj: User) -> str:
        names = sorted(g.name for g in obj.groups.all())
        return ", ".join(str(BY_SLUG[n].title) if n in BY_SLUG else n for n in names)

    @admin.display(description=_("two-factor set up"), boolean=True)
    def mfa_enrolled(self, obj: User) -> bool:
        value = getattr(obj, "_mfa_enrolled", None)
        return services.mfa_is_enrolled(obj) if value is None else bool(value)

    # -- the forms ----------------------------------------------------------------------------
    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.change_fieldsets if obj is not None else self.add_fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj is not None else []

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        kwargs["form"] = UserChangeForm if obj is not None else UserAddForm
        kwargs["fields"] = None
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            form.acting_user = request.user
        return form

    # -- writes: every one through a service ---------------------------------------------------
    def create(self, request: HttpRequest, data: dict[str, Any]) -> Any:
        return services.user_create(
            actor=request.user,
            username=data["username"],
            email=data["email"],
            password=data["password1"],
            roles=list(data.get("roles", [])),
            first_name=data.get("first_name", ""),
            last_name=data.get("last_name", ""),
            preferred_language=data.get("preferred_language") or "en",
        )

    def update(self, request: HttpRequest, stored: Any, changed: dict[str, Any], form: Any) -> Any:
        data = form.cleaned_data
        services.user_update(
            actor=request.user,
            user=stored,
            email=data["email"],
            first_name=data.get("first_name", ""),
            last_name=data.get("last_name", ""),
            preferred_language=data.get("preferred_language") or "en",
        )
        roles = sorted(data.get("roles", []))
        if roles != sorted(stored.groups.values_list("name", flat=True)):
            services.user_set_roles(actor=request.user, user=stored, roles=roles)
        if data.get("new_password1"):
            services.user_set_password(
                actor=request.user, user=stored, password=data["new_password1"]
            )
        return User.objects.get(pk=stored.pk)

    def _each(
        self, request: HttpRequest, queryset: QuerySet[User], service: Any, done: str
    ) -> None:
        ok: list[str] = []
        for user in queryset:
            try:
                service(actor=request.user, user=user)
            except ApplicationError as exc:
                self.message_user(request, f"{user.username}: {exc.message}", messages.ERROR)
            else:
                ok.append(user.username)
        if ok:
            self.message_user(request, done % {"users": ", ".join(ok)}, messages.SUCCESS)

    @admin.action(description=_("Deactivate the selected users"))
    def deactivate_users(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._each(
            request,
            queryset,
            services.user_deactivate,
            gettext("Deactivated, and their API tokens revoked: %(users)s."),
        )

    @admin.action(description=_("Reactivate the selected users"))
    def reactivate_users(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._each(request, queryset, services.user_reactivate, gettext("Reactivated: %(users)s."))

    @admin.action(description=_("Reset MFA: remove the authenticator and recovery codes"))
    def reset_mfa(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._each(
            request,
            queryset,
            services.mfa_reset,
            gettext(
                "Two-factor sign-in reset for %(users)s; they set up an authenticator at "
                "their next sign-in."
            ),
        )
