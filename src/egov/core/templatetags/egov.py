from django import template

from egov.core.audit_labels import action_label
from egov.core.uploads import kind_name

register = template.Library()


@register.filter(name="action_label")
def action_label_filter(action: str) -> str:
    return action_label(action)


@register.filter(name="file_kind")
def file_kind_filter(content_type: str) -> str:
    """`{{ f.content_type|file_kind }}`: "PDF", "Ảnh PNG" for people, never a MIME type."""
    return kind_name(content_type)
