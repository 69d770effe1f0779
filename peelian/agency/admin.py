"""The agency structure in the Django admin. Every write goes through a service (policy,
validation, audit entry); the admin collects input and shows results. Nothing is deleted
here: districts, beats, units and officers are referred to by history and by other apps.
"""

from __future__ import annotations

import io
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from peelian.agency import services
from peelian.agency.geo import BoundaryError, validate_boundary
from peelian.agency.models import (
    Agency,
    Assignment,
    Beat,
    District,
    Officer,
    StreetSegment,
    Unit,
)
from peelian.agency.permissions import policy
from peelian.core.admin import ServiceModelAdmin
from peelian.core.errors import ApplicationError


class BoundaryFormMixin:
    def clean_boundary(self) -> Any:
        value = self.cleaned_data.get("boundary")  # type: ignore[attr-defined]
        try:
            return validate_boundary(value)
        except BoundaryError as exc:
            raise forms.ValidationError(str(exc.message), code=exc.code) from exc


class ServiceAdmin(ServiceModelAdmin):
    """Agency structure pages: writes through services; access by the agency policy."""

    policy_action = "structure.manage"

    def has_module_permission(self, request: HttpRequest) -> bool:
        return policy.can(request.user, self.policy_action)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.can(request.user, self.policy_action)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return policy.can(request.user, self.policy_action)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.can(request.user, self.policy_action)


# --- agency, districts, beats, units --------------------------------------------------------


@admin.register(Agency)
class AgencyAdmin(ServiceAdmin):
    list_display = ["name", "city", "state", "slug"]
    fields = ["name", "slug", "city", "state", "timezone", "center_lat", "center_lng", "website"]
    prepopulated_fields = {"slug": ["name"]}

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Any:
        return services.agency_create(actor=request.user, **data)

    def update(self, request: HttpRequest, obj: Any, data: dict[str, Any], form: Any) -> Any:
        return services.agency_update(actor=request.user, agency=obj, data=data)


class DistrictForm(BoundaryFormMixin, forms.ModelForm):
    class Meta:
        model = District
        fields = ["agency", "code", "name", "boundary"]


