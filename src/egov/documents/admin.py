from django.contrib import admin

from egov.documents.models import Document, DocumentType


@admin.register(DocumentType)
class DocumentTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "abbreviation", "code", "symbol_has_year", "is_active", "position"]
    list_editable = ["is_active", "position"]
    search_fields = ["name", "code"]


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    """Read-only: documents change only through the services (numbering, audit, search index)."""

    list_display = ["number_symbol", "direction", "status", "agency", "doc_type", "issued_on", "register_number"]
    list_filter = ["direction", "status", "doc_type"]
    search_fields = ["number_symbol", "summary"]
    raw_id_fields = ["agency", "issuer_agency", "source", "signer", "approved_by", "created_by", "drafting_department"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
