"""Forms of the review board's pages. They check the shape of input only; the rules (a
majority, reasons when the agency does not concur) live in ``services/board.py``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peelian.core.errors import ApplicationError
from peelian.oversight.models import BoardVote, Discipline, Finding
from peelian.oversight.services.board import TEXT_LIMIT

FINDING_CHOICES = [("", _("Choose a finding")), *Finding.choices]
DISCIPLINE_CHOICES = [("", _("No recommendation")), *Discipline.choices]


class BoardVoteForm(forms.Form):
    """One member's vote on one allegation; the page shows one per allegation, each with
    its own prefix (``a<id>``)."""

    vote = forms.ChoiceField(
        label=_("Your vote"), choices=BoardVote.Vote.choices, widget=forms.RadioSelect
    )
    recommended_finding = forms.ChoiceField(
        label=_("If you disagree: the finding you would make"),
        choices=FINDING_CHOICES,
        required=False,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        max_length=TEXT_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
    )


class RecommendationForm(forms.Form):
    """The board's recommendation on every allegation: three fields per allegation,
    named ``finding_<id>``, ``discipline_<id>`` and ``rationale_<id>``."""

    def __init__(self, *args: Any, allegations: Iterable[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.allegation_ids: list[int] = []
        for a in allegations:
            self.allegation_ids.append(a.id)
            self.fields[f"finding_{a.id}"] = forms.ChoiceField(
                label=_("Allegation %(n)d: recommended finding") % {"n": a.number},
                choices=FINDING_CHOICES,
                initial=a.tally.majority or "",
                help_text=_("The majority of the board's votes."),
            )
            self.fields[f"discipline_{a.id}"] = forms.ChoiceField(
                label=_("Allegation %(n)d: recommended discipline") % {"n": a.number},
                choices=DISCIPLINE_CHOICES,
                required=False,
                help_text=_("Only with a sustained finding."),
            )
            self.fields[f"rationale_{a.id}"] = forms.CharField(
                label=_("Allegation %(n)d: the board's rationale") % {"n": a.number},
                max_length=TEXT_LIMIT,
                required=False,
                widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off"}),
                help_text=_("Required when the board differs from the investigation."),
            )

    def groups(self) -> list[tuple[int, list[forms.BoundField]]]:
        return [
            (aid, [self[f"finding_{aid}"], self[f"discipline_{aid}"], self[f"rationale_{aid}"]])
            for aid in self.allegation_ids
        ]

    def recommendations(self) -> dict[int, tuple[str, str, str]]:
        data = self.cleaned_data
        return {
            aid: (data[f"finding_{aid}"], data[f"discipline_{aid}"], data[f"rationale_{aid}"])
            for aid in self.allegation_ids
        }


class ResponseForm(forms.Form):
    """The agency's answer to each recommendation: ``concurs_<id>`` and ``reasons_<id>``."""

    def __init__(self, *args: Any, recommendations: Iterable[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.allegation_ids: list[int] = []
        for number, rec in enumerate(recommendations, start=1):
            aid = rec.allegation_id
            self.allegation_ids.append(aid)
            self.fields[f"concurs_{aid}"] = forms.TypedChoiceField(
                label=_("Recommendation %(n)d: does the agency concur?") % {"n": number},
                choices=[("yes", _("Yes, the agency concurs")), ("no", _("No"))],
                coerce=lambda v: v == "yes",
                widget=forms.RadioSelect,
            )
            self.fields[f"reasons_{aid}"] = forms.CharField(
                label=_("Recommendation %(n)d: the agency's reasons") % {"n": number},
                max_length=TEXT_LIMIT,
                required=False,
                widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off"}),
                help_text=_("Required when the agency does not concur."),
            )

    def answers(self) -> dict[int, tuple[bool, str]]:
        data = self.cleaned_data
        return {
            aid: (data[f"concurs_{aid}"], data[f"reasons_{aid}"]) for aid in self.allegation_ids
        }


def add_service_error(form: forms.Form, exc: ApplicationError, names: dict[str, str]) -> None:
    """Show a service's refusal on the form. ``names`` maps the service's field names
    (``"<id>.finding"``) to the form's (``"finding_<id>"``)."""
    placed = False
    for key, messages in exc.fields.items():
        name = names.get(key, key)
        if name in form.fields:
            for message in messages:
                form.add_error(name, message)
            placed = True
    if not placed:
        form.add_error(None, str(exc.message))


def service_field_names(ids: Iterable[int], parts: Iterable[str]) -> dict[str, str]:
    parts = list(parts)
    return {f"{aid}.{part}": f"{part}_{aid}" for aid in ids for part in parts}