@admin.register(District)
class DistrictAdmin(ServiceAdmin):
    form = DistrictForm
    list_display = ["code", "name", "agency"]
    list_filter = ["agency"]
    search_fields = ["code", "name"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["agency"] if obj is not None else []

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Any:
        return services.district_create(actor=request.user, **data)

    def update(self, request: HttpRequest, obj: Any, data: dict[str, Any], form: Any) -> Any:
        return services.district_update(actor=request.user, district=obj, data=data)


class BeatForm(BoundaryFormMixin, forms.ModelForm):
    class Meta:
        model = Beat
        fields = [
            "district",
            "code",
            "name",
            "boundary",
            "population",
            "population_by_race",
            "median_household_income",
            "spanish_speaking_share",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "population" in data and "population_by_race" in data:
            try:
                data["population_by_race"] = services.check_population(
                    data["population"],
                    data["population_by_race"],
                    data.get("spanish_speaking_share"),
                )
            except ApplicationError as exc:
                for field, errors in exc.fields.items():
                    self.add_error(field if field in self.fields else None, errors)
        return data


@admin.register(Beat)
class BeatAdmin(ServiceAdmin):
    form = BeatForm
    list_display = ["code", "name", "district", "population", "median_household_income"]
    list_filter = ["district"]
    search_fields = ["code", "name"]
    list_select_related = ["district"]

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Any:
        return services.beat_create(actor=request.user, **data)

    def update(self, request: HttpRequest, obj: Any, data: dict[str, Any], form: Any) -> Any:
        return services.beat_update(actor=request.user, beat=obj, data=data)


@admin.register(Unit)
class UnitAdmin(ServiceAdmin):
    list_display = ["code", "name", "kind", "district", "agency"]
    list_filter = ["kind", "agency"]
    search_fields = ["code", "name"]
    fields = ["agency", "code", "name", "kind", "district"]
    list_select_related = ["district", "agency"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["agency"] if obj is not None else []

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Any:
        return services.unit_create(actor=request.user, **data)

    def update(self, request: HttpRequest, obj: Any, data: dict[str, Any], form: Any) -> Any:
        return services.unit_update(actor=request.user, unit=obj, data=data)


# --- officers -------------------------------------------------------------------------------


class AssignmentInline(admin.TabularInline):
    model = Assignment
    fields = ["start_date", "end_date", "unit", "rank", "beat"]
    readonly_fields = fields
    ordering = ["-start_date"]
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class OfficerAddForm(forms.ModelForm):
    status = forms.ChoiceField(
        label=_("status"),
        choices=[
            (Officer.Status.ACTIVE, Officer.Status.ACTIVE.label),
            (Officer.Status.LEAVE, Officer.Status.LEAVE.label),
        ],
    )

    class Meta:
        model = Officer
        fields = [
            "agency",
            "badge",
            "first_name",
            "last_name",
            "rank",
            "unit",
            "hire_date",
            "status",
            "sex",
            "race",
            "birth_year",
            "user",
        ]


class OfficerChangeForm(forms.ModelForm):
    assign_unit = forms.ModelChoiceField(
        label=_("new unit"), queryset=Unit.objects.all(), required=False
    )
    assign_rank = forms.ChoiceField(
        label=_("new rank"),
        choices=[("", _("unchanged")), *Officer.Rank.choices],
        required=False,
    )
    assign_beat = forms.ModelChoiceField(
        label=_("beat"), queryset=Beat.objects.select_related("district"), required=False
    )
    assign_start = forms.DateField(label=_("from"), required=False)
    separate_on = forms.DateField(
        label=_("separated on"),
        required=False,
        help_text=_("Records that the officer left the agency; their assignment ends that day."),
    )

    class Meta:
        model = Officer
        fields = [
            "badge",
            "first_name",
            "last_name",
            "hire_date",
            "status",
            "sex",
            "race",
            "birth_year",
            "user",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        moving = data.get("assign_unit") or data.get("assign_rank") or data.get("assign_beat")
        if moving and not data.get("assign_start"):
            self.add_error("assign_start", gettext("Give the date the new assignment starts."))
        if (data.get("assign_rank") or data.get("assign_beat")) and not data.get("assign_unit"):
            self.add_error("assign_unit", gettext("Choose the unit of the new assignment."))
        if moving and data.get("separate_on"):
            self.add_error("separate_on", gettext("Assign or separate, not both at once."))
        return data


@admin.register(Officer)
class OfficerAdmin(ServiceAdmin):
    policy_action = "officer.manage"
    inlines = [AssignmentInline]
    list_display = ["last_name", "first_name", "badge", "rank", "unit", "status"]
    list_filter = ["status", "rank", "unit"]
    search_fields = ["last_name", "first_name", "badge"]
    list_select_related = ["unit"]
    raw_id_fields = ["user"]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        kwargs["form"] = OfficerChangeForm if obj is not None else OfficerAddForm
        kwargs["fields"] = None
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return [(None, {"fields": OfficerAddForm.Meta.fields})]
        return [
            (None, {"fields": ["agency", "public_id", "rank", "unit", "separation_date"]}),
            (_("Record"), {"fields": OfficerChangeForm.Meta.fields}),
            (
                _("New assignment"),
                {"fields": ["assign_unit", "assign_rank", "assign_beat", "assign_start"]},
            ),
            (_("Separation"), {"fields": ["separate_on"]}),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return []
        return ["agency", "public_id", "rank", "unit", "separation_date"]

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Any:
        return services.officer_create(actor=request.user, **data)

    def update(self, request: HttpRequest, obj: Any, data: dict[str, Any], form: Any) -> Any:
        user_changed = "user" in data
        new_user = data.pop("user", None)
        officer = obj
        if data:
            officer = services.officer_update(actor=request.user, officer=officer, data=data)
        if user_changed:
            officer = services.officer_link_user(actor=request.user, officer=officer, user=new_user)
        extra = form.cleaned_data
        if extra.get("assign_unit"):
            services.officer_assign(
                actor=request.user,
                officer=officer,
                unit=extra["assign_unit"],
                rank=extra.get("assign_rank") or None,
                beat=extra.get("assign_beat"),
                start_date=extra["assign_start"],
            )
        if extra.get("separate_on"):
            services.officer_separate(
                actor=request.user, officer=officer, separation_date=extra["separate_on"]
            )
        officer.refresh_from_db()
        return officer


# --- the street index -----------------------------------------------------------------------


class StreetImportForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("agency"), queryset=Agency.objects.all())
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8 CSV with a header row: street, from_number, to_number, start_lat, "
            "start_lng, end_lat, end_lng."
        ),
    )
    replace = forms.BooleanField(
        label=_("replace the agency's current street index"), required=False
    )


@admin.register(StreetSegment)
class StreetSegmentAdmin(admin.ModelAdmin):
    """Read-only list; segments come in by CSV import (``peelian agency import-streets`` or
    the import page here), all or nothing."""

    list_display = ["street", "from_number", "to_number", "agency"]
    list_filter = ["agency"]
    search_fields = ["street", "street_key"]
    ordering = ["street_key", "from_number"]
    change_list_template = "admin/agency/streetsegment/change_list.html"

    def has_module_permission(self, request: HttpRequest) -> bool:
        return policy.can(request.user, "structure.manage")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.can(request.user, "structure.manage")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[StreetSegment]:
        return super().get_queryset(request).select_related("agency")

    def get_urls(self) -> list[Any]:
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="agency_streetsegment_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not policy.can(request.user, "structure.manage"):
            raise PermissionDenied
        result = None
        if request.method == "POST":
            form = StreetImportForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                lines = io.TextIOWrapper(upload.file, encoding="utf-8-sig", newline="")
                result = services.street_segments_import(
                    actor=request.user,
                    agency=form.cleaned_data["agency"],
                    lines=lines,
                    replace=form.cleaned_data["replace"],
                )
                if result.ok:
                    self.message_user(
                        request,
                        gettext("Imported %(n)d street segments (%(d)d replaced).")
                        % {"n": result.created, "d": result.deleted},
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(reverse("admin:agency_streetsegment_changelist"))
        else:
            form = StreetImportForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Import street address ranges"),
            "form": form,
            "result": result,
        }
        return TemplateResponse(request, "admin/agency/streetsegment/import.html", context)
