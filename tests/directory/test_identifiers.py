import csv

import pytest
from django.core.exceptions import ValidationError

from maillage.core.identifiers import (
    is_valid_adeli,
    is_valid_finess,
    is_valid_nir,
    is_valid_rpps,
    is_valid_siren,
    is_valid_siret,
    luhn_ok,
    nir_key,
    validate_finess,
    validate_nir,
    validate_rpps,
    validate_siren,
)


def test_luhn_reference_values():
    assert luhn_ok("79927398713")
    assert not luhn_ok("79927398710")
    assert not luhn_ok("")
    assert not luhn_ok("12a4")


def test_rpps_of_the_issue_is_valid_but_the_national_id_is_not_an_rpps():
    assert is_valid_rpps("10106476764")
    assert not is_valid_rpps("10106476765")  # wrong check digit
    assert not is_valid_rpps("810106476764")  # the national id is 8 + RPPS, 12 digits
    assert not is_valid_rpps("1010647676")
    assert not is_valid_rpps("1010647676a")


def test_rpps_and_adeli_of_the_real_extraction(shared_data):
    path = shared_data / "rpps_PS_LibreAcces_Personne_activite_sample.txt"
    rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines(), delimiter="|"))[1:]
    rpps = [row[1] for row in rows if row[0] == "8"]
    adeli = [row[1] for row in rows if row[0] == "0"]
    assert rpps and adeli
    assert all(is_valid_rpps(number) for number in rpps)
    assert all(is_valid_adeli(number) for number in adeli)
    # Site FINESS numbers (ET and EJ) and SIRET of the same lines are valid too.
    assert all(is_valid_finess(row[i]) for row in rows for i in (21, 22) if row[i])
    assert all(is_valid_siret(row[19]) for row in rows if row[19])


def test_adeli_is_checked_for_format_only():
    assert is_valid_adeli("010001949")
    assert is_valid_adeli("2A0001949")
    assert not is_valid_adeli("01000194")
    assert not is_valid_adeli("01000194X")


def test_finess_numbers_of_the_real_extraction(shared_data):
    numbers = []
    for line in (shared_data / "finess_etalab_extrait_brut_20260512.txt").read_text(encoding="utf-8").splitlines():
        fields = line.split(";")
        if fields[0] == "structureet":
            numbers += [fields[1], fields[2]]
    assert len(numbers) == 28
    assert all(is_valid_finess(n) for n in numbers)


def test_finess_check_digit_and_corsica():
    assert is_valid_finess("010000024")
    assert not is_valid_finess("010000025")
    assert not is_valid_finess("01000002")
    # Corsica: the check digit rule is unknown, the format is enough (see identifiers.py).
    assert is_valid_finess("2A0000123")
    assert is_valid_finess("2B0000124")
    assert not is_valid_finess("2C0000123")


def test_nir_key_with_corsica():
    assert nir_key("2550814168025") == 38
    assert is_valid_nir("255081416802538")
    assert not is_valid_nir("255081416802539")
    # 2A counts as 19 and 2B as 18: the key differs from the same number in another département.
    corsican = "18502" + "2A" + "004001"
    key = 97 - int("18502" + "19" + "004001") % 97
    assert is_valid_nir(f"{corsican}{key:02d}")
    assert not is_valid_nir(f"{corsican}{(key % 97) + 1:02d}")
    assert nir_key("1850220004001") != nir_key(corsican.replace("2A", "2B"))
    assert not is_valid_nir("585081416802538")  # no sex digit 5


def test_siren_and_siret():
    assert is_valid_siren("732829320")
    assert not is_valid_siren("732829321")
    assert is_valid_siret("26010004500012")
    assert is_valid_siret("35600000000048")  # La Poste's head office: Luhn
    assert is_valid_siret("35600000049837")  # a post office: the sum of the digits, not Luhn
    assert not is_valid_siret("35600000049838")


@pytest.mark.parametrize(
    ("validator", "value", "message"),
    [
        (validate_rpps, "10106476765", "n'est pas un numéro RPPS valide"),
        (validate_finess, "010000025", "n'est pas un numéro FINESS valide"),
        (validate_siren, "123", "n'est pas un SIREN valide"),
        (validate_nir, "255081416802539", "numéro de sécurité sociale n'est pas valide"),
    ],
)
def test_validators_raise_a_french_message(validator, value, message):
    with pytest.raises(ValidationError, match=message):
        validator(value)


def test_nir_message_does_not_repeat_the_number():
    with pytest.raises(ValidationError) as error:
        validate_nir("255081416802539")
    assert "2550814" not in str(error.value)
