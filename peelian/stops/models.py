"""Stop records, the imports they came from, and the analysis runs made over them.

* ``StopImport``: one file imported for one agency. The raw file is stored byte for byte
  (``stored_file``, a private path under MEDIA_ROOT, which is never served); ``sha256`` is
  unique per agency, which makes importing the same file twice a no-op.
* ``Stop``: one row of the file that passed validation, in the columns of the Stanford Open
  Policing Project's standardized schema (see ``peelian.stops.analysis.schema``). Millions of
  rows: no timestamps, few indexes. ``officer_id_hash`` is sensitive and never public.
* ``AnalysisRun``: one run of the disparity tests over a scope of imports, with the options,
  the results, and what is needed to reproduce it (a data fingerprint and the code versions).

``Stop.source`` is ``PROTECT``: stop rows are the evidence behind published analysis runs
(their ``data_fingerprint`` names the imports), so deleting an import must be a deliberate
step that first removes its stops, never a side effect of deleting the import row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from peelian.agency.models import Agency
from peelian.core.models import PublicIdModel
from peelian.stops.analysis.schema import OUTCOMES, RACES, SEARCH_BASES, SEXES, STOP_TYPES

RACE_CHOICES = [(r, r) for r in RACES]
SEX_CHOICES = [(s, s) for s in SEXES]
TYPE_CHOICES = [(t, t) for t in STOP_TYPES]
SEARCH_BASIS_CHOICES = [(b, b) for b in SEARCH_BASES]
OUTCOME_CHOICES = [(o, o) for o in OUTCOMES]


class SourceFormat(models.TextChoices):
    OPP = "opp", _("Stanford Open Policing Project standardized schema")
    RIPA = "ripa", _("California RIPA stop data")
    MAPPING = "mapping", _("Agency columns through a mapping file")


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


def import_upload_to(instance: StopImport, filename: str) -> str:
    """``stops/imports/<sha256><ext>``: the name follows from the content, never the user."""
    name = filename.lower()
    for ext in (".csv.gz", ".tsv.gz", ".csv", ".tsv", ".parquet", ".rds", ".gz"):
        if name.endswith(ext):
            return f"stops/imports/{instance.sha256}{ext}"
    return f"stops/imports/{instance.sha256}"


class StopImport(PublicIdModel):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="stop_imports")
    source_format = models.CharField(
        _("format"), max_length=10, choices=SourceFormat.choices, default=SourceFormat.OPP
    )
    original_name = models.CharField(_("file name as given"), max_length=255)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    stored_file = models.FileField(_("raw file"), upload_to=import_upload_to, max_length=255)
    mapping = models.JSONField(_("mapping used"), default=dict, blank=True)
    rows_read = models.PositiveIntegerField(default=0)
    rows_imported = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    warnings = models.PositiveIntegerField(default=0)
    report = models.JSONField(_("validation report"), default=dict, blank=True)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stop_imports",
    )
    actor = models.CharField(_("imported by (label)"), max_length=150, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = _("stop-data import")
        verbose_name_plural = _("stop-data imports")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "sha256"], name="stop_import_once"),
            models.CheckConstraint(
                condition=models.Q(rows_imported__lte=models.F("rows_read")),
                name="stop_import_counts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.sha256[:12]})"


class Stop(models.Model):
    id = models.BigAutoField(primary_key=True)
    # The (agency, stop_date) index serves agency lookups; the unique (source, source_row)
    # serves source lookups: the foreign keys need no index of their own.
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="stops", db_index=False
    )
    source = models.ForeignKey(
        StopImport, on_delete=models.PROTECT, related_name="stops", db_index=False
    )
    source_row = models.PositiveIntegerField(_("data row in the file (1 = first)"))
    external_id = models.TextField(_("id in the source"), blank=True)
    stop_date = models.DateField(_("date"))
    stop_time = models.TimeField(_("time (local)"), null=True, blank=True)
    subject_race = models.CharField(
        _("race/ethnicity"), max_length=32, choices=RACE_CHOICES, blank=True
    )
    subject_age = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)
    subject_sex = models.CharField(_("sex"), max_length=10, choices=SEX_CHOICES, blank=True)
    district = models.TextField(blank=True)
    beat = models.TextField(blank=True)
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    type = models.CharField(_("stop type"), max_length=20, choices=TYPE_CHOICES, blank=True)
    search_conducted = models.BooleanField(null=True, blank=True)
    search_basis = models.CharField(max_length=20, choices=SEARCH_BASIS_CHOICES, blank=True)
    contraband_found = models.BooleanField(null=True, blank=True)
    frisk_performed = models.BooleanField(null=True, blank=True)
    arrest_made = models.BooleanField(null=True, blank=True)
    citation_issued = models.BooleanField(null=True, blank=True)
    warning_issued = models.BooleanField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=OUTCOME_CHOICES, blank=True)
    reason_for_stop = models.TextField(blank=True)
    officer_id_hash = models.TextField(_("officer id hash (staff only)"), blank=True)

    class Meta:
        verbose_name = _("stop")
        verbose_name_plural = _("stops")
        constraints = [
            models.UniqueConstraint(fields=["source", "source_row"], name="stop_source_row"),
            # OPP's predicate rule: contraband is only defined where a search was conducted.
            models.CheckConstraint(
                condition=models.Q(contraband_found__isnull=True) | models.Q(search_conducted=True),
                name="stop_contraband_needs_search",
            ),
            models.CheckConstraint(
                condition=(models.Q(lat__isnull=True) & models.Q(lng__isnull=True))
                | models.Q(
                    lat__isnull=False,
                    lng__isnull=False,
                    lat__gte=-90,
                    lat__lte=90,
                    lng__gte=-180,
                    lng__lte=180,
                ),
                name="stop_point_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(subject_age__isnull=True) | models.Q(subject_age__lte=120),
                name="stop_age_range",
            ),
        ]
        indexes = [models.Index(fields=["agency", "stop_date"], name="stop_agency_date")]

    def __str__(self) -> str:
        return f"{self.stop_date} #{self.source_row}"


class AnalysisRun(PublicIdModel):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="analysis_runs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stop_analysis_runs",
    )
    actor = models.CharField(max_length=150, blank=True)
    title = models.CharField(_("title"), max_length=200)
    scope = models.JSONField(_("scope (imports, dates)"), default=dict, blank=True)
    options = models.JSONField(default=dict, blank=True)
    results = models.JSONField(default=dict, blank=True)
    data_fingerprint = models.CharField(max_length=64, blank=True)
    code_version = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    error = models.TextField(blank=True)
    published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = _("stop-data analysis run")
        verbose_name_plural = _("stop-data analysis runs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(published=False) | models.Q(published_at__isnull=False),
                name="analysis_run_published_has_date",
            ),
            models.CheckConstraint(
                condition=models.Q(published=False) | models.Q(status="succeeded"),
                name="analysis_run_published_succeeded",
            ),
        ]
        indexes = [models.Index(fields=["agency", "published"], name="analysis_run_published")]

    def __str__(self) -> str:
        return self.title
