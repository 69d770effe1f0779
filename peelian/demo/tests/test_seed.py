"""The seeding run: order, one transaction and one audit entry per step, refusal on a
database with data, --force, determinism, and a failing step."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from peelian.agency.models import Agency, District, Officer
from peelian.audit.models import AuditEntry
from peelian.audit.services import audit_verify
from peelian.core.errors import ApplicationError
from peelian.core.registry import DemoContribution, registry
from peelian.demo.context import AS_OF, SIZES, DemoContext
from peelian.demo.models import DemoAccount, SeedRun
from peelian.demo.services import SeedStepFailed, city_seed
from peelian.demo.tables import content_digest


def test_registered_steps_run_in_order():
    names = [s.name for s in registry.demo_steps()]
    assert names[:3] == ["agency", "accounts", "agency-links"]


def test_tiny_city_is_seeded_and_recorded(tiny_city):
    run = SeedRun.objects.get()
    assert run.finished_at is not None
    assert (run.size, run.seed) == ("tiny", 7)
    assert run.digest == tiny_city.digest == content_digest()
    # Every registered step ran, in order (later modules add their own steps).
    expected = [s.name for s in registry.demo_steps()]
    assert expected[:3] == ["agency", "accounts", "agency-links"]
    assert [s["step"] for s in run.steps] == expected
    entries = AuditEntry.objects.filter(action="demo.seed.step").order_by("position")
    assert [e.after["step"] for e in entries] == expected
    assert all(e.actor_label == "system:seed" for e in entries)
    agency_counts = entries[0].after["counts"]
    assert agency_counts["agency.agency"] == 1
    assert agency_counts["agency.district"] == SIZES["tiny"].districts
    assert (
        agency_counts["agency.beat"] == SIZES["tiny"].districts * SIZES["tiny"].beats_per_district
    )
    assert agency_counts["agency.officer"] == Officer.objects.count()
    assert entries[1].after["counts"]["accounts.user"] == 9
    assert AuditEntry.objects.filter(action="demo.seed.finish").count() == 1
    assert audit_verify().ok


def test_the_context_is_seeded_and_has_no_clock():
    a = DemoContext(size="tiny", seed=3).for_step("x")
    b = DemoContext(size="tiny", seed=3).for_step("x")
    c = DemoContext(size="tiny", seed=3).for_step("y")
    assert a.rng.random() == b.rng.random() != c.rng.random()
    assert a.np_rng.integers(1 << 30) == b.np_rng.integers(1 << 30)
    assert a.faker_en.name() == b.faker_en.name()
    assert a.faker_es.name() == b.faker_es.name()
    assert a.uuid() == b.uuid()
    assert a.as_of == AS_OF
    with pytest.raises(ValueError, match="unknown size"):
        DemoContext(size="huge", seed=1)


def test_seeding_is_deterministic_and_the_seed_matters(tiny_city):
    first = tiny_city.digest
    officer_ids = list(Officer.objects.order_by("badge").values_list("public_id", flat=True))
    again = city_seed(size="tiny", seed=7, force=True)
    assert again.digest == first
    assert list(Officer.objects.order_by("badge").values_list("public_id", flat=True)) == (
        officer_ids
    )
    other = city_seed(size="tiny", seed=8, force=True)
    assert other.digest != first


def test_refuses_a_database_with_data_without_force(tiny_city):
    with pytest.raises(ApplicationError) as exc:
        city_seed(size="tiny", seed=7)
    assert exc.value.code == "database_not_empty"
    assert "--force" in str(exc.value)
    assert Agency.objects.count() == 1
    assert SeedRun.objects.count() == 1


def test_force_wipes_the_city_but_keeps_the_audit_log(tiny_city):
    entries_before = AuditEntry.objects.count()
    result = city_seed(size="tiny", seed=7, force=True)
    assert result.wiped["agency.officer"] > 0
    assert Agency.objects.count() == 1
    assert get_user_model().objects.count() == 9
    assert SeedRun.objects.count() == 1  # the old run's record went with its data
    assert AuditEntry.objects.count() > entries_before
    reset = AuditEntry.objects.get(action="demo.seed.reset")
    assert reset.after["deleted"]["agency.officer"] == result.wiped["agency.officer"]
    assert audit_verify().ok


def test_force_refuses_when_a_real_account_exists(tiny_city, make_user):
    make_user("administrator", username="real-admin")
    with pytest.raises(ApplicationError) as exc:
        city_seed(size="tiny", seed=7, force=True)
    assert exc.value.code == "not_a_demo_database"
    assert "real-admin" in str(exc.value)
    assert Agency.objects.count() == 1
    assert DemoAccount.objects.count() == 9


def test_refuses_bad_size_and_seed(db):
    with pytest.raises(ApplicationError) as exc:
        city_seed(size="huge", seed=1)
    assert exc.value.code == "unknown_size"
    with pytest.raises(ApplicationError) as exc:
        city_seed(size="tiny", seed=-1)
    assert exc.value.code == "bad_seed"
    assert not Agency.objects.exists()


def test_a_failing_step_is_rolled_back_alone_and_named(db, monkeypatch):
    def rename_then_fail(ctx):
        District.objects.update(name="changed")
        raise RuntimeError("boom")

    monkeypatch.setitem(
        registry.demo, "zz-fail", DemoContribution("zz-fail", 999, rename_then_fail)
    )
    with pytest.raises(SeedStepFailed) as exc:
        city_seed(size="tiny", seed=7)
    assert "zz-fail" in str(exc.value)
    assert "boom" in str(exc.value)
    assert District.objects.exists()  # the steps before it committed
    assert not District.objects.filter(name="changed").exists()  # this one rolled back
    run = SeedRun.objects.get()
    assert run.finished_at is None
    expected = [s.name for s in registry.demo_steps() if s.name != "zz-fail"]
    assert [s["step"] for s in run.steps] == expected
    assert not AuditEntry.objects.filter(action="demo.seed.finish").exists()


def test_nothing_registered_is_an_error(db, monkeypatch):
    monkeypatch.setattr(registry, "demo", {})
    with pytest.raises(ApplicationError) as exc:
        city_seed(size="tiny", seed=7)
    assert exc.value.code == "nothing_registered"
