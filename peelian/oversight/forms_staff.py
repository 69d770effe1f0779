"""Forms of the staff case pages. Every action form carries the case ``version`` it was
drawn from (hidden), so a form submitted after someone else changed the case is refused
with a clear message instead of overwriting their change."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peelian.accounts.roles import INVESTIGATOR
from peelian.agency.models import Officer
from peelian.oversight.models import (
    Allegation,
    AllegationCategory,
    Complaint,
    Discipline,
    Finding,
)


class CaseFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *Complaint.Status.choices],
    )
    overdue = forms.BooleanField(label=_("Only overdue cases"), required=False)
    mine = forms.BooleanField(label=_("Only cases assigned to me"), required=False)


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            # Case records, not the user's own details: no browser autofill.
            if isinstance(field.widget, (forms.TextInput, forms.Textarea, forms.DateInput)):
                field.widget.attrs.setdefault("autocomplete", "off")


def investigator_choices() -> Any:
    return (
        get_user_model()
        .objects.filter(groups__name=INVESTIGATOR, is_active=True)
        .order_by("username")
        .distinct()
    )


class InvestigatorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        full = obj.get_full_name() if hasattr(obj, "get_full_name") else ""
        return f"{full} ({obj.get_username()})" if full else str(obj.get_username())


class TriageForm(VersionedForm):
    category = forms.ModelChoiceField(
        label=_("Main category"), queryset=AllegationCategory.objects.filter(active=True)
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=Complaint.Priority.choices)
    handler = forms.ChoiceField(label=_("Handled by"), choices=Complaint.Handler.choices)


class AssignForm(VersionedForm):
    investigator = InvestigatorChoiceField(label=_("Investigator"), queryset=None)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["investigator"].queryset = investigator_choices()  # type: ignore[attr-defined]


class ConflictForm(VersionedForm):
    has_conflict = forms.TypedChoiceField(
        label=_("Do you have a conflict of interest in this case?"),
        choices=[("no", _("No conflict")), ("yes", _("Yes, I have a conflict"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    statement = forms.CharField(
        label=_("What is the conflict?"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you declare a conflict."),
    )


class AllegationForm(VersionedForm):
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=AllegationCategory.objects.filter(active=True)
    )
    officer = forms.ModelChoiceField(
        label=_("Officer"),
        queryset=Officer.objects.order_by("last_name", "first_name"),
        required=False,
        empty_label=_("Not yet identified"),
    )
    summary = forms.CharField(label=_("Summary"), max_length=500, required=False)


class EvidenceForm(VersionedForm):
    kind = forms.CharField(label=_("Kind"), max_length=40, help_text=_("Video, photo, record…"))
    description = forms.CharField(label=_("Description"), max_length=500)
    reference = forms.CharField(label=_("Reference"), max_length=200, required=False)
    collected_on = forms.DateField(
        label=_("Collected on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class InterviewForm(VersionedForm):
    ROLES = [
        ("complainant", _("Complainant")),
        ("witness", _("Witness")),
        ("officer", _("Officer")),
    ]
    subject = forms.CharField(label=_("Who was interviewed"), max_length=200)
    role = forms.ChoiceField(label=_("Role"), choices=ROLES)
    held_on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 4}))


class NoteForm(VersionedForm):
    text = forms.CharField(
        label=_("Note"), max_length=10000, widget=forms.Textarea(attrs={"rows": 3})
    )


class FindingForm(VersionedForm):
    allegation = forms.ModelChoiceField(label=_("Allegation"), queryset=Allegation.objects.none())
    finding = forms.ChoiceField(label=_("Finding"), choices=Finding.choices)
    reason = forms.CharField(
        label=_("Reason for the finding"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, complaint: Complaint, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["allegation"]
        field.queryset = Allegation.objects.filter(complaint=complaint).select_related(  # type: ignore[attr-defined]
            "category", "officer"
        )
        field.label_from_instance = lambda a: (  # type: ignore[attr-defined]
            f"#{a.pk} {a.category.name}" + (f" — {a.officer.last_name}" if a.officer_id else "")
        )


class ConfirmForm(VersionedForm):
    """A step with nothing to fill in (start, issue findings, close)."""


class CommendationCloseForm(VersionedForm):
    note = forms.CharField(
        label=_("What was done with the commendation"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DecisionForm(VersionedForm):
    """One final finding, discipline and suspension length per allegation."""

    def __init__(self, *args: Any, complaint: Complaint, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.allegations = list(
            Allegation.objects.filter(complaint=complaint).select_related("category", "officer")
        )
        for a in self.allegations:
            title = f"#{a.pk} {a.category.name}"
            self.fields[f"final_finding_{a.pk}"] = forms.ChoiceField(
                label=_("Final finding — %(a)s") % {"a": title},
                choices=Finding.choices,
                initial=a.finding,
            )
            self.fields[f"discipline_{a.pk}"] = forms.ChoiceField(
                label=_("Discipline — %(a)s") % {"a": title},
                choices=Discipline.choices,
                initial=Discipline.NONE,
            )
            self.fields[f"suspension_days_{a.pk}"] = forms.IntegerField(
                label=_("Days of suspension — %(a)s") % {"a": title},
                required=False,
                min_value=1,
                max_value=365,
            )

    def decisions(self) -> dict[int, Any]:
        from peelian.oversight.services.workflow import Decision

        data = self.cleaned_data
        return {
            a.pk: Decision(
                final_finding=data[f"final_finding_{a.pk}"],
                discipline=data[f"discipline_{a.pk}"],
                suspension_days=data.get(f"suspension_days_{a.pk}"),
            )
            for a in self.allegations
        }
