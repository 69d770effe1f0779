"""``peelian createadmin``."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from peelian.accounts.models import User
from peelian.accounts.roles import ADMINISTRATOR
from peelian.audit.models import AuditEntry

STRONG = "a long enough passphrase 42"


def _run(monkeypatch, stdin_text, *args):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin_text))
    out = io.StringIO()
    call_command("createadmin", *args, stdout=out)
    return out.getvalue()


def test_createadmin_from_stdin(db, monkeypatch):
    output = _run(
        monkeypatch,
        STRONG + "\n",
        "--username",
        "chief",
        "--email",
        "chief@example.org",
        "--password-stdin",
    )
    user = User.objects.get(username="chief")
    assert user.check_password(STRONG)
    assert list(user.groups.values_list("name", flat=True)) == [ADMINISTRATOR]
    assert user.is_staff
    assert not user.is_superuser
    entry = AuditEntry.objects.get(action="accounts.user.create")
    assert (entry.actor_id, entry.actor_label) == (None, "system:cli")
    assert "Administrator chief created." in output
    assert "/staff/login/" in output
    assert "authenticator app" in output
    assert "10 recovery codes" in output


def test_createadmin_prompts_twice_at_a_terminal(db, monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    answers = iter([STRONG, STRONG])
    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    call_command(
        "createadmin", "--username", "chief", "--email", "c@example.org", stdout=io.StringIO()
    )
    assert User.objects.get(username="chief").check_password(STRONG)


def test_createadmin_prompt_mismatch(db, monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    answers = iter([STRONG, STRONG + "x"])
    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with pytest.raises(CommandError, match="differ"):
        call_command("createadmin", "--username", "chief", "--email", "c@example.org")
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("stdin_text", "args", "message"),
    [
        ("short\n", ["--password-stdin"], r"weak_password"),
        ("\n", ["--password-stdin"], r"No password on standard input"),
        ("", [], r"No terminal"),
        (STRONG + "\n", ["--password-stdin", "--email", "nope"], r"\[invalid\]"),
    ],
)
def test_createadmin_refuses_and_writes_nothing(db, monkeypatch, stdin_text, args, message):
    base = ["--username", "chief", "--email", "chief@example.org"]
    with pytest.raises(CommandError, match=message):
        _run(monkeypatch, stdin_text, *base, *args)
    assert not User.objects.exists()
    assert not AuditEntry.objects.exists()


def test_createadmin_refuses_a_taken_username(make_user, monkeypatch):
    make_user(username="chief")
    with pytest.raises(CommandError, match="username_taken"):
        _run(
            monkeypatch,
            STRONG + "\n",
            "--username",
            "Chief",
            "--email",
            "x@example.org",
            "--password-stdin",
        )
