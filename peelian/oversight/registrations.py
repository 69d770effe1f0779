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
