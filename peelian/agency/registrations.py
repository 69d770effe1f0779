"""What the agency app registers with the core registry."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from peelian.accounts.roles import ADMINISTRATOR
from peelian.core.registry import (
    AuditAction,
    Dataset,
    PublicPage,
    StaffLink,
    Statistic,
    registry,
)


def register() -> None:
    registry.register_audit_actions(
        AuditAction("agency.agency.create", _("Created the agency")),
        AuditAction("agency.agency.update", _("Changed the agency")),
        AuditAction("agency.district.create", _("Created a district")),
        AuditAction("agency.district.update", _("Changed a district")),
        AuditAction("agency.beat.create", _("Created a beat")),
        AuditAction("agency.beat.update", _("Changed a beat")),
        AuditAction("agency.unit.create", _("Created a unit")),
        AuditAction("agency.unit.update", _("Changed a unit")),
        AuditAction("agency.officer.create", _("Created an officer record")),
        AuditAction("agency.officer.update", _("Changed an officer record")),
        AuditAction("agency.officer.assign", _("Assigned an officer")),
        AuditAction("agency.officer.link_user", _("Linked an officer to a user")),
        AuditAction("agency.officer.separate", _("Recorded an officer's separation")),
        AuditAction(
            "agency.officer.view", _("Viewed an officer's personnel record"), sensitive_read=True
        ),
        AuditAction("agency.streets.import", _("Imported street address ranges")),
    )
    _register_public()
    _register_staff()

    # The synthetic city: peelian/agency/demo.py (documented in docs/data/synthetic-city.md).
    from peelian.core.registry import DemoContribution
    from peelian.demo.lazy import lazy_build

    registry.register_demo(
        DemoContribution(
            name="agency",
            order=10,
            build=lazy_build("peelian.agency.demo.build"),
            description=_("The city, districts, beats, streets, units, officers and careers"),
            weight=3.0,
        )
    )
    registry.register_demo(
        DemoContribution(
            name="agency-links",
            order=30,
            build=lazy_build("peelian.agency.demo.link_demo_users"),
            description=_("Link the demo supervisor and investigator to their officer records"),
            weight=0.1,
        )
    )


def _register_public() -> None:
    from peelian.agency import exports

    registry.register_dataset(
        Dataset(
            slug="districts-and-beats",
            title=_("Districts and beats"),
            description=_(
                "The police districts and patrol beats, one row per beat, with each beat's "
                "residents (in total and by race/ethnicity), median household income, share "
                "of Spanish-speaking households and area. Also as GeoJSON polygons."
            ),
            strategy=2,
            fields=exports.BEAT_FIELDS,
            rows=exports.districts_and_beats_rows,
            geojson=exports.districts_and_beats_geojson,
            privacy=_(
                "No personal data: boundaries and resident figures aggregated to the beat, "
                "as published by the census."
            ),
            update_frequency=_("When a boundary or the resident figures change"),
        )
    )
    registry.register_dataset(
        Dataset(
            slug="officer-workforce",
            title=_("Officer workforce"),
            description=_(
                "Active officers counted by race/ethnicity, sex and rank group, every "
                "combination listed."
            ),
            strategy=2,
            fields=exports.WORKFORCE_FIELDS,
            rows=exports.officer_workforce_rows,
            privacy=exports.WORKFORCE_PRIVACY,
            update_frequency=_("Daily, from the current roster"),
        )
    )
    registry.register_statistic(
        Statistic(
            slug="workforce-representation",
            title=_("Does the police workforce reflect the city?"),
            strategy=4,
            method=exports.REPRESENTATION_METHOD,
            denominator=exports.REPRESENTATION_DENOMINATOR,
            uncertainty=exports.REPRESENTATION_UNCERTAINTY,
            compute=exports.workforce_representation,
            source="peelian.agency.exports.workforce_representation",
        )
    )
    registry.register_page(
        PublicPage(
            strategy=2,
            url_name="agency:districts",
            title=_("Districts and beats"),
            summary=_("A map of the police districts and beats, and which beat you live in."),
        )
    )


def _register_staff() -> None:
    from peelian.agency.permissions import ROSTER_ROLES

    registry.register_staff_link(
        StaffLink(
            url_name="agency:officers",
            title=_("Officers"),
            roles=ROSTER_ROLES,
            description=_("The roster; personnel records where you may see them."),
            order=40,
        )
    )
    registry.register_staff_link(
        StaffLink(
            url_name="agency:structure",
            title=_("Agency structure"),
            roles=frozenset({ADMINISTRATOR}),
            description=_("Districts, beats, units, officers and the street index."),
            order=90,
        )
    )
    # Django model permissions mirror the policy, for the admin site and anything else that
    # asks Django: administrators manage the structure; roster roles may view officers.
    structure = ("agency", "district", "beat", "unit", "officer")
    registry.grant(
        ADMINISTRATOR,
        *(f"agency.{verb}_{model}" for model in structure for verb in ("view", "add", "change")),
        "agency.view_assignment",
        "agency.view_streetsegment",
        "agency.add_streetsegment",
    )
    for role in ROSTER_ROLES - {ADMINISTRATOR}:
        registry.grant(role, "agency.view_officer")
