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


# Words starting with a mute h take the elision (« l'hôpital », « d'habitants »); an aspirated h
# does not (« le handicap », « la halte »). The aspirated ones Maillage writes are listed here.
_ASPIRATED_H = ("handicap", "halte", "hameau", "hangar", "haut", "hauteur", "hasard", "héros", "honte", "hors")
_ELIDED = {"que": "qu'", "de": "d'", "le": "l'", "la": "l'", "je": "j'", "ne": "n'", "se": "s'", "lorsque": "lorsqu'"}


def starts_with_vowel_sound(word: str) -> bool:
    word = (word or "").strip().lower()
    if not word:
        return False
    if word[0] == "h":
        return not word.startswith(_ASPIRATED_H)
    return word[0] in "aeiouyàâäéèêëîïôöùûüœæ"


def elision(word: str, short: str) -> str:
    """The short word as written before `word`: « qu' » before « administrateur », « que » (with its
    space) before « coordinateur ». Join it directly: f"en tant {elision(w, 'que')}{w}"."""
    if short in _ELIDED and starts_with_vowel_sound(word):
        return _ELIDED[short]
    return short + " "


def elide(short: str, word: str) -> str:
    """« qu'administrateur », « que coordinateur », « d'habitants », « de médecins »."""
    return f"{elision(word, short)}{word}"


def day(value) -> str:
    """A date as French readers write it: 05/03/2026."""
    return value.strftime("%d/%m/%Y")
