"""French wording that depends on a number: « 1 demande », « 0 demande », « 2 demandes ».

In French, 0 and 1 take the singular. Numbers are grouped by thousands with a narrow no-break space
(« 12 345 »). Never « demande(s) »: say the number and agree the words with it."""

NARROW_NBSP = "\u202f"


def grouped(n: int) -> str:
    return f"{n:,}".replace(",", NARROW_NBSP)


def plural(n: int, singular: str, plural: str | None = None) -> str:
    """« 3 demandes » from (3, "demande"); an irregular plural is given (« créneau », « créneaux »)."""
    return f"{grouped(n)} {singular if abs(n) <= 1 else (plural or singular + 's')}"


def agree(n: int, singular: str, plural: str | None = None) -> str:
    """The word alone, agreed with `n`: « ont » / « a », « restent » / « reste »."""
    return singular if abs(n) <= 1 else (plural or singular + "s")
