from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peelian.agency.models import Officer, Unit


class LocateForm(forms.Form):
    """Find my beat: an address, or a latitude and longitude."""

    address = forms.CharField(
        label=_("Street address"),
        required=False,
        max_length=200,
        help_text=_("House number and street, such as 1234 N Oak Ave."),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    lat = forms.FloatField(
        label=_("Latitude"), required=False, min_value=-90, max_value=90, localize=False
    )
    lng = forms.FloatField(
        label=_("Longitude"), required=False, min_value=-180, max_value=180, localize=False
    )

    FIELDS = ("address", "lat", "lng")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        address = (data.get("address") or "").strip()
        lat, lng = data.get("lat"), data.get("lng")
        if self.errors:
            return data
        if address:
            data["query"] = address
        elif lat is not None and lng is not None:
            data["query"] = (lat, lng)
        elif lat is not None or lng is not None:
            missing = "lng" if lng is None else "lat"
            self.add_error(missing, _("Give both the latitude and the longitude."))
        else:
            raise forms.ValidationError(
                _("Enter a street address, or a latitude and a longitude."), code="required"
            )
        return data


class RosterFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or badge"), required=False, max_length=80)
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=Unit.objects.none(), required=False, empty_label=_("All units")
    )
    rank = forms.ChoiceField(
        label=_("Rank"), required=False, choices=[("", _("All ranks")), *Officer.Rank.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *Officer.Status.choices],
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
