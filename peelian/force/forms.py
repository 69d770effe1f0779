"""Forms for the staff pages: filters, the report form and the review form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peelian.agency.models import RACE_CHOICES, SEX_CHOICES, Officer
from peelian.force.models import (
    Armed,
    ContactReason,
    ForceReason,
    ForceType,
    Resistance,
    ReviewStatus,
)

BLANK = [("", _("Any"))]
YES_NO_UNKNOWN = [("", _("Unknown")), ("yes", _("Yes")), ("no", _("No"))]


class FilterForm(forms.Form):
    district = forms.CharField(label=_("District code"), required=False, max_length=20)
    review_status = forms.ChoiceField(
        label=_("Review"), required=False, choices=BLANK + list(ReviewStatus.choices)
    )
    force_type = forms.ChoiceField(
        label=_("Force used"), required=False, choices=BLANK + list(ForceType.choices)
    )
    resistance = forms.ChoiceField(
        label=_("Resistance"), required=False, choices=BLANK + list(Resistance.choices)
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class ReportForm(forms.Form):
    occurred_at = forms.DateTimeField(
        label=_("When was force used?"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    location_text = forms.CharField(
        label=_("Address"),
        max_length=300,
        help_text=_("A street address in the city, such as 1234 N Oak Ave."),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    contact_reason = forms.ChoiceField(
        label=_("Reason for the contact"), choices=ContactReason.choices
    )
    force_reason = forms.ChoiceField(label=_("Reason for using force"), choices=ForceReason.choices)
    resistance = forms.ChoiceField(
        label=_("Subject's highest resistance"), choices=Resistance.choices
    )
    officers = forms.ModelMultipleChoiceField(
        label=_("Officers who used force"),
        queryset=Officer.objects.none(),
        help_text=_("Hold Ctrl (or Cmd) to choose several."),
    )
    force_types = forms.MultipleChoiceField(
        label=_("Force used"), choices=ForceType.choices, widget=forms.CheckboxSelectMultiple
    )
    officer_injured = forms.BooleanField(label=_("An officer was injured"), required=False)
    subject_race = forms.ChoiceField(label=_("Subject's race/ethnicity"), choices=RACE_CHOICES)
    subject_sex = forms.ChoiceField(label=_("Subject's sex"), choices=SEX_CHOICES)
    subject_age = forms.IntegerField(
        label=_("Subject's age"), required=False, min_value=0, max_value=120
    )
    subject_injured = forms.ChoiceField(
        label=_("Subject injured?"), choices=YES_NO_UNKNOWN, required=False
    )
    injury_description = forms.CharField(
        label=_("Injury (staff only)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    subject_hospitalized = forms.ChoiceField(
        label=_("Subject taken to hospital?"), choices=YES_NO_UNKNOWN, required=False
    )
    subject_armed = forms.ChoiceField(label=_("Subject armed?"), choices=Armed.choices)
    narrative = forms.CharField(
        label=_("Narrative (staff only)"), widget=forms.Textarea(attrs={"rows": 6})
    )
    recording_ids = forms.CharField(
        label=_("Body-camera recording ids"),
        required=False,
        help_text=_("Separate several with commas."),
    )

    def __init__(self, *args: Any, own_officer: Officer | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officers"].queryset = Officer.objects.filter(
            status=Officer.Status.ACTIVE
        ).order_by("last_name", "first_name")
        if own_officer is not None and not self.is_bound:
            self.initial["officers"] = [own_officer.pk]

    def clean_occurred_at(self) -> Any:
        value = self.cleaned_data["occurred_at"]
        if value > timezone.now():
            raise forms.ValidationError(_("The time of the incident is in the future."))
        return value

    def subject_values(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "race": d["subject_race"],
            "sex": d["subject_sex"],
            "age": d.get("subject_age"),
            "injured": _yes_no(d.get("subject_injured") or ""),
            "injury_description": d.get("injury_description") or "",
            "hospitalized": _yes_no(d.get("subject_hospitalized") or ""),
            "armed": d["subject_armed"],
        }

    def recordings(self) -> list[str]:
        raw = self.cleaned_data.get("recording_ids") or ""
        return [r.strip() for r in raw.split(",") if r.strip()]


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (ReviewStatus.APPROVED, _("Approve: within policy")),
            (ReviewStatus.RETURNED, _("Return for correction")),
            (ReviewStatus.REFERRED, _("Refer for investigation")),
        ],
        widget=forms.RadioSelect,
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required when you return or refer the report."),
    )
