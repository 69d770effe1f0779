"""The oversight share of the synthetic city: a year of complaints and commendations in
every workflow state, with complainants, reported officers, allegations, findings, final
decisions, discipline, the civilian review board's votes and recommendations, the agency's
answers, and each case's public timeline.

Everything is drawn from the step's seeded sources and dated relative to ``ctx.as_of``; the
rows are bulk-created. Distributions, rates and the planted effect are documented in
docs/data/synthetic-city.md ("What the oversight step builds"); keep the two in step.
"""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from shapely.geometry import Point, shape
from shapely.prepared import prep

from peelian.agency.models import RACES, Beat, District, Officer, StreetSegment
from peelian.oversight import codes
from peelian.oversight.models import (
    Allegation,
    AllegationCategory,
    BoardRecommendation,
    BoardReview,
    BoardVote,
    Complainant,
    Complaint,
    ComplaintEvent,
    ConflictDeclaration,
    Discipline,
    Finding,
    ReportedOfficer,
)

TIMEZONE = zoneinfo.ZoneInfo("America/Chicago")
# Complaints per 1,000 residents per year, before the planted district effect.
COMPLAINTS_PER_1000 = 2.0
COMMENDATIONS_PER_COMPLAINT = 0.15
# The planted effect: the district with the largest share of Black residents files complaints
# at twice the per-resident rate of the others.
PLANTED_DISTRICT_RATE = 2.0

CHANNELS = {"web": 55, "phone": 20, "email": 10, "in_person": 10, "mail": 5}
ANONYMOUS_SHARE = 0.12
THIRD_PARTY_SHARE = 0.06
CONSENT_SHARE = 0.55  # of named complainants: consent to share identity with the board
SPANISH_FACTOR = 0.7  # P(Spanish) = 0.7 x the beat's share of Spanish-speaking households

CATEGORY_WEIGHTS = {
    "courtesy": 22,
    "improper_stop": 12,
    "force": 12,
    "neglect": 10,
    "language": 8,
    "improper_search": 8,
    "bias": 7,
    "bodycam": 6,
    "property": 5,
    "false_arrest": 4,
    "retaliation": 2,
    "misconduct": 4,
}
EXTRA_ALLEGATIONS = (0.65, 0.25, 0.10)  # P(1, 2, 3 allegations)
FINDING_WEIGHTS = {
    Finding.SUSTAINED: 12,
    Finding.NOT_SUSTAINED: 34,
    Finding.EXONERATED: 20,
    Finding.UNFOUNDED: 24,
    Finding.POLICY_FAILURE: 4,
    Finding.ADMINISTRATIVE: 6,
}
DISCIPLINE_WEIGHTS = {
    Discipline.COUNSELING: 30,
    Discipline.TRAINING: 25,
    Discipline.WRITTEN_REPRIMAND: 22,
    Discipline.SUSPENSION: 13,
    Discipline.DEMOTION: 2,
    Discipline.TERMINATION: 4,
    Discipline.RESIGNED: 4,
}
BOARD_DISSENT_SHARE = 0.25  # board votes that disagree with the investigation's finding
AGENCY_ACCEPTS_DISSENT = 0.4  # the agency adopts a dissenting recommendation

MEDIAN_DAYS = 75.0  # days to close, Lognormal(log 75, 0.5), at least 20
BOARD_SLOWDOWN = 1.5

STATES = [s for s, _label in Complaint.Status.choices]
EVENT_OF = {
    "received": "received",
    "triaged": "triaged",
    "assigned": "assigned",
    "investigating": "investigating",
    "findings": "finding_issued",
    "board_review": "board_referred",
    "decided": "decided",
    "closed": "closed",
}


@dataclass
class Case:
    kind: str
    received: dt.datetime
    district: District
    beat: Beat
    category: AllegationCategory
    board: bool
    days: float
    stages: dict[str, dt.datetime] = field(default_factory=dict)
    state: str = "received"


def _now(as_of: dt.date) -> dt.datetime:
    return dt.datetime.combine(as_of, dt.time(17, 0), tzinfo=TIMEZONE)


