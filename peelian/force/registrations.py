"""What the use-of-force app registers with the core registry."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from peelian.accounts.roles import ADMINISTRATOR, ANALYST, SUPERVISOR
from peelian.core.registry import (
    AuditAction,
    Dataset,
    DemoContribution,
    PublicPage,
    StaffLink,
    Statistic,
    registry,
)


def register() -> None:
    from peelian.demo.lazy import lazy_build
    from peelian.force import exports

    registry.register_audit_actions(
        AuditAction("force.incident.report", _("Filed a use-of-force report")),
        AuditAction("force.incident.review", _("Reviewed a use-of-force report")),
        AuditAction(
            "force.incident.link_complaint", _("Linked a use-of-force report to a complaint")
        ),
        AuditAction("force.incident.view", _("Opened a use-of-force report"), sensitive_read=True),
        AuditAction("force.import", _("Imported use-of-force records")),
    )
    registry.register_dataset(
        Dataset(
            slug="use-of-force",
            title=_("Use of force"),
            description=_(
                "One row per person force was used on in each incident: month, district and "
                "beat, reason for the contact and for the force, resistance, types of force, "
                "the person's race, sex and age group, injury, hospital, and the supervisor "
                "review status."
            ),
            strategy=4,
            fields=exports.FIELDS,
            rows=exports.use_of_force_rows,
            privacy=exports.PRIVACY,
            update_frequency=_("Daily"),
        )
    )
    for slug, title, method, denominator, uncertainty, compute in (
        (
            "force-incidents-by-month",
            _("Use-of-force incidents by month"),
            exports.BY_MONTH_METHOD,
            exports.BY_MONTH_DENOMINATOR,
            exports.BY_MONTH_UNCERTAINTY,
            exports.incidents_by_month,
        ),
        (
            "force-subject-injury-rate",
            _("How often are people injured when police use force?"),
            exports.INJURY_METHOD,
            exports.INJURY_DENOMINATOR,
            exports.INJURY_UNCERTAINTY,
            exports.injury_rate,
        ),
        (
            "force-review-completed",
            _("Share of use-of-force reports reviewed by a supervisor"),
            exports.REVIEW_METHOD,
            exports.REVIEW_DENOMINATOR,
            exports.REVIEW_UNCERTAINTY,
            exports.review_completion,
        ),
    ):
        registry.register_statistic(
            Statistic(
                slug=slug,
                title=title,
                strategy=4,
                method=method,
                denominator=denominator,
                uncertainty=uncertainty,
                compute=compute,
                source=f"peelian.force.exports.{compute.__name__}",
            )
        )
    registry.register_page(
        PublicPage(
            strategy=4,
            url_name="force:public",
            title=_("Use of force"),
            summary=_("How often police use force, where, and how often people are injured."),
        )
    )
    registry.register_staff_link(
        StaffLink(
            url_name="force:list",
            title=_("Use of force"),
            roles=frozenset({SUPERVISOR, ADMINISTRATOR, ANALYST}),
            description=_("Use-of-force reports and their supervisor review."),
            order=50,
        )
    )
    registry.grant(SUPERVISOR, "force.view_forceincident")
    registry.grant(ADMINISTRATOR, "force.view_forceincident")
    registry.grant(ANALYST, "force.view_forceincident")
    registry.register_demo(
        DemoContribution(
            name="force",
            order=45,
            build=lazy_build("peelian.force.demo.build"),
            description=_("Use-of-force incidents over the demo year, with reviews"),
            weight=0.5,
        )
    )


def officer_record_entries(officer: Any) -> list[Any]:
    """Force incidents the officer took part in, for their staff-only complaint record."""
    from peelian.force.models import ForceOfficer, ForceType
    from peelian.oversight.selectors.officer_record import SectionEntry

    labels = dict(ForceType.choices)
    uses = (
        ForceOfficer.objects.filter(officer=officer)
        .select_related("incident")
        .order_by("-incident__occurred_at")
    )
    return [
        SectionEntry(
            on=use.incident.occurred_at.date(),
            label=", ".join(str(labels.get(t, t)) for t in use.force_types),
            detail=str(use.incident.get_review_status_display()),
        )
        for use in uses
    ]


def register_officer_record() -> None:
    from peelian.oversight.selectors.officer_record import (
        RecordSection,
        register_officer_record_section,
    )

    register_officer_record_section(
        RecordSection(name="force", title=_("Use of force"), entries=officer_record_entries)
    )
    from peelian.oversight.selectors import public_officer as pub

    pub.register_public_officer_count(
        pub.PublicOfficerCount(
            "force",
            _("Use-of-force incidents"),
            pub.YearCounts("force.ForceOfficer", "incident__occurred_at"),
        )
    )
