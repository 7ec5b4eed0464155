"""French wording that depends on a number: 0 and 1 take the singular, never « (s) »."""

from maillage.core.french import agree, plural


def test_zero_and_one_are_singular_and_thousands_are_grouped():
    assert plural(0, "demande") == "0 demande"
    assert plural(1, "créneau ouvert", "créneaux ouverts") == "1 créneau ouvert"
    assert plural(2, "créneau ouvert", "créneaux ouverts") == "2 créneaux ouverts"
    assert plural(12345, "patient") == "12\u202f345 patients"
    assert (agree(1, "a", "ont"), agree(3, "a", "ont")) == ("a", "ont")


def test_elision_before_a_vowel_or_a_mute_h():
    from maillage.core.french import elide

    assert elide("que", "administrateur") == "qu'administrateur"
    assert elide("que", "coordinatrice") == "que coordinatrice"
    assert elide("que", "régulateur du numéro unique") == "que régulateur du numéro unique"
    assert elide("de", "habitants") == "d'habitants"
    assert elide("le", "handicap") == "le handicap"
    assert elide("la", "équipe") == "l'équipe"


def test_template_filters_say_zero_and_one_in_the_singular():
    import html

    from django.template import Context, Template

    text = Template(
        "{{ z }} commune{{ z|pluriel }} · {{ o|plural:'commune' }} · {{ t|plural:'créneau,créneaux' }} · "
        "{{ l|length }} créneau{{ l|pluriel:'x' }} · en tant {{ r|elision:'que' }}{{ r }}"
    ).render(Context({"z": 0, "o": 1, "t": 12, "l": [1, 2], "r": "administrateur"}))
    assert html.unescape(text) == "0 commune · 1 commune · 12 créneaux · 2 créneaux · en tant qu'administrateur"


def test_no_template_or_python_string_says_s_in_parentheses():
    """« commune(s) », « créneau(x) »: say the number and agree the word (`plural`, `pluriel`).
    Django's `pluralize` is English (« 0 communes »): use `pluriel`."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    wrong = re.compile(r"\w\((s|x|e|es)\)")
    found = []
    for path in [*(root / "templates").rglob("*.html"), *(root / "templates").rglob("*.txt")]:
        text = path.read_text()
        found += [f"{path.relative_to(root)}: {m.group(0)}" for m in wrong.finditer(text)]
        if "|pluralize" in text:
            found.append(f"{path.relative_to(root)}: |pluralize")
    for path in (root / "maillage").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for literal in re.findall(r"[\"']([^\"'\n]*)[\"']", path.read_text()):
            found += [f"{path.relative_to(root)}: {m.group(0)}" for m in wrong.finditer(literal) if " " in literal]
    assert not found, found


def test_times_are_said_in_paris_time_not_utc():
    """A datetime is kept in UTC; what a person reads is Paris time (one hour later in winter)."""
    from datetime import UTC, datetime

    from maillage.doctor_access.models import MatchRun
    from maillage.unscheduled.models import Slot

    winter = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    assert str(Slot(pk=7, start=winter)) == "Créneau 7 (05/01/2026 09:00)"
    assert str(MatchRun(created_at=datetime(2026, 1, 5, 23, 30, tzinfo=UTC))) == "Appariement du 06/01/2026 00:30"
