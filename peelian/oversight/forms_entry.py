"""Staff entry form: a complaint or commendation received by phone, mail, in person or
email, typed in by the staff member who took it. It reuses the public form's fields and
checks, without the public abuse protection (honeypot, fill time): the person entering
it is signed in and accountable in the audit log."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peelian.oversight.forms_public import ComplaintForm, OfficerForm
from peelian.oversight.models import Complaint
from peelian.oversight.services.intake import STAFF_CHANNELS

CHANNEL_CHOICES = [
    (value, label) for value, label in Complaint.Channel.choices if value in STAFF_CHANNELS
]


class EntryForm(ComplaintForm):
    # Not on a staff page: no abuse protection, no map, no demographics asked on the phone.
    website = None
    started = None
    lat = None
    lng = None
    age = None
    race = None
    sex = None

    channel = forms.ChoiceField(
        label=_("How did the complaint arrive?"),
        choices=CHANNEL_CHOICES,
        widget=forms.RadioSelect,
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Complaint.Kind.choices,
        initial=Complaint.Kind.COMPLAINT,
        widget=forms.RadioSelect,
    )

    IDENTITY_FIELDS = ("name", "email", "phone", "address")

    field_order = [
        "channel",
        "kind",
        "narrative",
        "occurred_on",
        "occurred_time",
        "location_text",
        "attachments",
        "anonymous",
        "name",
        "email",
        "phone",
        "address",
        "consent_share_identity",
        "third_party",
        "language",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.pop("started", None)
        self.initial.setdefault("kind", Complaint.Kind.COMPLAINT)
        fields = self.fields
        fields["narrative"].label = _("What happened?")
        fields["narrative"].help_text = _(
            "What the person told you or wrote, in their own words as far as possible."
        )
        fields["occurred_on"].help_text = _("Leave empty if the person does not know.")
        fields["anonymous"].label = _("The person wants to stay anonymous")
        fields["anonymous"].help_text = _(
            "Leave the name and contact details empty. The person can still follow the case "
            "with the tracking code."
        )
        fields["name"].label = _("Name")
        fields["email"].help_text = _("The tracking code is also sent to this address.")
        fields["third_party"].label = _("Filed on behalf of someone else")
        fields["language"].label = _("Language to use with the person")
        fields["consent_share_identity"].label = _(
            "The person agrees that the civilian review board may see their name and contact "
            "details"
        )
        fields["consent_share_identity"].help_text = ""
        for name in self.IDENTITY_FIELDS:
            # The browser must not offer the staff member's own name and address.
            fields[name].widget.attrs["autocomplete"] = "off"

    def clean(self) -> dict[str, Any]:
        # The public form's wording speaks to the complainant; this one to staff.
        data = forms.Form.clean(self)
        if data.get("anonymous"):
            given = [f for f in self.IDENTITY_FIELDS if data.get(f) not in (None, "")]
            if given:
                raise forms.ValidationError(
                    _(
                        "The complaint is marked anonymous: clear the name and contact details, "
                        "or untick “The person wants to stay anonymous”."
                    ),
                    code="anonymous_identity",
                )
        if data.get("consent_share_identity") and not self.complainant():
            self.add_error(
                "consent_share_identity",
                _("An anonymous complaint has no identity to share: leave this unticked."),
            )
        return data

    def complainant(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if data.get("anonymous"):
            return None
        identity = {f: data.get(f) or "" for f in self.IDENTITY_FIELDS}
        return identity if any(identity.values()) else None


EntryOfficerFormSet = forms.formset_factory(OfficerForm, extra=2, max_num=10, validate_max=True)
