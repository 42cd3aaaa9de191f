from django import template

from egov.core.audit_labels import action_label

register = template.Library()


@register.filter(name="action_label")
def action_label_filter(action: str) -> str:
    return action_label(action)
