from django.contrib import admin

from egov.core.models import AuditEntry, CalendarException


@admin.register(CalendarException)
class CalendarExceptionAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "agency", "note"]
    list_filter = ["kind", "agency"]
    date_hierarchy = "date"


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_label", "action", "object_repr", "agency", "ip"]
    list_filter = ["action"]
    search_fields = ["object_repr", "actor_label", "object_id"]

    # The trail is append-only: no one edits or deletes entries from the admin.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
