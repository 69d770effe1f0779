"""What the oversight app registers with the core registry."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from peelian.core.registry import AuditAction, registry

ACTIONS = (
    AuditAction("oversight.complaint.submit", _("A complaint or commendation was filed")),
    AuditAction("oversight.complaint.enter", _("Staff entered a complaint")),
    AuditAction("oversight.complaint.add_info", _("The complainant added information")),
    AuditAction("oversight.complaint.triage", _("Triaged a complaint")),
    AuditAction("oversight.complaint.assign", _("Assigned an investigator")),
    AuditAction("oversight.complaint.conflict", _("Declared a conflict of interest")),
    AuditAction("oversight.complaint.start", _("Started an investigation")),
    AuditAction("oversight.complaint.update", _("Changed a complaint")),
    AuditAction("oversight.complaint.deadline", _("Changed a stage deadline")),
    AuditAction("oversight.allegation.add", _("Added an allegation")),
    AuditAction("oversight.allegation.finding", _("Recorded a finding")),
    AuditAction("oversight.evidence.add", _("Added evidence")),
    AuditAction("oversight.interview.add", _("Recorded an interview")),
    AuditAction("oversight.note.add", _("Added a case note")),
    AuditAction("oversight.findings.issue", _("Issued the findings")),
    AuditAction("oversight.board.refer", _("Referred a case to the review board")),
    AuditAction("oversight.board.vote", _("A board member voted")),
    AuditAction("oversight.board.recommend", _("The board made its recommendations")),
    AuditAction("oversight.board.respond", _("The agency answered the board")),
    AuditAction("oversight.complaint.decide", _("Recorded the agency's final decision")),
    AuditAction("oversight.complaint.close", _("Closed a case")),
    AuditAction("oversight.complaint.import", _("Imported historical complaints")),
    AuditAction("oversight.category.save", _("Created or changed an allegation category")),
    AuditAction(
        "oversight.complaint.view", _("Viewed a complaint's case file"), sensitive_read=True
    ),
    AuditAction(
        "oversight.complainant.view",
        _("Viewed a complainant's identity or contact details"),
        sensitive_read=True,
    ),
    AuditAction(
        "oversight.attachment.view", _("Opened an attachment of a complaint"), sensitive_read=True
    ),
    AuditAction(
        "oversight.officer_record.view",
        _("Viewed an officer's complaint history"),
        sensitive_read=True,
    ),
)


def register() -> None:
    registry.register_audit_actions(*ACTIONS)
    registry.register_reference_data("oversight.allegationcategory")
    _register_public_pages()
    _register_board_link()
    _register_cases_link()
    _register_open_data()
    _register_demo()


def _register_open_data() -> None:
    """Datasets and statistics (peelian/oversight/exports.py)."""
    from peelian.core.registry import Dataset, Statistic
    from peelian.oversight import exports

    registry.register_dataset(
        Dataset(
            slug="complaints",
            title=_("Complaints and their outcomes"),
            description=_(
                "Every complaint against the police, one row per allegation: month, "
                "district, category, findings, final decision, discipline, time to close "
                "and the civilian review board's part."
            ),
            strategy=2,
            fields=exports.COMPLAINT_FIELDS,
            rows=exports.complaint_rows,
            privacy=exports.COMPLAINTS_PRIVACY,
            update_frequency=_("Daily"),
        )
    )
    registry.register_dataset(
        Dataset(
            slug="commendations",
            title=_("Commendations"),
            description=_("Commendations of officers by residents, counted by month and district."),
            strategy=2,
            fields=exports.COMMENDATION_FIELDS,
            rows=exports.commendation_rows,
            privacy=exports.COMMENDATIONS_PRIVACY,
            update_frequency=_("Daily"),
        )
    )
    statistics = (
        (
            "complaints-by-month",
            _("Complaints received by month"),
            exports.RECEIVED_METHOD,
            exports.RECEIVED_DENOMINATOR,
            exports.RECEIVED_UNCERTAINTY,
            exports.complaints_by_month,
        ),
        (
            "complaints-by-district",
            _("Complaints by district"),
            exports.BY_DISTRICT_METHOD,
            exports.BY_DISTRICT_DENOMINATOR,
            exports.BY_DISTRICT_UNCERTAINTY,
            exports.complaints_by_district,
        ),
        (
            "complaint-finding-rates",
            _("Findings on allegations"),
            exports.FINDINGS_METHOD,
            exports.FINDINGS_DENOMINATOR,
            exports.FINDINGS_UNCERTAINTY,
            exports.finding_rates,
        ),
        (
            "complaint-days-to-close",
            _("Median days to close a complaint"),
            exports.DAYS_METHOD,
            exports.DAYS_DENOMINATOR,
            exports.DAYS_UNCERTAINTY,
            exports.median_days_to_close,
        ),
        (
            "board-agency-agreement",
            _("Agency agreement with the civilian review board"),
            exports.AGREEMENT_METHOD,
            exports.AGREEMENT_DENOMINATOR,
            exports.AGREEMENT_UNCERTAINTY,
            exports.board_agreement,
        ),
    )
    for slug, title, method, denominator, uncertainty, compute in statistics:
        registry.register_statistic(
            Statistic(
                slug=slug,
                title=title,
                strategy=2,
                method=method,
                denominator=denominator,
                uncertainty=uncertainty,
                compute=compute,
                source=_("The agency's complaint records (peelian oversight module)."),
            )
        )


def _register_demo() -> None:
    """The synthetic city's complaints: peelian/oversight/demo.py (documented in
    docs/data/synthetic-city.md)."""
    from peelian.core.registry import DemoContribution
    from peelian.demo.lazy import lazy_build

    registry.register_demo(
        DemoContribution(
            name="oversight",
            order=100,
            build=lazy_build("peelian.oversight.demo.build"),
            description=_("Complaints, commendations, findings and board reviews"),
            weight=2.0,
        )
    )


def _register_public_pages() -> None:
    """The complainant's doors: file (or commend), then follow the case by its code."""
    from peelian.core.registry import PublicPage

    registry.register_page(
        PublicPage(
            strategy=2,
            url_name="complaints:new",
            title=_("File a complaint"),
            summary=_("Tell us what happened, with or without your name."),
        )
    )
    registry.register_page(
        PublicPage(
            strategy=2,
            url_name="complaints:commend",
            title=_("Commend an officer"),
        )
    )
    registry.register_page(
        PublicPage(
            strategy=2,
            url_name="complaints:track",
            title=_("Follow a case"),
            summary=_("Enter your tracking code to see where your case stands."),
        )
    )


