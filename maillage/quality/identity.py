"""What a text of the quality mission may not hold: a patient's identity. Cases discussed in a group,
an adverse event's description, an analysis are about practice, never about who the patient is; the
forms say so, and the actions refuse the obvious identifiers — a social security number (NIR: 13 or
15 digits, spaces allowed) and a date of birth written as such. Names cannot be told from other
words: the warning of the form is what guards them."""

import re

_LONG_NUMBER = re.compile(r"(?<!\d)\d(?:[ .\-]?\d){12,}(?!\d)")
_BIRTH = re.compile(
    r"(?:\bn[ée]e?(?:\(e\))?\s*(?:le|en)?|\bdate\s+de\s+naissance|\bddn)\s*:?\s*"
    r"(?:\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{2,4}|\d{1,2}\s+\w+\s+\d{4}|(?:19|20)\d\d)",
    re.IGNORECASE,
)
WARNING = (
    "Aucune identité de patient : ni nom, ni date de naissance, ni numéro de sécurité sociale. "
    "Décrivez la situation (« une patiente de 80 ans sortie d'hospitalisation »)."
)


def problems(text: str, what: str) -> list[str]:
    """French reasons `text` (the field `what`, « Les cas discutés ») is refused; empty if none."""
    text = text or ""
    found = []
    if _LONG_NUMBER.search(text):
        found.append(
            f"{what} contiennent un numéro qui ressemble à un numéro de sécurité sociale (NIR) : retirez-le, "
            "aucune identité de patient ici."
        )
    if _BIRTH.search(text):
        found.append(f"{what} contiennent une date de naissance : retirez-la, aucune identité de patient ici.")
    return found
