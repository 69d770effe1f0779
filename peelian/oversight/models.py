"""Complaints and commendations, from intake to the agency's final decision, with the
civilian review board's part.

Sensitive: the complainant's identity and contact details, witnesses, the narrative, and
attachments. They live in their own tables (``Complainant``, ``Witness``, ``Attachment``)
and the complaint's ``narrative`` field, are read only through ``oversight.selectors``
(audited), and never reach a public page, feed, public API answer or open-data export.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from peelian.agency.models import RACE_CHOICES, SEX_CHOICES, Beat, District, Officer
from peelian.core.models import BaseModel, PublicIdModel


class AllegationCategory(BaseModel):
    """The configurable taxonomy of allegations. ``refer_to_board``: every allegation in
    this category sends its case to the civilian review board (a referral rule)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_es = models.CharField(_("name in Spanish"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    refer_to_board = models.BooleanField(_("always refer to the review board"), default=False)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        verbose_name = _("allegation category")
        verbose_name_plural = _("allegation categories")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class Complaint(PublicIdModel):
    """A complaint or a commendation. ``status`` moves only through the workflow services;
    ``version`` increases with every change, so two staff editing at once never silently
    overwrite each other (a stale version is refused with a conflict)."""

    class Kind(models.TextChoices):
        COMPLAINT = "complaint", _("Complaint")
        COMMENDATION = "commendation", _("Commendation")

    class Channel(models.TextChoices):
        WEB = "web", _("Web form")
        PHONE = "phone", _("Phone")
        MAIL = "mail", _("Mail")
        IN_PERSON = "in_person", _("In person")
        EMAIL = "email", _("Email")
        IMPORT = "import", _("Imported history")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        TRIAGED = "triaged", _("Triaged")
        ASSIGNED = "assigned", _("Assigned")
        INVESTIGATING = "investigating", _("Investigating")
        FINDINGS = "findings", _("Findings issued")
        BOARD_REVIEW = "board_review", _("Review board")
        DECIDED = "decided", _("Decided")
        CLOSED = "closed", _("Closed")

    class Handler(models.TextChoices):
        INTERNAL_AFFAIRS = "internal_affairs", _("Internal affairs")
        OVERSIGHT = "oversight", _("Civilian oversight body")
        MEDIATION = "mediation", _("Mediation")

    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")
        URGENT = "urgent", _("Urgent")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("received by"), max_length=20, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    # The tracking code is the complainant's key: only its SHA-256 is stored, with the last
    # four characters as a hint staff can read back on the phone.
    tracking_hash = models.CharField(max_length=64, unique=True)
    tracking_hint = models.CharField(max_length=4)
    # Idempotency: the same form submission (a double click, a retry) makes one complaint.
    submission_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    received_at = models.DateTimeField(_("received"))
    occurred_on = models.DateField(_("date of the incident"), null=True, blank=True)
    occurred_time = models.TimeField(_("time of the incident"), null=True, blank=True)
    location_text = models.CharField(_("where"), max_length=300, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    beat = models.ForeignKey(Beat, on_delete=models.PROTECT, null=True, blank=True)
    district = models.ForeignKey(District, on_delete=models.PROTECT, null=True, blank=True)
    narrative = models.TextField(_("what happened"), max_length=20000)
    language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    anonymous = models.BooleanField(_("anonymous"), default=False)
    third_party = models.BooleanField(_("filed on behalf of someone else"), default=False)
    consent_share_identity = models.BooleanField(
        _("consents to share identity with the review board"), default=False
    )

    category = models.ForeignKey(
        AllegationCategory, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, blank=True)
    handler = models.CharField(_("handled by"), max_length=20, choices=Handler.choices, blank=True)
    investigator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_complaints",
    )
    stage_started_at = models.DateTimeField(null=True, blank=True)
    stage_due_at = models.DateTimeField(_("stage due"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    external_id = models.CharField(
        _("source record id"), max_length=64, blank=True, help_text=_("For imported history.")
    )

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["status", "stage_due_at"]),
            models.Index(fields=["investigator", "status"]),
            models.Index(fields=["received_at"]),
            models.Index(fields=["external_id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(lat__isnull=True) | models.Q(lat__gte=-90, lat__lte=90),
                name="complaint_lat_range",
            ),
            models.CheckConstraint(
                condition=models.Q(lng__isnull=True) | models.Q(lng__gte=-180, lng__lte=180),
                name="complaint_lng_range",
            ),
            models.CheckConstraint(
                condition=~models.Q(anonymous=True, consent_share_identity=True),
                name="complaint_anonymous_no_identity_consent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} …{self.tracking_hint}"


class Complainant(BaseModel):
    """Who filed (or for whom). Sensitive: read through selectors only."""

    complaint = models.OneToOneField(
        Complaint, on_delete=models.CASCADE, related_name="complainant"
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.CharField(_("postal address"), max_length=300, blank=True)
    race = models.CharField(_("race/ethnicity"), max_length=32, choices=RACE_CHOICES, blank=True)
    sex = models.CharField(_("sex"), max_length=10, choices=SEX_CHOICES, blank=True)
    age = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)

    class Meta:
        verbose_name = _("complainant")

    def __str__(self) -> str:
        return f"complainant of {self.complaint_id}"


class ReportedOfficer(BaseModel):
    """An officer as the complainant described them; ``officer`` once identified."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="officers")
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, null=True, blank=True)
    name_given = models.CharField(_("name"), max_length=160, blank=True)
    badge_given = models.CharField(_("badge"), max_length=20, blank=True)
    description = models.CharField(_("description"), max_length=500, blank=True)
    vehicle = models.CharField(_("vehicle"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("reported officer")

    def __str__(self) -> str:
        return self.name_given or self.badge_given or "?"


class Witness(BaseModel):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="witnesses")
    name = models.CharField(_("name"), max_length=200, blank=True)
    contact = models.CharField(_("contact"), max_length=300, blank=True)
    statement = models.TextField(_("what they saw"), max_length=5000, blank=True)

    class Meta:
        verbose_name = _("witness")
        verbose_name_plural = _("witnesses")

    def __str__(self) -> str:
        return f"witness {self.pk}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # Never the uploaded name: a random id, under the complaint's random id.
    return f"oversight/{instance.complaint.public_id}/{instance.public_id}"


class Attachment(PublicIdModel):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    original_name = models.CharField(max_length=200, blank=True)
    from_public = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("attachment")

    def __str__(self) -> str:
        return f"{self.content_type} {self.size} B"


class ComplaintEvent(models.Model):
    """The public timeline of a case, as the complainant sees it: kinds only, never names,
    findings' reasons or anything about another person."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("Received")
        INFO_ADDED = "info_added", _("You added information")
        TRIAGED = "triaged", _("Reviewed and routed")
        ASSIGNED = "assigned", _("Investigator assigned")
        INVESTIGATING = "investigating", _("Investigation under way")
        FINDING_ISSUED = "finding_issued", _("Findings issued")
        BOARD_REFERRED = "board_referred", _("Sent to the civilian review board")
        BOARD_REVIEWED = "board_reviewed", _("Review board finished its review")
        DECIDED = "decided", _("The agency's final decision")
        CLOSED = "closed", _("Closed")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField()
    # Public, structured detail only (e.g. {"findings": {"sustained": 1}}); never free text.
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["complaint", "at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d}"


class Finding(models.TextChoices):
    SUSTAINED = "sustained", _("Sustained")
    NOT_SUSTAINED = "not_sustained", _("Not sustained")
    EXONERATED = "exonerated", _("Exonerated")
    UNFOUNDED = "unfounded", _("Unfounded")
    POLICY_FAILURE = "policy_failure", _("Policy failure")
    ADMINISTRATIVE = "administrative", _("Closed administratively")


class Discipline(models.TextChoices):
    NONE = "none", _("No action")
    COUNSELING = "counseling", _("Counseling")
    TRAINING = "training", _("Retraining")
    WRITTEN_REPRIMAND = "written_reprimand", _("Written reprimand")
    SUSPENSION = "suspension", _("Suspension")
    DEMOTION = "demotion", _("Demotion")
    TERMINATION = "termination", _("Termination")
    RESIGNED = "resigned", _("Resigned before discipline")


class Allegation(BaseModel):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="allegations")
    officer = models.ForeignKey(
        Officer, on_delete=models.PROTECT, null=True, blank=True, related_name="allegations"
    )
    category = models.ForeignKey(AllegationCategory, on_delete=models.PROTECT)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    finding = models.CharField(_("finding"), max_length=20, choices=Finding.choices, blank=True)
    finding_at = models.DateTimeField(null=True, blank=True)
    finding_reason = models.TextField(_("reason for the finding"), blank=True)
    # The agency's final decision on this allegation.
    final_finding = models.CharField(
        _("final finding"), max_length=20, choices=Finding.choices, blank=True
    )
    discipline = models.CharField(
        _("discipline"), max_length=20, choices=Discipline.choices, blank=True
    )
    suspension_days = models.PositiveSmallIntegerField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("allegation")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(suspension_days__isnull=True)
                | models.Q(discipline="suspension"),
                name="allegation_suspension_days_only_for_suspension",
            )
        ]

    def __str__(self) -> str:
        return f"{self.category_id} {self.finding or 'open'}"


class EvidenceItem(BaseModel):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("kind"), max_length=40)
    description = models.CharField(_("description"), max_length=500)
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    collected_on = models.DateField(_("collected on"), null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return self.description[:50]


class Interview(BaseModel):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="interviews")
    subject = models.CharField(_("who was interviewed"), max_length=200)
    role = models.CharField(_("role"), max_length=40)  # complainant, witness, officer
    held_on = models.DateField(_("date"))
    summary = models.TextField(_("summary"))
    conducted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"interview {self.held_on}"


class CaseNote(BaseModel):
    """A note on a case: by a member of staff (``author``), or information the complainant
    added with their tracking code (``from_complainant``, no author: they have no account)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    text = models.TextField(_("note"), max_length=10000)
    from_complainant = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(author__isnull=False) | models.Q(from_complainant=True),
                name="casenote_staff_note_has_author",
            )
        ]

    def __str__(self) -> str:
        return f"note {self.pk}"


class ConflictDeclaration(BaseModel):
    """Before working a case, the investigator declares any conflict of interest."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="conflicts")
    investigator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    has_conflict = models.BooleanField()
    statement = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"conflict {self.has_conflict}"


class BoardReview(BaseModel):
    class Reason(models.TextChoices):
        RULE = "rule", _("Referral rule")
        REQUEST = "request", _("On request")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RECOMMENDED = "recommended", _("Recommendations made")
        ANSWERED = "answered", _("Agency responded")

    complaint = models.OneToOneField(
        Complaint, on_delete=models.CASCADE, related_name="board_review"
    )
    reason = models.CharField(max_length=10, choices=Reason.choices)
    requested_by = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    referred_at = models.DateTimeField()
    recommended_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"board review of {self.complaint_id}"


class BoardVote(BaseModel):
    class Vote(models.TextChoices):
        CONCUR = "concur", _("Agrees with the finding")
        DISSENT = "dissent", _("Disagrees with the finding")
        RECUSE = "recuse", _("Recused")

    review = models.ForeignKey(BoardReview, on_delete=models.CASCADE, related_name="votes")
    allegation = models.ForeignKey(Allegation, on_delete=models.CASCADE, related_name="board_votes")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    vote = models.CharField(max_length=10, choices=Vote.choices)
    recommended_finding = models.CharField(max_length=20, choices=Finding.choices, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["allegation", "member"], name="board_vote_once")
        ]

    def __str__(self) -> str:
        return f"{self.vote}"


class BoardRecommendation(BaseModel):
    """The board's recommendation on one allegation and the agency's answer to it."""

    review = models.ForeignKey(
        BoardReview, on_delete=models.CASCADE, related_name="recommendations"
    )
    allegation = models.OneToOneField(
        Allegation, on_delete=models.CASCADE, related_name="board_recommendation"
    )
    recommended_finding = models.CharField(max_length=20, choices=Finding.choices)
    recommended_discipline = models.CharField(max_length=20, choices=Discipline.choices, blank=True)
    rationale = models.TextField(blank=True)
    agency_concurs = models.BooleanField(null=True, blank=True)
    agency_reasons = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"recommendation {self.recommended_finding}"
