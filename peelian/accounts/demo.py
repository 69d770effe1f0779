"""The accounts app's share of the synthetic city: one demo account per staff role, all with
the same seeded password and a pre-enrolled authenticator (TOTP) plus recovery codes.

``peelian demo logins`` prints the accounts and the password; ``peelian demo codes`` prints
each account's current six-digit code. The accounts are marked as demo accounts in the demo
app, and only those may have their codes printed.
"""

from __future__ import annotations

from typing import Any

from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from peelian.accounts import roles
from peelian.accounts.services import RECOVERY_CODE_COUNT, user_create
from peelian.audit.services import audit_log
from peelian.demo.services import SEED_ACTOR, demo_account_mark

# (username, role slug), in the order ``peelian demo logins`` lists them.
DEMO_ACCOUNTS: tuple[tuple[str, str], ...] = (
    ("liaison", roles.COMMUNITY_LIAISON),
    ("comms", roles.COMMUNICATIONS),
    ("trainer", roles.TRAINING_COORDINATOR),
    ("investigator", roles.INVESTIGATOR),
    ("supervisor", roles.SUPERVISOR),
    ("board", roles.REVIEW_BOARD),
    ("partner", roles.PARTNER),
    ("analyst", roles.ANALYST),
    ("admin", roles.ADMINISTRATOR),
)
EMAIL_DOMAIN = "calderfalls.example"  # .example is reserved: mail to it goes nowhere

# Words of the demo password (short, common, easy to type; the password is three of them
# plus two digits after a fixed prefix: about 4.5e7 combinations, enough for a local demo
# and long enough for the password validators).
# fmt: off
_WORDS = [
    "amber", "anchor", "apple", "arrow", "aspen", "badge", "basin", "beacon", "birch", "bison",
    "bluff", "bramble", "brook", "canyon", "cedar", "chalk", "cinder", "clover", "comet",
    "copper", "coral", "cove", "crane", "creek", "dune", "ember", "fable", "falcon", "fern",
    "field", "flint", "forge", "garnet", "glade", "granite", "harbor", "hazel", "heron", "hollow",
    "indigo", "iris", "ivory", "jasper", "juniper", "kestrel", "lantern", "larch", "laurel",
    "lilac", "linden", "maple", "marble", "meadow", "mesa", "mill", "nectar", "oak", "onyx",
    "orchard", "orchid", "otter", "pebble", "pine", "plover", "prairie", "quarry", "quartz",
    "raven", "reed", "ridge", "river", "robin", "rowan", "saffron", "sage", "slate", "sparrow",
    "spruce", "summit", "thistle", "timber", "topaz", "tulip", "valley", "violet", "walnut",
    "willow", "wren", "yarrow", "zephyr",
]
# fmt: on
# Recovery codes use the same unambiguous alphabet as the accounts service (no 0/O, 1/l/I).
_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def demo_password(rng: Any) -> str:
    words = rng.sample(_WORDS, 3)
    return "calder-" + "-".join(words) + f"-{rng.randint(10, 99)}"


def build(ctx: Any) -> None:
    """Create the demo accounts. The supervisor and investigator are named after the
    officers the agency step chose for them (``ctx.shared["demo_officers"]``), which the
    agency's link step then links to these accounts."""
    rng = ctx.rng
    password = demo_password(rng)
    officers: dict[str, Any] = ctx.shared.get("demo_officers", {})
    users: dict[str, Any] = {}
    for position, (username, role) in enumerate(DEMO_ACCOUNTS):
        officer = officers.get(role)
        if officer is not None:
            first, last = officer.first_name, officer.last_name
        else:
            first, last = ctx.faker_en.first_name(), ctx.faker_en.last_name()
        user = user_create(
            actor=SEED_ACTOR,
            username=username,
            email=f"{username}@{EMAIL_DOMAIN}",
            password=password,
            roles=[role],
            first_name=first,
            last_name=last,
            check_permission=False,
        )
        TOTPDevice.objects.create(
            user=user,
            name="authenticator",
            confirmed=True,
            key=rng.getrandbits(160).to_bytes(20, "big").hex(),
        )
        recovery = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
        StaticToken.objects.bulk_create(
            StaticToken(device=recovery, token="".join(rng.choices(_CODE_ALPHABET, k=10)))
            for _i in range(RECOVERY_CODE_COUNT)
        )
        audit_log(actor=SEED_ACTOR, action="accounts.mfa.enrol", target=user)
        demo_account_mark(user=user, role=role, password=password, position=position)
        users[role] = user
        ctx.advance(position + 1, len(DEMO_ACCOUNTS))
    ctx.shared["demo_users"] = users
