"""The hash chain, as pure functions: canonical JSON, entry hashes, verification.

Each entry's hash is SHA-256 over the canonical JSON (sorted keys, no spaces, UTF-8) of its
position, time, actor, action, target, before/after values, request id and the previous
entry's hash. Changing, deleting, inserting or reordering any entry breaks the chain at that
entry; deleting the newest entries is caught by the separately stored head.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

GENESIS_HASH = "0" * 64
HASHED_FIELDS = (
    "position",
    "at",
    "actor_id",
    "actor_label",
    "action",
    "target_type",
    "target_id",
    "before",
    "after",
    "request_id",
    "prev_hash",
)


def json_safe(value: Any) -> Any:
    """The value as it will come back out of a JSON column (dates as ISO strings, etc.)."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def canonical_json(payload: Mapping[str, Any]) -> bytes:
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def format_time(at: dt.datetime) -> str:
    if at.tzinfo is None:
        raise ValueError("audit times must be timezone-aware")
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def entry_hash(entry: Mapping[str, Any]) -> str:
    payload = {name: entry[name] for name in HASHED_FIELDS}
    payload["at"] = format_time(payload["at"])
    return hashlib.sha256(canonical_json(payload)).hexdigest()


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    head_position: int
    bad_position: int | None = None
    bad_id: int | None = None
    reason: str = ""


def verify_entries(
    entries: Iterable[Mapping[str, Any]], *, head_position: int, head_hash: str
) -> VerifyResult:
    """Walk entries in position order and report the first one that breaks the chain.

    ``entries`` are mappings with ``id``, ``hash`` and every name in HASHED_FIELDS.
    """
    expected_position = 1
    prev_hash = GENESIS_HASH
    checked = 0
    for entry in entries:
        bad = None
        if entry["position"] != expected_position:
            bad = f"position {entry['position']} where {expected_position} was expected"
        elif entry["prev_hash"] != prev_hash:
            bad = "previous-hash link does not match the entry before it"
        elif entry_hash(entry) != entry["hash"]:
            bad = "stored hash does not match the entry's contents"
        if bad:
            return VerifyResult(
                ok=False,
                checked=checked,
                head_position=head_position,
                bad_position=entry["position"],
                bad_id=entry["id"],
                reason=bad,
            )
        checked += 1
        prev_hash = entry["hash"]
        expected_position += 1
    last_position = expected_position - 1
    if last_position != head_position or prev_hash != (head_hash or GENESIS_HASH):
        return VerifyResult(
            ok=False,
            checked=checked,
            head_position=head_position,
            bad_position=last_position + 1 if last_position < head_position else last_position,
            reason=(
                f"the chain ends at position {last_position} but the head records "
                f"position {head_position}: entries were removed or appended outside the log"
            ),
        )
    return VerifyResult(ok=True, checked=checked, head_position=head_position)
