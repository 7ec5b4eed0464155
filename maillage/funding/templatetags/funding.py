from django import template

from maillage.funding.lines import label
from maillage.funding.money import euros as format_euros

register = template.Library()


@register.filter
def euros(amount):
    return format_euros(amount)


@register.filter
def line_label(code):
    return label(code)
