from django.contrib import admin, messages

from egov.api.models import ApiKey
from egov.api.services import create_api_key


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "agency", "prefix", "scopes", "is_active", "last_used_at"]
    list_filter = ["is_active"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "created_by"]
    fields = ["name", "agency", "scopes", "is_active", "prefix", "created_at", "created_by", "last_used_at"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        key, raw = create_api_key(actor=request.user, name=obj.name, agency=obj.agency, scopes=obj.scopes)
        obj.pk = key.pk
        messages.warning(request, f"Khóa API (chỉ hiển thị một lần): {raw}")
