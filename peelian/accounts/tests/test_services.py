"""Business rules of the accounts services, called directly."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from peelian.accounts import selectors, services
from peelian.accounts.models import User
from peelian.accounts.roles import ADMINISTRATOR, ANALYST, INVESTIGATOR
from peelian.accounts.tests.helpers import totp_code, wrong_code
from peelian.audit.models import AuditEntry
from peelian.conftest import TEST_PASSWORD
from peelian.core.errors import ApplicationError, PermissionDenied

STRONG = "a long enough passphrase 42"


def _counts() -> tuple[int, int]:
    return User.objects.count(), AuditEntry.objects.count()


# --- user_create -----------------------------------------------------------------------------


def test_create_writes_user_roles_and_audit(make_user):
    admin = make_user(ADMINISTRATOR)
    user = services.user_create(
        actor=admin,
        username="casey",
        email="casey@example.org",
        password=STRONG,
        roles=[ANALYST, INVESTIGATOR],
    )
    assert set(user.groups.values_list("name", flat=True)) == {ANALYST, INVESTIGATOR}
    assert user.check_password(STRONG)
    assert not user.is_staff  # only administrators reach the Django admin
    entry = AuditEntry.objects.get(action="accounts.user.create", target_id=str(user.public_id))
    assert entry.actor_id == admin.pk
    assert entry.after == {"username": "casey", "roles": [ANALYST, INVESTIGATOR]}


def test_create_administrator_is_staff(make_user):
    user = make_user(ADMINISTRATOR)
    assert user.is_staff
    assert not user.is_superuser


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"username": "TAKEN"}, "username_taken", "username"),
        ({"password": "short"}, "weak_password", "password"),
        ({"password": "123456789012345"}, "weak_password", "password"),
        ({"password": "password1234"}, "weak_password", "password"),
        ({"roles": ["analyst", "sheriff"]}, "unknown_role", "roles"),
        ({"email": "not an address"}, "invalid", "email"),
        ({"username": "has space!"}, "invalid", "username"),
    ],
)
def test_create_refuses_bad_input_and_writes_nothing(make_user, changes, code, field):
    admin = make_user(ADMINISTRATOR)
    make_user(username="taken")
    before = _counts()
    arguments = {
        "actor": admin,
        "username": "newcomer",
        "email": "newcomer@example.org",
        "password": STRONG,
        "roles": [ANALYST],
        **changes,
    }
    with pytest.raises(ApplicationError) as caught:
        services.user_create(**arguments)
    assert caught.value.code == code
    assert field in caught.value.fields
    assert _counts() == before


def test_create_needs_an_administrator(make_user):
    analyst = make_user(ANALYST)
    before = _counts()
    with pytest.raises(PermissionDenied):
        services.user_create(
            actor=analyst, username="x1", email="x1@example.org", password=STRONG, roles=[]
        )
    with pytest.raises(PermissionDenied):
        services.user_create(
            actor="system:cron", username="x2", email="x2@example.org", password=STRONG, roles=[]
        )
    assert _counts() == before


# --- roles, profile, status, password ----------------------------------------------------------


def test_set_roles_audits_before_and_after(make_user):
    admin = make_user(ADMINISTRATOR)
    user = make_user(ANALYST)
    services.user_set_roles(actor=admin, user=user, roles=[INVESTIGATOR, ADMINISTRATOR])
    user.refresh_from_db()
    assert set(user.groups.values_list("name", flat=True)) == {INVESTIGATOR, ADMINISTRATOR}
    assert user.is_staff
    entry = AuditEntry.objects.get(action="accounts.user.roles")
    assert entry.actor_id == admin.pk
    assert entry.before == {"roles": [ANALYST]}
    assert entry.after == {"roles": [ADMINISTRATOR, INVESTIGATOR]}


def test_set_roles_refuses_non_administrators(make_user):
    analyst = make_user(ANALYST)
    other = make_user(INVESTIGATOR)
    with pytest.raises(PermissionDenied):
        services.user_set_roles(actor=analyst, user=other, roles=[ADMINISTRATOR])
    with pytest.raises(PermissionDenied):
        services.user_set_roles(actor=analyst, user=analyst, roles=[ADMINISTRATOR])
    assert list(other.groups.values_list("name", flat=True)) == [INVESTIGATOR]
    assert not AuditEntry.objects.filter(action="accounts.user.roles").exists()


def test_set_roles_refuses_self_demotion(make_user):
    admin = make_user(ADMINISTRATOR)
    with pytest.raises(ApplicationError) as caught:
        services.user_set_roles(actor=admin, user=admin, roles=[ANALYST])
    assert caught.value.code == "self_demotion"
    assert list(admin.groups.values_list("name", flat=True)) == [ADMINISTRATOR]
    # Adding a role to oneself while keeping administrator is fine.
    services.user_set_roles(actor=admin, user=admin, roles=[ADMINISTRATOR, ANALYST])


def test_set_roles_refuses_unknown_role(make_user):
    admin = make_user(ADMINISTRATOR)
    user = make_user(ANALYST)
    with pytest.raises(ApplicationError) as caught:
        services.user_set_roles(actor=admin, user=user, roles=["sheriff"])
    assert caught.value.code == "unknown_role"
    assert list(user.groups.values_list("name", flat=True)) == [ANALYST]


def test_update_audits_changed_fields_only(make_user):
    admin = make_user(ADMINISTRATOR)
    user = make_user(ANALYST, first_name="Ana")
    services.user_update(
        actor=admin,
        user=user,
        email=user.email,
        first_name="Anna",
        last_name="",
        preferred_language="es",
    )
    entry = AuditEntry.objects.get(action="accounts.user.update")
    assert entry.before == {"first_name": "Ana", "preferred_language": "en"}
    assert entry.after == {"first_name": "Anna", "preferred_language": "es"}
    # No change, no entry.
    services.user_update(
        actor=admin,
        user=user,
        email=user.email,
        first_name="Anna",
        last_name="",
        preferred_language="es",
    )
    assert AuditEntry.objects.filter(action="accounts.user.update").count() == 1


def test_update_refuses_bad_email_and_non_admins(make_user):
    admin = make_user(ADMINISTRATOR)
    user = make_user(ANALYST)
    with pytest.raises(ApplicationError) as caught:
        services.user_update(
            actor=admin,
            user=user,
            email="nope",
            first_name="",
            last_name="",
            preferred_language="en",
        )
    assert caught.value.fields.keys() == {"email"}
    with pytest.raises(PermissionDenied):
        services.user_update(
            actor=user,
            user=user,
            email="me@example.org",
            first_name="",
            last_name="",
            preferred_language="en",
        )
    user.refresh_from_db()
    assert user.email != "me@example.org"


def test_deactivate_and_reactivate(make_user):
    admin = make_user(ADMINISTRATOR)
    user = make_user(ANALYST)
    Token.objects.create(user=user)
    services.user_deactivate(actor=admin, user=user)
    user.refresh_from_db()
    assert not user.is_active
    assert not Token.objects.filter(user=user).exists()
    services.user_reactivate(actor=admin, user=user)
    user.refresh_from_db()
    assert user.is_active
    assert [e.action for e in AuditEntry.objects.filter(target_id=str(user.public_id))][-2:] == [
        "accounts.user.deactivate",
        "accounts.user.reactivate",
    ]


def test_deactivate_refuses_self_and_non_admins(make_user):
    admin = make_user(ADMINISTRATOR)
    analyst = make_user(ANALYST)
    with pytest.raises(ApplicationError) as caught:
        services.user_deactivate(actor=admin, user=admin)
    assert caught.value.code == "self_deactivate"
    with pytest.raises(PermissionDenied):
        services.user_deactivate(actor=analyst, user=admin)
    admin.refresh_from_db()
    assert admin.is_active


def test_own_password_needs_the_current_one(make_user):
    user = make_user(ANALYST)
    with pytest.raises(ApplicationError) as caught:
        services.user_set_password(
            actor=user, user=user, password=STRONG, current_password="wrong one"
        )
    assert caught.value.code == "wrong_password"
    with pytest.raises(ApplicationError) as caught:
        services.user_set_password(
            actor=user, user=user, password="short", current_password=TEST_PASSWORD
        )
    assert caught.value.code == "weak_password"
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)
    services.user_set_password(
        actor=user, user=user, password=STRONG, current_password=TEST_PASSWORD
    )
    user.refresh_from_db()
    assert user.check_password(STRONG)
    entry = AuditEntry.objects.get(action="accounts.user.password")
    assert entry.after == {"own": True}
    assert STRONG not in str(entry.before) + str(entry.after)


def test_only_administrators_set_other_peoples_passwords(make_user):
    admin = make_user(ADMINISTRATOR)
    user = make_user(ANALYST)
    other = make_user(ANALYST)
    with pytest.raises(PermissionDenied):
        services.user_set_password(actor=other, user=user, password=STRONG)
    services.user_set_password(actor=admin, user=user, password=STRONG)
    user.refresh_from_db()
    assert user.check_password(STRONG)


# --- MFA ------------------------------------------------------------------------------------------


def test_enrolment_start_and_confirm(make_user):
    user = make_user(ANALYST, mfa=False)
    assert not services.mfa_is_enrolled(user)
    device = services.mfa_totp_start(user=user)
    assert services.mfa_totp_start(user=user).pk == device.pk  # idempotent until confirmed
    with pytest.raises(ApplicationError) as caught:
        services.mfa_totp_confirm(user=user, token=wrong_code(device))
    assert caught.value.code == "mfa_bad_token"
    device.refresh_from_db()
    device.throttle_reset()
    codes = services.mfa_totp_confirm(user=user, token=totp_code(device))
    assert len(codes) == services.RECOVERY_CODE_COUNT == 10
    assert len(set(codes)) == 10
    assert all(len(c) == services.RECOVERY_CODE_LENGTH for c in codes)
    assert services.mfa_is_enrolled(user)
    assert selectors.mfa_recovery_codes_remaining(user=user) == 10
    assert AuditEntry.objects.filter(action="accounts.mfa.enrol", actor_id=user.pk).count() == 1
    with pytest.raises(ApplicationError) as caught:
        services.mfa_totp_start(user=user)
    assert caught.value.code == "mfa_enrolled"


def test_confirm_without_start(make_user):
    user = make_user(ANALYST, mfa=False)
    with pytest.raises(ApplicationError) as caught:
        services.mfa_totp_confirm(user=user, token="123456")
    assert caught.value.code == "mfa_not_started"


def test_verify_totp_and_refuse_replay(make_user):
    user = make_user(ANALYST)
    device = TOTPDevice.objects.get(user=user)
    code = totp_code(device)
    assert services.mfa_verify(user=user, token=code).pk == device.pk
    # The same code again: refused (each time step is usable once).
    with pytest.raises(ApplicationError):
        services.mfa_verify(user=user, token=code)
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert actions[-2:] == ["accounts.mfa.verify", "accounts.mfa.verify_failed"]


def test_wrong_codes_are_throttled(make_user):
    user = make_user(ANALYST)
    device = TOTPDevice.objects.get(user=user)
    with pytest.raises(ApplicationError) as caught:
        services.mfa_verify(user=user, token=wrong_code(device))
    assert caught.value.code == "mfa_bad_token"
    # Straight after a failure even the right code must wait.
    with pytest.raises(ApplicationError) as caught:
        services.mfa_verify(user=user, token=totp_code(device))
    assert caught.value.code == "mfa_throttled"
    assert caught.value.status == 429
    failed = AuditEntry.objects.filter(action="accounts.mfa.verify_failed").order_by("position")
    assert [e.after["throttled"] for e in failed] == [False, True]


def test_recovery_code_works_once_and_is_not_slowed_by_totp_failures(make_user):
    user = make_user(ANALYST)
    codes = services.mfa_recovery_codes_regenerate(actor=user, user=user)
    with pytest.raises(ApplicationError):
        # A wrong authenticator code throttles the authenticator only.
        services.mfa_verify(user=user, token=wrong_code(TOTPDevice.objects.get(user=user)))
    shown = f"{codes[0][:5]}-{codes[0][5:]}".upper()  # as printed, typed in capitals
    device = services.mfa_verify(user=user, token=shown)
    assert isinstance(device, StaticDevice)
    assert selectors.mfa_recovery_codes_remaining(user=user) == 9
    device.throttle_reset()
    with pytest.raises(ApplicationError) as caught:
        services.mfa_verify(user=user, token=codes[0])
    assert caught.value.code == "mfa_bad_token"
    assert AuditEntry.objects.filter(action="accounts.mfa.recovery_used").count() == 1


def test_empty_code_fails_cleanly(make_user):
    user = make_user(ANALYST)
    with pytest.raises(ApplicationError) as caught:
        services.mfa_verify(user=user, token="  ")
    assert caught.value.code == "mfa_bad_token"


def test_regenerate_replaces_codes_and_is_own_only(make_user):
    user = make_user(ANALYST)
    other = make_user(ANALYST)
    first = services.mfa_recovery_codes_regenerate(actor=user, user=user)
    second = services.mfa_recovery_codes_regenerate(actor=user, user=user)
    assert not set(first) & set(second)
    assert set(
        StaticToken.objects.filter(device__user=user).values_list("token", flat=True)
    ) == set(second)
    with pytest.raises(PermissionDenied):
        services.mfa_recovery_codes_regenerate(actor=other, user=user)
    assert AuditEntry.objects.filter(action="accounts.mfa.recovery_regenerate").count() == 2


def test_mfa_reset_is_for_administrators(make_user):
    admin = make_user(ADMINISTRATOR)
    user = make_user(ANALYST)
    services.mfa_recovery_codes_regenerate(actor=user, user=user)
    with pytest.raises(PermissionDenied):
        services.mfa_reset(actor=user, user=user)
    services.mfa_reset(actor=admin, user=user)
    assert not services.mfa_is_enrolled(user)
    assert not StaticDevice.objects.filter(user=user).exists()
    assert AuditEntry.objects.filter(action="accounts.mfa.reset", actor_id=admin.pk).exists()


# --- API tokens --------------------------------------------------------------------------------


def test_api_token_create_replace_revoke(make_user):
    user = make_user(ANALYST)
    other = make_user(ANALYST)
    first = services.api_token_create(actor=user, user=user)
    assert selectors.api_token_created_at(user=user) is not None
    second = services.api_token_create(actor=user, user=user)
    assert first.key != second.key
    assert list(Token.objects.filter(user=user).values_list("key", flat=True)) == [second.key]
    with pytest.raises(PermissionDenied):
        services.api_token_create(actor=other, user=user)
    services.api_token_revoke(actor=user, user=user)
    assert selectors.api_token_created_at(user=user) is None
    assert [a for a in AuditEntry.objects.values_list("action", flat=True) if "token" in a] == [
        "accounts.token.create",
        "accounts.token.create",
        "accounts.token.revoke",
    ]
