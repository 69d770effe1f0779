"""``peelian seed`` and ``peelian demo up|logins|codes``, and signing in as a demo user
through the real pages."""

from __future__ import annotations

import io
import re
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from peelian.accounts.demo import DEMO_ACCOUNTS
from peelian.accounts.roles import ROLE_SLUGS
from peelian.agency.models import Agency
from peelian.audit.models import AuditEntry
from peelian.demo.models import DemoAccount, SeedRun
from peelian.demo.progress import PlainProgress
from peelian.demo.selectors import demo_codes, totp_now

CODE_LINE = re.compile(r"^(\w+)\s+(\d{6})\s+\(\s*(\d+) s left\)", re.M)


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_seed_command_prints_progress_and_digest(db):
    out, err = run("seed", "--size", "tiny", "--seed", "7")
    assert "ETA" in err
    assert "100%" in err
    run_row = SeedRun.objects.get()
    assert run_row.digest in out
    assert "agency" in out
    assert "accounts" in out
    with pytest.raises(CommandError, match="--force"):
        run("seed", "--size", "tiny", "--seed", "7")
    out, _err = run("seed", "--size", "tiny", "--seed", "7", "--force")
    assert run_row.digest in out  # same size and seed: same content


def test_seed_command_rejects_bad_arguments(db):
    with pytest.raises(CommandError, match="invalid size"):
        call_command("seed", "--size", "huge")
    with pytest.raises(CommandError, match="invalid seed"):
        call_command("seed", "--seed", "minus-one")
    assert not Agency.objects.exists()


def test_demo_accounts_cover_every_role():
    assert {role for _u, role in DEMO_ACCOUNTS} == ROLE_SLUGS
    assert [u for u, _r in DEMO_ACCOUNTS] == [
        "liaison", "comms", "trainer", "investigator", "supervisor", "board", "partner",
        "analyst", "admin",
    ]  # fmt: skip


def test_logins_prints_accounts_password_and_how_to_get_codes(tiny_city):
    out, _err = run("demo", "logins")
    password = DemoAccount.objects.first().password
    assert len(password) >= 12
    assert password.startswith("calder-")
    assert DemoAccount.objects.values("password").distinct().count() == 1
    for username, _role in DEMO_ACCOUNTS:
        assert re.search(rf"\b{username}\b", out)
    assert "Supervisor" in out
    assert "Professional-standards investigator" in out
    assert password in out
    assert "http://127.0.0.1:8000/staff/login/" in out
    assert ".venv/bin/peelian demo codes" in out


def test_codes_prints_codes_the_device_accepts(tiny_city):
    out, _err = run("demo", "codes")
    codes = dict((u, c) for u, c, _s in CODE_LINE.findall(out))
    assert set(codes) == {u for u, _r in DEMO_ACCOUNTS}
    device = TOTPDevice.objects.get(user__username="analyst")
    assert device.verify_token(codes["analyst"])
    assert AuditEntry.objects.filter(action="demo.codes.view").count() == 1


def test_codes_for_one_user_and_after_the_code_was_used(tiny_city):
    out, _err = run("demo", "codes", "Supervisor")
    [(username, code, _secs)] = CODE_LINE.findall(out)
    assert username == "supervisor"
    device = TOTPDevice.objects.get(user__username="supervisor")
    assert device.verify_token(code)
    # The same step cannot be used twice; the command then offers the next step's code.
    device.refresh_from_db()
    now = time.time()
    offered = totp_now(device, now)
    if offered.code:  # (empty only if the clock moved two steps since, never in practice)
        assert offered.code != code
        assert "next" in offered.note
        assert device.verify_token(offered.code)


@pytest.mark.parametrize("name", ["someone_else", "real-analyst"])
def test_codes_refuses_anyone_who_is_not_a_demo_user(tiny_city, make_user, name):
    make_user("analyst", username="real-analyst")
    with pytest.raises(CommandError, match="not a demo account"):
        run("demo", "codes", name)
    with pytest.raises(CommandError, match="not a demo account"):
        run("demo", "codes", "admin", name)  # one stranger spoils the whole request
    with pytest.raises(CommandError, match="not a demo account"):
        run("demo", "codes", "--recovery", name)
    assert not AuditEntry.objects.filter(action="demo.codes.view").exists()


def test_codes_without_a_city(db):
    with pytest.raises(CommandError, match="no demo accounts"):
        run("demo", "codes")
    with pytest.raises(CommandError, match="no demo accounts"):
        run("demo", "logins")


def test_recovery_codes(tiny_city):
    out, _err = run("demo", "codes", "--recovery", "board")
    tokens = out.split()[1:]
    assert out.startswith("board")
    assert len(tokens) == 10
    assert all(re.fullmatch(r"[a-z2-9]{10}", t) for t in tokens)


def test_up_seeds_once_then_reuses(db):
    out, err = run("demo", "up", "--size", "tiny", "--seed", "7", "--no-serve")
    assert "Seeded the synthetic city (size tiny, seed 7)" in out
    assert "ETA" in err
    assert "admin" in out
    assert "demo codes" in out
    assert SeedRun.objects.count() == 1
    out, _err = run("demo", "up", "--size", "tiny", "--seed", "9", "--no-serve")
    assert "Reusing the synthetic city (size tiny, seed 7)" in out
    assert "seed 9" in out
    assert "peelian seed --force" in out
    assert "var/peelian.sqlite3" in out
    assert SeedRun.objects.count() == 1


def test_up_refuses_a_database_with_other_data(db, make_user):
    make_user("analyst")
    with pytest.raises(CommandError, match="no finished demo city"):
        run("demo", "up", "--size", "tiny", "--no-serve")
    assert not Agency.objects.exists()


def test_plain_progress_lines():
    from peelian.core.registry import DemoContribution

    stream = io.StringIO()
    steps = [DemoContribution("a", 1, print, weight=3), DemoContribution("b", 2, print)]
    progress = PlainProgress(stream)
    progress.begin(steps)
    for i in range(1, 11):
        progress.update(steps[0], i, 10)
    progress.step_done(steps[0], 0.1)
    progress.step_done(steps[1], 0.1)
    progress.end()
    lines = stream.getvalue().splitlines()
    assert all("ETA" in line for line in lines)
    assert lines[0].split()[1] == "7%"
    assert " a " in lines[0]
    assert lines[-1].split()[1] == "100%"
    assert len(lines) <= 14  # a line per step and per tenth, not per update


def test_a_demo_user_signs_in_with_password_and_code(tiny_city, client):
    password = DemoAccount.objects.first().password
    response = client.post("/staff/login/", {"username": "analyst", "password": password})
    assert response.status_code == 302
    assert "/staff/mfa/" in response["Location"]
    [code] = [c.code for c in demo_codes(actor="system:test", usernames=["analyst"])]
    response = client.post("/staff/mfa/", {"code": code})
    assert response.status_code == 302
    assert "/staff/mfa/" not in response["Location"]
    device = TOTPDevice.objects.get(user__username="analyst")
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert AuditEntry.objects.filter(action="accounts.mfa.verify", actor_label="analyst").exists()
