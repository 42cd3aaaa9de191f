"""Django admin for the catalogue: a fallback for system administrators. Edits here bypass the
services' checks (step shares, audit), so day-to-day changes go through the staff pages or Excel."""

from django import forms
from django.contrib import admin

from egov.core import scanning
from egov.core.errors import DomainError
from egov.procedures.models import (
    AgencyProcedure,
    Fee,
    Field,
    Procedure,
    Process,
    ProcessStep,
    RequiredPaper,
)


class PaperForm(forms.ModelForm):
    class Meta:
        model = RequiredPaper
        fields = "__all__"

    def clean_form_template(self):
        """A blank form uploaded here is scanned like every other upload (egov.core.scanning)."""
        upload = self.cleaned_data.get("form_template")
        if upload and hasattr(upload, "content_type"):  # a new upload, not the stored file
            try:
                scanning.ensure_clean(upload.read(), name=upload.name)
            except DomainError as exc:
                raise forms.ValidationError(exc.message) from exc
            finally:
                upload.seek(0)
        return upload


class PaperInline(admin.TabularInline):
    model = RequiredPaper
    form = PaperForm
    extra = 0


class FeeInline(admin.TabularInline):
    model = Fee
    extra = 0


class StepInline(admin.TabularInline):
    model = ProcessStep
    extra = 0


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "field", "resolution_time", "time_unit", "online_service", "is_active")
    list_filter = ("field", "online_service", "is_active")
    search_fields = ("code", "name", "name_folded")
    inlines = [PaperInline, FeeInline]


@admin.register(Process)
class ProcessAdmin(admin.ModelAdmin):
    list_display = ("procedure", "agency", "name")
    search_fields = ("procedure__code", "agency__code")
    inlines = [StepInline]


@admin.register(AgencyProcedure)
class AgencyProcedureAdmin(admin.ModelAdmin):
    list_display = ("agency", "procedure", "is_active")
    list_filter = ("is_active",)
    search_fields = ("procedure__code", "agency__code", "agency__name")
