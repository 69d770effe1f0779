"""The issue's story, end to end through the services and pages a person uses: a resident
files an anonymous complaint in Spanish with a photo, follows it by code through the
investigation, the review board and the decision, and at no step does the public side
show the narrative, a name or a contact detail; another investigator never sees the case;
the board member never sees an identity (there is none to consent to)."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from peelian.core.errors import NotFound
from peelian.oversight.models import AllegationCategory, Complaint, Finding
from peelian.oversight.selectors.board import board_case_for_member
from peelian.oversight.selectors.cases import case_get_for_viewer, case_list_for_viewer
from peelian.oversight.services import board, workflow
from peelian.oversight.services.intake import complaint_submit
from peelian.oversight.tests.factories import make_investigator
from peelian.oversight.tests.test_uploads import jpeg_with_gps

pytestmark = pytest.mark.django_db

NARRATIVE = "El agente me empujó contra la pared sin motivo y se burló de mi acento."


def _photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("foto.jpg", jpeg_with_gps(), content_type="image/jpeg")


def _tracker_html(code: str) -> str:
    response = Client().get(f"/es/complaints/track/{code}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert NARRATIVE not in html
    assert "empujó" not in html
    return html


def _v(case: Complaint) -> int:
    case.refresh_from_db()
    return case.version


def test_anonymous_spanish_complaint_with_a_photo_followed_to_the_decision(
    make_user: Any,
) -> None:
    # 1. The resident files, anonymously, in Spanish, with a photo that has GPS metadata.
    complaint, code = complaint_submit(
        actor="public",
        kind="complaint",
        narrative=NARRATIVE,
        language="es",
        complainant=None,
        officers=[{"description": "alto, bigote", "vehicle": "patrulla 12"}],
        attachments=[_photo()],
        submission_key=secrets.token_urlsafe(24),
    )
    assert code
    assert complaint.anonymous
    stored = complaint.attachments.get()
    with stored.file.open("rb") as fh, Image.open(fh) as image:
        assert not image.getexif()  # the location went with the rest of the metadata
    assert "Recibida" in _tracker_html(code) or "recibi" in _tracker_html(code).lower()

    supervisor = make_user("supervisor")
    investigator = make_investigator()
    other_investigator = make_investigator()
    members = [make_user("review_board"), make_user("review_board")]
    chief = make_user("administrator")
    force = AllegationCategory.objects.get(code="force")

    # 2. Triage and assignment; the investigator declares no conflict and starts.
    workflow.complaint_triage(
        actor=supervisor,
        complaint=complaint,
        expected_version=_v(complaint),
        category=force,
        priority=Complaint.Priority.HIGH,
        handler=Complaint.Handler.INTERNAL_AFFAIRS,
    )
    workflow.complaint_assign(
        actor=supervisor,
        complaint=complaint,
        expected_version=_v(complaint),
        investigator=investigator,
    )
    workflow.conflict_declare(
        actor=investigator,
        complaint=complaint,
        expected_version=_v(complaint),
        has_conflict=False,
        statement="",
    )
    workflow.investigation_start(
        actor=investigator, complaint=complaint, expected_version=_v(complaint)
    )
    # Another investigator sees nothing of it.
    assert complaint not in list(case_list_for_viewer(viewer=other_investigator))
    with pytest.raises(NotFound):
        case_get_for_viewer(viewer=other_investigator, public_id=complaint.public_id)

    # 3. The investigation: an allegation of force, a finding, findings issued — a force
    # allegation sends the case to the review board by rule.
    allegation = workflow.allegation_add(
        actor=investigator,
        complaint=complaint,
        expected_version=_v(complaint),
        category=force,
        summary="Empujón contra la pared",
    )
    workflow.finding_record(
        actor=investigator,
        complaint=complaint,
        expected_version=_v(complaint),
        allegation=allegation,
        finding=Finding.NOT_SUSTAINED,
        reason="Testimonios contradictorios; sin video.",
    )
    workflow.findings_issue(actor=investigator, complaint=complaint, expected_version=_v(complaint))
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.BOARD_REVIEW

    # 4. The board: members see the case but no identity; they dissent and recommend.
    seen = board_case_for_member(members[0], complaint.public_id)
    assert seen.anonymous
    assert seen.identity is None
    for member in members:
        board.board_vote(
            actor=member,
            allegation=allegation,
            vote="dissent",
            recommended_finding=Finding.SUSTAINED,
            comment="La foto muestra lesiones.",
        )
    board.board_recommend(
        actor=members[0],
        review=complaint.board_review,
        recommendations={allegation.pk: (Finding.SUSTAINED, "training", "La foto y el relato.")},
    )
    # 5. The agency answers (it disagrees, with reasons), decides and closes.
    board.board_respond(
        actor=chief,
        review=complaint.board_review,
        answers={allegation.pk: (False, "La foto no permite fechar la lesión.")},
    )
    workflow.decision_record(
        actor=chief,
        complaint=complaint,
        expected_version=_v(complaint),
        decisions={allegation.pk: workflow.Decision(final_finding=Finding.NOT_SUSTAINED)},
    )
    workflow.complaint_close(actor=chief, complaint=complaint, expected_version=_v(complaint))

    # 6. The resident, with the code alone, sees every step in Spanish, and nothing about
    # anyone: no officer description, no investigator, no reasons.
    html = _tracker_html(code)
    kinds = list(complaint.events.values_list("kind", flat=True))
    for kind in [
        "received",
        "assigned",
        "finding_issued",
        "board_referred",
        "board_reviewed",
        "decided",
        "closed",
    ]:
        assert kind in kinds
    assert 'lang="es"' in html
    for private in [
        "bigote",
        "patrulla 12",
        "Testimonios",
        "La foto",
        investigator.username,
        supervisor.username,
        chief.username,
        "Empujón",
    ]:
        assert private not in html