def _register_board_link() -> None:
    from peelian.accounts.roles import ADMINISTRATOR, REVIEW_BOARD
    from peelian.core.registry import StaffLink

    registry.register_staff_link(
        StaffLink(
            url_name="board:list",
            title=_("Review board"),
            roles=frozenset({REVIEW_BOARD, ADMINISTRATOR}),
            description=_("Cases referred to the civilian review board, votes and answers."),
            order=30,
        )
    )


def _register_cases_link() -> None:
    """The staff case pages (views_staff.py), staff entry (views_entry.py) and the taxonomy
    admin (admin.py)."""
    from peelian.accounts.roles import (
        ADMINISTRATOR,
        COMMUNITY_LIAISON,
        INVESTIGATOR,
        SUPERVISOR,
    )
    from peelian.core.registry import StaffLink

    registry.register_staff_link(
        StaffLink(
            url_name="cases:queue",
            title=_("Complaint cases"),
            roles=frozenset({INVESTIGATOR, SUPERVISOR, ADMINISTRATOR}),
            description=_("Triage, assignment, investigations, findings and decisions."),
            order=20,
        )
    )
    registry.register_staff_link(
        StaffLink(
            url_name="cases:enter",
            title=_("Enter a complaint"),
            roles=frozenset({COMMUNITY_LIAISON, INVESTIGATOR, SUPERVISOR, ADMINISTRATOR}),
            description=_(
                "A complaint or commendation received by phone, mail, in person or email."
            ),
            order=21,
        )
    )
    registry.grant(
        ADMINISTRATOR,
        "oversight.view_allegationcategory",
        "oversight.add_allegationcategory",
        "oversight.change_allegationcategory",
    )
