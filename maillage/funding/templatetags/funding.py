from django import template

from maillage.funding.lines import label
from maillage.funding.money import euros as format_euros
from maillage.funding.money import number

register = template.Library()


@register.filter
def euros(amount):
    return format_euros(amount)


@register.filter
def decimal_fr(amount):
    return number(amount)


@register.filter
def line_label(code):
    return label(code)
