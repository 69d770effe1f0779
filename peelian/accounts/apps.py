from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "peelian.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        from peelian.accounts import signals
        from peelian.accounts.roles import ADMINISTRATOR
        from peelian.core.registry import AuditAction, registry

        registry.register_audit_actions(
            AuditAction("accounts.user.create", _("Created a user")),
            AuditAction("accounts.user.update", _("Changed a user")),
            AuditAction("accounts.user.roles", _("Changed a user's roles")),
            AuditAction("accounts.user.deactivate", _("Deactivated a user")),
            AuditAction("accounts.user.password", _("Set a user's password")),
            AuditAction("accounts.session.login", _("Signed in")),
            AuditAction("accounts.session.logout", _("Signed out")),
            AuditAction("accounts.session.expire", _("Session ended by timeout")),
            AuditAction("accounts.session.locked_out", _("Sign-in locked out")),
            AuditAction("accounts.mfa.verify", _("Passed the second factor")),
            AuditAction("accounts.mfa.verify_failed", _("Failed the second factor")),
            AuditAction("accounts.mfa.enrol", _("Enrolled an authenticator")),
            AuditAction("accounts.mfa.recovery_used", _("Used a recovery code")),
            AuditAction("accounts.mfa.recovery_regenerate", _("Made new recovery codes")),
            AuditAction("accounts.mfa.reset", _("Removed a user's authenticators")),
            AuditAction("accounts.token.create", _("Created an API token")),
            AuditAction("accounts.token.revoke", _("Revoked an API token")),
        )
        registry.grant(
            ADMINISTRATOR,
            "accounts.view_user",
            "accounts.add_user",
            "accounts.change_user",
            "audit.view_auditentry",
        )
        post_migrate.connect(signals.sync_roles, dispatch_uid="peelian.accounts.sync_roles")
