"""Who may do what with the agency's structure and its officers.

Actions:

``structure.manage``
    Create and change the agency, districts, beats, units and the street index:
    administrators.
``officer.manage``
    Create and change officer records, assign, separate, link to a user: administrators.
``officer.view_roster``
    The roster (name, badge, rank, unit, status; no demographics): the staff roles whose work
    needs it (``ROSTER_ROLES``).
``officer.view_record``
    One officer's personnel record (demographics, birth year, assignment history):
    administrators and analysts always; a supervisor for the officers of their own unit
    (the supervisor is a user linked to an officer through ``Officer.user``; their unit is
    that officer's current unit); any user for their own record. Everyone else is refused,
    and the refusal answers "not found" so it does not reveal that the record exists.

System actors: a string ``"system:<name>"`` (the command line, the demo seeder) may
manage the structure and officers, since such code runs with database access anyway. They
never pass a read check: privileged reads are always by a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from peelian.accounts.roles import (
    ADMINISTRATOR,
    ANALYST,
    INVESTIGATOR,
    SUPERVISOR,
    TRAINING_COORDINATOR,
)
from peelian.agency.models import Officer
from peelian.core.permissions import Policy, roles_of

ROSTER_ROLES = frozenset({ADMINISTRATOR, ANALYST, SUPERVISOR, INVESTIGATOR, TRAINING_COORDINATOR})
RECORD_ROLES = frozenset({ADMINISTRATOR, ANALYST})
WRITE_ACTIONS = frozenset({"structure.manage", "officer.manage"})


def is_system_actor(actor: Any) -> bool:
    return isinstance(actor, str) and actor.startswith("system:")


@dataclass(frozen=True)
class RecordScope:
    """Whose personnel records a viewer may open: everyone's (``all``), or their own record
    (``own_id``) plus, for a supervisor, the officers of one unit (``unit_id``)."""

    all: bool = False
    own_id: int | None = None
    unit_id: int | None = None

    def allows(self, officer: Officer) -> bool:
        if self.all:
            return True
        if self.own_id is not None and officer.pk == self.own_id:
            return True
        return self.unit_id is not None and officer.unit_id == self.unit_id


NO_RECORDS = RecordScope()


class AgencyPolicy(Policy):
    hide = frozenset({"officer.view_record"})

    def can(self, actor: Any, action: str, obj: Any = None) -> bool:
        if action in WRITE_ACTIONS:
            return is_system_actor(actor) or ADMINISTRATOR in roles_of(actor)
        if action == "officer.view_roster":
            return bool(roles_of(actor) & ROSTER_ROLES)
        if action == "officer.view_record":
            return isinstance(obj, Officer) and self.record_scope(actor).allows(obj)
        return False

    def record_scope(self, actor: Any) -> RecordScope:
        """One query at most: the rule of ``officer.view_record`` for this viewer, so a list
        can tell row by row which records it may link to without asking again."""
        if not getattr(actor, "is_authenticated", False) or not getattr(actor, "is_active", False):
            return NO_RECORDS
        roles = roles_of(actor)
        if roles & RECORD_ROLES:
            return RecordScope(all=True)
        row = Officer.objects.filter(user_id=actor.pk).values_list("pk", "unit_id").first()
        if row is None:
            return NO_RECORDS
        own_id, unit_id = row
        return RecordScope(own_id=own_id, unit_id=unit_id if SUPERVISOR in roles else None)


policy = AgencyPolicy()
