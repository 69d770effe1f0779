"""Who may do what with use-of-force reports.

Actions:

``force.read``
    The staff list and an incident's file (narrative, injuries, officers): supervisors,
    administrators and analysts; an officer (a user linked to an Officer) reads the reports
    they are part of. Refused reads of one incident answer "not found".
``force.report``
    File a report: users linked to an Officer, and supervisors.
``force.review``
    Approve, return or refer a report: supervisors, never on an incident in which they used
    force themselves.
``force.link``
    Link an incident to a complaint: supervisors and administrators.
``force.import``
    Import another agency's records: administrators and analysts, and system actors (the
    command line).

System actors (``"system:<name>"``) may report and import (the demo seeder and the command
line run with database access anyway) but never read: privileged reads are by a person.
"""

from __future__ import annotations

from typing import Any

from peelian.accounts.roles import ADMINISTRATOR, ANALYST, SUPERVISOR
from peelian.core.permissions import Policy, roles_of

READ = "force.read"
REPORT = "force.report"
REVIEW = "force.review"
LINK = "force.link"
IMPORT = "force.import"

READ_ROLES = frozenset({SUPERVISOR, ADMINISTRATOR, ANALYST})
LINK_ROLES = frozenset({SUPERVISOR, ADMINISTRATOR})
IMPORT_ROLES = frozenset({ADMINISTRATOR, ANALYST})


def is_system_actor(actor: Any) -> bool:
    return isinstance(actor, str) and actor.startswith("system:")


def officer_of(actor: Any) -> Any:
    """The Officer linked to the user, or None."""
    if actor is None or isinstance(actor, str) or not getattr(actor, "is_authenticated", False):
        return None
    if not actor.is_active:
        return None
    from peelian.agency.models import Officer

    return Officer.objects.filter(user_id=actor.pk).first()


def _involved(actor: Any, incident: Any) -> bool:
    officer = officer_of(actor)
    if officer is None or incident is None:
        return False
    return bool(incident.officers.filter(officer_id=officer.pk).exists())


class ForcePolicy(Policy):
    hide = frozenset({READ})

    def can(self, actor: Any, action: str, obj: Any = None) -> bool:
        roles = roles_of(actor)
        if action == READ:
            if roles & READ_ROLES:
                return True
            return obj is not None and _involved(actor, obj)
        if action == REPORT:
            return is_system_actor(actor) or SUPERVISOR in roles or officer_of(actor) is not None
        if action == REVIEW:
            if SUPERVISOR not in roles:
                return False
            return obj is None or not _involved(actor, obj)
        if action == LINK:
            return bool(roles & LINK_ROLES)
        if action == IMPORT:
            return is_system_actor(actor) or bool(roles & IMPORT_ROLES)
        return False

    def can_list_all(self, actor: Any) -> bool:
        return bool(roles_of(actor) & READ_ROLES)


policy = ForcePolicy()
