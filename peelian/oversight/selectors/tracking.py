"""What a complainant sees with their tracking code: the case's public timeline, its stage
and what happens next. Nothing about any other person: no officer or investigator names,
no narrative, no reasons, no notes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from peelian.oversight import codes
from peelian.oversight.models import BoardVote, Complaint, ComplaintEvent, Finding


def complaint_for_code(code: str) -> Complaint | None:
    """The case whose tracking code is ``code`` (typed in any case, with or without
    dashes), or None for an unknown or malformed code: callers answer both the same way,
    so nobody can tell which codes are close to real ones."""
    normalised = codes.normalise(code)
    if normalised is None:
        return None
    return Complaint.objects.filter(tracking_hash=codes.code_hash(normalised)).first()


@dataclass(frozen=True)
class TimelineEntry:
    kind: str
    at: dt.datetime
    title: str | Promise
    facts: tuple[str, ...]


@dataclass(frozen=True)
class Tracker:
    kind: str
    kind_label: str | Promise
    received_at: dt.datetime
    status: str
    stage: str | Promise
    next_step: str | Promise
    closed: bool
    timeline: tuple[TimelineEntry, ...]


STAGE_TEXT: dict[str, str | Promise] = {
    Complaint.Status.RECEIVED: _("Received: we are reading it."),
    Complaint.Status.TRIAGED: _("Reviewed and routed to the team that will handle it."),
    Complaint.Status.ASSIGNED: _("An investigator has been assigned."),
    Complaint.Status.INVESTIGATING: _("Under investigation."),
    Complaint.Status.FINDINGS: _("The investigation's findings have been issued."),
    Complaint.Status.BOARD_REVIEW: _("With the civilian review board."),
    Complaint.Status.DECIDED: _("The agency has made its final decision."),
    Complaint.Status.CLOSED: _("Closed."),
}

NEXT_TEXT: dict[str, str | Promise] = {
    Complaint.Status.RECEIVED: _(
        "Next, staff decide who handles it: internal affairs, the civilian oversight body, "
        "or mediation."
    ),
    Complaint.Status.TRIAGED: _("Next, an investigator is assigned."),
    Complaint.Status.ASSIGNED: _(
        "Next, the investigator starts the investigation. They may contact you."
    ),
    Complaint.Status.INVESTIGATING: _(
        "The investigator gathers evidence and interviews the people involved, then issues "
        "findings."
    ),
    Complaint.Status.FINDINGS: _(
        "Next, the agency makes its final decision, or the civilian review board reviews the "
        "case first."
    ),
    Complaint.Status.BOARD_REVIEW: _(
        "The board reviews the findings and makes recommendations; then the agency answers "
        "and decides."
    ),
    Complaint.Status.DECIDED: _("Next, the case is closed and you are told the outcome."),
    Complaint.Status.CLOSED: _(
        "Nothing more will happen on this case. You can no longer add information to it."
    ),
}

COMMENDATION_NEXT: str | Promise = _(
    "Thank you. Commendations are passed on to the officer's supervisor."
)

_COUNT_LABELS: dict[str, Mapping[str, Any]] = {
    "findings": dict(Finding.choices),
    "decisions": dict(Finding.choices),
    # Written by services/board.py: allegations on which the board agreed with the
    # investigation's finding, and on which it recommended another.
    "board_agreement": {
        "agrees": BoardVote.Vote.CONCUR.label,
        "differs": BoardVote.Vote.DISSENT.label,
    },
}


def _facts(detail: Mapping[str, Any]) -> tuple[str, ...]:
    """Counts by finding (or by board vote) as "Sustained: 1"; anything else in the detail
    (or any key or value not in the known choices) is not shown."""
    out: list[str] = []
    for key in ("findings", "board_agreement", "decisions"):
        counts = detail.get(key)
        if not isinstance(counts, Mapping):
            continue
        labels = _COUNT_LABELS[key]
        for value, count in counts.items():
            if value in labels and isinstance(count, int) and not isinstance(count, bool):
                out.append(f"{labels[value]}: {count}")
    return tuple(out)


def tracker_for(complaint: Complaint) -> Tracker:
    """The public view of one case, for its tracking page."""
    kinds = dict(ComplaintEvent.Kind.choices)
    timeline = tuple(
        TimelineEntry(
            kind=event.kind,
            at=event.at,
            title=kinds.get(event.kind, event.kind),
            facts=_facts(event.detail or {}),
        )
        for event in complaint.events.all()
    )
    commendation = complaint.kind == Complaint.Kind.COMMENDATION
    closed = complaint.status == Complaint.Status.CLOSED
    return Tracker(
        kind=complaint.kind,
        kind_label=complaint.get_kind_display(),
        received_at=complaint.received_at,
        status=complaint.status,
        stage=STAGE_TEXT.get(complaint.status, complaint.get_status_display()),
        next_step=COMMENDATION_NEXT
        if commendation and not closed
        else NEXT_TEXT.get(complaint.status, ""),
        closed=closed,
        timeline=timeline,
    )
