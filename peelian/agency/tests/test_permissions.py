"""The agency policy, line by line: every role for every action, then the relationships
(a supervisor and their unit, an officer and their own record)."""

from __future__ import annotations

import datetime as dt

import pytest

from peelian.agency import services
from peelian.agency.permissions import policy
from peelian.agency.tests.conftest import officer_in
from peelian.core.errors import NotFound, PermissionDenied

pytestmark = pytest.mark.django_db

# Written out here, not imported, so the test checks the rule rather than repeating it.
MANAGE = {"administrator"}
ROSTER = {"administrator", "analyst", "supervisor", "investigator", "training_coordinator"}
EVERY_RECORD = {"administrator", "analyst"}


def test_structure_and_officer_management_by_role(any_role, make_user):
    user = make_user(any_role)
    assert policy.can(user, "structure.manage") is (any_role in MANAGE)
    assert policy.can(user, "officer.manage") is (any_role in MANAGE)


def test_roster_by_role(any_role, make_user):
    user = make_user(any_role)
    assert policy.can(user, "officer.view_roster") is (any_role in ROSTER)
    if any_role not in ROSTER:
        with pytest.raises(PermissionDenied):  # the roster is not hidden, only refused
            policy.require(user, "officer.view_roster")


def test_record_of_an_unrelated_officer_by_role(any_role, make_user, staff):
    user = make_user(any_role)
    allowed = any_role in EVERY_RECORD
    assert policy.can(user, "officer.view_record", staff.b) is allowed
    if not allowed:
        with pytest.raises(NotFound):  # hidden: the refusal does not confirm it exists
            policy.require(user, "officer.view_record", staff.b)


def test_own_record_whatever_the_role(any_role, make_user, city):
    user = make_user(any_role)
    me = officer_in(city.u1)
    other = officer_in(city.u1)
    me.user = user
    me.save(update_fields=["user"])
    assert policy.can(user, "officer.view_record", me)
    # Same unit, but only a supervisor (or a role that sees every record) sees colleagues.
    assert policy.can(user, "officer.view_record", other) is (
        any_role in EVERY_RECORD | {"supervisor"}
    )


def test_user_without_roles_sees_only_their_own_record(make_user, staff, city):
    user = make_user()
    me = officer_in(city.u2)
    me.user = user
    me.save(update_fields=["user"])
    assert not policy.can(user, "officer.view_roster")
    assert policy.can(user, "officer.view_record", me)
    assert not policy.can(user, "officer.view_record", staff.b)


def test_supervisor_sees_their_unit_and_themselves(staff):
    sup = staff.sup_user
    assert policy.can(sup, "officer.view_record", staff.a)  # same unit
    assert policy.can(sup, "officer.view_record", staff.sup)  # own record
    assert not policy.can(sup, "officer.view_record", staff.b)  # another unit


def test_supervisor_not_linked_to_an_officer_sees_no_record(make_user, staff):
    sup = make_user("supervisor")
    assert policy.can(sup, "officer.view_roster")
    assert not policy.can(sup, "officer.view_record", staff.a)
    assert not policy.can(sup, "officer.view_record", staff.b)


def test_supervisor_without_a_current_unit_sees_only_themselves(make_user, city):
    sup = make_user("supervisor")
    me = officer_in(city.u1)
    nobody = officer_in(city.u1)
    services.officer_separate(actor="system:test", officer=me, separation_date=dt.date(2024, 1, 1))
    me.user = sup
    me.save(update_fields=["user"])
    # A separated supervisor has no unit: an officer without a unit is not "theirs".
    unassigned = officer_in(city.u1)
    unassigned.unit = None
    unassigned.save(update_fields=["unit"])
    assert policy.can(sup, "officer.view_record", me)
    assert not policy.can(sup, "officer.view_record", nobody)
    assert not policy.can(sup, "officer.view_record", unassigned)


def test_supervisor_follows_their_own_transfer(staff, city):
    sup = staff.sup_user
    assert policy.can(sup, "officer.view_record", staff.a)
    services.officer_assign(
        actor="system:test", officer=staff.sup, unit=city.u2, start_date=dt.date(2024, 1, 1)
    )
    # Asked again on the same user object: no stale answer.
    assert not policy.can(sup, "officer.view_record", staff.a)
    assert policy.can(sup, "officer.view_record", staff.b)


def test_officer_who_moved_out_of_the_unit_is_no_longer_visible(staff, city):
    services.officer_assign(
        actor="system:test", officer=staff.a, unit=city.u2, start_date=dt.date(2024, 1, 1)
    )
    staff.a.refresh_from_db()
    assert not policy.can(staff.sup_user, "officer.view_record", staff.a)


def test_investigator_linked_to_an_officer_is_not_a_supervisor(make_user, staff, city):
    inv = make_user("investigator")
    me = officer_in(city.u1)
    me.user = inv
    me.save(update_fields=["user"])
    assert policy.can(inv, "officer.view_record", me)
    assert not policy.can(inv, "officer.view_record", staff.a)  # same unit, not theirs


def test_inactive_user_sees_nothing(make_user, staff):
    user = make_user("administrator")
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert not policy.can(user, "officer.view_roster")
    assert not policy.can(user, "officer.view_record", staff.a)
    assert not policy.can(user, "structure.manage")
    staff.sup_user.is_active = False
    staff.sup_user.save(update_fields=["is_active"])
    assert not policy.can(staff.sup_user, "officer.view_record", staff.sup)


@pytest.mark.parametrize("actor", [None, "anonymous", "system:seed"])
def test_anonymous_and_system_actors_read_nothing(actor, staff):
    assert not policy.can(actor, "officer.view_roster")
    assert not policy.can(actor, "officer.view_record", staff.a)


def test_record_check_needs_an_officer(make_user):
    assert not policy.can(make_user("administrator"), "officer.view_record", None)
    assert not policy.can(make_user("administrator"), "officer.view_record", "someone")


def test_unknown_action_is_refused(make_user):
    assert not policy.can(make_user("administrator"), "officer.delete")


def test_record_scope_matches_can(any_role, make_user, staff):
    """The list pages use ``record_scope`` instead of asking ``can`` per row: same answers."""
    user = make_user(any_role)
    staff.a.user = user
    staff.a.save(update_fields=["user"])
    scope = policy.record_scope(user)
    for officer in (staff.a, staff.b, staff.sup):
        assert scope.allows(officer) is policy.can(user, "officer.view_record", officer)
