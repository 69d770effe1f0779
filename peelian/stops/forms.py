"""The staff form that starts an analysis run."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

TEST_CHOICES = [
    ("rates", _("Stop, search, frisk, arrest and citation rates by race")),
    ("vod", _("Veil of darkness (stops in daylight and darkness)")),
    ("outcome", _("Outcome test (how often searches find contraband)")),
    ("threshold", _("Threshold test (the bar officers apply before searching)")),
]


class RunForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    imports = forms.MultipleChoiceField(
        label=_("Imports to analyse"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked to analyse every imported stop."),
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    tests = forms.MultipleChoiceField(
        label=_("Tests"),
        choices=TEST_CHOICES,
        initial=[c for c, _l in TEST_CHOICES],
        widget=forms.CheckboxSelectMultiple,
    )
    geography = forms.ChoiceField(
        label=_("Compare within"),
        choices=[("district", _("Districts")), ("beat", _("Beats"))],
        initial="district",
        help_text=_(
            "The threshold test needs at least five areas with searches: an agency with few "
            "districts compares beats."
        ),
    )
    district_effects = forms.BooleanField(
        label=_("Veil of darkness: compare within areas (fixed effects)"),
        required=False,
    )

    def __init__(self, *args: Any, import_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["imports"].choices = import_choices
