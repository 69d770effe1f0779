"""The audit chain: services append entries; verification catches any single-row edit,
deletion, insertion or reordering, naming the first bad entry."""

from __future__ import annotations

import itertools

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from peelian.audit.chain import GENESIS_HASH, entry_hash
from peelian.audit.models import AuditEntry, AuditHead
from peelian.audit.services import audit_log, audit_verify
from peelian.core.registry import RegistryError

pytestmark = pytest.mark.django_db


def _fill(n: int = 6) -> list[AuditEntry]:
    out = []
    for i in range(n):
        with transaction.atomic():
            out.append(
                audit_log(
                    actor="system:test",
                    action="audit.entry.view",
                    target_type="audit.auditentry",
                    target_id=str(i),
                    before={"i": i},
                    after={"i": i + 1, "note": "café ✓"},
                )
            )
    return out


def _raw(sql: str, params: list | None = None) -> None:
    """Tamper below the ORM, as an attacker with database access would. On PostgreSQL the
    append-only trigger must be bypassed first (replica mode skips ordinary triggers)."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET LOCAL session_replication_role = replica")
        cur.execute(sql, params or [])
        if connection.vendor == "postgresql":
            cur.execute("SET LOCAL session_replication_role = origin")


def test_entries_link_and_verify():
    entries = _fill()
    assert entries[0].prev_hash == GENESIS_HASH
    for prev, nxt in itertools.pairwise(entries):
        assert nxt.prev_hash == prev.hash
        assert nxt.position == prev.position + 1
    result = audit_verify()
    assert result.ok
    assert result.checked == len(entries)
    head = AuditHead.objects.get(pk=1)
    assert head.position == entries[-1].position
    assert head.hash == entries[-1].hash


def test_hash_is_stable_after_reload():
    entry = _fill(1)[0]
    reloaded = AuditEntry.objects.values().get(pk=entry.pk)
    assert entry_hash(reloaded) == entry.hash


def test_unregistered_action_is_refused():
    with pytest.raises(RegistryError), transaction.atomic():
        audit_log(actor=None, action="nobody.registered.this")
    assert AuditEntry.objects.count() == 0


def test_edit_is_caught_and_named():
    entries = _fill()
    _raw("UPDATE audit_auditentry SET actor_label = %s WHERE id = %s", ["mallory", entries[2].pk])
    result = audit_verify()
    assert not result.ok
    assert result.bad_position == entries[2].position
    assert result.bad_id == entries[2].pk
    assert "hash" in result.reason


def test_json_value_edit_is_caught():
    entries = _fill()
    _raw("UPDATE audit_auditentry SET after = NULL WHERE id = %s", [entries[4].pk])
    assert audit_verify().bad_position == entries[4].position


def test_deletion_in_the_middle_is_caught():
    entries = _fill()
    _raw("DELETE FROM audit_auditentry WHERE id = %s", [entries[3].pk])
    result = audit_verify()
    assert not result.ok
    assert result.bad_position == entries[4].position


def test_deletion_of_the_newest_entry_is_caught():
    entries = _fill()
    _raw("DELETE FROM audit_auditentry WHERE id = %s", [entries[-1].pk])
    result = audit_verify()
    assert not result.ok
    assert result.bad_position == entries[-1].position


def test_insertion_is_caught():
    entries = _fill()
    # Make room for a forged entry between positions 3 and 4 by shifting the later ones up.
    last = entries[-1].position
    _raw("UPDATE audit_auditentry SET position = position + 1000 WHERE position > 3")
    _raw("UPDATE audit_auditentry SET position = position - 999 WHERE position > 1000")
    forged = dict(AuditEntry.objects.values().get(position=3))
    forged.pop("id")
    forged.update(position=4, prev_hash=entries[2].hash, actor_label="forger")
    forged["hash"] = entry_hash(forged)
    _raw(
        "INSERT INTO audit_auditentry (position, at, actor_id, actor_label, action, target_type,"
        " target_id, before, after, request_id, prev_hash, hash) VALUES "
        "(%s, %s, NULL, %s, %s, %s, %s, NULL, NULL, %s, %s, %s)",
        [
            4,
            forged["at"],
            "forger",
            forged["action"],
            forged["target_type"],
            forged["target_id"],
            forged["request_id"],
            forged["prev_hash"],
            forged["hash"],
        ],
    )
    assert AuditEntry.objects.count() == last + 1
    result = audit_verify()
    assert not result.ok
    # The forged row itself hashes correctly; the chain breaks at the entry after it.
    assert result.bad_position == 4 or result.bad_position == 5


def test_reordering_is_caught():
    entries = _fill()
    a, b = entries[1], entries[2]
    _raw("UPDATE audit_auditentry SET position = 999999 WHERE id = %s", [a.pk])
    _raw("UPDATE audit_auditentry SET position = %s WHERE id = %s", [a.position, b.pk])
    _raw("UPDATE audit_auditentry SET position = %s WHERE id = %s", [b.position, a.pk])
    result = audit_verify()
    assert not result.ok
    assert result.bad_position == a.position


def test_command_exit_codes(capsys):
    entries = _fill(3)
    call_command("audit", "verify")
    assert "intact: 3 entries" in capsys.readouterr().out
    _raw("UPDATE audit_auditentry SET action = %s WHERE id = %s", ["x.y", entries[1].pk])
    with pytest.raises(CommandError) as excinfo:
        call_command("audit", "verify")
    assert excinfo.value.returncode == 1
    assert f"position {entries[1].position}" in str(excinfo.value)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only trigger exists on PostgreSQL only"
)
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditentry SET actor_label = 'x'",
        "DELETE FROM audit_auditentry",
        "TRUNCATE audit_auditentry",
    ],
)
def test_postgres_refuses_update_delete_truncate(sql):
    from django.db.utils import DatabaseError

    _fill(2)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cur,
    ):
        cur.execute(sql)
    assert AuditEntry.objects.count() == 2
