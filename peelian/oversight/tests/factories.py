"""Factories for the oversight models (tests only: they write rows directly, around the
services, to set up the state a test needs).

``make_case(state)`` builds a complaint in any workflow state, with everything a case in
that state has (triage fields, an investigator and their no-conflict declaration, an
allegation, findings, a board review, decisions, stage deadlines), so tests of one step
start from a consistent case without replaying every service before it.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from peelian.accounts.roles import INVESTIGATOR
from peelian.agency.tests.factories import OfficerFactory
from peelian.oversight import codes, deadlines
from peelian.oversight.models import (
    Allegation,
    AllegationCategory,
    BoardReview,
    Complainant,
    Complaint,
    ConflictDeclaration,
    Discipline,
    Finding,
)

_users = itertools.count(1)


def _tracking_hash() -> str:
    code = codes.normalise(codes.new_code())
    assert code is not None
    return codes.code_hash(code)


def category(code: str = "courtesy") -> AllegationCategory:
    """One of the seeded categories (migration 0002): ``force``, ``bias`` and
    ``retaliation`` refer to the board; ``courtesy`` and most others do not."""
    return AllegationCategory.objects.get(code=code)


def make_investigator(**extra: Any) -> Any:
    """A user holding the investigator role (with a confirmed TOTP device)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from peelian.accounts.services import user_create

    n = next(_users)
    user = user_create(
        actor="system:test",
        username=extra.pop("username", f"investigator{n}"),
        email=f"investigator{n}@example.org",
        password="correct horse battery staple",
        roles=[INVESTIGATOR],
        check_permission=False,
        **extra,
    )
    TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return user


class ComplaintFactory(DjangoModelFactory):
    class Meta:
        model = Complaint

    kind = Complaint.Kind.COMPLAINT
    channel = Complaint.Channel.WEB
    status = Complaint.Status.RECEIVED
    tracking_hash = factory.LazyFunction(_tracking_hash)
    tracking_hint = factory.Sequence(lambda n: f"{n % 10000:04d}")
    received_at = factory.LazyFunction(timezone.now)
    occurred_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=3))
    location_text = "100 N Oak Ave"
    narrative = "The officer shouted at me and would not give me their badge number."
    language = "en"
    investigator = None
    stage_started_at = factory.LazyAttribute(lambda o: o.received_at)
    stage_due_at = factory.LazyAttribute(lambda o: deadlines.due_at(o.status, o.received_at))


class ComplainantFactory(DjangoModelFactory):
    class Meta:
        model = Complainant

    complaint = factory.SubFactory(ComplaintFactory)
    name = factory.Sequence(lambda n: f"Jordan Resident{n}")
    email = factory.Sequence(lambda n: f"resident{n}@example.net")
    phone = "555-0100"


class AllegationFactory(DjangoModelFactory):
    class Meta:
        model = Allegation

    complaint = factory.SubFactory(ComplaintFactory)
    officer = factory.SubFactory(OfficerFactory)
    category = factory.LazyFunction(lambda: category("courtesy"))
    summary = "Raised voice and refused to identify himself."


ORDER = [
    Complaint.Status.RECEIVED,
    Complaint.Status.TRIAGED,
    Complaint.Status.ASSIGNED,
    Complaint.Status.INVESTIGATING,
    Complaint.Status.FINDINGS,
    Complaint.Status.BOARD_REVIEW,
    Complaint.Status.DECIDED,
    Complaint.Status.CLOSED,
]


def make_case(
    state: str = Complaint.Status.RECEIVED,
    *,
    investigator: Any = None,
    board: bool | None = None,
    allegation_category: str | None = None,
    finding: str = Finding.SUSTAINED,
    **fields: Any,
) -> Complaint:
    """A complaint in ``state`` with what that state implies.

    - triaged and later: category, priority, handler;
    - assigned and later: ``investigator`` (a new investigator user when not given);
    - investigating and later: the investigator's no-conflict declaration and one
      allegation (category ``allegation_category``; by default ``force`` — a board
      category — when ``board`` is true or the state is board_review, else ``courtesy``);
    - findings and later: a finding on each allegation;
    - board_review (or ``board=True`` for later states): an open — or, once decided,
      answered — board review;
    - decided and later: final finding and discipline per allegation;
    - closed: ``closed_at``.
    Extra keyword arguments go to the complaint (e.g. ``kind``, ``narrative``).
    """
    if state not in ORDER:
        raise ValueError(f"unknown state {state!r}")
    reached = ORDER.index(state)
    wants_board = board if board is not None else state == Complaint.Status.BOARD_REVIEW
    if state == Complaint.Status.BOARD_REVIEW and not wants_board:
        raise ValueError("a board_review case has a board review")

    def at_least(status: str) -> bool:
        return reached >= ORDER.index(status)

    now = timezone.now()
    values: dict[str, Any] = {"status": state, "received_at": now - dt.timedelta(days=20)}
    if at_least(Complaint.Status.TRIAGED):
        values.update(
            category=category(allegation_category or ("force" if wants_board else "courtesy")),
            priority=Complaint.Priority.NORMAL,
            handler=Complaint.Handler.INTERNAL_AFFAIRS,
        )
    if at_least(Complaint.Status.ASSIGNED):
        values["investigator"] = investigator or make_investigator()
    values["stage_started_at"] = now
    values["stage_due_at"] = deadlines.due_at(state, now)
    if state == Complaint.Status.CLOSED:
        values["closed_at"] = now
    values.update(fields)
    complaint = ComplaintFactory(**values)
    ComplainantFactory(complaint=complaint)

    if at_least(Complaint.Status.INVESTIGATING):
        ConflictDeclaration.objects.create(
            complaint=complaint, investigator=complaint.investigator, has_conflict=False
        )
        allegation = AllegationFactory(
            complaint=complaint,
            category=category(allegation_category or ("force" if wants_board else "courtesy")),
        )
        if at_least(Complaint.Status.FINDINGS):
            allegation.finding = finding
            allegation.finding_at = now
            allegation.finding_reason = "The body-camera video supports the account."
            allegation.save()
        if (
            wants_board
            and at_least(Complaint.Status.FINDINGS)
            and (at_least(Complaint.Status.BOARD_REVIEW))
        ):
            decided = at_least(Complaint.Status.DECIDED)
            BoardReview.objects.create(
                complaint=complaint,
                reason=BoardReview.Reason.RULE,
                status=BoardReview.Status.ANSWERED if decided else BoardReview.Status.OPEN,
                referred_at=now,
                recommended_at=now if decided else None,
            )
        if at_least(Complaint.Status.DECIDED):
            allegation.final_finding = allegation.finding
            allegation.discipline = (
                Discipline.WRITTEN_REPRIMAND if finding == Finding.SUSTAINED else Discipline.NONE
            )
            allegation.decided_at = now
            allegation.save()
    return complaint
