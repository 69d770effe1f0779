"""The use-of-force share of the synthetic city: about 1.25 incidents per officer over the
demo year (150 for the ``small`` city), filed through ``force_report`` by the seeder and
reviewed through ``force_review`` by the demo supervisor.

Everything is drawn from ``ctx.rng`` and dated relative to ``ctx.as_of``. The distributions
are documented in docs/data/use-of-force.md (section "Demo data"); keep the two in step.
Planted effect: Black residents are subjects of force 1.8 times as often as their share of
the beat's residents would give, so the disparity analyses have something to find.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from shapely.geometry import Point, shape
from shapely.prepared import prep

from peelian.agency.models import Agency, Beat, Officer
from peelian.force.models import ReviewStatus
from peelian.force.services import OfficerInput, SubjectInput, force_report, force_review

INCIDENTS_PER_OFFICER = 1.25
BLACK_RATE_MULTIPLIER = 1.8
UNDER_18_SHARE = 0.04
MALE_SHARE = 0.82

CONTACT_WEIGHTS = {
    "call_for_service": 26,
    "disturbance": 18,
    "crime_in_progress": 16,
    "traffic_stop": 12,
    "pedestrian_stop": 9,
    "arrest_warrant": 9,
    "crisis": 8,
    "other": 2,
}
FORCE_REASON_WEIGHTS = {
    "overcome_resistance": 40,
    "effect_arrest": 28,
    "defend_self": 14,
    "prevent_escape": 9,
    "defend_others": 5,
    "prevent_self_harm": 4,
}
RESISTANCE_WEIGHTS = {
    "none": 6,
    "passive": 20,
    "active": 46,
    "assaultive": 25,
    "life_threatening": 3,
}
# Force each officer used, by the subject's resistance (one or two types per officer).
FORCE_BY_RESISTANCE: dict[str, dict[str, float]] = {
    "none": {"control_hold": 60, "verbal_command": 30, "takedown": 10},
    "passive": {"control_hold": 55, "verbal_command": 25, "takedown": 15, "oc_spray": 5},
    "active": {
        "takedown": 35,
        "control_hold": 30,
        "taser": 12,
        "strike": 10,
        "oc_spray": 8,
        "k9": 2,
        "firearm_pointed": 3,
    },
    "assaultive": {
        "takedown": 25,
        "strike": 22,
        "taser": 20,
        "control_hold": 12,
        "oc_spray": 8,
        "baton": 5,
        "firearm_pointed": 6,
        "less_lethal_projectile": 2,
    },
    "life_threatening": {
        "firearm_pointed": 45,
        "firearm_discharged": 15,
        "taser": 20,
        "less_lethal_projectile": 10,
        "vehicle": 5,
        "k9": 5,
    },
}
INJURY_CHANCE = {
    "none": 0.10,
    "passive": 0.15,
    "active": 0.28,
    "assaultive": 0.42,
    "life_threatening": 0.55,
}
ARMED_WEIGHTS = {"unarmed": 78, "other_weapon": 7, "knife": 5, "firearm": 4, "unknown": 6}
REVIEW_WEIGHTS = {"approved": 86, "referred": 7, "returned": 3, "pending": 4}


def _pick(rng: Any, weights: dict[str, float]) -> str:
    keys = list(weights)
    return str(rng.choices(keys, weights=[weights[k] for k in keys])[0])


def _point_in(rng: Any, beat: Beat) -> tuple[float, float]:
    geom = shape(beat.boundary)
    prepared = prep(geom)
    minx, miny, maxx, maxy = geom.bounds
    for _attempt in range(10_000):
        p = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if prepared.contains(p):
            return p.y, p.x
    c = geom.representative_point()
    return c.y, c.x


def _subject(rng: Any, beat: Beat, resistance: str) -> SubjectInput:
    by_race = {r: float(n) for r, n in (beat.population_by_race or {}).items() if n}
    if "black" in by_race:
        by_race["black"] *= BLACK_RATE_MULTIPLIER
    race = _pick(rng, by_race) if by_race else "unknown"
    if rng.random() < 0.03:
        race = "unknown"
    if rng.random() < UNDER_18_SHARE:
        age = rng.randint(13, 17)
    else:
        age = min(75, max(18, round(rng.triangular(18, 70, 26))))
    injured = rng.random() < INJURY_CHANCE[resistance]
    return SubjectInput(
        race=race,
        sex="male" if rng.random() < MALE_SHARE else "female",
        age=age,
        injured=injured if rng.random() > 0.05 else None,
        injury_description=(
            rng.choice(["Abrasions", "Bruising to the arm", "Taser probe wounds", "Cut lip"])
            if injured
            else ""
        ),
        hospitalized=(rng.random() < 0.3) if injured else False,
        armed=_pick(rng, ARMED_WEIGHTS),
    )


def _when(rng: Any, as_of: dt.date, tz: dt.tzinfo) -> dt.datetime:
    day = as_of - dt.timedelta(days=rng.randrange(365))
    # Most force happens in the evening and at night.
    hour = int(
        rng.choices(
            range(24),
            weights=[6, 6, 5, 4, 3, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 6, 6, 6, 7, 7, 7, 7, 7],
        )[0]
    )
    return dt.datetime(day.year, day.month, day.day, hour, rng.randrange(60), tzinfo=tz)


def build(ctx: Any) -> None:
    agency: Agency | None = ctx.shared.get("agency") or Agency.objects.first()
    if agency is None:
        return
    tz = zoneinfo.ZoneInfo(agency.timezone)
    beats = list(Beat.objects.filter(district__agency=agency).select_related("district"))
    if not beats:
        return
    users: dict[str, Any] = ctx.shared.get("demo_users", {})
    supervisor = users.get("supervisor")
    excluded = set(
        Officer.objects.filter(user__isnull=False).values_list("pk", flat=True)
    )  # the demo users' own officers never use force, so the supervisor may review all
    patrol = list(
        Officer.objects.filter(
            agency=agency,
            status=Officer.Status.ACTIVE,
            rank__in=[Officer.Rank.OFFICER, Officer.Rank.SERGEANT],
        )
        .exclude(pk__in=excluded)
        .order_by("badge")
    )
    if not patrol:
        return
    # A few officers account for much of the force (a skewed, long-tailed distribution).
    officer_weights = [ctx.rng.paretovariate(1.6) for _o in patrol]
    population = [max(b.population, 1) for b in beats]
    total = max(1, round(INCIDENTS_PER_OFFICER * ctx.officers))
    plans = []
    for _n in range(total):
        plans.append(_when(ctx.rng, ctx.as_of, tz))
    plans.sort()
    for done, occurred_at in enumerate(plans, start=1):
        rng = ctx.rng
        beat = rng.choices(beats, weights=population)[0]
        lat, lng = _point_in(rng, beat)
        resistance = _pick(rng, RESISTANCE_WEIGHTS)
        n_officers = int(rng.choices([1, 2, 3], weights=[55, 35, 10])[0])
        chosen: list[Officer] = []
        while len(chosen) < min(n_officers, len(patrol)):
            o = rng.choices(patrol, weights=officer_weights)[0]
            if o not in chosen:
                chosen.append(o)
        officers = []
        for o in chosen:
            kinds = {_pick(rng, FORCE_BY_RESISTANCE[resistance])}
            if rng.random() < 0.35:
                kinds.add(_pick(rng, FORCE_BY_RESISTANCE[resistance]))
            if rng.random() < 0.5:
                kinds.add("verbal_command")
            officers.append(
                OfficerInput(officer=o, force_types=sorted(kinds), injured=rng.random() < 0.08)
            )
        n_subjects = int(rng.choices([1, 2, 3], weights=[90, 9, 1])[0])
        subjects = [_subject(rng, beat, resistance) for _s in range(n_subjects)]
        recordings = [f"BWC-{occurred_at:%Y%m%d}-{o.badge}" for o in chosen if rng.random() < 0.85]
        incident = force_report(
            actor="system:seed",
            agency=agency,
            occurred_at=occurred_at,
            officers=officers,
            subjects=subjects,
            lat=lat,
            lng=lng,
            location_text="",
            contact_reason=_pick(rng, CONTACT_WEIGHTS),
            force_reason=_pick(rng, FORCE_REASON_WEIGHTS),
            resistance=resistance,
            narrative=(
                "Synthetic narrative: officers responded, the subject resisted, force was "
                "used to gain control, and the subject was checked for injuries."
            ),
            recording_ids=recordings,
            public_id=ctx.uuid(),
        )
        age_days = (ctx.as_of - occurred_at.date()).days
        status = (
            _pick(rng, REVIEW_WEIGHTS)
            if age_days > 14
            else ("pending" if rng.random() < 0.7 else "approved")
        )
        if supervisor is not None and status != ReviewStatus.PENDING:
            reviewed = occurred_at + dt.timedelta(days=rng.randint(1, 10), hours=rng.randint(0, 8))
            limit = dt.datetime(ctx.as_of.year, ctx.as_of.month, ctx.as_of.day, 17, tzinfo=tz)
            force_review(
                actor=supervisor,
                incident=incident,
                decision=status,
                notes="" if status == "approved" else "Synthetic review notes.",
                at=max(occurred_at + dt.timedelta(hours=1), min(reviewed, limit)),
            )
        ctx.advance(done, total)
