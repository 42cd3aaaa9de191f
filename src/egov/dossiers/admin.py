from django.contrib import admin

from egov.dossiers.models import Dossier, DossierStep


class StepInline(admin.TabularInline):
    model = DossierStep
    extra = 0
    fields = ["seq", "name", "agency", "role", "started_at", "due_at", "finished_at", "action"]
    readonly_fields = fields
    can_delete = False


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    """Read-only: dossiers change only through the services (audit, locks, clock)."""

    list_display = ["code", "procedure", "agency", "status", "received_at", "due_at", "outcome"]
    list_filter = ["status", "channel", "outcome"]
    search_fields = ["code", "search_folded"]
    inlines = [StepInline]
    list_select_related = ["procedure", "agency"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
