"""The bounds of what a request may ask: ids, years, amounts, numbers of rows.

Anything read from a request is checked against a maximum *before* it is used, so that a single
small request cannot make the server build thousands of rows or parse a number with a million
digits, and an impossible value is a French 400 rather than an error deep in the database
(SQLite overflows past 2^63, PostgreSQL raises DataError past its column's range, `date` refuses the
year 0). Above a bound: `BadInput`, which Django answers with the 400 page
(`maillage.www.errors.bad_request`) and the API with its JSON error.
"""

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import BadRequest, ValidationError
from django.core.validators import MaxValueValidator
from django.db import models

from maillage.core.french import grouped

MIN_YEAR, MAX_YEAR = 2000, 2100  # CPTS exist since 2016; reports may look a little ahead
MAX_ID = 2**63 - 1  # the largest BigAutoField key (and SQLite INTEGER)
MAX_NUMBER_TEXT = 40  # characters of a typed number, spaces and separators included


class BadInput(BadRequest):
    """A request value out of its bounds; the message is French and shown to the user."""


def pk(value, what: str = "identifiant") -> int:
    """A primary key as typed in a form or a URL: digits, at most `MAX_ID`; `BadInput` otherwise."""
    text = str(value if value is not None else "").strip()
    if not is_pk(text):
        raise BadInput(f"Requête invalide : {what} « {text[:40]} » inconnu ou illisible.")
    return int(text)


def is_pk(text: str) -> bool:
    """Whether `text` can be a primary key at all (digits, within `MAX_ID`)."""
    return text.isascii() and text.isdigit() and len(text) <= 19 and 0 < int(text) <= MAX_ID


def decimal(text: str, *, max_digits: int, decimal_places: int) -> Decimal:
    """A number typed the French way ("12 345,50" or "12345.5") that fits a DecimalField of
    `max_digits`/`decimal_places`; ValueError with a French message otherwise (« … » n'est pas
    un nombre : the caller says which number). The length is checked before any parsing:
    "1e999999" or forty nines never reach the arithmetic."""
    shown = text.strip()[:MAX_NUMBER_TEXT]
    if len(text) > MAX_NUMBER_TEXT:
        raise ValueError(f"« {shown}… » est trop long pour être un nombre.")
    cleaned = "".join(text.replace("€", "").replace("%", "").split()).replace(",", ".")
    if "e" in cleaned.lower() or not cleaned:
        # Exponents are how giant numbers hide in a few characters; nobody types one for euros.
        raise ValueError(f"« {shown} » n'est pas un nombre.")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"« {shown} » n'est pas un nombre.") from None
    if not value.is_finite():
        raise ValueError(f"« {shown} » n'est pas un nombre.")
    limit = Decimal(10) ** (max_digits - decimal_places)
    if abs(value) >= limit:
        biggest = grouped(int(limit - 1))
        raise ValueError(f"« {shown} » est trop grand : au plus {biggest} en valeur absolue.")
    return value


MAX_TEXT = 10_000  # characters of a free text (a note, a paragraph of the projet de santé)
FIRST_DATE_YEAR = 1900  # dates typed in forms: birth dates too, hence earlier than MIN_YEAR


def plausible_date(value) -> None:
    """A form date between 1900 and MAX_YEAR: `date` itself accepts 0001 to 9999, and 9999-12-31
    plus a day, or 0001-01-01 in UTC, overflows."""
    if value is not None and not FIRST_DATE_YEAR <= value.year <= MAX_YEAR:
        raise ValidationError(f"Date hors des limites : entre {FIRST_DATE_YEAR} et {MAX_YEAR}.", code="out_of_range")


def formfield(db_field, **kwargs):
    """`Meta.formfield_callback` of the ModelForms: a text without a length gets MAX_TEXT, an
    integer the maximum its column allows, a date the plausible range."""
    if isinstance(db_field, models.TextField) and not db_field.max_length:
        kwargs.setdefault("max_length", MAX_TEXT)
    if isinstance(db_field, models.IntegerField) and not db_field.choices:
        limits = [v.limit_value for v in db_field.validators if isinstance(v, MaxValueValidator)]
        if limits:
            kwargs.setdefault("max_value", min(limits))
    field = db_field.formfield(**kwargs)
    if isinstance(field, forms.DateField):
        field.validators.append(plausible_date)
    return field


NUL = "\x00"
OWN_FORMAT_PREFIXES = ("/api/", "/fhir/")  # they answer bad input in their own format
NUL_REFUSED = "Requête invalide : une valeur envoyée contient un caractère nul."


def has_nul(params) -> bool:
    """Whether a QueryDict (`request.GET`, `request.POST`) holds a NUL character, in a name or a value."""
    return any(NUL in name or any(NUL in value for value in values) for name, values in params.lists())


class RefuseNulCharacters:
    """A NUL character in the query string or a posted form is refused before any view reads it:
    PostgreSQL cannot store one in a text, so the first query that compares a column with such a
    value raised DataError (a 500), and no one types one. Django's form fields refuse it in what
    they clean (ProhibitNullCharactersValidator); views also read `request.GET` and `request.POST`
    directly (a search's `q`, the territory's `code`), and this covers them all, those to come
    included. The form is parsed here rather than in the view: the CSRF check parses it anyway, and
    no view reads the raw body. Files are not looked at. FHIR makes the same check and answers an
    OperationOutcome; the API answers PostgreSQL's DataError with its JSON 400."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(OWN_FORMAT_PREFIXES) and (
            has_nul(request.GET) or (request.method == "POST" and has_nul(request.POST))
        ):
            raise BadInput(NUL_REFUSED)
        return self.get_response(request)
