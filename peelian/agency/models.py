"""The agency's structure: districts and beats (with boundaries and census-like
demographics), units, officers and their assignment history, and a street index that
turns an address into a point."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from peelian.core.models import BaseModel, PublicIdModel

# Race and ethnicity categories follow the Stanford Open Policing Project's subject_race
# values, so officer, resident and stop data line up.
RACE_CHOICES = [
    ("asian/pacific islander", _("Asian / Pacific Islander")),
    ("black", _("Black")),
    ("hispanic", _("Hispanic")),
    ("white", _("White")),
    ("other", _("Other")),
    ("unknown", _("Unknown")),
]
RACES = [code for code, _label in RACE_CHOICES]
SEX_CHOICES = [("female", _("Female")), ("male", _("Male")), ("unknown", _("Unknown"))]


class Agency(BaseModel):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), unique=True)
    city = models.CharField(_("city"), max_length=120)
    state = models.CharField(_("state"), max_length=2, help_text=_("Two-letter postal code."))
    timezone = models.CharField(_("time zone"), max_length=64, default="America/Chicago")
    center_lat = models.FloatField(_("centre latitude"))
    center_lng = models.FloatField(_("centre longitude"))
    website = models.URLField(_("website"), blank=True)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(center_lat__gte=-90, center_lat__lte=90)
                & models.Q(center_lng__gte=-180, center_lng__lte=180),
                name="agency_center_in_range",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Area(BaseModel):
    """Shared fields of districts and beats. ``boundary`` is a GeoJSON Polygon or
    MultiPolygon geometry in WGS 84 (longitude, latitude)."""

    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=120)
    boundary = models.JSONField(_("boundary (GeoJSON geometry)"))

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class District(Area):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="districts")

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="district_code_unique")
        ]


class Beat(Area):
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="beats")
    # Census-like resident figures (for the synthetic city: generated; for a real agency:
    # imported from census block groups). Counts by the RACES categories.
    population = models.PositiveIntegerField(_("population"), default=0)
    population_by_race = models.JSONField(_("population by race"), default=dict, blank=True)
    median_household_income = models.PositiveIntegerField(
        _("median household income (USD)"), null=True, blank=True
    )
    spanish_speaking_share = models.FloatField(
        _("share of households speaking Spanish at home"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("beat")
        verbose_name_plural = _("beats")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["district", "code"], name="beat_code_unique"),
            models.CheckConstraint(
                condition=models.Q(spanish_speaking_share__isnull=True)
                | models.Q(spanish_speaking_share__gte=0, spanish_speaking_share__lte=1),
                name="beat_spanish_share_range",
            ),
        ]


class StreetSegment(models.Model):
    """One block face of a street with its address range, as in TIGER/Line address ranges:
    an address is geocoded by interpolating its number between the segment's ends."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="streets")
    street = models.CharField(_("street"), max_length=120)
    street_key = models.CharField(max_length=120, db_index=True)  # normalised for matching
    from_number = models.PositiveIntegerField()
    to_number = models.PositiveIntegerField()
    start_lat = models.FloatField()
    start_lng = models.FloatField()
    end_lat = models.FloatField()
    end_lng = models.FloatField()

    class Meta:
        verbose_name = _("street segment")
        indexes = [models.Index(fields=["street_key", "from_number"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(to_number__gte=models.F("from_number")),
                name="street_segment_range_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_number}-{self.to_number} {self.street}"


class Unit(BaseModel):
    class Kind(models.TextChoices):
        PATROL = "patrol", _("Patrol")
        INVESTIGATIONS = "investigations", _("Investigations")
        TRAFFIC = "traffic", _("Traffic")
        COMMUNITY = "community", _("Community affairs")
        PROFESSIONAL_STANDARDS = "professional_standards", _("Professional standards")
        TRAINING = "training", _("Training")
        SPECIAL = "special", _("Special operations")
        ADMINISTRATION = "administration", _("Administration")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="units")
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, related_name="units"
    )

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["agency", "code"], name="unit_code_unique")]

    def __str__(self) -> str:
        return self.name


class Officer(PublicIdModel):
    """A sworn member. Personnel fields (demographics, birth year, assignment history) are
    sensitive: read them through ``agency.selectors`` only."""

    class Rank(models.TextChoices):
        OFFICER = "officer", _("Police officer")
        DETECTIVE = "detective", _("Detective")
        SERGEANT = "sergeant", _("Sergeant")
        LIEUTENANT = "lieutenant", _("Lieutenant")
        CAPTAIN = "captain", _("Captain")
        COMMANDER = "commander", _("Commander")
        DEPUTY_CHIEF = "deputy_chief", _("Deputy chief")
        CHIEF = "chief", _("Chief of police")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        LEAVE = "leave", _("On leave")
        SEPARATED = "separated", _("Separated")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="officers")
    badge = models.CharField(_("badge number"), max_length=20)
    first_name = models.CharField(_("first name"), max_length=80)
    last_name = models.CharField(_("last name"), max_length=80)
    rank = models.CharField(_("rank"), max_length=20, choices=Rank.choices, default=Rank.OFFICER)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officers",
        help_text=_("Current unit; the history is in assignments."),
    )
    hire_date = models.DateField(_("hire date"))
    separation_date = models.DateField(_("separation date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    sex = models.CharField(_("sex"), max_length=10, choices=SEX_CHOICES, default="unknown")
    race = models.CharField(_("race/ethnicity"), max_length=32, choices=RACE_CHOICES)
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="officer",
    )

    class Meta:
        verbose_name = _("officer")
        verbose_name_plural = _("officers")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "badge"], name="officer_badge_unique"),
            models.CheckConstraint(
                condition=models.Q(separation_date__isnull=True)
                | models.Q(separation_date__gte=models.F("hire_date")),
                name="officer_separation_after_hire",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="separated") | models.Q(separation_date__isnull=False),
                name="officer_separated_has_date",
            ),
        ]
        indexes = [models.Index(fields=["agency", "status"])]

    def __str__(self) -> str:
        return f"{self.get_rank_display()} {self.first_name} {self.last_name} (#{self.badge})"


class Assignment(BaseModel):
    """One stretch of an officer's career in a unit at a rank."""

    officer = models.ForeignKey(Officer, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="assignments")
    rank = models.CharField(_("rank"), max_length=20, choices=Officer.Rank.choices)
    beat = models.ForeignKey(Beat, on_delete=models.PROTECT, null=True, blank=True)
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"), null=True, blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["officer", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="assignment_end_after_start",
            ),
            models.UniqueConstraint(
                fields=["officer"],
                condition=models.Q(end_date__isnull=True),
                name="assignment_one_current_per_officer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.officer_id} {self.unit_id} {self.start_date}..{self.end_date or ''}"
