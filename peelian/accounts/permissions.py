"""Who may manage accounts: administrators manage everyone; each user manages their own MFA."""

from __future__ import annotations

from typing import Any

from peelian.accounts.roles import ADMINISTRATOR
from peelian.core.permissions import Policy, has_role


class AccountsPolicy(Policy):
    def can(self, actor: Any, action: str, obj: Any = None) -> bool:
        if action in {"user.list", "user.create", "user.update", "user.roles", "mfa.reset"}:
            return has_role(actor, ADMINISTRATOR)
        if action in {"mfa.manage_own", "token.manage_own", "password.change_own"}:
            return bool(getattr(actor, "is_authenticated", False)) and (
                obj is None or obj.pk == actor.pk
            )
        return False


policy = AccountsPolicy()
