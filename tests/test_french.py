"""French wording that depends on a number: 0 and 1 take the singular, never « (s) »."""

from maillage.core.french import agree, plural


def test_zero_and_one_are_singular_and_thousands_are_grouped():
    assert plural(0, "demande") == "0 demande"
    assert plural(1, "créneau ouvert", "créneaux ouverts") == "1 créneau ouvert"
    assert plural(2, "créneau ouvert", "créneaux ouverts") == "2 créneaux ouverts"
    assert plural(12345, "patient") == "12\u202f345 patients"
    assert (agree(1, "a", "ont"), agree(3, "a", "ont")) == ("a", "ont")
