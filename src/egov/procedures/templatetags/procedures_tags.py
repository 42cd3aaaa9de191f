from django import template

register = template.Library()


@register.filter
def vnd(value) -> str:
    """Whole đồng with Vietnamese thousands dots: 1200000 -> "1.200.000"."""
    try:
        return f"{int(value):,}".replace(",", ".")
    except (TypeError, ValueError):
        return ""
