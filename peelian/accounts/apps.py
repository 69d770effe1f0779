from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "peelian.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        from django.contrib import admin

        from peelian.accounts import signals
        from peelian.accounts.roles import ADMINISTRATOR
        from peelian.accounts.sites import PeelianAdminSite
        from peelian.core.registry import AuditAction, StaffLink, registry

        registry.register_audit_actions(
            AuditAction("accounts.user.create", _("Created a user")),
            AuditAction("accounts.user.update", _("Changed a user")),
            AuditAction("accounts.user.roles", _("Changed a user's roles")),
            AuditAction("accounts.user.deactivate", _("Deactivated a user")),
            AuditAction("accounts.user.reactivate", _("Reactivated a user")),
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
        admins = frozenset({ADMINISTRATOR})
        for link in (
            StaffLink(
                "accounts:security",
                _("Your security"),
                description=_("Your password, recovery codes and API token."),
                order=900,
            ),
            StaffLink(
                "admin:accounts_user_changelist",
                _("Users and roles"),
                roles=admins,
                description=_("Create accounts, give roles, deactivate, reset two-factor."),
                order=910,
            ),
            StaffLink(
                "admin:audit_auditentry_changelist",
                _("Audit log"),
                roles=admins,
                description=_("Every privileged action, in a tamper-evident chain."),
                order=920,
            ),
        ):
            registry.register_staff_link(link)

        # The admin must refuse sessions that have not passed the second factor, and must
        # not offer its own password-only sign-in. Django's documented way is a custom
        # AdminConfig with ``default_site`` (an INSTALLED_APPS edit); instead the one
        # default site instance, which every app has already registered its models with,
        # becomes a PeelianAdminSite: a real subclass, so isinstance() and super() hold.
        # (``admin.site`` is a LazyObject; assigning __class__ goes to the wrapped site.)
        if not isinstance(admin.site, PeelianAdminSite):
            admin.site.__class__ = PeelianAdminSite

        post_migrate.connect(signals.sync_roles, dispatch_uid="peelian.accounts.sync_roles")

        # The synthetic city's demo accounts: peelian/accounts/demo.py.
        from peelian.core.registry import DemoContribution
        from peelian.demo.lazy import lazy_build

        registry.register_demo(
            DemoContribution(
                name="accounts",
                order=20,
                build=lazy_build("peelian.accounts.demo.build"),
                description=_("One demo account per role, with an enrolled authenticator"),
                weight=2.0,
            )
        )
