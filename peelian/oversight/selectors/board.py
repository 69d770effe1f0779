"""What a review board member (or the agency answering the board) may read of a referred case.

The board sees the case file — narrative, allegations with the investigation's findings
and reasons, the evidence list and the interviews — but the complainant's identity and
contact details only when the complainant consented to share them with the board (never
for an anonymous complaint); the oversight policy's ``IDENTITY_VIEW`` decides. When the
identity is withheld, the complainant's name, email, phone and address are also blanked
out of the case file's free text (narrative, reasons, interviews, evidence) wherever they
appear verbatim: a best-effort guard, since free text can describe a person in other words.

Opening a case writes ``oversight.complaint.view``; showing the identity also writes
``oversight.complainant.view``. Witnesses and attachments are not part of the board's view.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from peelian.accounts.roles import ADMINISTRATOR, REVIEW_BOARD, SUPERVISOR
from peelian.audit.services import audit_log
from peelian.core.errors import NotFound, PermissionDenied
from peelian.core.permissions import roles_of
from peelian.oversight.models import (
    Allegation,
    BoardRecommendation,
    BoardReview,
    BoardVote,
    Complainant,
    Complaint,
)
from peelian.oversight.permissions import (
    BOARD_RESPOND,
    BOARD_VOTE,
    CASE_VIEW,
    IDENTITY_VIEW,
    policy,
)
from peelian.oversight.services.board import Tally, tally_votes

BOARD_LIST_ROLES = frozenset({REVIEW_BOARD, SUPERVISOR, ADMINISTRATOR})
WITHHELD = "[withheld]"


def board_cases_for_member(viewer: Any) -> QuerySet[Complaint]:
    """The cases referred to the board, newest referral first, for board members and case
    managers (who answer the board). No identity or narrative: a list for choosing a case.
    Each row has ``allegation_count`` and ``my_votes`` (the viewer's votes on the case)."""
    if not roles_of(viewer) & BOARD_LIST_ROLES:
        raise PermissionDenied(_("Only review board members and case managers see this list."))
    return (
        Complaint.objects.filter(board_review__isnull=False)
        .select_related("board_review", "category", "district")
        .annotate(
            allegation_count=Count("allegations", distinct=True),
            my_votes=Count(
                "board_review__votes",
                filter=Q(board_review__votes__member=viewer),
                distinct=True,
            ),
        )
        .order_by("-board_review__referred_at", "-id")
    )


@dataclass(frozen=True)
class Identity:
    name: str
    email: str
    phone: str
    address: str


@dataclass(frozen=True)
class AllegationView:
    id: int
    number: int
    officer: str
    category: str
    summary: str
    finding: str
    finding_label: str
    finding_reason: str
    tally: Tally
    my_vote: BoardVote | None
    recommendation: BoardRecommendation | None


@dataclass(frozen=True)
class EvidenceView:
    kind: str
    description: str
    reference: str
    collected_on: dt.date | None


@dataclass(frozen=True)
class InterviewView:
    subject: str
    role: str
    held_on: dt.date
    summary: str


@dataclass(frozen=True)
class BoardCase:
    """A referred case as the board sees it. There is no link back to the models, so a
    template cannot reach the complainant's record through it."""

    public_id: uuid.UUID
    tracking_hint: str
    status_label: str
    received_at: dt.datetime
    occurred_on: dt.date | None
    location_text: str
    district: str
    beat: str
    category: str
    narrative: str
    anonymous: bool
    identity: Identity | None
    identity_note: str
    review: BoardReview
    allegations: tuple[AllegationView, ...]
    evidence: tuple[EvidenceView, ...]
    interviews: tuple[InterviewView, ...]
    can_vote: bool
    can_recommend: bool
    can_respond: bool


def _redactor(complainant: Complainant | None) -> Callable[[str], str]:
    """Blank out the complainant's identifying strings from free text."""
    if complainant is None:
        return lambda text: text
    needles: set[str] = set()
    for value in (complainant.name, complainant.email, complainant.phone, complainant.address):
        value = (value or "").strip()
        if len(value) >= 3:
            needles.add(value)
    for part in re.split(r"\s+", (complainant.name or "").strip()):
        if len(part) >= 3:
            needles.add(part)
    if not needles:
        return lambda text: text
    alternatives = "|".join(re.escape(n) for n in sorted(needles, key=len, reverse=True))
    pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
    return lambda text: pattern.sub(WITHHELD, text or "")


def _officer_label(allegation: Allegation) -> str:
    officer = allegation.officer
    if officer is None:
        return _("Not identified")
    return (
        f"{officer.get_rank_display()} {officer.first_name} {officer.last_name} ({officer.badge})"
    )


@transaction.atomic
def board_case_for_member(viewer: Any, public_id: uuid.UUID | str) -> BoardCase:
    """One referred case for the board's page. ``NotFound`` when there is no such referred
    case or the viewer may not see it (the answer is the same, so it reveals nothing)."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise NotFound(_("Not found.")) from None
    complaint = (
        Complaint.objects.select_related("board_review", "category", "district", "beat")
        .filter(public_id=key, board_review__isnull=False)
        .first()
    )
    if complaint is None or not policy.can(viewer, CASE_VIEW, complaint):
        raise NotFound(_("Not found."))
    review = complaint.board_review
    complainant = Complainant.objects.filter(complaint=complaint).first()
    show_identity = (
        complainant is not None
        and not complaint.anonymous
        and policy.can(viewer, IDENTITY_VIEW, complaint)
    )
    identity: Identity | None = None
    if show_identity and complainant is not None:
        identity = Identity(
            name=complainant.name,
            email=complainant.email,
            phone=complainant.phone,
            address=complainant.address,
        )
        note = ""
        redact: Callable[[str], str] = lambda text: text  # noqa: E731
    else:
        if complaint.anonymous:
            note = _("The complaint was filed anonymously.")
        elif complainant is None:
            note = _("No complainant details were recorded.")
        else:
            note = _("The complainant did not consent to share their identity with the board.")
        redact = _redactor(complainant)

    allegations = list(
        complaint.allegations.select_related("officer", "category", "board_recommendation")
        .prefetch_related("board_votes")
        .order_by("id")
    )
    allegation_views = []
    for number, a in enumerate(allegations, start=1):
        votes = list(a.board_votes.all())
        mine = next((v for v in votes if v.member_id == getattr(viewer, "pk", None)), None)
        try:
            rec: BoardRecommendation | None = a.board_recommendation
        except BoardRecommendation.DoesNotExist:
            rec = None
        allegation_views.append(
            AllegationView(
                id=a.pk,
                number=number,
                officer=_officer_label(a),
                category=str(a.category),
                summary=redact(a.summary),
                finding=a.finding,
                finding_label=a.get_finding_display() if a.finding else _("No finding"),
                finding_reason=redact(a.finding_reason),
                tally=tally_votes(a, votes),
                my_vote=mine,
                recommendation=rec,
            )
        )
    evidence = tuple(
        EvidenceView(
            kind=e.kind,
            description=redact(e.description),
            reference=redact(e.reference),
            collected_on=e.collected_on,
        )
        for e in complaint.evidence.order_by("collected_on", "id")
    )
    interviews = tuple(
        InterviewView(
            subject=(
                _("The complainant")
                if identity is None and i.role.lower() == "complainant"
                else redact(i.subject)
            ),
            role=i.role,
            held_on=i.held_on,
            summary=redact(i.summary),
        )
        for i in complaint.interviews.order_by("held_on", "id")
    )

    audit_log(actor=viewer, action="oversight.complaint.view", target=complaint)
    if identity is not None:
        audit_log(actor=viewer, action="oversight.complainant.view", target=complaint)

    is_open = review.status == BoardReview.Status.OPEN
    may_vote = policy.can(viewer, BOARD_VOTE, complaint)
    return BoardCase(
        public_id=complaint.public_id,
        tracking_hint=complaint.tracking_hint,
        status_label=complaint.get_status_display(),
        received_at=complaint.received_at,
        occurred_on=complaint.occurred_on,
        location_text=redact(complaint.location_text),
        district=complaint.district.name if complaint.district else "",
        beat=complaint.beat.code if complaint.beat else "",
        category=str(complaint.category) if complaint.category else "",
        narrative=redact(complaint.narrative),
        anonymous=complaint.anonymous,
        identity=identity,
        identity_note=note,
        review=review,
        allegations=tuple(allegation_views),
        evidence=evidence,
        interviews=interviews,
        can_vote=may_vote and is_open,
        can_recommend=may_vote and is_open,
        can_respond=(
            review.status == BoardReview.Status.RECOMMENDED
            and policy.can(viewer, BOARD_RESPOND, complaint)
        ),
    )


def board_review_for_action(viewer: Any, public_id: uuid.UUID | str) -> BoardReview:
    """The review of a referred case the viewer may see, for a form to act on (the service
    then checks the action itself). No audit entry: nothing of the case file is read."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise NotFound(_("Not found.")) from None
    review = (
        BoardReview.objects.select_related("complaint").filter(complaint__public_id=key).first()
    )
    if review is None or not policy.can(viewer, CASE_VIEW, review.complaint):
        raise NotFound(_("Not found."))
    return review
