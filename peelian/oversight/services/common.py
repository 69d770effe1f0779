"""Helpers every oversight service shares."""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.utils.translation import gettext as _

from peelian.core.errors import Conflict
from peelian.oversight.models import Complaint
from peelian.oversight.permissions import policy


def lock_case(
    complaint: Complaint,
    *,
    expected_version: int | None,
    actor: Any = None,
    action: str | None = None,
) -> Complaint:
    """Lock the case's row for this transaction and check nobody changed it since the caller
    read it (``expected_version``, from the form or API; ``None`` skips the check for
    system actions). Two staff editing the same case never silently overwrite each other:
    the second gets a Conflict.

    With ``action``, the policy is checked on the locked row *before* the version, so a
    caller who may not see the case gets "not found", never a conflict that would reveal
    that it exists."""
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if action is not None:
        policy.require(actor, action, locked)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            _(
                "Someone else changed this case while you were working on it. Reload it, "
                "check their changes, and try again."
            )
        )
    return locked


def bump_version(complaint: Complaint) -> None:
    """Every change to a case increases its version, in the same transaction."""
    Complaint.objects.filter(pk=complaint.pk).update(version=F("version") + 1)
    complaint.refresh_from_db(fields=["version"])
