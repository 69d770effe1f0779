"""Receivers for framework signals (not domain events): role sync after migrate, and the
audit entries for signing in and out, which Django and django-axes announce by signal."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from peelian.accounts.roles import ROLES
from peelian.core.registry import registry

SESSION_AUTH_AT = "peelian_auth_at"
SESSION_LAST_SEEN = "peelian_last_seen"


def sync_roles(using: str = "default", **kwargs: Any) -> None:
    """Make one group per role and give it exactly the permissions the registry grants."""
    for role in ROLES:
        group, _ = Group.objects.using(using).get_or_create(name=role.slug)
        wanted = registry.role_permissions.get(role.slug, set())
        perms = []
        for dotted in sorted(wanted):
            app_label, codename = dotted.split(".")
            perm = (
                Permission.objects.using(using)
                .filter(content_type__app_label=app_label, codename=codename)
                .first()
            )
            if perm is not None:
                perms.append(perm)
        group.permissions.set(perms)


@receiver(user_logged_in, dispatch_uid="peelian.accounts.logged_in")
def _on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    from peelian.audit.services import audit_log

    if request is not None and hasattr(request, "session"):
        now = timezone.now().timestamp()
        request.session[SESSION_AUTH_AT] = now
        request.session[SESSION_LAST_SEEN] = now
    with transaction.atomic():
        audit_log(actor=user, action="accounts.session.login", target=user)


@receiver(user_logged_out, dispatch_uid="peelian.accounts.logged_out")
def _on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    from peelian.audit.services import audit_log

    if user is None:
        return
    reason = getattr(request, "_peelian_logout_reason", "")
    action = "accounts.session.expire" if reason else "accounts.session.logout"
    with transaction.atomic():
        audit_log(
            actor=user, action=action, target=user, after={"reason": reason} if reason else None
        )


try:  # django-axes announces lockouts
    from axes.signals import user_locked_out

    @receiver(user_locked_out, dispatch_uid="peelian.accounts.locked_out")
    def _on_locked_out(sender: Any, request: Any, username: str | None = None, **kw: Any) -> None:
        from peelian.audit.services import audit_log

        with transaction.atomic():
            audit_log(
                actor=f"anonymous:{(username or '')[:100]}",
                action="accounts.session.locked_out",
                target_type="accounts.user",
                after={"username": username},
            )
except ImportError:  # pragma: no cover - axes is a hard dependency
    pass
