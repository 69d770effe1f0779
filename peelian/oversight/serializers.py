"""Input and output shapes of the oversight API. Names start with ``Oversight`` so the
OpenAPI components never collide with another app's.

Public outputs carry no identity, contact detail, narrative, free text or officer; staff
outputs carry the complainant's identity only when the selector allowed it.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from peelian.oversight.models import Complaint, Discipline, Finding

IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9._:\-]{8,200}$")


# --- public ---------------------------------------------------------------------------------


class OversightOfficerInput(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=160)
    badge = serializers.CharField(required=False, allow_blank=True, max_length=20)
    description = serializers.CharField(required=False, allow_blank=True, max_length=500)
    vehicle = serializers.CharField(required=False, allow_blank=True, max_length=120)


class OversightWitnessInput(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    contact = serializers.CharField(required=False, allow_blank=True, max_length=300)
    statement = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class OversightComplainantInput(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=40)
    address = serializers.CharField(required=False, allow_blank=True, max_length=300)
    race = serializers.CharField(required=False, allow_blank=True, max_length=32)
    sex = serializers.CharField(required=False, allow_blank=True, max_length=10)
    age = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=119)


class OversightSubmitInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Complaint.Kind.choices)
    narrative = serializers.CharField(max_length=20000, help_text="What happened.")
    occurred_on = serializers.DateField(required=False, allow_null=True)
    occurred_time = serializers.TimeField(required=False, allow_null=True)
    location_text = serializers.CharField(required=False, allow_blank=True, max_length=300)
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    lng = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)
    officers = OversightOfficerInput(many=True, required=False)
    witnesses = OversightWitnessInput(many=True, required=False)
    complainant = OversightComplainantInput(
        required=False, allow_null=True, help_text="Leave out to file anonymously."
    )
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False, default="en")
    third_party = serializers.BooleanField(required=False, default=False)
    consent_share_identity = serializers.BooleanField(required=False, default=False)


class OversightSubmitOutput(serializers.Serializer):
    tracking_code = serializers.CharField(
        allow_null=True,
        help_text=(
            "Shown once: keep it to follow the case. Null when this Idempotency-Key was "
            "already used (the complaint was received the first time)."
        ),
    )
    already_received = serializers.BooleanField()
    kind = serializers.CharField()


class OversightTimelineOutput(serializers.Serializer):
    kind = serializers.CharField()
    title = serializers.CharField()
    date = serializers.SerializerMethodField()
    facts = serializers.ListField(child=serializers.CharField())

    def get_date(self, entry: Any) -> str:
        from django.utils import timezone

        return str(timezone.localtime(entry.at).date().isoformat())


class OversightTrackOutput(serializers.Serializer):
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    received_on = serializers.SerializerMethodField()
    status = serializers.CharField()
    stage = serializers.CharField()
    next_step = serializers.CharField()
    closed = serializers.BooleanField()
    timeline = OversightTimelineOutput(many=True)

    def get_received_on(self, tracker: Any) -> str:
        from django.utils import timezone

        return str(timezone.localtime(tracker.received_at).date().isoformat())


# --- staff ----------------------------------------------------------------------------------


class OversightCaseListOutput(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    kind = serializers.CharField()
    status = serializers.CharField()
    version = serializers.IntegerField()
    tracking_hint = serializers.CharField()
    received_at = serializers.DateTimeField()
    category = serializers.CharField(source="category.code", allow_null=True, default=None)
    priority = serializers.CharField()
    handler = serializers.CharField()
    investigator = serializers.CharField(
        source="investigator.username", allow_null=True, default=None
    )
    stage_due_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)


class OversightAllegationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    category = serializers.CharField(source="category.code")
    officer_badge = serializers.CharField(source="officer.badge", allow_null=True, default=None)
    summary = serializers.CharField()
    finding = serializers.CharField()
    finding_reason = serializers.CharField()
    final_finding = serializers.CharField()
    discipline = serializers.CharField()
    suspension_days = serializers.IntegerField(allow_null=True)


class OversightComplainantOutput(serializers.Serializer):
    name = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()
    address = serializers.CharField()


class OversightEventOutput(serializers.Serializer):
    kind = serializers.CharField()
    at = serializers.DateTimeField()
    detail = serializers.JSONField()


class OversightCaseOutput(OversightCaseListOutput):
    channel = serializers.CharField()
    narrative = serializers.CharField()
    language = serializers.CharField()
    anonymous = serializers.BooleanField()
    occurred_on = serializers.DateField(allow_null=True)
    location_text = serializers.CharField()
    district = serializers.CharField(source="district.code", allow_null=True, default=None)
    beat = serializers.CharField(source="beat.code", allow_null=True, default=None)
    identity = serializers.SerializerMethodField(
        help_text=(
            "The complainant's identity: an object when the caller may see it, the string "
            "'hidden' when not, null when there is none (anonymous)."
        )
    )
    allegations = OversightAllegationOutput(many=True)
    events = OversightEventOutput(many=True)

    def get_identity(self, complaint: Complaint) -> Any:
        identity = self.context.get("identity")
        if identity is None or isinstance(identity, str):
            return identity
        return OversightComplainantOutput(identity).data


class OversightVersionInput(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, help_text="The case's version as you read it; a stale one answers 409."
    )


class OversightTriageInput(OversightVersionInput):
    category = serializers.SlugField(help_text="An allegation category's code.")
    priority = serializers.ChoiceField(choices=Complaint.Priority.choices)
    handler = serializers.ChoiceField(choices=Complaint.Handler.choices)


class OversightAssignInput(OversightVersionInput):
    investigator = serializers.CharField(max_length=150, help_text="The investigator's username.")


class OversightDecisionItemInput(serializers.Serializer):
    allegation = serializers.IntegerField(help_text="The allegation's id in the case file.")
    final_finding = serializers.ChoiceField(choices=Finding.choices)
    discipline = serializers.ChoiceField(
        choices=Discipline.choices, required=False, default=Discipline.NONE
    )
    suspension_days = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=365
    )


class OversightDecisionInput(OversightVersionInput):
    decisions = OversightDecisionItemInput(many=True, allow_empty=False)

    def validate_decisions(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        ids = [d["allegation"] for d in value]
        if len(ids) != len(set(ids)):
            raise serializers.ValidationError(_("Each allegation may be decided only once."))
        return value
