"""Who may do what with stop data.

Actions:

``stops.import``
    Import a stop file: administrators and analysts, and system actors (the command line).
``stops.analyze``
    Run the disparity analysis: administrators and analysts, and system actors.
``stops.read``
    Staff reads of stop rows, imports and their reports, and unpublished analysis runs:
    analysts, administrators and supervisors. Refusals answer "not found", so an error never
    reveals that an unpublished run exists. System actors never read: privileged reads are
    by a person.
``stops.publish``
    Publish an analysis run: administrators and analysts.

The public (and any other role) sees only published runs, through the lead's views.
"""

from __future__ import annotations

from typing import Any

from peelian.accounts.roles import ADMINISTRATOR, ANALYST, SUPERVISOR
from peelian.core.permissions import Policy, roles_of

IMPORT = "stops.import"
ANALYZE = "stops.analyze"
READ = "stops.read"
PUBLISH = "stops.publish"

IMPORT_ROLES = frozenset({ADMINISTRATOR, ANALYST})
ANALYZE_ROLES = frozenset({ADMINISTRATOR, ANALYST})
READ_ROLES = frozenset({ANALYST, ADMINISTRATOR, SUPERVISOR})
PUBLISH_ROLES = frozenset({ADMINISTRATOR, ANALYST})


def is_system_actor(actor: Any) -> bool:
    return isinstance(actor, str) and actor.startswith("system:")


class StopsPolicy(Policy):
    hide = frozenset({READ})

    def can(self, actor: Any, action: str, obj: Any = None) -> bool:
        roles = roles_of(actor)
        if action == IMPORT:
            return is_system_actor(actor) or bool(roles & IMPORT_ROLES)
        if action == ANALYZE:
            return is_system_actor(actor) or bool(roles & ANALYZE_ROLES)
        if action == READ:
            return bool(roles & READ_ROLES)
        if action == PUBLISH:
            return bool(roles & PUBLISH_ROLES)
        return False


policy = StopsPolicy()
