"""config.production refuses unsafe settings, and passes `check --deploy` when configured."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SAFE_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.production",
    "SECRET_KEY": "k3J9-vQ2_xZp8sLm4Rt7Wy1Nb6Hc0Df5Gj2Ka9Pe3Uo8Iq7Yr4Ts1Vw6Xz0Mn5Bl2Cv",
    "ALLOWED_HOSTS": "trust.example.gov",
    "DATABASE_URL": "postgres://peelian@127.0.0.1:5432/peelian",
    "CACHE_URL": "redis://127.0.0.1:6379/1",
    "DEBUG": "0",
}


def _run(env_overrides: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in SAFE_ENV}
    env.update(SAFE_ENV)
    env.update(env_overrides)
    env["PEELIAN_VAR_DIR"] = "/nonexistent-peelian-var"  # production must not need ./var
    return subprocess.run(  # noqa: S603 - our own interpreter and command
        [sys.executable, "-m", "peelian.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_passes_on_production_settings():
    result = _run({}, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"DEBUG": "1"}, "DEBUG must be off"),
        ({"SECRET_KEY": ""}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY must be set"),
        ({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS"),
        ({"DATABASE_URL": "sqlite:////tmp/x.sqlite3"}, "PostgreSQL"),
        ({"TASKS_BACKEND": "immediate"}, "TASKS_BACKEND"),
    ],
)
def test_unsafe_production_settings_refuse_to_start(override, message):
    result = _run(override, "check")
    assert result.returncode != 0
    assert "Unsafe production settings" in result.stderr
    assert message in result.stderr
