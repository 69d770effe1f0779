"""Public forms: file a complaint or commendation, look up a tracking code, add
information. Abuse protection without third parties: a honeypot field, a signed start
time (a form sent back faster than a person can fill it is refused), size limits; the
per-address rate limits live in the views."""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from peelian.agency.models import RACE_CHOICES, SEX_CHOICES
from peelian.oversight import uploads
from peelian.oversight.services.intake import NARRATIVE_MAX, NOTE_MAX

STARTED_SALT = "oversight.intake.started"
DEFAULT_MIN_FILL_SECONDS = 5
FORM_MAX_AGE_SECONDS = 24 * 3600


def min_fill_seconds() -> int:
    return int(getattr(settings, "PEELIAN_COMPLAINT_MIN_FILL_SECONDS", DEFAULT_MIN_FILL_SECONDS))


def new_started_token() -> str:
    return signing.TimestampSigner(salt=STARTED_SALT).sign("form")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one ``<input type=file multiple>``; the type and size checks are
    made by ``oversight.uploads`` in the service."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class AntiAbuseMixin(forms.Form):
    """A honeypot (hidden from people by CSS, announced as "leave empty" to screen
    readers) and the signed time the form was shown."""

    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    started = forms.CharField(widget=forms.HiddenInput)

    def clean_website(self) -> str:
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(
                _("This form could not be accepted. Leave the last field empty."),
                code="honeypot",
            )
        return ""

    def clean_started(self) -> str:
        value = self.cleaned_data.get("started", "")
        signer = signing.TimestampSigner(salt=STARTED_SALT)
        try:
            signer.unsign(value, max_age=FORM_MAX_AGE_SECONDS)
        except signing.SignatureExpired:
            raise forms.ValidationError(
                _(
                    "This form was opened more than a day ago. Copy your text, reload the page "
                    "and send it again."
                ),
                code="expired",
            ) from None
        except signing.BadSignature:
            raise forms.ValidationError(
                _("The form is damaged. Reload the page and try again."), code="tampered"
            ) from None
        try:
            signer.unsign(value, max_age=min_fill_seconds())
        except signing.SignatureExpired:
            return value  # older than the minimum: a person had time to fill it
        raise forms.ValidationError(
            _(
                "The form was sent too quickly after it was opened. Wait a few seconds and "
                "send it again."
            ),
            code="too_fast",
        )


