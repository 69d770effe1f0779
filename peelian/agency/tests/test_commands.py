"""``peelian agency import-streets``."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from peelian.agency.models import StreetSegment
from peelian.agency.tests.factories import AgencyFactory
from peelian.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

HEADER = "street,from_number,to_number,start_lat,start_lng,end_lat,end_lng\n"


def write(tmp_path, text, encoding="utf-8"):
    path = tmp_path / "streets.csv"
    path.write_text(text, encoding=encoding)
    return path


def test_import_streets(tmp_path, capsys, city):
    before = StreetSegment.objects.count()
    path = write(tmp_path, HEADER + "Elm St,100,198,38.49,-98.03,38.49,-98.02\n", "utf-8-sig")
    call_command("agency", "import-streets", str(path))
    assert "Imported 1 street segments" in capsys.readouterr().out
    assert StreetSegment.objects.count() == before + 1
    entry = AuditEntry.objects.get(action="agency.streets.import")
    assert entry.actor_label == "system:cli"


def test_import_streets_prints_the_error_report(tmp_path, capsys, city):
    before = StreetSegment.objects.count()
    path = write(
        tmp_path,
        HEADER
        + "Elm St,100,198,38.49,-98.03,38.49,-98.02\n"
        + "Elm St,300,200,38.49,-98.03,38.49,-98.02\n"
        + "Elm St,100,198,38.49,-98.03,38.49,east\n",
    )
    with pytest.raises(CommandError) as info:
        call_command("agency", "import-streets", str(path))
    assert info.value.returncode == 1
    assert "2 errors in 3 rows" in str(info.value)
    err = capsys.readouterr().err
    assert f"{path}: line 3, to_number:" in err
    assert f"{path}: line 4, end_lng:" in err
    assert StreetSegment.objects.count() == before


def test_import_streets_not_utf8(tmp_path, city):
    path = tmp_path / "streets.csv"
    path.write_bytes(HEADER.encode() + "Pe\xf1a St,1,9,1,1,1,1\n".encode("latin-1"))
    with pytest.raises(CommandError):
        call_command("agency", "import-streets", str(path))


def test_import_streets_agency_choice(tmp_path, city):
    AgencyFactory(slug="second")
    path = write(tmp_path, HEADER + "Elm St,100,198,38.49,-98.03,38.49,-98.02\n")
    with pytest.raises(CommandError, match="more than one agency"):
        call_command("agency", "import-streets", str(path))
    with pytest.raises(CommandError, match="No agency"):
        call_command("agency", "import-streets", str(path), "--agency", "nope")
    call_command("agency", "import-streets", str(path), "--agency", "second", "--replace")
    assert StreetSegment.objects.filter(agency__slug="second").count() == 1


def test_import_streets_missing_file(tmp_path, city):
    with pytest.raises(CommandError, match="No such file"):
        call_command("agency", "import-streets", str(tmp_path / "nope.csv"))


def test_import_streets_without_agency(tmp_path, db):
    path = write(tmp_path, HEADER)
    with pytest.raises(CommandError, match="no agency"):
        call_command("agency", "import-streets", str(path))
