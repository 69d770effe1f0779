"""The oversight policy: who may do what to a complaint.

Roles (professional standards):
- **supervisor** and **administrator** see every case, triage, assign and reassign;
  the **administrator** records the agency's final decision and answers the board (the
  chief's delegate).
- an **investigator** sees and works only the cases assigned to them (relationship).
- a **review board member** sees only cases referred to the board, and the complainant's
  identity only when the complainant consented.
- staff who take complaints by phone, mail or in person (liaison, investigator,
  supervisor, administrator) may enter them.
Refusals on a case answer "not found", so an error never reveals that a case exists.
"""

from __future__ import annotations

from typing import Any

from peelian.accounts.roles import (
    ADMINISTRATOR,
    ANALYST,
    COMMUNITY_LIAISON,
    INVESTIGATOR,
    REVIEW_BOARD,
    SUPERVISOR,
)
from peelian.core.permissions import Policy, roles_of

CASE_MANAGERS = frozenset({SUPERVISOR, ADMINISTRATOR})
INTAKE_ROLES = frozenset({COMMUNITY_LIAISON, INVESTIGATOR, SUPERVISOR, ADMINISTRATOR})

# Actions on one case (obj is a Complaint).
CASE_VIEW = "complaint.view"  # the case file, without the complainant's identity
IDENTITY_VIEW = "complaint.view_identity"  # complainant's name and contact details
CASE_WORK = "complaint.work"  # allegations, evidence, interviews, notes, findings
CASE_MANAGE = "complaint.manage"  # triage, assign, reassign, deadlines, refer to board
BOARD_VOTE = "complaint.board_vote"
BOARD_RESPOND = "complaint.board_respond"  # the agency's answer to the board
DECIDE = "complaint.decide"  # final decision, discipline, closing
# Actions without a case.
ENTER = "complaint.enter"  # staff enter a complaint received by phone, mail, in person
LIST_ALL = "complaint.list_all"
IMPORT = "complaint.import"
STATISTICS = "complaint.statistics"  # non-public aggregates


class OversightPolicy(Policy):
    hide = frozenset({CASE_VIEW, IDENTITY_VIEW, CASE_WORK, CASE_MANAGE, BOARD_VOTE, DECIDE})

    def can(self, actor: Any, action: str, obj: Any = None) -> bool:
        roles = roles_of(actor)
        if not roles:
            return False
        if action == ENTER:
            return bool(roles & INTAKE_ROLES)
        if action in {LIST_ALL, IMPORT}:
            return bool(roles & CASE_MANAGERS)
        if action == STATISTICS:
            return bool(roles & (CASE_MANAGERS | {ANALYST}))
        if obj is None:
            return False
        managers = bool(roles & CASE_MANAGERS)
        assigned = INVESTIGATOR in roles and obj.investigator_id == actor.pk
        board = REVIEW_BOARD in roles and _board_case(obj)
        if action == CASE_VIEW:
            return managers or assigned or board
        if action == IDENTITY_VIEW:
            if managers or assigned:
                return True
            return board and bool(obj.consent_share_identity) and not obj.anonymous
        if action == CASE_WORK:
            return assigned or managers
        if action == CASE_MANAGE:
            return managers
        if action == BOARD_VOTE:
            return board
        if action in {BOARD_RESPOND, DECIDE}:
            return ADMINISTRATOR in roles
        return False


def _board_case(complaint: Any) -> bool:
    from peelian.oversight.models import BoardReview

    try:
        return complaint.board_review is not None
    except BoardReview.DoesNotExist:
        return False


policy = OversightPolicy()
