from django import template

from maillage.projet.formatting import number

register = template.Library()


@register.filter
def nombre(value) -> str:
    """« 12 345 », « 12,5 », « — » for a missing value: the same figures as in the exports."""
    return number(value)
