"""The built-in mappings on the real files (a sample of the first rows, for speed). The
full files were imported by hand; counts and times are in docs/data/use-of-force.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from peelian.force import imports
from peelian.force.models import ForceIncident, ForceSubject
from peelian.force.services import force_import

REAL = Path(settings.BASE_DIR).parent / "shared" / "data" / "real"
CHICAGO = REAL / "chicago_trr_use_of_force"
MPLS = REAL / "mpls_use_of_force" / "mn_police_use_of_force.csv"
SAMPLE = 2000


def _need(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"the real data set is not here: {path} (see docs/data/use-of-force.md)")


def test_minneapolis_sample(city: Any) -> None:
    _need(MPLS)
    mapping = imports.builtin_mapping("minneapolis")
    with imports.open_text(MPLS) as handle:
        header, rows = imports.csv_rows(handle, SAMPLE)
        result = force_import(
            actor="system:test", agency=city.agency, mapping=mapping, header=header, rows=rows
        )
    assert result.rows_read == SAMPLE
    assert result.errors == []
    assert 500 < result.incidents_created < SAMPLE
    # Every warning names a line, a column and the value.
    assert all(w.line > 1 and w.column and "'" in w.message for w in result.warnings)
    races = set(ForceSubject.objects.values_list("race", flat=True))
    assert races <= {"black", "white", "other", "asian/pacific islander", "unknown"}
    assert "black" in races
    assert "white" in races
    assert set(ForceIncident.objects.values_list("district_code", flat=True)) <= set("012345")
    again = force_import(
        actor="system:test",
        agency=city.agency,
        mapping=mapping,
        header=header,
        rows=imports.csv_rows(imports.open_text(MPLS), SAMPLE)[1],
    )
    assert again.incidents_created == 0
    assert again.incidents_skipped == result.incidents_created


def test_chicago_sample(city: Any) -> None:
    _need(CHICAGO)
    main = next(CHICAGO.glob("TRR-main_*.csv.gz"))
    subjects = imports.chicago_sibling(main, "subjects")
    actions = imports.chicago_sibling(main, "actions-responses")
    assert subjects
    assert actions
    header, rows = imports.chicago_rows(main, subjects, actions, SAMPLE)
    result = force_import(
        actor="system:test",
        agency=city.agency,
        mapping=imports.builtin_mapping("chicago-trr"),
        header=header,
        rows=rows,
    )
    assert result.rows_read >= SAMPLE
    assert result.errors == []
    assert 0 < result.incidents_created < SAMPLE
    first = ForceIncident.objects.order_by("occurred_at", "id").first()
    assert first is not None
    assert first.source == "chicago-trr"
    assert first.occurred_at.year == 2004
    # TRR 4 and 5 are two members' reports of one event: one incident, two officer rows.
    assert ForceIncident.objects.filter(officers__isnull=False).count() >= 1
    multi = [i for i in ForceIncident.objects.all() if i.officers.count() > 1]
    assert multi
    levels = set(ForceIncident.objects.values_list("resistance", flat=True))
    assert {"passive", "active", "assaultive"} <= levels
    races = set(ForceSubject.objects.values_list("race", flat=True))
    assert {"black", "hispanic", "white"} <= races
