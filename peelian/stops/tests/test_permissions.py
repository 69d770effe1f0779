"""The stop-data policy and the selectors that use it, allow and deny line by line."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from peelian.agency.models import Agency
from peelian.core.errors import NotFound
from peelian.stops import selectors
from peelian.stops.models import AnalysisRun
from peelian.stops.permissions import ANALYZE, IMPORT, PUBLISH, READ, policy

ROLES = {
    # role: (import, analyze, read, publish)
    "administrator": (True, True, True, True),
    "analyst": (True, True, True, True),
    "supervisor": (False, False, True, False),
    "investigator": (False, False, False, False),
    "community_liaison": (False, False, False, False),
    "communications": (False, False, False, False),
    "training_coordinator": (False, False, False, False),
    "review_board": (False, False, False, False),
    "partner": (False, False, False, False),
}


@pytest.mark.parametrize("role", sorted(ROLES))
def test_roles(make_user: Any, role: str) -> None:
    user = make_user(role)
    got = tuple(policy.can(user, a) for a in (IMPORT, ANALYZE, READ, PUBLISH))
    assert got == ROLES[role]


def test_system_actors_import_and_analyze_but_never_read_or_publish() -> None:
    assert policy.can("system:cli", IMPORT)
    assert policy.can("system:cli", ANALYZE)
    assert not policy.can("system:cli", READ)
    assert not policy.can("system:cli", PUBLISH)
    assert not policy.can("someone", IMPORT)  # not a system actor
    assert not policy.can(None, READ)


def test_inactive_user_has_no_rights(make_user: Any) -> None:
    user = make_user("analyst")
    user.is_active = False
    assert not any(policy.can(user, a) for a in (IMPORT, ANALYZE, READ, PUBLISH))


def test_runs_unpublished_hidden_from_public(make_user: Any, db: Any) -> None:
    agency = Agency.objects.create(
        name="A", slug="a", city="A", state="CT", center_lat=41.0, center_lng=-72.0
    )
    draft = AnalysisRun.objects.create(agency=agency, title="draft", status="succeeded")
    public = AnalysisRun.objects.create(
        agency=agency,
        title="public",
        status="succeeded",
        published=True,
        published_at=timezone.now(),
    )
    staff = make_user("supervisor")
    for viewer in (None, make_user("investigator"), "system:cli"):
        assert list(selectors.run_list_for_viewer(viewer=viewer)) == [public]
        assert selectors.run_get_for_viewer(viewer=viewer, public_id=public.public_id) == public
        with pytest.raises(NotFound):
            selectors.run_get_for_viewer(viewer=viewer, public_id=draft.public_id)
        with pytest.raises(NotFound):
            selectors.stop_list_for_viewer(viewer=viewer)
        with pytest.raises(NotFound):
            selectors.import_list_for_viewer(viewer=viewer)
    assert set(selectors.run_list_for_viewer(viewer=staff)) == {draft, public}
    assert selectors.run_get_for_viewer(viewer=staff, public_id=draft.public_id) == draft
    assert list(selectors.stop_list_for_viewer(viewer=staff)) == []
