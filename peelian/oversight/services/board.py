"""The civilian review board: referral, votes, recommendations and the agency's answer.

The flow, for one case:

1. ``board_refer`` — after the findings are issued, a case goes to the board by **rule**
   (an allegation's category has ``refer_to_board``; the workflow's ``findings_issue``
   calls this) or on **request** (a case manager refers it, naming who asked). A case is
   referred once: a second call returns the existing review and writes nothing.
2. ``board_vote`` — each board member votes once per allegation: *concur* with the
   investigation's finding, *dissent* (naming the finding they would have made), or
   *recuse*. A member may change their vote until the board makes its recommendations.
3. ``board_recommend`` — the board's recommendation on every allegation **is the majority
   of its votes**: the position of each non-recused vote (the investigation's finding for
   a concurrence, the member's own finding for a dissent) is counted, and a finding held
   by more than half of them is the majority. The submitted recommendation must name that
   finding (the form pre-fills it); a tie or a split without a majority is refused, so the
   board has to settle it by voting again. Discipline and rationale are the board's own.
4. ``board_respond`` — the agency (an administrator, the chief's delegate) answers each
   recommendation, and must give its reasons when it does not concur.

Every step locks the complaint's row (``lock_case``), so concurrent board actions on one
case are serialised; the audit entry is written in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from peelian.audit.services import audit_log
from peelian.core.errors import ApplicationError, NotFound
from peelian.oversight import deadlines
from peelian.oversight.events import record_event
from peelian.oversight.models import (
    Allegation,
    BoardRecommendation,
    BoardReview,
    BoardVote,
    Complaint,
    ComplaintEvent,
    Discipline,
    Finding,
)
from peelian.oversight.permissions import (
    BOARD_RESPOND,
    BOARD_VOTE,
    CASE_MANAGE,
    CASE_VIEW,
    CASE_WORK,
    policy,
)
from peelian.oversight.services.common import bump_version, lock_case

TEXT_LIMIT = 5000
REQUESTED_BY_LIMIT = 200


def _wrong_stage(message: str) -> ApplicationError:
    return ApplicationError(message, code="wrong_stage", status=409)


def _is_system_actor(actor: Any) -> bool:
    return isinstance(actor, str) and actor.startswith("system:")


def _clean_text(value: str, *, field: str, limit: int = TEXT_LIMIT) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        raise ApplicationError(
            _("Keep this to %(n)d characters or fewer.") % {"n": limit},
            fields={field: [_("Keep this to %(n)d characters or fewer.") % {"n": limit}]},
        )
    return text


def _review_of(complaint: Complaint) -> BoardReview | None:
    return BoardReview.objects.filter(complaint=complaint).first()


# -- referral -----------------------------------------------------------------------------


def referral_rule_applies(complaint: Complaint) -> bool:
    """Does any allegation of the case fall in a category that always goes to the board?"""
    return complaint.allegations.filter(category__refer_to_board=True).exists()


@transaction.atomic
def board_refer(
    *, actor: Any, complaint: Complaint, reason: str, requested_by: str = ""
) -> BoardReview:
    """Send a case whose findings are issued to the review board.

    ``reason="rule"``: the referral rule must apply; whoever may work the case (the
    workflow's ``findings_issue``, or a system actor such as the importer) may call it.
    ``reason="request"``: a case manager refers it; ``requested_by`` says who asked (the
    manager's username if blank). Call it after the complaint's status is ``findings``.
    Idempotent: an already referred case returns its review unchanged.
    """
    if reason not in BoardReview.Reason.values:
        raise ApplicationError(
            _("Unknown reason for a referral: %(r)s.") % {"r": reason},
            fields={"reason": [_("Choose the referral rule or a request.")]},
        )
    locked = lock_case(complaint, expected_version=None)
    if reason == BoardReview.Reason.RULE:
        if not _is_system_actor(actor):
            policy.require(actor, CASE_WORK, locked)
    else:
        policy.require(actor, CASE_VIEW, locked)
        policy.require(actor, CASE_MANAGE, locked)
    existing = _review_of(locked)
    if existing is not None:
        return existing
    if locked.kind != Complaint.Kind.COMPLAINT:
        raise ApplicationError(
            _("Only complaints go to the review board, not commendations."), code="not_complaint"
        )
    if locked.status != Complaint.Status.FINDINGS:
        raise _wrong_stage(
            _("A case goes to the review board once its findings are issued; this one is %(s)s.")
            % {"s": locked.get_status_display()}
        )
    if reason == BoardReview.Reason.RULE and not referral_rule_applies(locked):
        raise ApplicationError(
            _("No allegation of this case is in a category the rule sends to the board."),
            code="no_referral_rule",
        )
    requested = _clean_text(requested_by, field="requested_by", limit=REQUESTED_BY_LIMIT)
    if reason == BoardReview.Reason.REQUEST and not requested:
        requested = str(actor.get_username())
    now = timezone.now()
    review = BoardReview(
        complaint=locked,
        reason=reason,
        requested_by=requested if reason == BoardReview.Reason.REQUEST else "",
        status=BoardReview.Status.OPEN,
        referred_at=now,
    )
    review.full_clean()
    review.save()
    before_status = locked.status
    locked.status = Complaint.Status.BOARD_REVIEW
    fields = ["status", *deadlines.apply_stage(locked, now=now), "updated_at"]
    locked.save(update_fields=fields)
    bump_version(locked)
    record_event(locked, ComplaintEvent.Kind.BOARD_REFERRED)
    audit_log(
        actor=actor,
        action="oversight.board.refer",
        target=locked,
        before={"status": before_status},
        after={"status": locked.status, "reason": reason, "requested_by": review.requested_by},
    )
    complaint.status = locked.status
    complaint.version = locked.version
    return review


# -- votes --------------------------------------------------------------------------------


@transaction.atomic
def board_vote(
    *,
    actor: Any,
    allegation: Allegation,
    vote: str,
    recommended_finding: str = "",
    comment: str = "",
) -> BoardVote:
    """A board member's vote on one allegation of a referred case; voting again before the
    board's recommendations replaces the member's vote.

    *concur*: agrees with the investigation's finding (``recommended_finding`` is ignored);
    *dissent*: ``recommended_finding`` is required and must differ from that finding;
    *recuse*: the member takes no part (a conflict of interest, say)."""
    locked = lock_case(allegation.complaint, expected_version=None)
    policy.require(actor, BOARD_VOTE, locked)
    review = _review_of(locked)
    if review is None:  # the policy already refuses this; kept for clarity
        raise NotFound(_("Not found."))
    allegation = Allegation.objects.get(pk=allegation.pk)
    if allegation.complaint_id != locked.pk:
        raise NotFound(_("Not found."))
    if review.status != BoardReview.Status.OPEN:
        raise _wrong_stage(_("The board has made its recommendations; votes are closed."))
    if vote not in BoardVote.Vote.values:
        raise ApplicationError(
            _("Choose concur, dissent or recuse."),
            fields={"vote": [_("Choose concur, dissent or recuse.")]},
        )
    finding = ""
    if vote == BoardVote.Vote.DISSENT:
        if recommended_finding not in Finding.values:
            message = _("When you dissent, say which finding you would make.")
            raise ApplicationError(message, fields={"recommended_finding": [message]})
        if recommended_finding == allegation.finding:
            message = _(
                "That is the investigation's finding: choose concur, or a different finding."
            )
            raise ApplicationError(message, fields={"recommended_finding": [message]})
        finding = recommended_finding
    text = _clean_text(comment, field="comment")
    existing = BoardVote.objects.filter(allegation=allegation, member=actor).first()
    before = (
        {"vote": existing.vote, "recommended_finding": existing.recommended_finding}
        if existing
        else None
    )
    if existing is None:
        record = BoardVote(review=review, allegation=allegation, member=actor)
    else:
        record = existing
    record.vote = vote
    record.recommended_finding = finding
    record.comment = text
    record.full_clean()
    record.save()
    audit_log(
        actor=actor,
        action="oversight.board.vote",
        target=locked,
        before=before,
        after={"allegation": allegation.pk, "vote": vote, "recommended_finding": finding},
    )
    return record


# -- the board's recommendation -------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    """The votes on one allegation. ``positions`` counts, by finding, what the non-recused
    members hold (a concurrence holds the investigation's finding); ``majority`` is the
    finding held by more than half of them, or ``None``."""

    concur: int
    dissent: int
    recuse: int
    positions: dict[str, int]
    majority: str | None

    @property
    def voting(self) -> int:
        return self.concur + self.dissent


def tally_votes(allegation: Allegation, votes: list[BoardVote] | None = None) -> Tally:
    if votes is None:
        votes = list(allegation.board_votes.all())
    counts = Counter(v.vote for v in votes)
    positions: Counter[str] = Counter()
    for v in votes:
        if v.vote == BoardVote.Vote.CONCUR and allegation.finding:
            positions[allegation.finding] += 1
        elif v.vote == BoardVote.Vote.DISSENT and v.recommended_finding:
            positions[v.recommended_finding] += 1
    voting = counts[BoardVote.Vote.CONCUR] + counts[BoardVote.Vote.DISSENT]
    majority = None
    if voting:
        finding, held = max(positions.items(), key=lambda kv: kv[1], default=("", 0))
        if held * 2 > voting:
            majority = finding
    return Tally(
        concur=counts[BoardVote.Vote.CONCUR],
        dissent=counts[BoardVote.Vote.DISSENT],
        recuse=counts[BoardVote.Vote.RECUSE],
        positions=dict(positions),
        majority=majority,
    )


def _field_error(aid: int, name: str, message: str) -> ApplicationError:
    return ApplicationError(message, fields={f"{aid}.{name}": [message]})


@transaction.atomic
def board_recommend(
    *,
    actor: Any,
    review: BoardReview,
    recommendations: dict[int, tuple[str, str, str]],
) -> list[BoardRecommendation]:
    """Record the board's recommendation on every allegation of the case:
    ``{allegation_id: (finding, discipline, rationale)}``. The finding must be the majority
    of the members' votes (see the module's docstring); discipline may only be recommended
    with a sustained finding; a rationale is required when the board differs from the
    investigation's finding. Errors name the allegation's field as ``"<id>.<field>"``."""
    locked = lock_case(review.complaint, expected_version=None)
    policy.require(actor, BOARD_VOTE, locked)
    review = BoardReview.objects.get(pk=review.pk)
    if review.status != BoardReview.Status.OPEN:
        raise _wrong_stage(_("The board has already made its recommendations on this case."))
    allegations = list(locked.allegations.select_related("category").order_by("id"))
    if not allegations:
        raise ApplicationError(_("This case has no allegations to recommend on."))
    known = {a.pk for a in allegations}
    unknown = set(recommendations) - known
    if unknown:
        raise ApplicationError(
            _("Those allegations are not part of this case: %(ids)s.")
            % {"ids": ", ".join(str(i) for i in sorted(unknown))}
        )
    votes_by_allegation: dict[int, list[BoardVote]] = {a.pk: [] for a in allegations}
    for v in BoardVote.objects.filter(review=review):
        votes_by_allegation.setdefault(v.allegation_id, []).append(v)
    made: list[BoardRecommendation] = []
    agrees = differs = 0
    for number, allegation in enumerate(allegations, start=1):
        aid = allegation.pk
        if aid not in recommendations:
            raise _field_error(
                aid,
                "finding",
                _("Allegation %(n)d has no recommendation.") % {"n": number},
            )
        finding, discipline, rationale = recommendations[aid]
        tally = tally_votes(allegation, votes_by_allegation[aid])
        if tally.majority is None:
            raise _field_error(
                aid,
                "finding",
                _(
                    "Allegation %(n)d: the votes have no majority (%(c)d concur, %(d)d "
                    "dissent, %(r)d recused). The board must vote again before it recommends."
                )
                % {"n": number, "c": tally.concur, "d": tally.dissent, "r": tally.recuse},
            )
        if finding != tally.majority:
            raise _field_error(
                aid,
                "finding",
                _("Allegation %(n)d: the majority of the votes is “%(f)s”.")
                % {"n": number, "f": Finding(tally.majority).label},
            )
        if discipline and discipline not in Discipline.values:
            raise _field_error(aid, "discipline", _("Choose a discipline from the list."))
        if discipline and discipline != Discipline.NONE and finding != Finding.SUSTAINED:
            raise _field_error(
                aid,
                "discipline",
                _("Allegation %(n)d: discipline can be recommended only when sustained.")
                % {"n": number},
            )
        text = _clean_text(rationale, field=f"{aid}.rationale")
        if finding != allegation.finding and not text:
            raise _field_error(
                aid,
                "rationale",
                _("Allegation %(n)d: say why the board differs from the investigation.")
                % {"n": number},
            )
        if finding == allegation.finding:
            agrees += 1
        else:
            differs += 1
        rec = BoardRecommendation(
            review=review,
            allegation=allegation,
            recommended_finding=finding,
            recommended_discipline=discipline,
            rationale=text,
        )
        rec.full_clean()
        made.append(rec)
    BoardRecommendation.objects.bulk_create(made)
    now = timezone.now()
    review.status = BoardReview.Status.RECOMMENDED
    review.recommended_at = now
    review.save(update_fields=["status", "recommended_at", "updated_at"])
    bump_version(locked)
    record_event(
        locked,
        ComplaintEvent.Kind.BOARD_REVIEWED,
        {"board_agreement": {"agrees": agrees, "differs": differs}},
    )
    audit_log(
        actor=actor,
        action="oversight.board.recommend",
        target=locked,
        after={
            str(r.allegation_id): {
                "finding": r.recommended_finding,
                "discipline": r.recommended_discipline,
            }
            for r in made
        },
    )
    return made


# -- the agency's answer ------------------------------------------------------------------


@transaction.atomic
def board_respond(
    *, actor: Any, review: BoardReview, answers: dict[int, tuple[bool, str]]
) -> list[BoardRecommendation]:
    """The agency answers each of the board's recommendations:
    ``{allegation_id: (concurs, reasons)}``; reasons are required when it does not concur.
    Errors name the allegation's field as ``"<id>.concurs"`` or ``"<id>.reasons"``."""
    locked = lock_case(review.complaint, expected_version=None)
    policy.require(actor, CASE_VIEW, locked)
    policy.require(actor, BOARD_RESPOND, locked)
    review = BoardReview.objects.get(pk=review.pk)
    if review.status == BoardReview.Status.OPEN:
        raise _wrong_stage(_("The board has not made its recommendations yet."))
    if review.status == BoardReview.Status.ANSWERED:
        raise _wrong_stage(_("The agency has already answered the board on this case."))
    recs = list(review.recommendations.order_by("allegation_id"))
    known = {r.allegation_id for r in recs}
    unknown = set(answers) - known
    if unknown:
        raise ApplicationError(
            _("The board made no recommendation on allegations %(ids)s.")
            % {"ids": ", ".join(str(i) for i in sorted(unknown))}
        )
    now = timezone.now()
    for number, rec in enumerate(recs, start=1):
        aid = rec.allegation_id
        if aid not in answers or not isinstance(answers[aid][0], bool):
            raise _field_error(
                aid,
                "concurs",
                _("Recommendation %(n)d: say whether the agency concurs.") % {"n": number},
            )
        concurs, reasons = answers[aid]
        text = _clean_text(reasons, field=f"{aid}.reasons")
        if not concurs and not text:
            raise _field_error(
                aid,
                "reasons",
                _("Recommendation %(n)d: give the agency's reasons for not concurring.")
                % {"n": number},
            )
        rec.agency_concurs = concurs
        rec.agency_reasons = text
        rec.answered_at = now
        rec.updated_at = now
    BoardRecommendation.objects.bulk_update(
        recs, ["agency_concurs", "agency_reasons", "answered_at", "updated_at"]
    )
    review.status = BoardReview.Status.ANSWERED
    review.save(update_fields=["status", "updated_at"])
    bump_version(locked)
    audit_log(
        actor=actor,
        action="oversight.board.respond",
        target=locked,
        after={str(r.allegation_id): bool(r.agency_concurs) for r in recs},
    )
    return recs


# -- disagreement, for statistics -------------------------------------------------------------


@dataclass(frozen=True)
class AgreementSummary:
    concurred: int  # the agency accepted the board's recommendation
    not_concurred: int
    awaiting: int  # recommended, not yet answered

    @property
    def answered(self) -> int:
        return self.concurred + self.not_concurred


def agreement_summary(*, since: dt.date | dt.datetime | None = None) -> AgreementSummary:
    """How often the agency accepted the board's recommendations. Pure query; ``since``
    limits to recommendations made on or after that day (or moment)."""
    qs = BoardRecommendation.objects.all()
    if since is not None:
        if isinstance(since, dt.datetime):
            qs = qs.filter(review__recommended_at__gte=since)
        else:
            qs = qs.filter(review__recommended_at__date__gte=since)
    row = qs.aggregate(
        concurred=Count("id", filter=Q(agency_concurs=True)),
        not_concurred=Count("id", filter=Q(agency_concurs=False)),
        awaiting=Count("id", filter=Q(agency_concurs__isnull=True)),
    )
    return AgreementSummary(
        concurred=int(row["concurred"]),
        not_concurred=int(row["not_concurred"]),
        awaiting=int(row["awaiting"]),
    )


def board_agreement_counts(*, since: dt.date | dt.datetime | None = None) -> tuple[int, int]:
    """``(concurred, total)``: of the board's recommendations the agency has answered, how
    many it accepted. Recommendations still awaiting an answer are not counted."""
    summary = agreement_summary(since=since)
    return summary.concurred, summary.answered
