"""Validators of French identifiers: RPPS, ADELI, FINESS, NIR, SIREN, SIRET.

Each identifier has an `is_valid_*` predicate for importers (no exception in a hot loop) and a
`validate_*` function raising a `ValidationError` with a French message, usable as a model or form
field validator. Values are taken as given: callers strip spaces themselves, because a space inside
an identifier is a data error worth reporting rather than silently fixing.
"""

from django.core.exceptions import ValidationError

# La Poste runs all its sites under one SIREN; their SIRET fail Luhn and follow their own rule.
LA_POSTE_SIREN = "356000000"


_DOUBLED = str.maketrans("0123456789", "0246813579")  # digit → its double, minus 9 above 9


def luhn_ok(digits: str) -> bool:
    """Luhn check over the whole string, the check digit being the last one.

    Built-ins only, no Python step per digit (importers call it for each of a million people): the
    digits to double are translated to their doubles, then all are summed as bytes, whose codes
    are the digits plus 48.
    """
    if not digits or not digits.isascii() or not digits.isdigit():
        return False
    total = sum((digits[-1::-2] + digits[-2::-2].translate(_DOUBLED)).encode()) - 48 * len(digits)
    return total % 10 == 0


def _digits(value: str, length: int) -> bool:
    return isinstance(value, str) and len(value) == length and value.isascii() and value.isdigit()


def is_valid_rpps(value: str) -> bool:
    """11 digits, Luhn over the 11 (the national id `8` + RPPS is not itself Luhn-valid)."""
    return _digits(value, 11) and luhn_ok(value)


def is_valid_adeli(value: str) -> bool:
    """9 characters. ADELI has no published check digit: only the format is checked. Corsican
    numbers may carry `2A`/`2B` as their département, so letters are allowed there only."""
    if not isinstance(value, str) or len(value) != 9 or not value.isascii():
        return False
    return value.isdigit() or (value[:2] in ("2A", "2B") and value[2:].isdigit())


def is_valid_finess(value: str) -> bool:
    """9 characters, Luhn over the 9.

    Corsican numbers start with `2A`/`2B`, and no public source states how their check digit is
    computed. We try Luhn with the département written `20` but ALSO accept the number when that
    fails: rejecting a real Corsican establishment would be worse than letting a mistyped one in,
    and the national FINESS file is the authority those numbers come from anyway.
    """
    if not isinstance(value, str) or len(value) != 9 or not value.isascii():
        return False
    if value[:2] in ("2A", "2B"):
        return value[2:].isdigit()
    return value.isdigit() and luhn_ok(value)


def nir_key(first13: str) -> int:
    """Key of a NIR: 97 − (number mod 97), Corsica's `2A`/`2B` counted as 19/18."""
    body = first13.upper()
    corsica = {"2A": "19", "2B": "18"}.get(body[5:7])
    if corsica:
        body = body[:5] + corsica + body[7:]
    return 97 - int(body) % 97


def is_valid_nir(value: str) -> bool:
    """15 characters: 13 for the person (sex, year, month, département, commune, order) + 2 key.
    The first digit is 1 or 2, or 3, 4, 7, 8 for temporary and foreign-born registrations."""
    if not isinstance(value, str) or len(value) != 15 or not value.isascii():
        return False
    body, key = value[:13].upper(), value[13:]
    if not key.isdigit() or body[0] not in "123478":
        return False
    if not (body.isdigit() or (body[5:7] in ("2A", "2B") and (body[:5] + body[7:]).isdigit())):
        return False
    return nir_key(body) == int(key)


def is_valid_siren(value: str) -> bool:
    return _digits(value, 9) and luhn_ok(value)


def is_valid_siret(value: str) -> bool:
    if not _digits(value, 14):
        return False
    if luhn_ok(value):
        return True
    return value.startswith(LA_POSTE_SIREN) and sum(int(c) for c in value) % 5 == 0


def _raise(valid: bool, message: str, value: str):
    if not valid:
        raise ValidationError(message, code="invalid", params={"value": value})


def validate_rpps(value: str) -> None:
    _raise(
        is_valid_rpps(value),
        f"« {value} » n'est pas un numéro RPPS valide : 11 chiffres dont une clé de contrôle.",
        value,
    )


def validate_adeli(value: str) -> None:
    _raise(is_valid_adeli(value), f"« {value} » n'est pas un numéro ADELI valide : 9 caractères attendus.", value)


def validate_finess(value: str) -> None:
    _raise(
        is_valid_finess(value),
        f"« {value} » n'est pas un numéro FINESS valide : 9 caractères dont une clé de contrôle.",
        value,
    )


def validate_nir(value: str) -> None:
    _raise(
        is_valid_nir(value),
        "Ce numéro de sécurité sociale n'est pas valide : 15 caractères, la clé ne correspond pas.",
        value,
    )


def validate_siren(value: str) -> None:
    _raise(
        is_valid_siren(value), f"« {value} » n'est pas un SIREN valide : 9 chiffres dont une clé de contrôle.", value
    )


def validate_siret(value: str) -> None:
    _raise(
        is_valid_siret(value), f"« {value} » n'est pas un SIRET valide : 14 chiffres dont une clé de contrôle.", value
    )
