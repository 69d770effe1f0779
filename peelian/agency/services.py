"""Every write to the agency's structure and its officers.

Each service takes keyword arguments and an explicit ``actor``, checks the policy first,
validates (specific ``ApplicationError`` codes, then ``full_clean()``), writes, and appends
the audit entry in the same transaction: on any error nothing is written.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import zoneinfo
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peelian.accounts.models import User
from peelian.agency.geo import invalidate_beat_index, normalise_street, validate_boundary
from peelian.agency.models import (
    RACES,
    Agency,
    Assignment,
    Beat,
    District,
    Officer,
    StreetSegment,
    Unit,
)
from peelian.agency.permissions import policy
from peelian.audit.services import audit_log, snapshot
from peelian.core.errors import ApplicationError, validation_error_to_application_error

M = TypeVar("M", bound=models.Model)

AGENCY_FIELDS = ("name", "slug", "city", "state", "timezone", "center_lat", "center_lng", "website")
DISTRICT_FIELDS = ("code", "name", "boundary")
BEAT_FIELDS = (
    "district",
    "code",
    "name",
    "boundary",
    "population",
    "population_by_race",
    "median_household_income",
    "spanish_speaking_share",
)
UNIT_FIELDS = ("code", "name", "kind", "district")
OFFICER_FIELDS = (
    "badge",
    "first_name",
    "last_name",
    "sex",
    "race",
    "birth_year",
    "hire_date",
    "status",
)
# Age at hire that a birth year must imply (inclusive); outside it the year is a typo.
HIRE_AGE_RANGE = (17, 80)


# --- helpers --------------------------------------------------------------------------------


def _error(message: str, code: str, field: str | None = None) -> ApplicationError:
    return ApplicationError(message, code=code, fields={field: [message]} if field else None)


def _full_clean(obj: models.Model) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise validation_error_to_application_error(exc) from exc


def _save(obj: M, *, update_fields: list[str] | None = None) -> M:
    """Save, turning a constraint race (two writers passing the checks at once) into a
    409 instead of a server error."""
    try:
        with transaction.atomic():
            if update_fields is None:
                obj.save()
            else:
                obj.save(update_fields=update_fields)
    except IntegrityError as exc:
        raise ApplicationError(
            _("Someone else changed this at the same moment; reload and try again."),
            code="conflict",
            status=409,
        ) from exc
    return obj


def _apply(obj: models.Model, data: Mapping[str, Any], allowed: Iterable[str]) -> list[str]:
    """Set the fields in ``data`` on ``obj``; return the names that actually changed."""
    allowed = set(allowed)
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ApplicationError(
            _("These fields cannot be changed here: %(f)s.") % {"f": ", ".join(unknown)},
            code="unknown_field",
            fields={f: [_("This field cannot be changed here.")] for f in unknown},
        )
    changed = [name for name, value in data.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, data[name])
    return changed


def _restoring(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in fields}


def _restore(obj: models.Model, values: Mapping[str, Any]) -> None:
    for name, value in values.items():
        setattr(obj, name, value)


def _update(
    *,
    actor: Any,
    obj: M,
    data: Mapping[str, Any],
    fields: tuple[str, ...],
    validate: Callable[[M, dict[str, Any]], None],
    action: str,
) -> tuple[M, list[str]]:
    """The shape every structure update shares: policy, apply the changed fields, validate
    and save (restoring the in-memory object if refused, so nothing half-changed lingers),
    audit with before/after of the changed fields. ``validate(obj, original)`` raises
    ApplicationError. Returns the object and the names that changed."""
    policy.require(actor, "structure.manage")
    original = _restoring(obj, fields)
    before = snapshot(obj, fields)
    changed = _apply(obj, data, fields)
    if not changed:
        return obj, changed
    try:
        validate(obj, original)
        _save(obj, update_fields=[*changed, "updated_at"])
    except ApplicationError:
        _restore(obj, original)
        raise
    audit_log(
        actor=actor,
        action=action,
        target=obj,
        before={k: before[k] for k in changed},
        after=snapshot(obj, changed),
    )
    return obj, changed


def _lock(officer: Officer) -> None:
    """Lock the officer's row for the rest of the transaction and reload it, so two
    concurrent assignments of one officer queue instead of interleaving."""
    Officer.objects.select_for_update().filter(pk=officer.pk).values_list("pk").first()
    officer.refresh_from_db()


def _today() -> dt.date:
    return timezone.localdate()


# --- agency ---------------------------------------------------------------------------------


def _validate_agency(agency: Agency) -> None:
    agency.state = (agency.state or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", agency.state):
        raise _error(_("Use the two-letter postal code, such as IL."), "invalid_state", "state")
    try:
        zoneinfo.ZoneInfo(agency.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise _error(
            _("“%(tz)s” is not a time zone name such as America/Chicago.")
            % {"tz": agency.timezone},
            "invalid_timezone",
            "timezone",
        ) from None
    if not (-90 <= agency.center_lat <= 90 and -180 <= agency.center_lng <= 180):
        raise _error(
            _(
                "The centre must have a latitude between -90 and 90 and a longitude between -180 "
                "and 180."
            ),
            "center_out_of_range",
            "center_lat",
        )
    if Agency.objects.filter(slug=agency.slug).exclude(pk=agency.pk).exists():
        raise _error(_("Another agency already uses that slug."), "agency_slug_taken", "slug")
    _full_clean(agency)


@transaction.atomic
def agency_create(
    *,
    actor: Any,
    name: str,
    slug: str,
    city: str,
    state: str,
    center_lat: float,
    center_lng: float,
    timezone: str = "America/Chicago",
    website: str = "",
) -> Agency:
    policy.require(actor, "structure.manage")
    agency = Agency(
        name=name,
        slug=slug,
        city=city,
        state=state,
        timezone=timezone,
        center_lat=center_lat,
        center_lng=center_lng,
        website=website,
    )
    _validate_agency(agency)
    _save(agency)
    audit_log(
        actor=actor,
        action="agency.agency.create",
        target=agency,
        after=snapshot(agency, AGENCY_FIELDS),
    )
    return agency


@transaction.atomic
def agency_update(*, actor: Any, agency: Agency, data: Mapping[str, Any]) -> Agency:
    agency, _changed = _update(
        actor=actor,
        obj=agency,
        data=data,
        fields=AGENCY_FIELDS,
        validate=lambda obj, original: _validate_agency(obj),
        action="agency.agency.update",
    )
    return agency


# --- districts ------------------------------------------------------------------------------


def _validate_district(district: District) -> None:
    district.code = (district.code or "").strip()
    district.boundary = validate_boundary(district.boundary)
    taken = District.objects.filter(agency_id=district.agency_id, code=district.code)
    if district.code and taken.exclude(pk=district.pk).exists():
        raise _error(
            _("This agency already has a district with code %(code)s.") % {"code": district.code},
            "district_code_taken",
            "code",
        )
    _full_clean(district)


@transaction.atomic
def district_create(
    *, actor: Any, agency: Agency, code: str, name: str, boundary: Mapping[str, Any]
) -> District:
    policy.require(actor, "structure.manage")
    district = District(agency=agency, code=code, name=name, boundary=boundary)
    _validate_district(district)
    _save(district)
    audit_log(
        actor=actor,
        action="agency.district.create",
        target=district,
        after=snapshot(district, ("agency", "code", "name")),
    )
    return district


@transaction.atomic
def district_update(*, actor: Any, district: District, data: Mapping[str, Any]) -> District:
    district, changed = _update(
        actor=actor,
        obj=district,
        data=data,
        fields=DISTRICT_FIELDS,
        validate=lambda obj, original: _validate_district(obj),
        action="agency.district.update",
    )
    if changed:
        transaction.on_commit(invalidate_beat_index)
    return district


# --- beats ----------------------------------------------------------------------------------


def check_population(
    population: Any, by_race: Any, spanish_speaking_share: float | None = None
) -> dict[str, int]:
    """Validate a beat's resident figures; return ``by_race`` as a dict. Every resident
    counts in exactly one category, so non-empty counts by race must add up to the
    population."""
    if by_race is None:
        by_race = {}
    if not isinstance(by_race, dict):
        raise _error(
            _("Population by race must be an object of category: count."),
            "population_by_race_invalid",
            "population_by_race",
        )
    unknown = sorted(set(by_race) - set(RACES))
    if unknown:
        raise _error(
            _("Unknown race categories: %(c)s. Use: %(known)s.")
            % {"c": ", ".join(unknown), "known": ", ".join(RACES)},
            "population_by_race_invalid",
            "population_by_race",
        )
    for race, count in by_race.items():
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise _error(
                _("The count for %(race)s must be a whole number of at least 0.") % {"race": race},
                "population_by_race_invalid",
                "population_by_race",
            )
    if not isinstance(population, int) or isinstance(population, bool) or population < 0:
        raise _error(
            _("Population must be a whole number of at least 0."),
            "population_invalid",
            "population",
        )
    if by_race and sum(by_race.values()) != population:
        raise _error(
            _(
                "The counts by race add up to %(sum)d but the population is %(pop)d; every "
                "resident counts in exactly one category."
            )
            % {"sum": sum(by_race.values()), "pop": population},
            "population_mismatch",
            "population_by_race",
        )
    if spanish_speaking_share is not None and not 0 <= spanish_speaking_share <= 1:
        raise _error(
            _("The share of Spanish-speaking households must be between 0 and 1."),
            "share_out_of_range",
            "spanish_speaking_share",
        )
    return dict(by_race)


def _validate_beat(beat: Beat) -> None:
    beat.code = (beat.code or "").strip()
    beat.boundary = validate_boundary(beat.boundary)
    beat.population_by_race = check_population(
        beat.population, beat.population_by_race, beat.spanish_speaking_share
    )
    taken = Beat.objects.filter(district_id=beat.district_id, code=beat.code)
    if beat.code and taken.exclude(pk=beat.pk).exists():
        raise _error(
            _("This district already has a beat with code %(code)s.") % {"code": beat.code},
            "beat_code_taken",
            "code",
        )
    _full_clean(beat)


@transaction.atomic
def beat_create(
    *,
    actor: Any,
    district: District,
    code: str,
    name: str,
    boundary: Mapping[str, Any],
    population: int = 0,
    population_by_race: Mapping[str, int] | None = None,
    median_household_income: int | None = None,
    spanish_speaking_share: float | None = None,
) -> Beat:
    policy.require(actor, "structure.manage")
    beat = Beat(
        district=district,
        code=code,
        name=name,
        boundary=boundary,
        population=population,
        population_by_race=(
            dict(population_by_race)
            if isinstance(population_by_race, Mapping)
            else population_by_race
        ),
        median_household_income=median_household_income,
        spanish_speaking_share=spanish_speaking_share,
    )
    _validate_beat(beat)
    _save(beat)
    audit_log(
        actor=actor,
        action="agency.beat.create",
        target=beat,
        after=snapshot(beat, ("district", "code", "name", "population")),
    )
    transaction.on_commit(invalidate_beat_index)
    return beat


def _validate_beat_update(beat: Beat, original: dict[str, Any]) -> None:
    if beat.district_id != original["district"].pk and (
        beat.district.agency_id != original["district"].agency_id
    ):
        raise _error(
            _("A beat can only move to another district of the same agency."),
            "district_other_agency",
            "district",
        )
    _validate_beat(beat)


@transaction.atomic
def beat_update(*, actor: Any, beat: Beat, data: Mapping[str, Any]) -> Beat:
    beat, changed = _update(
        actor=actor,
        obj=beat,
        data=data,
        fields=BEAT_FIELDS,
        validate=_validate_beat_update,
        action="agency.beat.update",
    )
    if changed:
        transaction.on_commit(invalidate_beat_index)
    return beat


# --- units ----------------------------------------------------------------------------------


def _validate_unit(unit: Unit) -> None:
    unit.code = (unit.code or "").strip()
    if unit.district is not None and unit.district.agency_id != unit.agency_id:
        raise _error(
            _("The district belongs to another agency."), "district_other_agency", "district"
        )
    taken = Unit.objects.filter(agency_id=unit.agency_id, code=unit.code)
    if unit.code and taken.exclude(pk=unit.pk).exists():
        raise _error(
            _("This agency already has a unit with code %(code)s.") % {"code": unit.code},
            "unit_code_taken",
            "code",
        )
    _full_clean(unit)


@transaction.atomic
def unit_create(
    *,
    actor: Any,
    agency: Agency,
    code: str,
    name: str,
    kind: str,
    district: District | None = None,
) -> Unit:
    policy.require(actor, "structure.manage")
    unit = Unit(agency=agency, code=code, name=name, kind=kind, district=district)
    _validate_unit(unit)
    _save(unit)
    audit_log(
        actor=actor,
        action="agency.unit.create",
        target=unit,
        after=snapshot(unit, ("agency", *UNIT_FIELDS)),
    )
    return unit


@transaction.atomic
def unit_update(*, actor: Any, unit: Unit, data: Mapping[str, Any]) -> Unit:
    unit, _changed = _update(
        actor=actor,
        obj=unit,
        data=data,
        fields=UNIT_FIELDS,
        validate=lambda obj, original: _validate_unit(obj),
        action="agency.unit.update",
    )
    return unit


# --- officers -------------------------------------------------------------------------------


def _validate_officer(officer: Officer) -> None:
    officer.badge = (officer.badge or "").strip()
    officer.first_name = (officer.first_name or "").strip()
    officer.last_name = (officer.last_name or "").strip()
    if officer.badge and (
        Officer.objects.filter(agency_id=officer.agency_id, badge=officer.badge)
        .exclude(pk=officer.pk)
        .exists()
    ):
        raise _error(
            _("Badge number %(badge)s is already in use in this agency.")
            % {"badge": officer.badge},
            "badge_taken",
            "badge",
        )
    if isinstance(officer.hire_date, dt.date) and officer.hire_date > _today():
        raise _error(_("The hire date is in the future."), "hire_date_in_future", "hire_date")
    if officer.birth_year is not None and isinstance(officer.hire_date, dt.date):
        age = officer.hire_date.year - officer.birth_year
        low, high = HIRE_AGE_RANGE
        if not low <= age <= high:
            raise _error(
                _("A birth year of %(year)d would make the officer %(age)d when hired; check it.")
                % {"year": officer.birth_year, "age": age},
                "birth_year_implausible",
                "birth_year",
            )
    _full_clean(officer)


def _check_unit(officer: Officer, unit: Unit) -> None:
    if unit.agency_id != officer.agency_id:
        raise _error(_("The unit belongs to another agency."), "unit_other_agency", "unit")


def _check_user_free(officer: Officer, user: User | None) -> None:
    if user is None:
        return
    if Officer.objects.filter(user=user).exclude(pk=officer.pk).exists():
        raise _error(
            _("That user is already linked to another officer."), "user_already_linked", "user"
        )


@transaction.atomic
def officer_create(
    *,
    actor: Any,
    agency: Agency,
    badge: str,
    first_name: str,
    last_name: str,
    race: str,
    hire_date: dt.date,
    sex: str = "unknown",
    rank: str = Officer.Rank.OFFICER,
    unit: Unit | None = None,
    beat: Beat | None = None,
    birth_year: int | None = None,
    status: str = Officer.Status.ACTIVE,
    user: User | None = None,
) -> Officer:
    """A new officer. With a ``unit``, their first assignment (at ``rank``, optionally to a
    ``beat``) starts on the hire date. Separation goes through ``officer_separate``."""
    policy.require(actor, "officer.manage")
    if status == Officer.Status.SEPARATED:
        raise _error(
            _("Create the officer first, then record the separation."),
            "use_officer_separate",
            "status",
        )
    officer = Officer(
        agency=agency,
        badge=badge,
        first_name=first_name,
        last_name=last_name,
        race=race,
        hire_date=hire_date,
        sex=sex,
        rank=rank,
        unit=unit,
        birth_year=birth_year,
        status=status,
        user=user,
    )
    if unit is not None:
        _check_unit(officer, unit)
    if beat is not None and unit is None:
        raise _error(_("A beat is assigned together with a unit."), "beat_without_unit", "beat")
    _check_user_free(officer, user)
    _validate_officer(officer)
    _save(officer)
    assignment = None
    if unit is not None:
        assignment = _open_assignment(officer, unit=unit, rank=rank, beat=beat, start=hire_date)
    audit_log(
        actor=actor,
        action="agency.officer.create",
        target=officer,
        after={
            **snapshot(officer, ("agency", "badge", "rank", "unit", "status", "hire_date")),
            "assignment": assignment.pk if assignment else None,
        },
    )
    return officer


@transaction.atomic
def officer_update(*, actor: Any, officer: Officer, data: Mapping[str, Any]) -> Officer:
    """Correct or change the record. Rank and unit change through ``officer_assign``;
    separation through ``officer_separate``; status moves between active and on leave."""
    policy.require(actor, "officer.manage")
    if "rank" in data or "unit" in data:
        raise _error(_("Change rank and unit with a new assignment."), "use_officer_assign", "unit")
    original = _restoring(officer, OFFICER_FIELDS)
    before = snapshot(officer, OFFICER_FIELDS)
    changed = _apply(officer, data, OFFICER_FIELDS)
    if not changed:
        return officer
    try:
        if "status" in changed:
            if original["status"] == Officer.Status.SEPARATED:
                raise _error(
                    _("This officer has separated; their status cannot change."),
                    "officer_separated",
                    "status",
                )
            if officer.status == Officer.Status.SEPARATED:
                raise _error(
                    _("Record a separation with its date instead."),
                    "use_officer_separate",
                    "status",
                )
        if "hire_date" in changed:
            first = officer.assignments.order_by("start_date").first()
            if first is not None and officer.hire_date > first.start_date:
                raise _error(
                    _("The hire date cannot be after the first assignment (%(d)s).")
                    % {"d": first.start_date.isoformat()},
                    "hire_after_assignment",
                    "hire_date",
                )
            if officer.separation_date and officer.hire_date > officer.separation_date:
                raise _error(
                    _("The hire date cannot be after the separation date."),
                    "hire_after_separation",
                    "hire_date",
                )
        _validate_officer(officer)
        _save(officer, update_fields=[*changed, "updated_at"])
    except ApplicationError:
        _restore(officer, original)
        raise
    audit_log(
        actor=actor,
        action="agency.officer.update",
        target=officer,
        before={k: before[k] for k in changed},
        after=snapshot(officer, changed),
    )
    return officer


def _open_assignment(
    officer: Officer, *, unit: Unit, rank: str, beat: Beat | None, start: dt.date
) -> Assignment:
    assignment = Assignment(officer=officer, unit=unit, rank=rank, beat=beat, start_date=start)
    _full_clean(assignment)
    return _save(assignment)


@transaction.atomic
def officer_assign(
    *,
    actor: Any,
    officer: Officer,
    unit: Unit,
    start_date: dt.date,
    rank: str | None = None,
    beat: Beat | None = None,
) -> Assignment:
    """Move an officer to ``unit`` (and ``rank``, default: unchanged) from ``start_date``:
    the current assignment ends the day before and a new one opens; the officer's current
    unit and rank follow."""
    policy.require(actor, "officer.manage")
    _lock(officer)
    rank = rank or officer.rank
    if officer.status == Officer.Status.SEPARATED:
        raise _error(
            _("This officer has separated and cannot be assigned."), "officer_separated", "unit"
        )
    _check_unit(officer, unit)
    if rank not in Officer.Rank.values:
        raise _error(_("Unknown rank %(r)s.") % {"r": rank}, "invalid", "rank")
    if beat is not None and beat.district.agency_id != officer.agency_id:
        raise _error(_("The beat belongs to another agency."), "beat_other_agency", "beat")
    if start_date > _today():
        raise _error(
            _("An assignment cannot start in the future; record it on the day it starts."),
            "assignment_in_future",
            "start_date",
        )
    if start_date < officer.hire_date:
        raise _error(
            _("The assignment cannot start before the hire date (%(d)s).")
            % {"d": officer.hire_date.isoformat()},
            "assignment_before_hire",
            "start_date",
        )
    current = officer.assignments.select_for_update().filter(end_date__isnull=True).first()
    if current is not None and start_date <= current.start_date:
        raise _error(
            _("The new assignment must start after the current one, which started on %(d)s.")
            % {"d": current.start_date.isoformat()},
            "assignment_start_too_early",
            "start_date",
        )
    overlapping = officer.assignments.filter(end_date__gte=start_date)
    if current is not None:
        overlapping = overlapping.exclude(pk=current.pk)
    if overlapping.exists():
        raise _error(
            _("An earlier assignment runs past that start date."),
            "assignment_overlaps",
            "start_date",
        )
    before = {
        **snapshot(officer, ("unit", "rank")),
        "assignment": current.pk if current else None,
    }
    if current is not None:
        current.end_date = start_date - dt.timedelta(days=1)
        _full_clean(current)
        _save(current, update_fields=["end_date", "updated_at"])
    assignment = _open_assignment(officer, unit=unit, rank=rank, beat=beat, start=start_date)
    officer.unit = unit
    officer.rank = rank
    _full_clean(officer)
    _save(officer, update_fields=["unit", "rank", "updated_at"])
    audit_log(
        actor=actor,
        action="agency.officer.assign",
        target=officer,
        before=before,
        after={
            **snapshot(officer, ("unit", "rank")),
            "assignment": assignment.pk,
            "beat": beat.pk if beat else None,
            "start_date": start_date,
        },
    )
    return assignment


@transaction.atomic
def officer_separate(*, actor: Any, officer: Officer, separation_date: dt.date) -> Officer:
    """The officer leaves the agency on ``separation_date``: status separated, the current
    assignment ends that day, no current unit."""
    policy.require(actor, "officer.manage")
    _lock(officer)
    if officer.status == Officer.Status.SEPARATED:
        raise _error(
            _("This officer has already separated (%(d)s).")
            % {"d": officer.separation_date.isoformat() if officer.separation_date else ""},
            "officer_already_separated",
            "separation_date",
        )
    if separation_date > _today():
        raise _error(
            _("The separation date is in the future; record it on the day."),
            "separation_in_future",
            "separation_date",
        )
    if separation_date < officer.hire_date:
        raise _error(
            _("The separation date is before the hire date (%(d)s).")
            % {"d": officer.hire_date.isoformat()},
            "separation_before_hire",
            "separation_date",
        )
    current = officer.assignments.select_for_update().filter(end_date__isnull=True).first()
    if current is not None and separation_date < current.start_date:
        raise _error(
            _("The separation date is before the current assignment started (%(d)s).")
            % {"d": current.start_date.isoformat()},
            "separation_before_assignment",
            "separation_date",
        )
    before = snapshot(officer, ("status", "separation_date", "unit"))
    if current is not None:
        current.end_date = separation_date
        _full_clean(current)
        _save(current, update_fields=["end_date", "updated_at"])
    officer.status = Officer.Status.SEPARATED
    officer.separation_date = separation_date
    officer.unit = None
    _full_clean(officer)
    _save(officer, update_fields=["status", "separation_date", "unit", "updated_at"])
    audit_log(
        actor=actor,
        action="agency.officer.separate",
        target=officer,
        before=before,
        after={
            **snapshot(officer, ("status", "separation_date", "unit")),
            "assignment_ended": current.pk if current else None,
        },
    )
    return officer


@transaction.atomic
def officer_link_user(*, actor: Any, officer: Officer, user: User | None) -> Officer:
    """Link the officer to a staff account (``None`` unlinks). The link is what lets a
    supervisor see their unit and an officer see their own record."""
    policy.require(actor, "officer.manage")
    _check_user_free(officer, user)
    before = snapshot(officer, ("user",))
    if officer.user_id == (user.pk if user else None):
        return officer
    officer.user = user
    _full_clean(officer)
    _save(officer, update_fields=["user", "updated_at"])
    audit_log(
        actor=actor,
        action="agency.officer.link_user",
        target=officer,
        before=before,
        after=snapshot(officer, ("user",)),
    )
    return officer


# --- street index ---------------------------------------------------------------------------

STREET_COLUMNS = (
    "street",
    "from_number",
    "to_number",
    "start_lat",
    "start_lng",
    "end_lat",
    "end_lng",
)


@dataclass(frozen=True)
class RowError:
    line: int  # line in the file (the header is line 1)
    column: str  # "" when the error concerns the whole row or file
    message: str


@dataclass(frozen=True)
class StreetImportResult:
    rows: int
    created: int
    deleted: int
    errors: tuple[RowError, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


def _parse_int(value: str) -> int:
    if not re.fullmatch(r"\d{1,9}", value):
        raise ValueError
    return int(value)


def _parse_row(
    line: int, row: Mapping[str | None, Any], agency: Agency
) -> tuple[StreetSegment | None, list[RowError]]:
    errors: list[RowError] = []
    if row.get(None):
        errors.append(RowError(line, "", _("The row has more fields than the header.")))
    values: dict[str, Any] = {}
    for column in STREET_COLUMNS:
        raw = row.get(column)
        text = raw.strip() if isinstance(raw, str) else ""
        if not text:
            errors.append(RowError(line, column, _("A value is missing.")))
            continue
        if column == "street":
            if len(text) > 120 or not normalise_street(text):
                errors.append(
                    RowError(line, column, _("The street name must have 1 to 120 characters."))
                )
            values[column] = text
        elif column in ("from_number", "to_number"):
            try:
                values[column] = _parse_int(text)
            except ValueError:
                errors.append(
                    RowError(
                        line,
                        column,
                        _("“%(v)s” is not a house number (a whole number of at least 0).")
                        % {"v": text},
                    )
                )
        else:
            limit = 90 if column.endswith("lat") else 180
            try:
                number = float(text)
            except ValueError:
                number = float("nan")
            if not -limit <= number <= limit:
                errors.append(
                    RowError(
                        line,
                        column,
                        _("“%(v)s” is not a number between -%(l)d and %(l)d.")
                        % {"v": text, "l": limit},
                    )
                )
            else:
                values[column] = number
    if (
        "from_number" in values
        and "to_number" in values
        and values["from_number"] > values["to_number"]
    ):
        errors.append(
            RowError(line, "to_number", _("to_number must not be smaller than from_number."))
        )
    if errors:
        return None, errors
    return StreetSegment(agency=agency, street_key=normalise_street(values["street"]), **values), []


@transaction.atomic
def street_segments_import(
    *, actor: Any, agency: Agency, lines: Iterable[str], replace: bool = False
) -> StreetImportResult:
    """Import street address ranges from CSV text (UTF-8, a header row naming at least the
    columns ``street, from_number, to_number, start_lat, start_lng, end_lat, end_lng``; other
    columns are ignored). All or nothing: with any row error, nothing is written and the
    result lists every error by line and column. ``replace`` first removes the agency's
    current segments."""
    policy.require(actor, "structure.manage")
    reader = csv.DictReader(lines)
    segments: list[StreetSegment] = []
    errors: list[RowError] = []
    count = 0
    try:
        header = reader.fieldnames
        if not header:
            return StreetImportResult(0, 0, 0, (RowError(1, "", _("The file is empty.")),))
        missing = [c for c in STREET_COLUMNS if c not in [h.strip() for h in header]]
        if missing:
            return StreetImportResult(
                0,
                0,
                0,
                tuple(
                    RowError(1, c, _("The header has no “%(c)s” column.") % {"c": c})
                    for c in missing
                ),
            )
        reader.fieldnames = [h.strip() for h in header]
        for row in reader:
            count += 1
            segment, row_errors = _parse_row(reader.line_num, row, agency)
            errors.extend(row_errors)
            if segment is not None:
                segments.append(segment)
    except csv.Error as exc:
        errors.append(
            RowError(reader.line_num, "", _("The file is not valid CSV: %(e)s") % {"e": exc})
        )
    except UnicodeDecodeError:
        errors.append(RowError(reader.line_num + 1, "", _("The file is not UTF-8 text.")))
    if not errors and count == 0:
        errors.append(RowError(2, "", _("The file has a header but no rows.")))
    if errors:
        return StreetImportResult(count, 0, 0, tuple(errors))
    deleted = 0
    if replace:
        deleted, _details = StreetSegment.objects.filter(agency=agency).delete()
    StreetSegment.objects.bulk_create(segments, batch_size=2000)
    audit_log(
        actor=actor,
        action="agency.streets.import",
        target=agency,
        after={"rows": count, "created": len(segments), "deleted": deleted, "replace": replace},
    )
    return StreetImportResult(count, len(segments), deleted, ())