def _pick(rng: Any, weights: dict[Any, float]) -> Any:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys], k=1)[0]


def _tracking(rng: Any) -> tuple[str, str]:
    body = "".join(rng.choice(codes.ALPHABET) for _ in range(codes.BODY_LENGTH))
    normalised = codes.normalise(body + codes._check_char(body))
    assert normalised is not None  # noqa: S101 - a code we just made is valid
    return codes.code_hash(normalised), normalised[-4:]


def _stages(rng: Any, case: Case) -> dict[str, dt.datetime]:
    """When the case reaches each state (days after receipt), ending with its closing."""
    d = case.days
    offsets = {"received": 0.0}
    offsets["triaged"] = rng.uniform(0.3, 3.0)
    offsets["assigned"] = offsets["triaged"] + rng.uniform(0.5, 5.0)
    offsets["investigating"] = offsets["assigned"] + rng.uniform(0.5, 7.0)
    offsets["findings"] = max(offsets["investigating"] + 3, 0.62 * d)
    if case.board:
        offsets["board_review"] = offsets["findings"] + rng.uniform(3, 10)
    offsets["decided"] = max(offsets[list(offsets)[-1]] + 2, 0.93 * d)
    offsets["closed"] = max(offsets["decided"] + 1, d)
    return {s: case.received + dt.timedelta(days=o) for s, o in offsets.items()}


def _state_at(stages: dict[str, dt.datetime], now: dt.datetime) -> str:
    state = "received"
    for s, at in stages.items():
        if at <= now:
            state = s
    return state


def _place_case_in(rng: Any, case: Case, state: str, now: dt.datetime) -> None:
    """Shift a case in time so that, today, it stands in ``state`` (used to make sure a
    small city still shows every state)."""
    if state == "board_review":
        case.board = True
    stages = _stages(rng, case)
    keys = list(stages)
    i = keys.index(state)
    start = stages[state]
    end = stages[keys[i + 1]] if i + 1 < len(keys) else start + dt.timedelta(days=30)
    shift = now - (start + (end - start) / 2)
    case.received += shift
    case.stages = {s: at + shift for s, at in stages.items()}
    case.state = _state_at(case.stages, now)


def _beat_streets(agency: Any, beats: list[Beat]) -> dict[int, list[StreetSegment]]:
    """Street blocks whose midpoint lies in each beat."""
    shapes = [(b.pk, prep(shape(b.boundary))) for b in beats]
    out: dict[int, list[StreetSegment]] = {b.pk: [] for b in beats}
    for seg in StreetSegment.objects.filter(agency=agency).order_by("id"):
        mid = Point((seg.start_lng + seg.end_lng) / 2, (seg.start_lat + seg.end_lat) / 2)
        for pk, poly in shapes:
            if poly.contains(mid):
                out[pk].append(seg)
                break
    return out


