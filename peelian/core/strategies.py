"""The guide's eight strategies: Peelian's public navigation and every module's home.

Source: ../shared/seed/improving-police-image-and-regaining-public-trust.txt
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Strategy:
    number: int
    slug: str
    title: Promise
    summary: Promise


STRATEGIES: tuple[Strategy, ...] = (
    Strategy(
        1,
        "engagement",
        _("Community engagement"),
        _(
            "Regular meetings, events and outreach, and working with residents on the "
            "problems of each neighbourhood."
        ),
    ),
    Strategy(
        2,
        "transparency",
        _("Transparency and accountability"),
        _(
            "Open data about police activity, body-camera records, and independent review "
            "of complaints against officers."
        ),
    ),
    Strategy(
        3,
        "training",
        _("Training and education"),
        _(
            "De-escalation, cultural competency and crisis-intervention training, and "
            "whether it changes outcomes."
        ),
    ),
    Strategy(
        4,
        "policy",
        _("Addressing systemic issues"),
        _(
            "Reviewing policies on use of force and racial profiling with the public, and "
            "testing stop data for disparities."
        ),
    ),
    Strategy(
        5,
        "stories",
        _("Positive stories"),
        _("Sharing what goes well, with the consent of the people in the story."),
    ),
    Strategy(
        6,
        "youth",
        _("Building trust with youth"),
        _("Mentoring, sports and education programmes for young people."),
    ),
    Strategy(
        7,
        "listening",
        _("Listening to the community"),
        _("Feedback and surveys, and reporting back what was done about what residents said."),
    ),
    Strategy(
        8,
        "partnerships",
        _("Partnerships"),
        _(
            "Working with social services and community organisations, and referring people "
            "to help with their consent."
        ),
    ),
)

BY_SLUG = {s.slug: s for s in STRATEGIES}
BY_NUMBER = {s.number: s for s in STRATEGIES}
