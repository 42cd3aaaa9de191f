from django.contrib import admin

from egov.signing.models import SignatureRecord, SigningCertificate, TrustedRoot


@admin.register(SigningCertificate)
class SigningCertificateAdmin(admin.ModelAdmin):
    # the sealed key material is never shown or edited here
    list_display = ["subject_cn", "issuer_cn", "official", "agency", "kind", "not_after", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["subject_cn", "serial", "fingerprint"]
    fields = ["official", "agency", "kind", "subject_cn", "issuer_cn", "serial", "not_before", "not_after",
              "fingerprint", "provider_ref", "is_active", "deactivated_at"]
    readonly_fields = ["official", "agency", "kind", "subject_cn", "issuer_cn", "serial", "not_before",
                       "not_after", "fingerprint", "deactivated_at"]

    def has_add_permission(self, request):
        return False  # registration validates the file: use the staff pages


@admin.register(TrustedRoot)
class TrustedRootAdmin(admin.ModelAdmin):
    list_display = ["name", "subject_cn", "not_after", "added_at"]
    fields = ["name", "subject_cn", "fingerprint", "not_after"]
    readonly_fields = ["subject_cn", "fingerprint", "not_after"]

    def has_add_permission(self, request):
        return False


@admin.register(SignatureRecord)
class SignatureRecordAdmin(admin.ModelAdmin):
    list_display = ["signed_at", "signer", "agency", "role", "level", "object_type", "object_id"]
    list_filter = ["role", "level"]

    def has_change_permission(self, request, obj=None):
        return False
