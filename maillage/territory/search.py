from django.db.models import Q, TextField
from django.db.models.functions import Cast

from maillage.core.text import normalize
from maillage.territory.models import Commune

# The longest commune name has 45 characters; past this, nothing can match, and on SQLite a LIKE
# pattern of more than 50,000 bytes is an error (« LIKE or GLOB pattern too complex »).
MAX_QUERY = 100


def search_units(query: str, *, limit: int = 20, departement: str | None = None):
    """Communes by name (accent- and case-insensitive prefix of any word), INSEE code or postal
    code; the most populated first, which is what a coordinator typing « saint » expects."""
    text = (query or "").strip()
    units = Commune.objects.units().select_related("departement")
    if departement:
        units = units.filter(departement_id=departement)
    if not text or len(text) > MAX_QUERY:
        return units.none()
    if text.isdigit() or (len(text) == 5 and text[:2].upper() in ("2A", "2B")):
        # The JSON list as text ('["92240", "92245"]') on both SQLite and PostgreSQL.
        by_code = units.annotate(postal_text=Cast("postal_codes", output_field=TextField())).filter(
            Q(code__startswith=text.upper()) | Q(postal_text__contains=f'"{text}')
        )
        return by_code.order_by("-population", "code")[:limit]
    term = normalize(text)
    if not term:
        return units.none()
    by_name = units.filter(Q(search_name__startswith=term) | Q(search_name__contains=f" {term}"))
    return by_name.order_by("-population", "name")[:limit]
