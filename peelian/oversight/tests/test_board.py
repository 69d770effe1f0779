"""The civilian review board: referral, votes, recommendations, the agency's answer, what a
board member may read, and the board's pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from peelian.accounts.roles import (
    ADMINISTRATOR,
    ANALYST,
    INVESTIGATOR,
    REVIEW_BOARD,
    SUPERVISOR,
)
from peelian.audit.models import AuditEntry
from peelian.core.errors import ApplicationError, NotFound, PermissionDenied
from peelian.oversight.models import (
    BoardRecommendation,
    BoardReview,
    BoardVote,
    Complaint,
    ComplaintEvent,
    Finding,
)
from peelian.oversight.selectors.board import board_case_for_member, board_cases_for_member
from peelian.oversight.services import board as svc
from peelian.oversight.services import workflow
from peelian.oversight.tests.factories import AllegationFactory, category, make_case

pytestmark = pytest.mark.django_db

S = Complaint.Status
SUSTAINED = Finding.SUSTAINED
NOT_SUSTAINED = Finding.NOT_SUSTAINED


def audits(action: str, **filters: Any) -> int:
    return AuditEntry.objects.filter(action=action, **filters).count()


def referred_case(**fields: Any) -> Complaint:
    return make_case(S.BOARD_REVIEW, **fields)


def allegation_of(case: Complaint) -> Any:
    return case.allegations.get()


@pytest.fixture
def members(make_user: Any) -> list[Any]:
    return [make_user(REVIEW_BOARD) for _ in range(3)]


@pytest.fixture
def admin(make_user: Any) -> Any:
    return make_user(ADMINISTRATOR)


# --- referral --------------------------------------------------------------------------------


def test_refer_by_rule_moves_case_to_board_review() -> None:
    case = make_case(S.FINDINGS, allegation_category="force")
    version = case.version
    review = svc.board_refer(actor=case.investigator, complaint=case, reason="rule")
    case.refresh_from_db()
    assert review.status == BoardReview.Status.OPEN
    assert review.reason == BoardReview.Reason.RULE
    assert case.status == S.BOARD_REVIEW
    assert case.version == version + 1
    assert case.stage_due_at is not None
    assert case.events.filter(kind=ComplaintEvent.Kind.BOARD_REFERRED).count() == 1
    assert audits("oversight.board.refer", target_id=str(case.public_id)) == 1


def test_findings_issue_refers_a_board_category_case() -> None:
    case = make_case(S.INVESTIGATING, allegation_category="bias")
    allegation = allegation_of(case)
    allegation.finding = NOT_SUSTAINED
    allegation.save()
    workflow.findings_issue(actor=case.investigator, complaint=case, expected_version=case.version)
    case.refresh_from_db()
    assert case.status == S.BOARD_REVIEW
    assert BoardReview.objects.get(complaint=case).reason == BoardReview.Reason.RULE


def test_rule_referral_refused_when_no_category_refers() -> None:
    case = make_case(S.FINDINGS, allegation_category="courtesy")
    with pytest.raises(ApplicationError) as exc:
        svc.board_refer(actor=case.investigator, complaint=case, reason="rule")
    assert exc.value.code == "no_referral_rule"
    assert not BoardReview.objects.filter(complaint=case).exists()
    case.refresh_from_db()
    assert case.status == S.FINDINGS


def test_referral_on_request_by_a_manager(make_user: Any) -> None:
    supervisor = make_user(SUPERVISOR)
    case = make_case(S.FINDINGS, allegation_category="courtesy")
    review = svc.board_refer(
        actor=supervisor, complaint=case, reason="request", requested_by="Board chair"
    )
    assert review.reason == BoardReview.Reason.REQUEST
    assert review.requested_by == "Board chair"
    case.refresh_from_db()
    assert case.status == S.BOARD_REVIEW


def test_request_without_a_name_records_the_manager(make_user: Any) -> None:
    supervisor = make_user(SUPERVISOR, username="sgt_lee")
    case = make_case(S.FINDINGS)
    review = svc.board_refer(actor=supervisor, complaint=case, reason="request")
    assert review.requested_by == "sgt_lee"


def test_investigator_cannot_refer_on_request() -> None:
    case = make_case(S.FINDINGS)
    with pytest.raises(NotFound):
        svc.board_refer(actor=case.investigator, complaint=case, reason="request")
    assert not BoardReview.objects.filter(complaint=case).exists()


def test_referral_is_idempotent(make_user: Any) -> None:
    supervisor = make_user(SUPERVISOR)
    case = make_case(S.FINDINGS, allegation_category="force")
    first = svc.board_refer(actor=case.investigator, complaint=case, reason="rule")
    second = svc.board_refer(actor=supervisor, complaint=case, reason="request")
    assert first.pk == second.pk
    assert second.reason == BoardReview.Reason.RULE
    assert BoardReview.objects.filter(complaint=case).count() == 1
    assert case.events.filter(kind=ComplaintEvent.Kind.BOARD_REFERRED).count() == 1
    assert audits("oversight.board.refer") == 1


def test_referral_before_findings_is_refused(make_user: Any) -> None:
    case = make_case(S.INVESTIGATING, allegation_category="force")
    with pytest.raises(ApplicationError) as exc:
        svc.board_refer(actor=make_user(SUPERVISOR), complaint=case, reason="request")
    assert exc.value.code == "wrong_stage"


def test_commendation_is_never_referred(make_user: Any) -> None:
    case = make_case(S.FINDINGS, kind=Complaint.Kind.COMMENDATION)
    with pytest.raises(ApplicationError) as exc:
        svc.board_refer(actor=make_user(SUPERVISOR), complaint=case, reason="request")
    assert exc.value.code == "not_complaint"


def test_unknown_reason_is_refused(make_user: Any) -> None:
    case = make_case(S.FINDINGS)
    with pytest.raises(ApplicationError):
        svc.board_refer(actor=make_user(SUPERVISOR), complaint=case, reason="whim")


# --- votes -----------------------------------------------------------------------------------


def test_board_member_votes_on_a_referred_case(members: list[Any]) -> None:
    case = referred_case()
    vote = svc.board_vote(actor=members[0], allegation=allegation_of(case), vote="concur")
    assert vote.vote == BoardVote.Vote.CONCUR
    assert vote.recommended_finding == ""
    assert audits("oversight.board.vote", actor_id=members[0].pk) == 1


@pytest.mark.parametrize("role", [ANALYST, SUPERVISOR, ADMINISTRATOR, INVESTIGATOR])
def test_only_board_members_vote(make_user: Any, role: str) -> None:
    case = referred_case()
    with pytest.raises(NotFound):
        svc.board_vote(actor=make_user(role), allegation=allegation_of(case), vote="concur")
    assert not BoardVote.objects.exists()


def test_board_member_cannot_vote_on_a_case_not_referred(members: list[Any]) -> None:
    case = make_case(S.FINDINGS, allegation_category="force")
    with pytest.raises(NotFound):
        svc.board_vote(actor=members[0], allegation=allegation_of(case), vote="concur")


def test_revote_updates_the_members_vote(members: list[Any]) -> None:
    case = referred_case()
    allegation = allegation_of(case)
    svc.board_vote(actor=members[0], allegation=allegation, vote="concur")
    svc.board_vote(
        actor=members[0],
        allegation=allegation,
        vote="dissent",
        recommended_finding=NOT_SUSTAINED,
        comment="The video is ambiguous.",
    )
    votes = BoardVote.objects.filter(allegation=allegation, member=members[0])
    assert votes.count() == 1
    assert votes.get().vote == BoardVote.Vote.DISSENT
    assert votes.get().recommended_finding == NOT_SUSTAINED


def test_dissent_needs_a_different_finding(members: list[Any]) -> None:
    case = referred_case()
    allegation = allegation_of(case)
    with pytest.raises(ApplicationError) as exc:
        svc.board_vote(actor=members[0], allegation=allegation, vote="dissent")
    assert "recommended_finding" in exc.value.fields
    with pytest.raises(ApplicationError):
        svc.board_vote(
            actor=members[0], allegation=allegation, vote="dissent", recommended_finding=SUSTAINED
        )
    with pytest.raises(ApplicationError):
        svc.board_vote(actor=members[0], allegation=allegation, vote="maybe")
    assert not BoardVote.objects.exists()


def test_recusal_is_a_vote(members: list[Any]) -> None:
    case = referred_case()
    vote = svc.board_vote(
        actor=members[0], allegation=allegation_of(case), vote="recuse", comment="I know him."
    )
    assert vote.vote == BoardVote.Vote.RECUSE


def _vote_all(case: Complaint, members: list[Any], votes: list[tuple[str, str]]) -> None:
    allegation = allegation_of(case)
    for member, (vote, finding) in zip(members, votes, strict=False):
        svc.board_vote(actor=member, allegation=allegation, vote=vote, recommended_finding=finding)


def test_votes_close_once_the_board_recommends(members: list[Any]) -> None:
    case = referred_case()
    _vote_all(case, members, [("concur", "")])
    svc.board_recommend(
        actor=members[0],
        review=case.board_review,
        recommendations={allegation_of(case).pk: (SUSTAINED, "", "")},
    )
    with pytest.raises(ApplicationError) as exc:
        svc.board_vote(actor=members[1], allegation=allegation_of(case), vote="concur")
    assert exc.value.code == "wrong_stage"


# --- recommendations ---------------------------------------------------------------------------


def test_recommendation_follows_the_majority(members: list[Any]) -> None:
    case = referred_case()
    allegation = allegation_of(case)
    _vote_all(
        case,
        members,
        [("dissent", NOT_SUSTAINED), ("dissent", NOT_SUSTAINED), ("concur", "")],
    )
    review = case.board_review
    with pytest.raises(ApplicationError) as exc:
        svc.board_recommend(
            actor=members[0], review=review, recommendations={allegation.pk: (SUSTAINED, "", "")}
        )
    assert f"{allegation.pk}.finding" in exc.value.fields
    with pytest.raises(ApplicationError) as exc:
        svc.board_recommend(
            actor=members[0],
            review=review,
            recommendations={allegation.pk: (NOT_SUSTAINED, "", "")},
        )
    assert f"{allegation.pk}.rationale" in exc.value.fields
    assert not BoardRecommendation.objects.exists()

    made = svc.board_recommend(
        actor=members[0],
        review=review,
        recommendations={allegation.pk: (NOT_SUSTAINED, "", "The video does not show it.")},
    )
    assert [r.recommended_finding for r in made] == [NOT_SUSTAINED]
    review.refresh_from_db()
    assert review.status == BoardReview.Status.RECOMMENDED
    assert review.recommended_at is not None
    event = case.events.get(kind=ComplaintEvent.Kind.BOARD_REVIEWED)
    assert event.detail == {"board_agreement": {"agrees": 0, "differs": 1}}
    assert audits("oversight.board.recommend") == 1


def test_no_majority_means_no_recommendation(members: list[Any]) -> None:
    case = referred_case()
    _vote_all(case, members, [("concur", ""), ("dissent", NOT_SUSTAINED)])
    with pytest.raises(ApplicationError) as exc:
        svc.board_recommend(
            actor=members[0],
            review=case.board_review,
            recommendations={allegation_of(case).pk: (SUSTAINED, "", "")},
        )
    assert "no majority" in exc.value.message


def test_recused_members_are_not_counted(members: list[Any]) -> None:
    case = referred_case()
    _vote_all(case, members, [("recuse", ""), ("concur", "")])
    made = svc.board_recommend(
        actor=members[1],
        review=case.board_review,
        recommendations={allegation_of(case).pk: (SUSTAINED, "suspension", "")},
    )
    assert made[0].recommended_discipline == "suspension"


def test_all_recused_has_no_majority(members: list[Any]) -> None:
    case = referred_case()
    _vote_all(case, members, [("recuse", "")])
    with pytest.raises(ApplicationError):
        svc.board_recommend(
            actor=members[0],
            review=case.board_review,
            recommendations={allegation_of(case).pk: (SUSTAINED, "", "")},
        )


def test_discipline_only_with_a_sustained_finding(members: list[Any]) -> None:
    case = referred_case(finding=NOT_SUSTAINED)
    _vote_all(case, members, [("concur", "")])
    with pytest.raises(ApplicationError) as exc:
        svc.board_recommend(
            actor=members[0],
            review=case.board_review,
            recommendations={allegation_of(case).pk: (NOT_SUSTAINED, "termination", "")},
        )
    assert f"{allegation_of(case).pk}.discipline" in exc.value.fields


def test_every_allegation_needs_a_recommendation(members: list[Any]) -> None:
    case = referred_case()
    first = allegation_of(case)
    second = AllegationFactory(complaint=case, category=category("force"), finding=SUSTAINED)
    for allegation in (first, second):
        svc.board_vote(actor=members[0], allegation=allegation, vote="concur")
    with pytest.raises(ApplicationError) as exc:
        svc.board_recommend(
            actor=members[0],
            review=case.board_review,
            recommendations={first.pk: (SUSTAINED, "", "")},
        )
    assert f"{second.pk}.finding" in exc.value.fields
    assert not BoardRecommendation.objects.exists()


def test_non_member_cannot_recommend(members: list[Any], make_user: Any) -> None:
    case = referred_case()
    _vote_all(case, members, [("concur", "")])
    with pytest.raises(NotFound):
        svc.board_recommend(
            actor=make_user(ANALYST),
            review=case.board_review,
            recommendations={allegation_of(case).pk: (SUSTAINED, "", "")},
        )


# --- the agency's answer -------------------------------------------------------------------------


def recommended_case(members: list[Any], **fields: Any) -> Complaint:
    case = referred_case(**fields)
    _vote_all(case, members, [("dissent", NOT_SUSTAINED), ("dissent", NOT_SUSTAINED)])
    svc.board_recommend(
        actor=members[0],
        review=case.board_review,
        recommendations={allegation_of(case).pk: (NOT_SUSTAINED, "", "Not enough evidence.")},
    )
    case.refresh_from_db()
    return case


def test_agency_answer_requires_reasons_to_disagree(members: list[Any], admin: Any) -> None:
    case = recommended_case(members)
    aid = allegation_of(case).pk
    with pytest.raises(ApplicationError) as exc:
        svc.board_respond(actor=admin, review=case.board_review, answers={aid: (False, "  ")})
    assert f"{aid}.reasons" in exc.value.fields
    recs = svc.board_respond(
        actor=admin, review=case.board_review, answers={aid: (False, "The video is clear.")}
    )
    assert recs[0].agency_concurs is False
    assert recs[0].agency_reasons == "The video is clear."
    case.board_review.refresh_from_db()
    assert case.board_review.status == BoardReview.Status.ANSWERED
    assert audits("oversight.board.respond", actor_id=admin.pk) == 1
    # Answered once.
    with pytest.raises(ApplicationError) as exc:
        svc.board_respond(actor=admin, review=case.board_review, answers={aid: (True, "")})
    assert exc.value.code == "wrong_stage"


def test_agency_concurs_without_reasons(members: list[Any], admin: Any) -> None:
    case = recommended_case(members)
    recs = svc.board_respond(
        actor=admin, review=case.board_review, answers={allegation_of(case).pk: (True, "")}
    )
    assert recs[0].agency_concurs is True


def test_every_recommendation_must_be_answered(members: list[Any], admin: Any) -> None:
    case = recommended_case(members)
    with pytest.raises(ApplicationError):
        svc.board_respond(actor=admin, review=case.board_review, answers={})
    assert case.board_review.recommendations.get().agency_concurs is None


def test_answer_before_recommendations_is_refused(admin: Any) -> None:
    case = referred_case()
    with pytest.raises(ApplicationError) as exc:
        svc.board_respond(
            actor=admin, review=case.board_review, answers={allegation_of(case).pk: (True, "")}
        )
    assert exc.value.code == "wrong_stage"


def test_only_an_administrator_answers(members: list[Any], make_user: Any) -> None:
    case = recommended_case(members)
    answers = {allegation_of(case).pk: (True, "")}
    with pytest.raises(PermissionDenied):
        svc.board_respond(actor=make_user(SUPERVISOR), review=case.board_review, answers=answers)
    with pytest.raises(PermissionDenied):
        svc.board_respond(actor=members[0], review=case.board_review, answers=answers)
    with pytest.raises(NotFound):
        svc.board_respond(actor=make_user(ANALYST), review=case.board_review, answers=answers)


def test_decision_waits_for_the_answer_then_proceeds(members: list[Any], admin: Any) -> None:
    case = recommended_case(members)
    aid = allegation_of(case).pk
    decisions = {aid: workflow.Decision(final_finding=NOT_SUSTAINED)}
    with pytest.raises(ApplicationError):
        workflow.decision_record(
            actor=admin, complaint=case, expected_version=case.version, decisions=decisions
        )
    svc.board_respond(actor=admin, review=case.board_review, answers={aid: (True, "")})
    case.refresh_from_db()
    workflow.decision_record(
        actor=admin, complaint=case, expected_version=case.version, decisions=decisions
    )
    case.refresh_from_db()
    assert case.status == S.DECIDED


def test_agreement_counts(members: list[Any], admin: Any) -> None:
    concurred = recommended_case(members)
    refused = recommended_case(members)
    recommended_case(members)  # awaiting the agency's answer
    svc.board_respond(
        actor=admin,
        review=concurred.board_review,
        answers={allegation_of(concurred).pk: (True, "")},
    )
    svc.board_respond(
        actor=admin,
        review=refused.board_review,
        answers={allegation_of(refused).pk: (False, "We disagree.")},
    )
    assert svc.board_agreement_counts() == (1, 2)
    summary = svc.agreement_summary()
    assert (summary.concurred, summary.not_concurred, summary.awaiting) == (1, 1, 1)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert svc.board_agreement_counts(since=tomorrow) == (0, 0)
    assert svc.board_agreement_counts(since=timezone.now() - dt.timedelta(hours=1)) == (1, 2)


# --- what a board member reads -------------------------------------------------------------------


def test_case_list_shows_only_referred_cases(members: list[Any], make_user: Any) -> None:
    referred = referred_case()
    make_case(S.FINDINGS)
    rows = list(board_cases_for_member(members[0]))
    assert [r.pk for r in rows] == [referred.pk]
    with pytest.raises(PermissionDenied):
        board_cases_for_member(make_user(ANALYST))


def test_board_member_sees_no_identity_without_consent(members: list[Any]) -> None:
    case = referred_case()
    person = case.complainant
    case.narrative = f"I am {person.name}; call me on {person.phone}."
    case.save()
    view = board_case_for_member(members[0], case.public_id)
    assert view.identity is None
    assert person.name not in view.narrative
    assert person.phone not in view.narrative
    assert "[withheld]" in view.narrative
    assert audits("oversight.complaint.view", actor_id=members[0].pk) == 1
    assert audits("oversight.complainant.view", actor_id=members[0].pk) == 0


def test_board_member_sees_identity_with_consent(members: list[Any]) -> None:
    case = referred_case(consent_share_identity=True)
    view = board_case_for_member(members[0], case.public_id)
    assert view.identity is not None
    assert view.identity.name == case.complainant.name
    assert audits("oversight.complainant.view", actor_id=members[0].pk) == 1


def test_anonymous_complainant_is_never_shown(members: list[Any], admin: Any) -> None:
    case = referred_case(anonymous=True)
    assert board_case_for_member(members[0], case.public_id).identity is None
    assert board_case_for_member(admin, case.public_id).identity is None


@pytest.mark.parametrize("role", [ANALYST, INVESTIGATOR, "community_liaison"])
def test_others_cannot_open_a_board_case(make_user: Any, role: str) -> None:
    case = referred_case()
    with pytest.raises(NotFound):
        board_case_for_member(make_user(role), case.public_id)


def test_board_member_cannot_open_a_case_not_referred(members: list[Any]) -> None:
    case = make_case(S.FINDINGS)
    with pytest.raises(NotFound):
        board_case_for_member(members[0], case.public_id)
    with pytest.raises(NotFound):
        board_case_for_member(members[0], "not-a-uuid")


# --- pages ---------------------------------------------------------------------------------------


def test_list_page(client: Any, login: Any, members: list[Any], make_user: Any) -> None:
    case = referred_case()
    login(client, members[0])
    response = client.get(reverse("board:list"))
    assert response.status_code == 200
    assert f"…{case.tracking_hint}" in response.content.decode()
    login(client, make_user(ANALYST))
    assert client.get(reverse("board:list")).status_code == 403


def test_case_page_hides_identity_without_consent(
    client: Any, login: Any, members: list[Any]
) -> None:
    case = referred_case()
    person = case.complainant
    person.address = "12 Elm Street"
    person.save()
    login(client, members[0])
    response = client.get(reverse("board:case", args=[case.public_id]))
    html = response.content.decode()
    assert response.status_code == 200
    assert case.narrative in html
    for secret in (person.name, person.email, person.phone, person.address):
        assert secret not in html
    assert "did not consent" in html


def test_case_page_shows_identity_with_consent(client: Any, login: Any, members: list[Any]) -> None:
    case = referred_case(consent_share_identity=True)
    login(client, members[0])
    html = client.get(reverse("board:case", args=[case.public_id])).content.decode()
    assert case.complainant.name in html
    assert case.complainant.email in html


def test_case_page_not_found_for_others(client: Any, login: Any, make_user: Any) -> None:
    case = referred_case()
    login(client, make_user(ANALYST))
    assert client.get(reverse("board:case", args=[case.public_id])).status_code == 404


def test_vote_recommend_and_respond_through_the_pages(
    client: Any, login: Any, members: list[Any], admin: Any
) -> None:
    case = referred_case()
    aid = allegation_of(case).pk
    url = reverse("board:case", args=[case.public_id])
    login(client, members[0])
    # An invalid vote: the page again, with the error, nothing written.
    response = client.post(url, {"allegation": aid, f"a{aid}-vote": "dissent"})
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert not BoardVote.objects.exists()
    response = client.post(
        url,
        {
            "allegation": aid,
            f"a{aid}-vote": "dissent",
            f"a{aid}-recommended_finding": NOT_SUSTAINED,
        },
    )
    assert response.status_code == 302
    assert BoardVote.objects.get().vote == "dissent"

    recommend_url = reverse("board:recommend", args=[case.public_id])
    page = client.get(recommend_url)
    assert page.status_code == 200
    assert f'value="{NOT_SUSTAINED}" selected' in page.content.decode()
    response = client.post(recommend_url, {f"finding_{aid}": NOT_SUSTAINED})
    assert response.status_code == 400  # the rationale is missing
    response = client.post(
        recommend_url, {f"finding_{aid}": NOT_SUSTAINED, f"rationale_{aid}": "Too little."}
    )
    assert response.status_code == 302
    respond_url = reverse("board:respond", args=[case.public_id])
    assert client.get(respond_url).status_code == 403  # a board member does not answer

    login(client, admin)
    response = client.post(respond_url, {f"concurs_{aid}": "no"})
    assert response.status_code == 400
    assert "reasons" in response.content.decode()
    response = client.post(respond_url, {f"concurs_{aid}": "no", f"reasons_{aid}": "Clear video."})
    assert response.status_code == 302
    rec = BoardRecommendation.objects.get()
    assert rec.agency_concurs is False
    assert rec.agency_reasons == "Clear video."


def test_staff_link_is_registered() -> None:
    from peelian.core.registry import registry

    links = {link.url_name: link for link in registry.staff_links}
    assert links["board:list"].roles == frozenset({REVIEW_BOARD, ADMINISTRATOR})
    assert reverse("board:list") == "/staff/board/"


def test_the_complainants_tracker_shows_the_boards_review(members: list[Any]) -> None:
    """What board_recommend records on the public timeline is what the tracker reads."""
    from peelian.oversight.selectors.tracking import tracker_for

    case = recommended_case(members)
    entry = next(e for e in tracker_for(case).timeline if e.kind == "board_reviewed")
    assert entry.facts
    labels = {fact.rsplit(": ", 1)[0] for fact in entry.facts}
    assert labels <= {"Agrees with the finding", "Disagrees with the finding"}
