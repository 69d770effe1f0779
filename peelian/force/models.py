"""Use-of-force reports: one incident, the officers who used force and the people it was
used on, and the supervisor's review.

Sensitive fields (the narrative, a subject's injury description, officers' identities) are
for staff only: the open data and public pages use the coded fields, the month and the
district/beat codes, never these.

Incidents come from two places: officers' own reports (``source`` empty) and imports of
another agency's records (``source`` names the import format, ``external_id`` the record
in it; the pair is unique, which is what makes a re-import idempotent). Imports keep the
source's beat and district codes in ``beat_code``/``district_code`` even when the agency
has no matching Beat or District rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from peelian.agency.models import RACE_CHOICES, SEX_CHOICES, Agency, Beat, District, Officer
from peelian.core.models import BaseModel, PublicIdModel


class ContactReason(models.TextChoices):
    CALL_FOR_SERVICE = "call_for_service", _("Call for service")
    TRAFFIC_STOP = "traffic_stop", _("Traffic stop")
    PEDESTRIAN_STOP = "pedestrian_stop", _("Pedestrian stop")
    ARREST_WARRANT = "arrest_warrant", _("Arrest or warrant service")
    CRIME_IN_PROGRESS = "crime_in_progress", _("Crime in progress")
    DISTURBANCE = "disturbance", _("Disturbance or fight")
    CRISIS = "crisis", _("Mental-health or welfare crisis")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class ForceReason(models.TextChoices):
    DEFEND_SELF = "defend_self", _("Defend the officer")
    DEFEND_OTHERS = "defend_others", _("Defend another person")
    OVERCOME_RESISTANCE = "overcome_resistance", _("Overcome resistance")
    EFFECT_ARREST = "effect_arrest", _("Effect an arrest")
    PREVENT_ESCAPE = "prevent_escape", _("Prevent escape")
    PREVENT_SELF_HARM = "prevent_self_harm", _("Prevent self-harm")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class Resistance(models.TextChoices):
    """The subject's highest level of resistance, on the usual resistance continuum."""

    NONE = "none", _("None")
    PASSIVE = "passive", _("Passive")
    ACTIVE = "active", pgettext_lazy("resistance", "Active")
    ASSAULTIVE = "assaultive", _("Assaultive")
    LIFE_THREATENING = "life_threatening", _("Life-threatening")
    UNKNOWN = "unknown", _("Unknown")


# Lowest to highest; "unknown" ranks below everything so any known level wins.
RESISTANCE_ORDER = ["unknown", "none", "passive", "active", "assaultive", "life_threatening"]


class ForceType(models.TextChoices):
    VERBAL_COMMAND = "verbal_command", _("Verbal command")
    CONTROL_HOLD = "control_hold", _("Control hold")
    TAKEDOWN = "takedown", _("Takedown")
    STRIKE = "strike", _("Empty-hand strike")
    OC_SPRAY = "oc_spray", _("OC (pepper) spray")
    BATON = "baton", _("Baton or impact weapon")
    TASER = "taser", _("Taser / CEW")
    LESS_LETHAL = "less_lethal_projectile", _("Less-lethal projectile")
    K9 = "k9", _("Police dog (K9)")
    FIREARM_POINTED = "firearm_pointed", _("Firearm pointed")
    FIREARM_DISCHARGED = "firearm_discharged", _("Firearm discharged")
    VEHICLE = "vehicle", _("Vehicle")
    OTHER = "other", _("Other")


FORCE_TYPES = [code for code, _label in ForceType.choices]


class Armed(models.TextChoices):
    UNARMED = "unarmed", _("Unarmed")
    FIREARM = "firearm", _("Firearm")
    KNIFE = "knife", _("Knife or cutting instrument")
    OTHER_WEAPON = "other_weapon", _("Other weapon")
    ARMED_UNSPECIFIED = "armed", _("Armed, weapon not recorded")
    UNKNOWN = "unknown", _("Unknown")


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("Pending review")
    APPROVED = "approved", _("Approved: within policy")
    RETURNED = "returned", _("Returned for correction")
    REFERRED = "referred", _("Referred for investigation")


REVIEW_DONE = (ReviewStatus.APPROVED, ReviewStatus.REFERRED)


def encode_force_types(codes: list[str] | set[str]) -> str:
    """The incident's searchable force-type key: ``|oc_spray|taser|`` (sorted, unique)."""
    unique = sorted(set(codes))
    return "|" + "|".join(unique) + "|" if unique else ""


