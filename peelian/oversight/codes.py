"""Tracking codes: what a complainant keeps to follow their case without an account.

Twelve random characters from Crockford's base-32 alphabet (no I, L, O or U, so nothing is
mistaken when read aloud or copied by hand; 60 bits, not guessable) and one check character
computed with the Luhn mod-N algorithm over the same alphabet, which catches every single
mistyped character and every swap of two neighbours except 0↔Z (the algorithm's one blind
pair). Shown as ``XXXX-XXXX-XXXX-C``.

Only the SHA-256 of the normalised code is stored.
"""

from __future__ import annotations

import hashlib
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
N = len(ALPHABET)  # 32
BODY_LENGTH = 12
# Letters people write or say for the excluded ones (Crockford's decoding rules).
_READ_AS = {"O": "0", "I": "1", "L": "1"}


def _check_char(body: str) -> str:
    """Luhn mod N: double every second value from the right, add the digits in base N."""
    total = 0
    factor = 2
    for char in reversed(body):
        addend = factor * ALPHABET.index(char)
        addend = addend // N + addend % N
        total += addend
        factor = 1 if factor == 2 else 2
    return ALPHABET[(N - total % N) % N]


def new_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return format_code(body + _check_char(body))


def normalise(text: str) -> str | None:
    """The 13 significant characters of a typed code (any case, spaces or dashes, O for 0),
    or None when it cannot be a valid code (wrong length, stray characters, bad check)."""
    cleaned = "".join(ch for ch in (text or "").upper() if ch not in " -_")
    cleaned = "".join(_READ_AS.get(ch, ch) for ch in cleaned)
    if len(cleaned) != BODY_LENGTH + 1 or any(ch not in ALPHABET for ch in cleaned):
        return None
    if _check_char(cleaned[:-1]) != cleaned[-1]:
        return None
    return cleaned


def format_code(code: str) -> str:
    return f"{code[0:4]}-{code[4:8]}-{code[8:12]}-{code[12]}"


def code_hash(normalised: str) -> str:
    return hashlib.sha256(normalised.encode("ascii")).hexdigest()