class ComplaintForm(AntiAbuseMixin, forms.Form):
    # What happened
    narrative = forms.CharField(
        label=_("What happened?"),
        help_text=_(
            "In your own words: what the officer or officers did or said, and what happened "
            "before and after."
        ),
        max_length=NARRATIVE_MAX,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    # When
    occurred_on = forms.DateField(
        label=_("Date"),
        required=False,
        help_text=_("If you don't know the exact date, give your best guess or leave it empty."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    occurred_time = forms.TimeField(
        label=_("Time"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    # Where
    location_text = forms.CharField(
        label=_("Address or place"),
        required=False,
        max_length=300,
        help_text=_("A street address such as 1234 N Oak Ave, a corner, or a landmark."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    # Attachments
    attachments = MultipleFileField(
        label=_("Photos, videos, audio or documents"),
        help_text=_(
            "Up to 5 files, 20 MB each: JPEG, PNG, GIF or WebP photos, PDF, MP3, M4A, WAV, "
            "Ogg, MP4, MOV or WebM. We remove hidden details such as location from photos."
        ),
    )
    # About you
    anonymous = forms.BooleanField(
        label=_("I want to stay anonymous"),
        required=False,
        help_text=_(
            "We will not ask who you are. You can still follow the case with your tracking "
            "code, but we cannot contact you with questions."
        ),
    )
    name = forms.CharField(
        label=_("Your name"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Email"),
        required=False,
        help_text=_("We send your tracking code here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    address = forms.CharField(
        label=_("Postal address"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    age = forms.IntegerField(
        label=_("Age (optional)"),
        required=False,
        min_value=1,
        max_value=119,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    race = forms.ChoiceField(
        label=_("Race or ethnicity (optional)"),
        required=False,
        choices=[("", _("Prefer not to say")), *RACE_CHOICES],
    )
    sex = forms.ChoiceField(
        label=_("Sex (optional)"),
        required=False,
        choices=[("", _("Prefer not to say")), *SEX_CHOICES],
    )
    third_party = forms.BooleanField(
        label=_("I am filing on behalf of someone else"), required=False
    )
    language = forms.ChoiceField(
        label=_("Language we should use with you"), choices=settings.LANGUAGES
    )
    consent_share_identity = forms.BooleanField(
        label=_("The civilian review board may see my name and contact details"),
        required=False,
        help_text=_("If you leave this unticked, the board sees the case without your identity."),
    )
    submission_key = forms.CharField(widget=forms.HiddenInput, min_length=16, max_length=64)

    IDENTITY_FIELDS = ("name", "email", "phone", "address", "age", "race", "sex")

    def __init__(self, *args: Any, kind: str = "complaint", **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "language": (get_language() or "en")[:2],
                "submission_key": secrets.token_urlsafe(24),
                "started": new_started_token(),
            },
        )
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["attachments"].help_text = _(
            "Up to %(files)d files, %(mb)d MB each: JPEG, PNG, GIF or WebP photos, PDF, MP3, "
            "M4A, WAV, Ogg, MP4, MOV or WebM. We remove hidden details such as the location "
            "from photos."
        ) % {"files": uploads.max_files(), "mb": uploads.max_bytes() // (1024 * 1024)}
        if kind == "commendation":
            self.fields["narrative"].label = _("What did the officer do well?")
            self.fields["narrative"].help_text = _(
                "Tell us what happened and why it deserves recognition."
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("anonymous"):
            given = [f for f in self.IDENTITY_FIELDS if data.get(f) not in (None, "")]
            if given:
                raise forms.ValidationError(
                    _(
                        "You chose to stay anonymous: clear your name and contact details, or "
                        "untick “I want to stay anonymous”."
                    ),
                    code="anonymous_identity",
                )
            if data.get("consent_share_identity"):
                self.add_error(
                    "consent_share_identity",
                    _("An anonymous complaint has no identity to share: leave this unticked."),
                )
        return data

    def complainant(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if data.get("anonymous"):
            return None
        return {f: data.get(f) for f in self.IDENTITY_FIELDS}


class OfficerForm(forms.Form):
    name = forms.CharField(label=_("Name"), required=False, max_length=160)
    badge = forms.CharField(label=_("Badge number"), required=False, max_length=20)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=500,
        help_text=_("What they looked like, their rank or unit, if you know."),
    )
    vehicle = forms.CharField(
        label=_("Vehicle"),
        required=False,
        max_length=120,
        help_text=_("Car number or plate, if you saw it."),
    )


class WitnessForm(forms.Form):
    name = forms.CharField(label=_("Name"), required=False, max_length=200)
    contact = forms.CharField(
        label=_("How to reach them"),
        required=False,
        max_length=300,
        help_text=_("Phone, email or address."),
    )
    statement = forms.CharField(
        label=_("What they saw"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


OfficerFormSet = forms.formset_factory(OfficerForm, extra=3, max_num=10, validate_max=True)
WitnessFormSet = forms.formset_factory(WitnessForm, extra=2, max_num=10, validate_max=True)


class TrackForm(forms.Form):
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=40,
        help_text=_("The code you were given when you filed, such as ABCD-EFGH-JKMN-P."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


class AddInfoForm(forms.Form):
    text = forms.CharField(
        label=_("New information"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    attachments = MultipleFileField(label=_("Files"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = _(
            "Up to %(files)d files, %(mb)d MB each: photos, PDF, audio or video."
        ) % {"files": uploads.max_files(), "mb": uploads.max_bytes() // (1024 * 1024)}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("text") and not data.get("attachments") and not self.errors:
            raise forms.ValidationError(
                _("Write the new information or attach a file."), code="empty"
            )
        return data
