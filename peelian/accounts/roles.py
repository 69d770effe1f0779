"""The staff roles. Each is a Django group named by its slug; its permissions come from the
registry (``registry.grant``), so later modules add what their roles need without editing
this file. The public has no account."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

COMMUNITY_LIAISON = "community_liaison"
COMMUNICATIONS = "communications"
TRAINING_COORDINATOR = "training_coordinator"
INVESTIGATOR = "investigator"
SUPERVISOR = "supervisor"
REVIEW_BOARD = "review_board"
PARTNER = "partner"
ANALYST = "analyst"
ADMINISTRATOR = "administrator"


@dataclass(frozen=True)
class Role:
    slug: str
    title: Promise
    description: Promise


ROLES: tuple[Role, ...] = (
    Role(
        COMMUNITY_LIAISON,
        _("Community liaison officer"),
        _("Meetings, events, outreach and problem-solving projects per beat."),
    ),
    Role(
        COMMUNICATIONS,
        _("Communications"),
        _("Stories, social channels, public statements and feedback replies."),
    ),
    Role(
        TRAINING_COORDINATOR,
        _("Training coordinator"),
        _("Courses, sessions, completions, certifications and compliance."),
    ),
    Role(
        INVESTIGATOR,
        _("Professional-standards investigator"),
        _("Complaint cases assigned to them: allegations, evidence, interviews, findings."),
    ),
    Role(
        SUPERVISOR,
        _("Supervisor"),
        _("Their unit's officers: early-intervention alerts, training gaps, acknowledgments."),
    ),
    Role(
        REVIEW_BOARD,
        _("Civilian review board member"),
        _("Cases referred for review, votes, recommendations and the agency's response."),
    ),
    Role(
        PARTNER,
        _("Partner agency user"),
        _("Referrals addressed to their organisation, with the person's consent."),
    ),
    Role(
        ANALYST,
        _("Analyst"),
        _("Disparity tests, survey weighting, programme evaluation and data releases."),
    ),
    Role(
        ADMINISTRATOR,
        _("Administrator"),
        _("Users, roles, agency structure, retention and publishing rules."),
    ),
)
ROLE_SLUGS = frozenset(r.slug for r in ROLES)
BY_SLUG = {r.slug: r for r in ROLES}
