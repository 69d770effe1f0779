"""Passwords are hashed with argon2 outside the test suite (the suite uses a fast hasher)."""

from __future__ import annotations

import importlib

from django.contrib.auth.hashers import check_password, make_password


def test_base_settings_hash_with_argon2(settings):
    base = importlib.import_module("config.base")
    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS
    encoded = make_password("correct horse battery staple")
    assert encoded.startswith("argon2$argon2id$")
    assert check_password("correct horse battery staple", encoded)
    assert not check_password("wrong", encoded)