def build(ctx: Any) -> None:
    rng = ctx.rng
    agency = ctx.shared.get("agency")
    users = ctx.shared.get("demo_users", {})
    investigator = users.get("investigator")
    board_member = users.get("review_board")
    now = _now(ctx.as_of)

    districts = list(District.objects.filter(agency=agency).order_by("code"))
    beats = list(
        Beat.objects.filter(district__agency=agency)
        .select_related("district")
        .order_by("district__code", "code")
    )
    by_district: dict[int, list[Beat]] = {
        d.pk: [b for b in beats if b.district_id == d.pk] for d in districts
    }
    population = {d.pk: sum(b.population for b in by_district[d.pk]) for d in districts}

    def black_share(d: District) -> float:
        black = sum(int((b.population_by_race or {}).get("black", 0)) for b in by_district[d.pk])
        return black / max(1, population[d.pk])

    planted = max(districts, key=lambda d: (black_share(d), d.code))
    ctx.shared["oversight_planted_district"] = planted.code
    district_weights = {
        d: population[d.pk] * (PLANTED_DISTRICT_RATE if d.pk == planted.pk else 1.0)
        for d in districts
    }
    streets = _beat_streets(agency, beats)
    categories = {c.code: c for c in AllegationCategory.objects.filter(active=True)}
    category_weights = {categories[k]: w for k, w in CATEGORY_WEIGHTS.items() if k in categories}
    officers = list(
        Officer.objects.filter(agency=agency, status=Officer.Status.ACTIVE)
        .exclude(rank__in=["chief", "deputy_chief", "commander"])
        .order_by("badge")
    )
    # A few officers draw many complaints: Gamma(0.6) weights make a long tail.
    officer_weights = {
        o: float(w)
        for o, w in zip(officers, ctx.np_rng.gamma(0.6, 1.0, len(officers)), strict=True)
    }

    n_complaints = max(40, round(ctx.population / 1000 * COMPLAINTS_PER_1000))
    n_commendations = max(6, round(n_complaints * COMMENDATIONS_PER_COMPLAINT))
    total_work = n_complaints + n_commendations
    cases: list[Case] = []
    for i in range(total_work):
        kind = Complaint.Kind.COMPLAINT if i < n_complaints else Complaint.Kind.COMMENDATION
        district = _pick(rng, district_weights)
        beat = _pick(rng, {b: max(1, b.population) for b in by_district[district.pk]})
        received = now - dt.timedelta(seconds=rng.uniform(3600, 365 * 86400))
        received = received.replace(hour=rng.choice(range(7, 23)), minute=rng.randrange(60))
        category = _pick(rng, category_weights)
        board = category.refer_to_board and kind == Complaint.Kind.COMPLAINT
        days = max(20.0, math.exp(rng.gauss(math.log(MEDIAN_DAYS), 0.5)))
        if board:
            days *= BOARD_SLOWDOWN
        if kind == Complaint.Kind.COMMENDATION:
            days = rng.uniform(3, 20)
        case = Case(kind, received, district, beat, category, board, days)
        if kind == Complaint.Kind.COMMENDATION:
            case.stages = {"received": received, "closed": received + dt.timedelta(days=days)}
        else:
            case.stages = _stages(rng, case)
        case.state = _state_at(case.stages, now)
        cases.append(case)

    # Every state appears, whatever the size: give missing ones to the newest complaints.
    complaints_only = [c for c in cases if c.kind == Complaint.Kind.COMPLAINT]
    present = {c.state for c in complaints_only}
    spare = sorted(complaints_only, key=lambda c: c.received, reverse=True)
    for state in STATES:
        if state in present:
            continue
        counts = Counter(c.state for c in complaints_only)
        donor = next(
            c
            for c in spare
            if counts[c.state] > 1 and (state != "board_review" or c.category.refer_to_board)
        )
        _place_case_in(rng, donor, state, now)
        present = {c.state for c in complaints_only}

    _write(ctx, cases, now, investigator, board_member, streets, categories, officer_weights)


