"""The shape every app's permission policy takes.

One policy object per app answers ``can(actor, action, obj)``. Services call ``require`` to
enforce; templates and serializers call ``can`` to decide what to show. Role checks come from
the user's groups; relationship checks (an investigator and *their* cases) live in each app's
policy, next to the data they depend on.
"""

from __future__ import annotations

import abc
from typing import Any

from django.utils.translation import gettext_lazy as _

from peelian.core.errors import NotFound, PermissionDenied


def roles_of(actor: Any) -> frozenset[str]:
    """The role slugs (group names) of an authenticated, active user; empty otherwise."""
    if actor is None or isinstance(actor, str) or not getattr(actor, "is_authenticated", False):
        return frozenset()
    if not actor.is_active:
        return frozenset()
    cached: frozenset[str] | None = getattr(actor, "_peelian_roles", None)
    if cached is None:
        cached = frozenset(actor.groups.values_list("name", flat=True))
        actor._peelian_roles = cached
    return cached


def has_role(actor: Any, *roles: str) -> bool:
    return bool(roles_of(actor) & set(roles))


class Policy(abc.ABC):
    """Subclass and implement ``can``. ``hide`` actions answer 'not found' when refused, so
    an error never reveals that a hidden object exists."""

    hide: frozenset[str] = frozenset()

    @abc.abstractmethod
    def can(self, actor: Any, action: str, obj: Any = None) -> bool:
        """May ``actor`` do ``action`` (on ``obj``)? Each app's policy answers."""

    def require(self, actor: Any, action: str, obj: Any = None) -> None:
        if self.can(actor, action, obj):
            return
        if action in self.hide:
            raise NotFound(_("Not found."))
        raise PermissionDenied(_("You do not have permission to do that."))
