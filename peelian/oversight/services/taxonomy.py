"""The allegation taxonomy: categories are created and changed (never deleted: allegations
refer to them; retire one with ``active=False``) by an administrator, audited."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from peelian.accounts.roles import ADMINISTRATOR
from peelian.audit.services import audit_log, snapshot
from peelian.core.errors import PermissionDenied, validation_error_to_application_error
from peelian.core.permissions import has_role
from peelian.oversight.models import AllegationCategory

FIELDS = ("code", "name", "name_es", "description", "refer_to_board", "active", "order")


def _require_admin(actor: Any) -> None:
    if not has_role(actor, ADMINISTRATOR):
        raise PermissionDenied(_("Only an administrator changes the allegation categories."))


@transaction.atomic
def category_create(*, actor: Any, data: Mapping[str, Any]) -> AllegationCategory:
    _require_admin(actor)
    category = AllegationCategory(**{k: v for k, v in data.items() if k in FIELDS})
    try:
        category.full_clean()
    except ValidationError as exc:
        raise validation_error_to_application_error(exc) from exc
    category.save()
    audit_log(
        actor=actor,
        action="oversight.category.save",
        target=category,
        after=snapshot(category, FIELDS),
    )
    return category


@transaction.atomic
def category_update(
    *, actor: Any, category: AllegationCategory, data: Mapping[str, Any]
) -> AllegationCategory:
    _require_admin(actor)
    category = AllegationCategory.objects.select_for_update().get(pk=category.pk)
    before = snapshot(category, FIELDS)
    for key, value in data.items():
        if key in FIELDS:
            setattr(category, key, value)
    try:
        category.full_clean()
    except ValidationError as exc:
        raise validation_error_to_application_error(exc) from exc
    category.save()
    audit_log(
        actor=actor,
        action="oversight.category.save",
        target=category,
        before=before,
        after=snapshot(category, FIELDS),
    )
    return category