def _write(
    ctx: Any,
    cases: list[Case],
    now: dt.datetime,
    investigator: Any,
    board_member: Any,
    streets: dict[int, list[StreetSegment]],
    categories: dict[str, AllegationCategory],
    officer_weights: dict[Officer, float],
) -> None:
    rng = ctx.rng
    cases.sort(key=lambda c: c.received)
    order = STATES
    complaints: list[Complaint] = []
    for case in cases:
        reached = order.index(case.state)
        tracking_hash, hint = _tracking(rng)
        segments = streets.get(case.beat.pk) or []
        location_text, lat, lng = "", None, None
        if segments:
            seg = rng.choice(segments)
            number = rng.randint(seg.from_number, seg.to_number)
            t = (number - seg.from_number) / max(1, seg.to_number - seg.from_number)
            lat = round(seg.start_lat + t * (seg.end_lat - seg.start_lat), 6)
            lng = round(seg.start_lng + t * (seg.end_lng - seg.start_lng), 6)
            location_text = f"{number} {seg.street}"
        spanish = rng.random() < SPANISH_FACTOR * (case.beat.spanish_speaking_share or 0.0)
        anonymous = rng.random() < ANONYMOUS_SHARE
        is_complaint = case.kind == Complaint.Kind.COMPLAINT
        triaged = is_complaint and reached >= order.index("triaged")
        assigned = is_complaint and reached >= order.index("assigned")
        stage = (
            case.state if is_complaint else ("closed" if case.state != "received" else "received")
        )
        stage_started = case.stages.get(stage, case.received)
        next_times = [at for at in case.stages.values() if at > now]
        occurred = (
            case.received - dt.timedelta(days=rng.choice([0, 0, 0, 1, 1, 2, 3, 5, 9]))
        ).astimezone(TIMEZONE)
        complaints.append(
            Complaint(
                public_id=ctx.uuid(),
                kind=case.kind,
                channel=_pick(rng, CHANNELS),
                status=stage,
                tracking_hash=tracking_hash,
                tracking_hint=hint,
                received_at=case.received,
                occurred_on=occurred.date(),
                occurred_time=dt.time(rng.randrange(24), rng.choice([0, 15, 30, 45]))
                if rng.random() < 0.8
                else None,
                location_text=location_text,
                lat=lat,
                lng=lng,
                beat=case.beat,
                district=case.district,
                narrative=_narrative(rng, case, spanish),
                language="es" if spanish else "en",
                anonymous=anonymous,
                third_party=rng.random() < THIRD_PARTY_SHARE,
                consent_share_identity=(not anonymous) and rng.random() < CONSENT_SHARE,
                category=case.category if triaged else None,
                priority=(
                    _pick(rng, {"normal": 70, "high": 20, "low": 7, "urgent": 3}) if triaged else ""
                ),
                handler=("oversight" if case.board else "internal_affairs") if triaged else "",
                investigator=investigator if assigned else None,
                stage_started_at=stage_started,
                stage_due_at=(min(next_times) if next_times and is_complaint else None),
                closed_at=case.stages["closed"] if stage == "closed" else None,
            )
        )
    Complaint.objects.bulk_create(complaints, batch_size=500)
    ctx.advance(len(complaints) // 3, len(complaints))

    complainants: list[Complainant] = []
    reported: list[ReportedOfficer] = []
    allegations: list[tuple[Case, Complaint, Allegation]] = []
    events: list[ComplaintEvent] = []
    street_names = sorted({seg.street for segs in streets.values() for seg in segs}) or ["Main St"]
    officer_list = list(officer_weights)
    officer_w = [officer_weights[o] for o in officer_list]
    for case, complaint in zip(cases, complaints, strict=True):
        fake = ctx.faker_es if complaint.language == "es" else ctx.faker_en
        if complaint.anonymous:
            complainants.append(Complainant(complaint=complaint))
        else:
            first, last = fake.first_name(), fake.last_name()
            complainants.append(
                Complainant(
                    complaint=complaint,
                    name=f"{first} {last}",
                    email=fake.ascii_safe_email() if rng.random() < 0.8 else "",
                    phone=f"316-555-01{rng.randrange(100):02d}" if rng.random() < 0.7 else "",
                    address=_postal_address(rng, fake, street_names) if rng.random() < 0.4 else "",
                    race=rng.choice(RACES) if rng.random() < 0.7 else "",
                    sex=rng.choice(["female", "male"]) if rng.random() < 0.8 else "",
                    age=rng.randint(18, 80) if rng.random() < 0.6 else None,
                )
            )
        officers = rng.choices(officer_list, weights=officer_w, k=3) if officer_list else []
        n_alleg = rng.choices([1, 2, 3], weights=EXTRA_ALLEGATIONS, k=1)[0]
        for officer in dict.fromkeys(officers[:n_alleg]):
            reported.append(
                ReportedOfficer(
                    complaint=complaint,
                    officer=officer if complaint.status != "received" else None,
                    name_given=officer.last_name if rng.random() < 0.4 else "",
                    badge_given=officer.badge if rng.random() < 0.5 else "",
                    description=rng.choice(
                        [
                            "Patrol officer",
                            "Tall, short hair",
                            "Officer in a marked car",
                            "Two officers on foot",
                        ]
                    ),
                )
            )
        # Public timeline.
        for state, at in case.stages.items():
            if at > now:
                break
            kind = EVENT_OF[state]
            detail: dict[str, Any] = {}
            if state == "received":
                detail = {"channel": complaint.channel}
            events.append(ComplaintEvent(complaint=complaint, kind=kind, at=at, detail=detail))
        if case.kind != Complaint.Kind.COMPLAINT or complaint.status in {
            "received",
            "triaged",
            "assigned",
        }:
            continue
        cats = [case.category, *rng.choices(list(categories.values()), k=2)]
        for j, officer in enumerate(dict.fromkeys(officers[:n_alleg])):
            allegations.append(
                (
                    case,
                    complaint,
                    Allegation(
                        complaint=complaint,
                        officer=officer,
                        category=cats[min(j, len(cats) - 1)],
                        summary="",
                    ),
                )
            )
    Complainant.objects.bulk_create(complainants, batch_size=500)
    # The assigned investigator declared no conflict before starting each investigation.
    if investigator is not None:
        ConflictDeclaration.objects.bulk_create(
            [
                ConflictDeclaration(
                    complaint=complaint, investigator=investigator, has_conflict=False
                )
                for case, complaint in zip(cases, complaints, strict=True)
                if complaint.investigator_id is not None
                and "investigating" in case.stages
                and case.stages["investigating"] <= now
            ],
            batch_size=500,
        )
    ReportedOfficer.objects.bulk_create(reported, batch_size=500)
    ctx.advance(2 * len(complaints) // 3, len(complaints))

    # Findings, final decisions and discipline.
    findings_at = {"findings", "board_review", "decided", "closed"}
    for case, complaint, a in allegations:
        if complaint.status in findings_at:
            a.finding = _pick(rng, FINDING_WEIGHTS)
            a.finding_at = case.stages["findings"]
            a.finding_reason = "Finding based on the evidence and interviews on file."
        if complaint.status in {"decided", "closed"}:
            a.final_finding = a.finding
            a.decided_at = case.stages["decided"]
    Allegation.objects.bulk_create([a for _c, _cp, a in allegations], batch_size=500)

    # The review board: votes, recommendations, the agency's answers.
    reviews: list[BoardReview] = []
    board_complaints = [
        (case, complaint)
        for case, complaint in zip(cases, complaints, strict=True)
        if case.board and complaint.status in {"board_review", "decided", "closed"}
    ]
    for case, complaint in board_complaints:
        referred = case.stages["board_review"]
        recommended_at = referred + (case.stages["decided"] - referred) * 0.6
        answered = complaint.status in {"decided", "closed"}
        status = (
            BoardReview.Status.ANSWERED
            if answered
            else BoardReview.Status.RECOMMENDED
            if recommended_at <= now
            else BoardReview.Status.OPEN
        )
        reviews.append(
            BoardReview(
                complaint=complaint,
                reason=BoardReview.Reason.RULE,
                status=status,
                referred_at=referred,
                recommended_at=recommended_at if status != BoardReview.Status.OPEN else None,
            )
        )
    BoardReview.objects.bulk_create(reviews, batch_size=500)
    review_by_complaint = {r.complaint_id: r for r in reviews}
    votes: list[BoardVote] = []
    recommendations: list[BoardRecommendation] = []
    changed: list[Allegation] = []
    for case, complaint, a in allegations:
        review = review_by_complaint.get(complaint.pk)
        if review is None or board_member is None:
            continue
        dissent = rng.random() < BOARD_DISSENT_SHARE
        alternative = Finding.SUSTAINED if a.finding != Finding.SUSTAINED else Finding.NOT_SUSTAINED
        if review.status == BoardReview.Status.OPEN and rng.random() < 0.5:
            continue  # not voted yet
        votes.append(
            BoardVote(
                review=review,
                allegation=a,
                member=board_member,
                vote=BoardVote.Vote.DISSENT if dissent else BoardVote.Vote.CONCUR,
                recommended_finding=alternative if dissent else "",
                comment="",
            )
        )
        if review.status == BoardReview.Status.OPEN:
            continue
        recommended = alternative if dissent else a.finding
        concurs = None
        answered_at = None
        if review.status == BoardReview.Status.ANSWERED:
            concurs = (not dissent) or rng.random() < AGENCY_ACCEPTS_DISSENT
            answered_at = case.stages["decided"]
            if dissent and concurs:
                a.final_finding = recommended
                changed.append(a)
        recommendations.append(
            BoardRecommendation(
                review=review,
                allegation=a,
                recommended_finding=recommended,
                recommended_discipline="",
                rationale="The board weighed the evidence on file.",
                agency_concurs=concurs,
                agency_reasons="" if concurs is None else "Considered by the chief's delegate.",
                answered_at=answered_at,
            )
        )
    BoardVote.objects.bulk_create(votes, batch_size=500)
    BoardRecommendation.objects.bulk_create(recommendations, batch_size=500)

    # Discipline follows the final finding.
    for _case, _complaint, a in allegations:
        if not a.final_finding:
            continue
        if a.final_finding == Finding.SUSTAINED:
            a.discipline = _pick(rng, DISCIPLINE_WEIGHTS)
            a.suspension_days = (
                rng.randint(1, 10) if a.discipline == Discipline.SUSPENSION else None
            )
        else:
            a.discipline = Discipline.NONE
            a.suspension_days = None
    Allegation.objects.bulk_update(
        [a for _c, _cp, a in allegations if a.final_finding],
        ["final_finding", "discipline", "suspension_days"],
        batch_size=500,
    )

    # Timeline detail: counts of findings, once issued and once decided.
    by_complaint: dict[int, list[Allegation]] = {}
    for _case, complaint, a in allegations:
        by_complaint.setdefault(complaint.pk, []).append(a)
    for event in events:
        items = by_complaint.get(event.complaint.pk, [])
        if event.kind == "finding_issued":
            event.detail = {"findings": dict(Counter(a.finding for a in items))}
        elif event.kind == "decided":
            event.detail = {"decisions": dict(Counter(a.final_finding for a in items))}
    for _case, complaint in board_complaints:
        review = review_by_complaint[complaint.pk]
        if review.recommended_at is not None and review.recommended_at <= now:
            recs = [r for r in recommendations if r.review_id == review.pk]
            agrees = sum(1 for r in recs if r.recommended_finding == r.allegation.finding)
            events.append(
                ComplaintEvent(
                    complaint=complaint,
                    kind="board_reviewed",
                    at=review.recommended_at,
                    detail={"board_agreement": {"agrees": agrees, "differs": len(recs) - agrees}},
                )
            )
    ComplaintEvent.objects.bulk_create(events, batch_size=1000)
    ctx.advance(len(complaints), len(complaints))
    ctx.shared["oversight_complaints"] = len(complaints)


NARRATIVES = {
    "en": [
        "An officer stopped me near {place} and spoke to me rudely.",
        "I was stopped at {place} and I do not believe there was a reason.",
        "During an arrest near {place} the officer used more force than was needed.",
        "My property was taken at {place} and not returned.",
        "The officer did not turn on the body camera during our conversation at {place}.",
        "I called for help near {place} and no one came for hours.",
    ],
    "es": [
        "Un agente me detuvo cerca de {place} y me habló de mala manera.",
        "Me detuvieron en {place} y no creo que hubiera motivo.",
        "Durante un arresto cerca de {place} el agente usó más fuerza de la necesaria.",
        "Se llevaron mis pertenencias en {place} y no me las devolvieron.",
    ],
}
COMMENDATION_TEXT = {
    "en": "The officer who helped me near {place} was patient and kind. Thank you.",
    "es": "El agente que me ayudó cerca de {place} fue paciente y amable. Gracias.",
}


def _narrative(rng: Any, case: Case, spanish: bool) -> str:
    lang = "es" if spanish else "en"
    place = case.beat.name
    if case.kind == Complaint.Kind.COMMENDATION:
        return COMMENDATION_TEXT[lang].format(place=place)
    return rng.choice(NARRATIVES[lang]).format(place=place)


def _postal_address(rng: Any, fake: Any, street_names: list[str]) -> str:
    return f"{fake.building_number()} {rng.choice(street_names)}, Calder Falls, KS"
