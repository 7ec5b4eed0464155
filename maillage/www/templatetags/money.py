"""`{{ cents|euros }}`: an amount stored in cents, shown the French way (« 1 234,50 € »)."""

from django import template

from maillage.association import money

register = template.Library()


@register.filter
def euros(cents) -> str:
    return money.euros(cents)
