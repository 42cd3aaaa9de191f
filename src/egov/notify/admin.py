from django.contrib import admin

from egov.notify.models import SmsMessage


@admin.register(SmsMessage)
class SmsMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "direction", "phone", "status", "agency", "text"]
    list_filter = ["direction", "status"]
    search_fields = ["phone", "text"]
