"""Users and roles in the Django admin: reachable only with both factors, and every change
made through the services."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser, Group
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from peelian.accounts import services
from peelian.accounts.models import User
from peelian.accounts.roles import ADMINISTRATOR, ANALYST, INVESTIGATOR
from peelian.accounts.sites import PeelianAdminSite
from peelian.audit.models import AuditEntry

CHANGELIST = "/admin/accounts/user/"
ADD = "/admin/accounts/user/add/"
STRONG = "a long enough passphrase 42"


def _change_url(user: User) -> str:
    return f"/admin/accounts/user/{user.pk}/change/"


@pytest.fixture
def admin_client(client, make_user, login):
    admin_user = make_user(ADMINISTRATOR, username="boss")
    login(client, admin_user)
    client.admin_user = admin_user
    return client


# --- who gets in ----------------------------------------------------------------------------------


def test_default_site_is_the_verified_only_site():
    assert isinstance(admin.site, PeelianAdminSite)


def test_has_permission_needs_the_second_factor(make_user):
    request = RequestFactory().get("/admin/")
    request.user = make_user(ADMINISTRATOR)
    request.user.is_verified = lambda: False
    assert not admin.site.has_permission(request)
    request.user.is_verified = lambda: True
    assert admin.site.has_permission(request)
    request.user = AnonymousUser()
    assert not admin.site.has_permission(request)


def test_anonymous_admin_visit_goes_to_staff_sign_in(client):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/staff/login/?next=%2Fadmin%2F"
    assert response.status_code == 200


def test_admin_login_url_refuses_off_site_next(client):
    response = client.get("/admin/login/?next=https://evil.example/")
    assert response["Location"] == "/staff/login/?next=%2Fadmin%2F"


def test_verified_non_administrator_is_refused(client, make_user, login):
    login(client, make_user(ANALYST))
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    assert client.get(CHANGELIST, follow=True).status_code == 403


def test_admin_password_pages_point_to_your_security(admin_client):
    assert admin_client.get("/admin/password_change/")["Location"] == "/staff/security/"


def test_stock_admins_that_bypass_the_services_are_gone():
    for model in (Group, TOTPDevice, StaticDevice):
        assert not admin.site.is_registered(model)


# --- the list -------------------------------------------------------------------------------------


def test_list_search_and_role_filter(admin_client, make_user, django_assert_max_num_queries):
    for _ in range(5):
        make_user(ANALYST)
    make_user(INVESTIGATOR, username="ivy", first_name="Ivy")
    with django_assert_max_num_queries(15):
        response = admin_client.get(CHANGELIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Professional-standards investigator" in html
    response = admin_client.get(CHANGELIST, {"role": INVESTIGATOR})
    assert list(response.context["cl"].result_list) == [User.objects.get(username="ivy")]
    response = admin_client.get(CHANGELIST, {"q": "Ivy"})
    assert [u.username for u in response.context["cl"].result_list] == ["ivy"]


def test_list_query_count_does_not_grow_with_users(admin_client, make_user):
    make_user(ANALYST)
    with CaptureQueriesContext(connection) as few:
        admin_client.get(CHANGELIST)
    for _ in range(10):
        make_user(ANALYST, INVESTIGATOR)
    with CaptureQueriesContext(connection) as many:
        admin_client.get(CHANGELIST)
    assert len(many.captured_queries) == len(few.captured_queries)


# --- adding and changing --------------------------------------------------------------------------


def test_add_and_change_pages_render(admin_client, make_user):
    user = make_user(ANALYST)
    add = admin_client.get(ADD).content.decode()
    assert 'name="password1"' in add
    assert 'value="investigator"' in add
    response = admin_client.get(_change_url(user))
    change = response.content.decode()
    assert 'name="new_password1"' in change
    assert response.context["adminform"].form.initial["roles"] == [ANALYST]
    assert 'name="username"' not in change  # usernames do not change


def _add_data(**changes):
    data = {
        "username": "newbie",
        "email": "newbie@example.org",
        "first_name": "New",
        "last_name": "Bie",
        "preferred_language": "es",
        "roles": [ANALYST, INVESTIGATOR],
        "password1": STRONG,
        "password2": STRONG,
        "_save": "Save",
    }
    data.update(changes)
    return data


def test_add_user_through_the_service(admin_client):
    response = admin_client.post(ADD, _add_data())
    assert response.status_code == 302
    user = User.objects.get(username="newbie")
    assert set(user.groups.values_list("name", flat=True)) == {ANALYST, INVESTIGATOR}
    assert user.check_password(STRONG)
    assert user.preferred_language == "es"
    entry = AuditEntry.objects.get(action="accounts.user.create", target_id=str(user.public_id))
    assert entry.actor_id == admin_client.admin_user.pk


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"username": "BOSS"}, "That username is taken."),
        ({"password1": "short", "password2": "short"}, "too short"),
        ({"password2": "a different passphrase 42"}, "The two passwords differ."),
        ({"roles": ["sheriff"]}, "Select a valid choice."),
        ({"email": ""}, "This field is required."),
    ],
)
def test_add_user_refuses_bad_input(admin_client, changes, message):
    before = (User.objects.count(), AuditEntry.objects.count())
    response = admin_client.post(ADD, _add_data(**changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert (User.objects.count(), AuditEntry.objects.count()) == before


def _change_data(user, **changes):
    data = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "preferred_language": user.preferred_language,
        "roles": sorted(user.groups.values_list("name", flat=True)),
        "new_password1": "",
        "new_password2": "",
        "_save": "Save",
    }
    data.update(changes)
    return data


def test_change_roles_and_profile_through_the_services(admin_client, make_user):
    user = make_user(ANALYST)
    response = admin_client.post(
        _change_url(user), _change_data(user, roles=[INVESTIGATOR], first_name="Robin")
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert list(user.groups.values_list("name", flat=True)) == [INVESTIGATOR]
    assert user.first_name == "Robin"
    roles = AuditEntry.objects.get(action="accounts.user.roles")
    assert (roles.before, roles.after) == ({"roles": [ANALYST]}, {"roles": [INVESTIGATOR]})
    update = AuditEntry.objects.get(action="accounts.user.update")
    assert update.after == {"first_name": "Robin"}


def test_unchanged_form_writes_no_audit_entry(admin_client, make_user):
    user = make_user(ANALYST)
    before = AuditEntry.objects.count()
    assert admin_client.post(_change_url(user), _change_data(user)).status_code == 302
    assert AuditEntry.objects.count() == before


def test_admin_sets_a_new_password(admin_client, make_user):
    user = make_user(ANALYST)
    admin_client.post(
        _change_url(user), _change_data(user, new_password1=STRONG, new_password2=STRONG)
    )
    user.refresh_from_db()
    assert user.check_password(STRONG)
    assert AuditEntry.objects.get(action="accounts.user.password").after == {"own": False}


def test_admin_cannot_demote_themself_or_set_own_password_here(admin_client):
    me = admin_client.admin_user
    response = admin_client.post(_change_url(me), _change_data(me, roles=[ANALYST]))
    assert response.status_code == 200
    assert "You cannot remove your own administrator role." in response.content.decode()
    response = admin_client.post(
        _change_url(me), _change_data(me, new_password1=STRONG, new_password2=STRONG)
    )
    assert "Change your own password on" in response.content.decode()
    me.refresh_from_db()
    assert list(me.groups.values_list("name", flat=True)) == [ADMINISTRATOR]
    assert not AuditEntry.objects.filter(
        action__in=["accounts.user.roles", "accounts.user.password"]
    ).exists()


def test_a_refusal_only_the_service_sees_writes_nothing(admin_client, make_user, monkeypatch):
    """If a rule fires in a service after the form passed (say, a change made meanwhile),
    the admin says so and nothing of the change is kept."""
    user = make_user(ANALYST)

    def refuse(**kwargs):
        raise services.ApplicationError("Refused for the test.", code="test")

    monkeypatch.setattr(services, "user_set_roles", refuse)
    response = admin_client.post(
        _change_url(user),
        _change_data(user, roles=[INVESTIGATOR], first_name="Changed"),
        follow=True,
    )
    assert "Refused for the test." in response.content.decode()
    user.refresh_from_db()
    assert user.first_name != "Changed"  # the profile change before it was rolled back
    assert not AuditEntry.objects.filter(action="accounts.user.update").exists()


def test_users_are_never_deleted(admin_client, make_user):
    user = make_user(ANALYST)
    assert admin_client.get(f"/admin/accounts/user/{user.pk}/delete/").status_code == 403
    choices = admin_client.get(CHANGELIST).context["action_form"].fields["action"].choices
    assert [name for name, _label in choices if name] == [
        "deactivate_users",
        "reactivate_users",
        "reset_mfa",
    ]


# --- actions ------------------------------------------------------------------------------------


def _action(client, name, users):
    return client.post(
        CHANGELIST,
        {"action": name, "_selected_action": [u.pk for u in users], "index": 0},
        follow=True,
    )


def test_deactivate_and_reactivate_actions(admin_client, make_user):
    a, b = make_user(ANALYST), make_user(ANALYST)
    response = _action(admin_client, "deactivate_users", [a, b])
    assert response.status_code == 200
    assert not User.objects.filter(pk__in=[a.pk, b.pk], is_active=True).exists()
    assert AuditEntry.objects.filter(action="accounts.user.deactivate").count() == 2
    _action(admin_client, "reactivate_users", [a])
    a.refresh_from_db()
    assert a.is_active


def test_deactivating_oneself_is_refused_others_go_ahead(admin_client, make_user):
    other = make_user(ANALYST)
    response = _action(admin_client, "deactivate_users", [admin_client.admin_user, other])
    html = response.content.decode()
    assert "You cannot deactivate your own account." in html
    admin_client.admin_user.refresh_from_db()
    other.refresh_from_db()
    assert admin_client.admin_user.is_active
    assert not other.is_active


def test_reset_mfa_action(admin_client, make_user):
    user = make_user(ANALYST)
    services.mfa_recovery_codes_regenerate(actor=user, user=user)
    response = _action(admin_client, "reset_mfa", [user])
    assert "Two-factor sign-in reset" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not StaticDevice.objects.filter(user=user).exists()
    entry = AuditEntry.objects.get(action="accounts.mfa.reset")
    assert entry.actor_id == admin_client.admin_user.pk
