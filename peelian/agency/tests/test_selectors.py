"""Viewer-dependent reads: the roster and the audited personnel record."""

from __future__ import annotations

import uuid

import pytest

from peelian.agency import selectors
from peelian.agency.tests.conftest import officer_in
from peelian.audit.models import AuditEntry
from peelian.core.errors import NotFound, PermissionDenied

pytestmark = pytest.mark.django_db

ROSTER = {"administrator", "analyst", "supervisor", "investigator", "training_coordinator"}
EVERY_RECORD = {"administrator", "analyst"}


def views():
    return list(AuditEntry.objects.filter(action="agency.officer.view"))


def test_roster_by_role(any_role, make_user, staff):
    user = make_user(any_role)
    if any_role in ROSTER:
        names = [o.last_name for o in selectors.officer_list_for_viewer(viewer=user)]
        assert names == ["Adams", "Baker", "Sergeant"]
    else:
        with pytest.raises(PermissionDenied):
            selectors.officer_list_for_viewer(viewer=user)


def test_roster_filters(make_user, staff, city):
    user = make_user("analyst")

    def names(**filters):
        return [o.last_name for o in selectors.officer_list_for_viewer(viewer=user, **filters)]

    assert names(unit=city.u1) == ["Adams", "Sergeant"]
    assert names(unit=city.u2.pk) == ["Baker"]
    assert names(rank="sergeant") == ["Sergeant"]
    assert names(status="leave") == []
    assert names(search="ada") == ["Adams"]
    assert names(search=staff.b.badge) == ["Baker"]
    assert names(search="   ") == ["Adams", "Baker", "Sergeant"]
    assert names(agency=city.agency, unit=city.u1, rank="officer") == ["Adams"]


def test_roster_rows_hold_no_demographics(make_user, staff, django_assert_num_queries):
    (row, *_rest) = selectors.officer_list_for_viewer(viewer=make_user("analyst"))
    deferred = row.get_deferred_fields()
    assert {"race", "sex", "birth_year", "hire_date"} <= deferred


def test_record_by_role_for_an_unrelated_officer(any_role, make_user, staff):
    user = make_user(any_role)
    if any_role in EVERY_RECORD:
        record = selectors.officer_get_record(viewer=user, public_id=staff.b.public_id)
        assert record.officer == staff.b
        (entry,) = views()
        assert (entry.actor_id, entry.target_id) == (user.pk, str(staff.b.public_id))
        assert entry.target_type == "agency.officer"
    else:
        with pytest.raises(NotFound):
            selectors.officer_get_record(viewer=user, public_id=staff.b.public_id)
        assert views() == []


def test_supervisor_reads_their_unit_and_is_audited(staff):
    record = selectors.officer_get_record(viewer=staff.sup_user, public_id=staff.a.public_id)
    assert record.officer.race == "black"
    assert [a.unit.code for a in record.assignments] == ["P1"]
    own = selectors.officer_get_record(viewer=staff.sup_user, public_id=str(staff.sup.public_id))
    assert own.officer == staff.sup
    assert [e.target_id for e in views()] == [str(staff.a.public_id), str(staff.sup.public_id)]
    with pytest.raises(NotFound):
        selectors.officer_get_record(viewer=staff.sup_user, public_id=staff.b.public_id)
    assert len(views()) == 2


def test_hidden_and_missing_records_look_the_same(make_user, staff):
    viewer = make_user("investigator")
    with pytest.raises(NotFound) as hidden:
        selectors.officer_get_record(viewer=viewer, public_id=staff.a.public_id)
    with pytest.raises(NotFound) as missing:
        selectors.officer_get_record(viewer=viewer, public_id=uuid.uuid4())
    assert (hidden.value.code, str(hidden.value.message)) == (
        missing.value.code,
        str(missing.value.message),
    )


@pytest.mark.parametrize("bad", ["", "not-a-uuid", "123", None])
def test_malformed_ids_are_not_found(make_user, bad):
    with pytest.raises(NotFound):
        selectors.officer_get_record(viewer=make_user("administrator"), public_id=bad)


def test_record_history_newest_first(make_user, city):
    import datetime as dt

    from peelian.agency import services

    officer = officer_in(city.u1, hire_date=dt.date(2012, 1, 1))
    services.officer_assign(
        actor="system:test", officer=officer, unit=city.u2, start_date=dt.date(2016, 1, 1)
    )
    record = selectors.officer_get_record(
        viewer=make_user("administrator"), public_id=officer.public_id
    )
    assert [(a.unit.code, a.end_date) for a in record.assignments] == [
        ("P2", None),
        ("P1", dt.date(2015, 12, 31)),
    ]


def test_public_districts_and_beats(city):
    districts = list(selectors.districts_public())
    assert [(d.code, d.beat_count, d.total_population) for d in districts] == [
        ("1", 2, 2000),
        ("2", 2, 3000),
    ]
    assert [b.code for b in districts[0].beats.all()] == ["11", "12"]
    assert [b.code for b in selectors.beats_public()] == ["11", "12", "21", "22"]
    assert [b.code for b in selectors.beats_public(district_code="2")] == ["21", "22"]
    assert list(selectors.beats_public(agency=city.agency, district_code="9")) == []
