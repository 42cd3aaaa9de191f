"""Django admin for the catalogue: a fallback for system administrators. Edits here bypass the
services' checks (step shares, audit), so day-to-day changes go through the staff pages or Excel."""

from django.contrib import admin

from egov.procedures.models import (
    AgencyProcedure,
    Fee,
    Field,
    Procedure,
    Process,
    ProcessStep,
    RequiredPaper,
)


class PaperInline(admin.TabularInline):
    model = RequiredPaper
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
