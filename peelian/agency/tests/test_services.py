"""Every write: happy paths, each refusal with its code, nothing written on error, the
audit entry written with the change."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone

from peelian.agency import services
from peelian.agency.models import Agency, Assignment, Beat, District, Officer, StreetSegment, Unit
from peelian.agency.tests.factories import OfficerFactory, rectangle
from peelian.audit.models import AuditEntry
from peelian.core.errors import ApplicationError, PermissionDenied

pytestmark = pytest.mark.django_db

BOUNDARY = rectangle(-98.0, 38.5, -97.99, 38.51)


@pytest.fixture
def admin(make_user):
    return make_user("administrator")


def entries(action):
    return list(AuditEntry.objects.filter(action=action).order_by("position"))


def refused(expected_code, fn, /, **kwargs):
    with pytest.raises(ApplicationError) as info:
        fn(**kwargs)
    assert info.value.code == expected_code, info.value.message
    return info.value


# --- policy first ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role",
    ["analyst", "supervisor", "investigator", "training_coordinator", "review_board", "partner"],
)
def test_only_administrators_write(city, make_user, role):
    user = make_user(role)
    before = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        services.district_create(
            actor=user, agency=city.agency, code="9", name="X", boundary=BOUNDARY
        )
    with pytest.raises(PermissionDenied):
        services.officer_create(
            actor=user,
            agency=city.agency,
            badge="1",
            first_name="A",
            last_name="B",
            race="white",
            hire_date=dt.date(2020, 1, 1),
        )
    assert AuditEntry.objects.count() == before
    assert not District.objects.filter(code="9").exists()


def test_anonymous_and_unknown_actors_are_refused(city):
    for actor in (None, "anonymous", "someone"):
        with pytest.raises(PermissionDenied):
            services.unit_create(actor=actor, agency=city.agency, code="X", name="X", kind="patrol")


def test_system_actor_may_write(city):
    unit = services.unit_create(
        actor="system:seed", agency=city.agency, code="X", name="X unit", kind="traffic"
    )
    assert entries("agency.unit.create")[-1].actor_label == "system:seed"
    assert unit.pk


# --- agency ---------------------------------------------------------------------------------


def test_agency_create_and_update(admin):
    agency = services.agency_create(
        actor=admin,
        name="Calder PD",
        slug="calder",
        city="Calder",
        state="ks",
        center_lat=38.5,
        center_lng=-98.1,
    )
    assert agency.state == "KS"
    (entry,) = entries("agency.agency.create")
    assert entry.actor_id == admin.pk
    assert entry.after["slug"] == "calder"
    services.agency_update(actor=admin, agency=agency, data={"name": "Calder Police"})
    (update,) = entries("agency.agency.update")
    assert update.before == {"name": "Calder PD"}
    assert update.after == {"name": "Calder Police"}
    agency.refresh_from_db()
    assert agency.name == "Calder Police"


def test_update_without_changes_writes_nothing(city, admin):
    services.agency_update(actor=admin, agency=city.agency, data={"name": city.agency.name})
    assert entries("agency.agency.update") == []


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"state": "Kansas"}, "invalid_state"),
        ({"timezone": "Mars/Olympus"}, "invalid_timezone"),
        ({"center_lat": 95.0}, "center_out_of_range"),
        ({"center_lng": -200.0}, "center_out_of_range"),
        ({"slug": "taken"}, "agency_slug_taken"),
        ({"name": ""}, "invalid"),
        ({"website": "not a url"}, "invalid"),
        ({"id": 5}, "unknown_field"),
    ],
)
def test_agency_refusals(city, admin, changes, code):
    Agency.objects.create(
        name="Other", slug="taken", city="X", state="KS", center_lat=0, center_lng=0
    )
    original = Agency.objects.get(pk=city.agency.pk)
    refused(code, services.agency_update, actor=admin, agency=city.agency, data=changes)
    stored = Agency.objects.get(pk=city.agency.pk)
    assert [getattr(stored, f) for f in services.AGENCY_FIELDS] == [
        getattr(original, f) for f in services.AGENCY_FIELDS
    ]
    # The in-memory object is put back too.
    assert city.agency.name == original.name
    assert entries("agency.agency.update") == []


# --- districts and beats --------------------------------------------------------------------


def test_district_create_and_update(city, admin):
    district = services.district_create(
        actor=admin, agency=city.agency, code=" 3 ", name="North", boundary=BOUNDARY
    )
    assert district.code == "3"
    assert entries("agency.district.create")[0].after["code"] == "3"
    services.district_update(
        actor=admin, district=district, data={"name": "Far North", "boundary": BOUNDARY}
    )
    (entry,) = entries("agency.district.update")
    assert entry.after == {"name": "Far North"}  # the boundary did not change


def test_district_code_taken(city, admin):
    err = refused(
        "district_code_taken",
        services.district_create,
        actor=admin,
        agency=city.agency,
        code="1",
        name="Again",
        boundary=BOUNDARY,
    )
    assert "code" in err.fields
    assert District.objects.filter(agency=city.agency).count() == 2


def test_district_bad_boundary_writes_nothing(city, admin):
    bad = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    refused(
        "boundary_invalid",
        services.district_create,
        actor=admin,
        agency=city.agency,
        code="5",
        name="Bow tie",
        boundary=bad,
    )
    refused(
        "boundary_ring_not_closed",
        services.district_update,
        actor=admin,
        district=city.d1,
        data={"boundary": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}},
    )
    assert not District.objects.filter(code="5").exists()
    city.d1.refresh_from_db()
    assert city.d1.boundary["coordinates"][0][0] == [-98.04, 38.48]
    assert entries("agency.district.create") == entries("agency.district.update") == []


def test_beat_create(city, admin):
    beat = services.beat_create(
        actor=admin,
        district=city.d1,
        code="13",
        name="New",
        boundary=BOUNDARY,
        population=10,
        population_by_race={"white": 6, "black": 4},
        median_household_income=40000,
        spanish_speaking_share=0.1,
    )
    assert beat.population_by_race == {"white": 6, "black": 4}
    (entry,) = entries("agency.beat.create")
    assert entry.after["code"] == "13"
    assert entry.target_id == str(beat.pk)


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"code": "11"}, "beat_code_taken", "code"),
        (
            {"population": 10, "population_by_race": {"white": 6}},
            "population_mismatch",
            "population_by_race",
        ),
        (
            {"population": 10, "population_by_race": {"martian": 10}},
            "population_by_race_invalid",
            "population_by_race",
        ),
        (
            {"population": 10, "population_by_race": {"white": -1, "black": 11}},
            "population_by_race_invalid",
            "population_by_race",
        ),
        (
            {"population": 10, "population_by_race": {"white": 9.5, "black": 0.5}},
            "population_by_race_invalid",
            "population_by_race",
        ),
        (
            {"population": 10, "population_by_race": [10]},
            "population_by_race_invalid",
            "population_by_race",
        ),
        ({"population": -1}, "population_invalid", "population"),
        ({"spanish_speaking_share": 1.5}, "share_out_of_range", "spanish_speaking_share"),
        (
            {"boundary": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}},
            "boundary_type",
            "boundary",
        ),
        ({"name": ""}, "invalid", "name"),
    ],
)
def test_beat_refusals(city, admin, kwargs, code, field):
    args = {"code": "13", "name": "New", "boundary": BOUNDARY, **kwargs}
    err = refused(code, services.beat_create, actor=admin, district=city.d1, **args)
    assert field in err.fields
    assert Beat.objects.count() == 4
    assert entries("agency.beat.create") == []


def test_beat_update_moves_district_within_the_agency(city, admin):
    beat = city.beats["12"]
    services.beat_update(actor=admin, beat=beat, data={"district": city.d2})
    beat.refresh_from_db()
    assert beat.district == city.d2
    (entry,) = entries("agency.beat.update")
    assert entry.before == {"district": city.d1.pk}
    assert entry.after == {"district": city.d2.pk}


def test_beat_cannot_move_to_another_agency(city, admin):
    from peelian.agency.tests.factories import DistrictFactory

    elsewhere = DistrictFactory()
    beat = city.beats["12"]
    refused(
        "district_other_agency",
        services.beat_update,
        actor=admin,
        beat=beat,
        data={"district": elsewhere},
    )
    assert beat.district == city.d1
    assert Beat.objects.get(pk=beat.pk).district_id == city.d1.pk


def test_beat_update_population_checked_together(city, admin):
    beat = city.beats["11"]
    refused(
        "population_mismatch",
        services.beat_update,
        actor=admin,
        beat=beat,
        data={"population": 5},
    )
    services.beat_update(
        actor=admin,
        beat=beat,
        data={"population": 5, "population_by_race": {"hispanic": 5}},
    )
    assert Beat.objects.get(pk=beat.pk).population_by_race == {"hispanic": 5}


# --- units ----------------------------------------------------------------------------------


def test_unit_create_update_and_refusals(city, admin):
    unit = services.unit_create(
        actor=admin, agency=city.agency, code="T1", name="Traffic", kind="traffic"
    )
    assert entries("agency.unit.create")[0].after["kind"] == "traffic"
    services.unit_update(actor=admin, unit=unit, data={"district": city.d2})
    assert Unit.objects.get(pk=unit.pk).district == city.d2
    refused(
        "unit_code_taken",
        services.unit_create,
        actor=admin,
        agency=city.agency,
        code="P1",
        name="Again",
        kind="patrol",
    )
    refused(
        "invalid",
        services.unit_create,
        actor=admin,
        agency=city.agency,
        code="Z",
        name="Z",
        kind="cavalry",
    )
    from peelian.agency.tests.factories import DistrictFactory

    refused(
        "district_other_agency",
        services.unit_create,
        actor=admin,
        agency=city.agency,
        code="Y",
        name="Y",
        kind="patrol",
        district=DistrictFactory(),
    )
    assert Unit.objects.filter(agency=city.agency).count() == 3


# --- officers -------------------------------------------------------------------------------


def make_officer(admin, city, **kwargs):
    args = {
        "agency": city.agency,
        "badge": "4001",
        "first_name": "Jordan",
        "last_name": "Reyes",
        "race": "hispanic",
        "sex": "female",
        "hire_date": dt.date(2018, 6, 1),
        "birth_year": 1992,
        **kwargs,
    }
    return services.officer_create(actor=admin, **args)


def test_officer_create_with_unit_opens_the_first_assignment(city, admin):
    officer = make_officer(admin, city, unit=city.u1, rank="sergeant", beat=city.beats["11"])
    (assignment,) = officer.assignments.all()
    assert (assignment.unit, assignment.rank, assignment.start_date) == (
        city.u1,
        "sergeant",
        dt.date(2018, 6, 1),
    )
    assert assignment.beat == city.beats["11"]
    assert assignment.end_date is None
    (entry,) = entries("agency.officer.create")
    assert entry.target_id == str(officer.public_id)
    assert entry.after["assignment"] == assignment.pk


def test_officer_create_without_unit(city, admin):
    officer = make_officer(admin, city)
    assert officer.unit is None
    assert not officer.assignments.exists()


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"badge": "DUP"}, "badge_taken", "badge"),
        ({"badge": " DUP "}, "badge_taken", "badge"),
        ({"badge": ""}, "invalid", "badge"),
        ({"race": "martian"}, "invalid", "race"),
        ({"sex": "x"}, "invalid", "sex"),
        ({"rank": "general"}, "invalid", "rank"),
        ({"hire_date": dt.date(2999, 1, 1)}, "hire_date_in_future", "hire_date"),
        ({"birth_year": 2010}, "birth_year_implausible", "birth_year"),
        ({"birth_year": 1900}, "birth_year_implausible", "birth_year"),
        ({"status": "separated"}, "use_officer_separate", "status"),
        ({"beat": "BEAT"}, "beat_without_unit", "beat"),
    ],
)
def test_officer_create_refusals(city, admin, kwargs, code, field):
    OfficerFactory(agency=city.agency, badge="DUP")
    if kwargs.get("beat") == "BEAT":
        kwargs = {"beat": city.beats["11"]}
    err = refused(code, make_officer, admin=admin, city=city, **kwargs)
    assert field in err.fields
    assert Officer.objects.count() == 1
    assert Assignment.objects.count() == 0
    assert entries("agency.officer.create") == []


def test_same_badge_in_another_agency_is_fine(city, admin):
    OfficerFactory(badge="4001")  # another agency
    assert make_officer(admin, city).badge == "4001"


def test_officer_unit_of_another_agency(city, admin):
    from peelian.agency.tests.factories import UnitFactory

    other = UnitFactory()  # of another agency
    refused("unit_other_agency", make_officer, admin=admin, city=city, unit=other)
    assert Officer.objects.count() == 0


def test_officer_linked_user_must_be_free(city, admin, make_user, staff):
    refused(
        "user_already_linked",
        make_officer,
        admin=admin,
        city=city,
        user=staff.sup_user,
    )


def test_officer_update(city, admin):
    officer = make_officer(admin, city)
    services.officer_update(
        actor=admin, officer=officer, data={"last_name": "Reyes-Lopez", "status": "leave"}
    )
    officer.refresh_from_db()
    assert (officer.last_name, officer.status) == ("Reyes-Lopez", "leave")
    (entry,) = entries("agency.officer.update")
    assert entry.before == {"last_name": "Reyes", "status": "active"}


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"rank": "captain"}, "use_officer_assign"),
        ({"unit": None}, "use_officer_assign"),
        ({"status": "separated"}, "use_officer_separate"),
        ({"badge": "DUP"}, "badge_taken"),
        ({"hire_date": dt.date(2019, 1, 1)}, "hire_after_assignment"),
        ({"public_id": "x"}, "unknown_field"),
    ],
)
def test_officer_update_refusals(city, admin, data, code):
    OfficerFactory(agency=city.agency, badge="DUP")
    officer = make_officer(admin, city, unit=city.u1)
    refused(code, services.officer_update, actor=admin, officer=officer, data=data)
    stored = Officer.objects.get(pk=officer.pk)
    assert (stored.badge, stored.rank, stored.status, stored.hire_date) == (
        "4001",
        "officer",
        "active",
        dt.date(2018, 6, 1),
    )
    assert entries("agency.officer.update") == []


def test_separated_officer_status_is_final(city, admin):
    officer = make_officer(admin, city)
    services.officer_separate(actor=admin, officer=officer, separation_date=dt.date(2020, 1, 1))
    refused(
        "officer_separated",
        services.officer_update,
        actor=admin,
        officer=officer,
        data={"status": "active"},
    )
    # Corrections of other fields remain possible.
    services.officer_update(actor=admin, officer=officer, data={"first_name": "Jordy"})


# --- assignments ----------------------------------------------------------------------------


def test_officer_assign_ends_the_current_assignment_the_day_before(city, admin):
    officer = make_officer(admin, city, unit=city.u1)
    first = officer.assignments.get()
    new = services.officer_assign(
        actor=admin,
        officer=officer,
        unit=city.u2,
        rank="sergeant",
        start_date=dt.date(2022, 3, 15),
        beat=city.beats["21"],
    )
    first.refresh_from_db()
    assert first.end_date == dt.date(2022, 3, 14)
    assert (new.unit, new.rank, new.start_date, new.end_date) == (
        city.u2,
        "sergeant",
        dt.date(2022, 3, 15),
        None,
    )
    officer.refresh_from_db()
    assert (officer.unit, officer.rank) == (city.u2, "sergeant")
    (entry,) = entries("agency.officer.assign")
    assert entry.before == {"unit": city.u1.pk, "rank": "officer", "assignment": first.pk}
    assert entry.after["unit"] == city.u2.pk
    assert entry.after["rank"] == "sergeant"
    assert entry.after["start_date"] == "2022-03-15"


def test_officer_assign_keeps_rank_by_default(city, admin):
    officer = make_officer(admin, city, unit=city.u1, rank="detective")
    services.officer_assign(
        actor=admin, officer=officer, unit=city.u2, start_date=dt.date(2021, 1, 1)
    )
    assert officer.rank == "detective"
    assert officer.unit == city.u2  # the caller's object follows


def test_first_assignment_of_an_officer_without_unit(city, admin):
    officer = make_officer(admin, city)
    services.officer_assign(
        actor=admin, officer=officer, unit=city.u1, start_date=dt.date(2019, 1, 1)
    )
    assert officer.assignments.get().end_date is None


@pytest.mark.parametrize(
    ("start", "code"),
    [
        (dt.date(2017, 1, 1), "assignment_before_hire"),
        (dt.date(2018, 6, 1), "assignment_start_too_early"),  # same day as the current one
        (dt.date(2018, 5, 31), "assignment_before_hire"),
        (dt.date(2999, 1, 1), "assignment_in_future"),
    ],
)
def test_officer_assign_refusals_on_dates(city, admin, start, code):
    officer = make_officer(admin, city, unit=city.u1)
    refused(
        code, services.officer_assign, actor=admin, officer=officer, unit=city.u2, start_date=start
    )
    assert officer.assignments.count() == 1
    assert officer.assignments.get().end_date is None
    assert Officer.objects.get(pk=officer.pk).unit == city.u1
    assert entries("agency.officer.assign") == []


def test_officer_assign_refuses_a_start_before_the_current_one(city, admin):
    officer = make_officer(admin, city, unit=city.u1)
    services.officer_assign(
        actor=admin, officer=officer, unit=city.u2, start_date=dt.date(2022, 1, 1)
    )
    refused(
        "assignment_start_too_early",
        services.officer_assign,
        actor=admin,
        officer=officer,
        unit=city.u1,
        start_date=dt.date(2020, 1, 1),
    )
    assert officer.assignments.count() == 2


def test_officer_assign_refuses_overlap_with_a_closed_assignment(city, admin):
    officer = make_officer(admin, city)
    Assignment.objects.create(
        officer=officer,
        unit=city.u1,
        rank="officer",
        start_date=dt.date(2018, 6, 1),
        end_date=dt.date(2020, 12, 31),
    )
    refused(
        "assignment_overlaps",
        services.officer_assign,
        actor=admin,
        officer=officer,
        unit=city.u2,
        start_date=dt.date(2020, 6, 1),
    )


def test_officer_assign_other_refusals(city, admin):
    from peelian.agency.tests.factories import BeatFactory, UnitFactory

    officer = make_officer(admin, city, unit=city.u1)
    when = dt.date(2022, 1, 1)
    refused(
        "unit_other_agency",
        services.officer_assign,
        actor=admin,
        officer=officer,
        unit=UnitFactory(),
        start_date=when,
    )
    refused(
        "beat_other_agency",
        services.officer_assign,
        actor=admin,
        officer=officer,
        unit=city.u2,
        beat=BeatFactory(),
        start_date=when,
    )
    refused(
        "invalid",
        services.officer_assign,
        actor=admin,
        officer=officer,
        unit=city.u2,
        rank="general",
        start_date=when,
    )
    services.officer_separate(actor=admin, officer=officer, separation_date=when)
    refused(
        "officer_separated",
        services.officer_assign,
        actor=admin,
        officer=officer,
        unit=city.u2,
        start_date=timezone.localdate(),
    )


# --- separation -----------------------------------------------------------------------------


def test_officer_separate(city, admin):
    officer = make_officer(admin, city, unit=city.u1)
    services.officer_separate(actor=admin, officer=officer, separation_date=dt.date(2023, 5, 5))
    officer.refresh_from_db()
    assert (officer.status, officer.separation_date, officer.unit) == (
        "separated",
        dt.date(2023, 5, 5),
        None,
    )
    assert officer.assignments.get().end_date == dt.date(2023, 5, 5)
    (entry,) = entries("agency.officer.separate")
    assert entry.before["status"] == "active"
    assert entry.after["separation_date"] == "2023-05-05"


@pytest.mark.parametrize(
    ("when", "code"),
    [
        (dt.date(2010, 1, 1), "separation_before_hire"),
        (dt.date(2999, 1, 1), "separation_in_future"),
        (dt.date(2019, 1, 1), "separation_before_assignment"),
    ],
)
def test_officer_separate_refusals(city, admin, when, code):
    officer = make_officer(admin, city, unit=city.u1)
    services.officer_assign(
        actor=admin, officer=officer, unit=city.u2, start_date=dt.date(2020, 1, 1)
    )
    refused(code, services.officer_separate, actor=admin, officer=officer, separation_date=when)
    stored = Officer.objects.get(pk=officer.pk)
    assert (stored.status, stored.unit) == ("active", city.u2)
    assert not stored.assignments.filter(end_date__isnull=True, unit=city.u2).get().end_date
    assert entries("agency.officer.separate") == []


def test_officer_separate_twice(city, admin):
    officer = make_officer(admin, city)
    services.officer_separate(actor=admin, officer=officer, separation_date=dt.date(2020, 1, 1))
    refused(
        "officer_already_separated",
        services.officer_separate,
        actor=admin,
        officer=officer,
        separation_date=dt.date(2021, 1, 1),
    )


# --- linking users --------------------------------------------------------------------------


def test_officer_link_and_unlink_user(city, admin, make_user):
    officer = make_officer(admin, city)
    user = make_user("supervisor")
    services.officer_link_user(actor=admin, officer=officer, user=user)
    assert Officer.objects.get(pk=officer.pk).user == user
    services.officer_link_user(actor=admin, officer=officer, user=user)  # no change, no entry
    services.officer_link_user(actor=admin, officer=officer, user=None)
    assert Officer.objects.get(pk=officer.pk).user is None
    first, second = entries("agency.officer.link_user")
    assert first.after == {"user": user.pk}
    assert second.before == {"user": user.pk}
    assert second.after == {"user": None}


def test_officer_link_user_taken(city, admin, staff):
    refused(
        "user_already_linked",
        services.officer_link_user,
        actor=admin,
        officer=staff.a,
        user=staff.sup_user,
    )
    assert Officer.objects.get(pk=staff.a.pk).user is None


# --- street import --------------------------------------------------------------------------

HEADER = "street,from_number,to_number,start_lat,start_lng,end_lat,end_lng\n"


def run_import(admin, agency, text, **kwargs):
    return services.street_segments_import(
        actor=admin, agency=agency, lines=io.StringIO(text), **kwargs
    )


def test_street_import(city, admin):
    before = StreetSegment.objects.count()
    result = run_import(
        admin,
        city.agency,
        HEADER
        + "Elm Street,100,198,38.49,-98.03,38.49,-98.02\n"
        + "elm st,200,298,38.49,-98.02,38.49,-98.01\n",
    )
    assert result.ok
    assert (result.rows, result.created, result.deleted) == (2, 2, 0)
    assert StreetSegment.objects.count() == before + 2
    keys = set(
        StreetSegment.objects.filter(street__iexact="elm street").values_list(
            "street_key", flat=True
        )
    )
    assert keys == {"ELM ST"}
    (entry,) = entries("agency.streets.import")
    assert entry.after == {"rows": 2, "created": 2, "deleted": 0, "replace": False}


def test_street_import_replace(city, admin):
    current = StreetSegment.objects.filter(agency=city.agency).count()
    result = run_import(
        admin, city.agency, HEADER + "Elm St,100,198,38.49,-98.03,38.49,-98.02\n", replace=True
    )
    assert (result.created, result.deleted) == (1, current)
    assert StreetSegment.objects.filter(agency=city.agency).count() == 1


def test_street_import_extra_columns_and_spaces_are_fine(city, admin):
    text = (
        " street , from_number,to_number,start_lat,start_lng,end_lat,end_lng,tlid\n"
        " Elm St , 100 , 198 ,38.49,-98.03,38.49,-98.02,12345\n"
    )
    result = run_import(admin, city.agency, text)
    assert result.ok, result.errors
    assert StreetSegment.objects.filter(street="Elm St").exists()


def test_street_import_reports_every_row_error_and_writes_nothing(city, admin):
    before = StreetSegment.objects.count()
    text = (
        HEADER
        + "Elm St,100,198,38.49,-98.03,38.49,-98.02\n"  # line 2: fine
        + ",100,198,38.49,-98.03,38.49,-98.02\n"  # 3: no street
        + "Elm St,abc,198,38.49,-98.03,38.49,-98.02\n"  # 4: bad number
        + "Elm St,300,200,38.49,-98.03,38.49,-98.02\n"  # 5: reversed range
        + "Elm St,100,198,98.49,-98.03,38.49,-98.02\n"  # 6: latitude out of range
        + "Elm St,100,198,38.49,west,38.49,-98.02\n"  # 7: not a number
        + "Elm St,100,198,38.49,-98.03,38.49\n"  # 8: missing value
        + "Elm St,100,198,38.49,-98.03,38.49,-98.02,extra\n"  # 9: too many fields
        + "Elm St,-5,198,38.49,-98.03,38.49,-98.02\n"  # 10: negative number
    )
    result = run_import(admin, city.agency, text)
    assert not result.ok
    assert result.created == 0
    assert result.rows == 9
    found = {(e.line, e.column) for e in result.errors}
    assert found == {
        (3, "street"),
        (4, "from_number"),
        (5, "to_number"),
        (6, "start_lat"),
        (7, "start_lng"),
        (8, "end_lng"),
        (9, ""),
        (10, "from_number"),
    }
    assert all(e.message for e in result.errors)
    assert StreetSegment.objects.count() == before
    assert entries("agency.streets.import") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", [(1, "")]),
        ("street,from_number\nElm,1\n", [(1, c) for c in services.STREET_COLUMNS[2:]]),
        (HEADER, [(2, "")]),
        (HEADER + 'Elm St,"100,198,38.49,-98.03,38.49,-98.02\n', None),
    ],
)
def test_street_import_file_level_errors(city, admin, text, expected):
    result = run_import(admin, city.agency, text)
    assert not result.ok
    if expected is not None:
        assert [(e.line, e.column) for e in result.errors] == expected


def test_street_import_needs_an_administrator(city, make_user):
    with pytest.raises(PermissionDenied):
        run_import(make_user("analyst"), city.agency, HEADER)
