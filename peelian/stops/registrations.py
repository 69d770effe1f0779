"""What the stop-data app registers with the core registry: its audit actions, the public
page and the staff link, and its share of the synthetic city."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from peelian.accounts.roles import ADMINISTRATOR, ANALYST, SUPERVISOR
from peelian.core.registry import (
    AuditAction,
    Dataset,
    DemoContribution,
    PublicPage,
    StaffLink,
    registry,
)


def register() -> None:
    from peelian.demo.lazy import lazy_build

    registry.register_audit_actions(
        AuditAction("stops.import", _("Imported a stop-data file")),
        AuditAction("stops.analysis.create", _("Started a stop-data analysis")),
        AuditAction("stops.analysis.complete", _("Finished a stop-data analysis")),
        AuditAction("stops.analysis.publish", _("Published a stop-data analysis")),
        AuditAction("stops.analysis.withdraw", _("Withdrew a published stop-data analysis")),
    )
    from peelian.stops import exports

    registry.register_dataset(
        Dataset(
            slug="stops-by-month",
            title=_("Traffic and pedestrian stops by month"),
            description=_(
                "Stops by month, district and race, with how many ended in a search, a "
                "search that found contraband, a frisk, an arrest or a citation."
            ),
            strategy=4,
            fields=exports.FIELDS,
            rows=exports.stops_by_month_rows,
            privacy=exports.PRIVACY,
            update_frequency=_("With each import"),
        )
    )
    registry.register_page(
        PublicPage(
            strategy=4,
            url_name="stops:public",
            title=_("Traffic and pedestrian stops"),
            summary=_(
                "Tests of our stop records for racial disparities, with their methods and limits."
            ),
        )
    )
    registry.register_staff_link(
        StaffLink(
            url_name="stops:staff",
            title=_("Stop data"),
            roles=frozenset({SUPERVISOR, ADMINISTRATOR, ANALYST}),
            description=_("Imported stop records and the disparity analyses."),
            order=55,
        )
    )
    registry.register_demo(
        DemoContribution(
            name="stops",
            order=50,
            build=lazy_build("peelian.stops.demo.build"),
            description=_("A year of traffic and pedestrian stops, analysed and published"),
            weight=1.0,
        )
    )