class ForceIncident(PublicIdModel):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="force_incidents")
    occurred_at = models.DateTimeField(_("when force was used"))
    location_text = models.CharField(_("location"), max_length=300, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    beat = models.ForeignKey(
        Beat, on_delete=models.PROTECT, null=True, blank=True, related_name="force_incidents"
    )
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, related_name="force_incidents"
    )
    # The codes as published (from the beat/district rows, or as given by an imported file).
    beat_code = models.CharField(_("beat code"), max_length=20, blank=True)
    district_code = models.CharField(_("district code"), max_length=20, blank=True)
    contact_reason = models.CharField(
        _("reason for the contact"),
        max_length=32,
        choices=ContactReason.choices,
        default=ContactReason.UNKNOWN,
    )
    force_reason = models.CharField(
        _("reason for using force"),
        max_length=32,
        choices=ForceReason.choices,
        default=ForceReason.UNKNOWN,
    )
    resistance = models.CharField(
        _("subject resistance (highest)"),
        max_length=20,
        choices=Resistance.choices,
        default=Resistance.UNKNOWN,
    )
    narrative = models.TextField(_("narrative (staff only)"), blank=True)
    force_type_codes = models.CharField(max_length=300, blank=True, editable=False)
    review_status = models.CharField(
        _("supervisor review"),
        max_length=20,
        choices=ReviewStatus.choices,
        default=ReviewStatus.PENDING,
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="force_reviews",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_notes = models.TextField(_("review notes"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="force_reports",
    )
    complaints = models.ManyToManyField(
        "oversight.Complaint", blank=True, related_name="force_incidents"
    )
    recording_ids = models.JSONField(
        _("body-camera recordings"),
        default=list,
        blank=True,
        help_text=_("Identifiers of the body-camera recordings of the incident."),
    )
    source = models.CharField(_("import source"), max_length=40, blank=True)
    external_id = models.CharField(_("id in the source"), max_length=160, blank=True)

    class Meta:
        verbose_name = _("use-of-force incident")
        verbose_name_plural = _("use-of-force incidents")
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "source", "external_id"],
                condition=~models.Q(external_id=""),
                name="force_incident_external_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(external_id="") | ~models.Q(source=""),
                name="force_incident_external_has_source",
            ),
            models.CheckConstraint(
                condition=(models.Q(lat__isnull=True) & models.Q(lng__isnull=True))
                | models.Q(lat__gte=-90, lat__lte=90, lng__gte=-180, lng__lte=180),
                name="force_incident_point_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(review_status="pending") | models.Q(reviewed_at__isnull=False),
                name="force_incident_reviewed_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "occurred_at"]),
            models.Index(fields=["review_status"]),
            models.Index(fields=["district_code", "occurred_at"]),
        ]

    def __str__(self) -> str:
        return str(_("Use of force on %(date)s")) % {"date": self.occurred_at.date().isoformat()}

    @property
    def force_types(self) -> list[str]:
        return [c for c in self.force_type_codes.split("|") if c]

    @property
    def review_completed(self) -> bool:
        return self.review_status in REVIEW_DONE


class ForceOfficer(BaseModel):
    """An officer who used force in the incident. Imports that do not identify the officer
    keep ``officer`` empty and ``officer_name_given`` as given (possibly empty)."""

    incident = models.ForeignKey(ForceIncident, on_delete=models.CASCADE, related_name="officers")
    officer = models.ForeignKey(
        Officer, on_delete=models.PROTECT, null=True, blank=True, related_name="force_uses"
    )
    officer_name_given = models.CharField(
        _("officer as named in the source"), max_length=160, blank=True
    )
    force_types = models.JSONField(_("force used"), default=list)
    injured = models.BooleanField(_("officer injured"), default=False)

    class Meta:
        verbose_name = _("officer using force")
        verbose_name_plural = _("officers using force")
        ordering = ["incident", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "officer"],
                condition=models.Q(officer__isnull=False),
                name="force_officer_once_per_incident",
            )
        ]


class ForceSubject(BaseModel):
    """A person force was used on. ``injury_description`` is for staff only."""

    incident = models.ForeignKey(ForceIncident, on_delete=models.CASCADE, related_name="subjects")
    race = models.CharField(
        _("race/ethnicity"), max_length=32, choices=RACE_CHOICES, default="unknown"
    )
    sex = models.CharField(_("sex"), max_length=10, choices=SEX_CHOICES, default="unknown")
    age = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)
    injured = models.BooleanField(_("injured"), null=True, blank=True)
    injury_description = models.TextField(_("injury (staff only)"), blank=True)
    hospitalized = models.BooleanField(_("taken to hospital"), null=True, blank=True)
    armed = models.CharField(
        _("armed"), max_length=20, choices=Armed.choices, default=Armed.UNKNOWN
    )

    class Meta:
        verbose_name = _("subject of force")
        verbose_name_plural = _("subjects of force")
        ordering = ["incident", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(age__isnull=True) | models.Q(age__lte=120),
                name="force_subject_age_range",
            )
        ]
