"""The registry refuses malformed or duplicate registrations, and what apps registered at
start-up is consistent (every statistic states its method, denominator and uncertainty)."""

from __future__ import annotations

import datetime as dt

import pytest

from peelian.core.registry import (
    AuditAction,
    Dataset,
    DatasetField,
    DemoContribution,
    Registry,
    RegistryError,
    StaffLink,
    Statistic,
    StatisticResult,
    registry,
)


def _stat(**overrides):
    values = {
        "slug": "s",
        "title": "S",
        "strategy": 1,
        "method": "m",
        "denominator": "d",
        "uncertainty": "u",
        "compute": lambda: StatisticResult(values=(), unit="", as_of=dt.date(2026, 1, 1)),
    }
    values.update(overrides)
    return Statistic(**values)


def test_audit_action_names_must_be_dotted():
    r = Registry()
    r.register_audit_actions(AuditAction("app.thing.do", "x"))
    for bad in ["nodot", "App.thing", "app..x", "app.thing-do"]:
        with pytest.raises(RegistryError):
            r.register_audit_actions(AuditAction(bad, "x"))
    with pytest.raises(RegistryError, match="not registered"):
        r.audit_action("app.other")


def test_duplicates_are_refused():
    r = Registry()
    r.register_audit_actions(AuditAction("a.b", "x"))
    r.register_audit_actions(AuditAction("a.b", "x"))  # identical re-registration is harmless
    with pytest.raises(RegistryError, match="already registered"):
        r.register_audit_actions(AuditAction("a.b", "something else"))
    r.register_statistic(_stat())
    with pytest.raises(RegistryError):
        r.register_statistic(_stat(title="Other"))
    r.register_staff_link(StaffLink("x:y", "Y"))
    with pytest.raises(RegistryError):
        r.register_staff_link(StaffLink("x:y", "Y again"))


@pytest.mark.parametrize("missing", ["method", "denominator", "uncertainty"])
def test_statistic_must_state_method_denominator_uncertainty(missing):
    with pytest.raises(RegistryError, match=missing):
        Registry().register_statistic(_stat(**{missing: "  "}))


def test_strategy_must_be_one_to_eight():
    with pytest.raises(RegistryError, match="strategy"):
        Registry().register_statistic(_stat(strategy=9))


def test_dataset_needs_a_dictionary():
    r = Registry()
    ds = Dataset("d", "D", "desc", 2, (), rows=list, privacy="none")
    with pytest.raises(RegistryError, match="dictionary"):
        r.register_dataset(ds)
    r.register_dataset(
        Dataset("d", "D", "desc", 2, (DatasetField("n", "integer", "n"),), list, "p")
    )
    assert list(r.datasets) == ["d"]


def test_demo_steps_run_in_order():
    r = Registry()
    r.register_demo(DemoContribution("late", 20, build=print))
    r.register_demo(DemoContribution("early", 10, build=print))
    assert [s.name for s in r.demo_steps()] == ["early", "late"]


def test_staff_links_by_role():
    r = Registry()
    r.register_staff_link(StaffLink("a:all", "All"))
    r.register_staff_link(StaffLink("a:admin", "Admin", roles=frozenset({"administrator"})))
    assert [s.url_name for s in r.staff_links_for(frozenset({"analyst"}))] == ["a:all"]
    assert len(r.staff_links_for(frozenset({"administrator"}))) == 2


def test_grant_needs_app_label_and_codename():
    with pytest.raises(RegistryError):
        Registry().grant("analyst", "view_thing")


def test_the_apps_registrations_are_consistent():
    # Every registered statistic states method, denominator and uncertainty (enforced at
    # registration); every dataset has a dictionary with unique field names.
    for ds in registry.datasets.values():
        names = [f.name for f in ds.fields]
        assert len(names) == len(set(names)), ds.slug
        assert str(ds.privacy).strip(), ds.slug
    for action in registry.audit_actions.values():
        assert str(action.description).strip()
