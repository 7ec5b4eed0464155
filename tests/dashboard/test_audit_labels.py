"""Every audit code recorded in the source has a French sentence, and details read as words."""

import re
from pathlib import Path

from maillage.core import audit
from maillage.core.audit_labels import LABELS, describe_details, label
from maillage.core.models import AuditEntry
from maillage.indicators.registry import REGISTRY

SOURCE = Path(__file__).resolve().parents[2] / "maillage"
APPS = "accounts|core|directory|doctor_access|funding|indicators|lifecycle|pathways|projet|territory|unscheduled"
# Any lowercase dotted literal starting with an app's name, in a file that writes the log: the code
# passed to `record`, directly or through a variable (« x.created » if … else « x.updated »).
CODE = re.compile(rf"""["']((?:{APPS})\.[a-z_]+(?:\.[a-z_]+)*)["']""")
WRITES = re.compile(r"\brecord(?:_health_read)?\(")


def recorded_codes() -> dict[str, str]:
    found = {}
    for path in SOURCE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if path.name == "audit_labels.py" or not WRITES.search(text):
            continue
        for code in CODE.findall(text):
            found.setdefault(code, str(path.relative_to(SOURCE.parent)))
    return found


def test_every_code_recorded_in_the_source_has_a_french_sentence():
    codes = recorded_codes()
    assert len(codes) > 60  # the scan still finds them
    # Indicator codes (« doctor_access.found_doctor ») look alike but are the registry's, not the log's.
    missing = {code: where for code, where in codes.items() if code not in LABELS and code not in REGISTRY}
    assert not missing, f"Codes d'audit sans phrase dans maillage/core/audit_labels.py : {missing}"


def test_sentences_are_french_and_without_codes():
    for code, sentence in LABELS.items():
        assert sentence and "." not in sentence and "_" not in sentence, code
    assert label("code.inconnu") == "code.inconnu"


def test_details_read_as_words():
    assert describe_details({"canal": "public_form", "doublon_probable": None}) == "canal : formulaire public"
    assert describe_details({"added": ["92020"], "removed": []}) == "ajoutées : 92020 ; retirées : aucune"
    assert describe_details({"acceptée": True, "motif": "full"}) == "acceptée : oui ; motif : plus de place"
    assert describe_details({"user": "a@b.fr", "kind": "coordinator"}) == (
        "personne : a@b.fr ; rôle : coordinateur de CPTS"
    )
    # An ISO time stored in UTC reads in local time (Paris: UTC+1 in winter).
    assert describe_details({"début": "2026-01-05T09:00:00+00:00"}) == "début : 05/01/2026 10:00"
    assert describe_details({}) == ""


def test_the_audit_log_and_the_dashboard_show_sentences(coordinator_client, idf, coordinator):
    audit.record(
        "doctor_access.request.created",
        actor=coordinator,
        cpts=idf["cmv"],
        details={"canal": "public_form", "doublon_probable": None},
    )
    audit.record("doctor_access.list.viewed", actor=coordinator, cpts=idf["cmv"])
    for url in ("/c/cmv/journal/", "/c/cmv/"):
        body = coordinator_client.get(url).content.decode()
        assert "a enregistré une demande de médecin traitant" in body, url
        assert "a consulté la liste des patients en recherche de médecin traitant" in body, url
        assert "canal : formulaire public" in body, url
        assert "doctor_access.list.viewed" not in body.replace('value="doctor_access.list.viewed"', ""), url
        assert "doublon_probable" not in body and "None" not in body, url
    assert AuditEntry.objects.filter(action="doctor_access.request.created").exists()


def test_the_audit_log_shows_local_time(coordinator_client, idf, coordinator):
    from datetime import UTC, datetime

    entry = audit.record("territory.set", actor=coordinator, cpts=idf["cmv"])
    AuditEntry.objects.filter(pk=entry.pk).update(at=datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    body = coordinator_client.get("/c/cmv/journal/").content.decode()
    assert "05/01/2026 10:00:00" in body  # Paris, UTC+1 in winter
    assert "a défini le territoire" in body
