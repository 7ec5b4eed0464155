"""French wording in templates (a builtin library, no {% load %} needed).

- ``{{ n }} demande{{ n|pluriel }}``: « s » from 2 on (Django's ``pluralize`` says « 0 demandes »);
  ``{{ n|pluriel:"x" }}`` for « créneaux ».
- ``{{ n|plural:"commune" }}`` → « 2 communes »; ``{{ n|plural:"créneau,créneaux" }}``.
- ``en tant {{ role.label|elision:"que" }}{{ role.label }}`` → « en tant qu'administrateur »."""

from django import template

from maillage.core import french

register = template.Library()


def _number(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        try:
            return len(value)
        except TypeError:
            return 0


@register.filter
def pluriel(value, suffix: str = "s") -> str:
    return "" if abs(_number(value)) <= 1 else suffix


@register.filter
def plural(value, words: str) -> str:
    singular, _, plural_form = words.partition(",")
    return french.plural(_number(value), singular, plural_form or None)


@register.filter
def elision(word, short: str) -> str:
    return french.elision(str(word or ""), short)
