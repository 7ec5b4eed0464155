import json
from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from maillage.core.models import AuditEntry
from maillage.doctor_access.actions.lifecycle import move, transition
from maillage.doctor_access.actions.privacy import anonymise_due, export, record_read
from maillage.doctor_access.models import AccessSettings, DoctorRequest
from maillage.doctor_access.states import Status


def _aged(request, status, days_ago, **changes):
    """Puts `request` in `status` since `days_ago` days."""
    DoctorRequest.objects.filter(pk=request.pk).update(
        status=status, status_changed_at=timezone.now() - timedelta(days=days_ago), **changes
    )
    request.refresh_from_db()
    return request


def test_reading_a_request_is_audited(submit, coordinator, cmv):
    request = submit()
    record_read(request, coordinator)
    record_read(request, coordinator, what="historique")
    entries = AuditEntry.objects.filter(action="doctor_access.request.viewed").order_by("id")
    assert [(e.actor, e.cpts, e.object_id, e.health_data, e.details) for e in entries] == [
        (coordinator, cmv, str(request.pk), True, {"vue": "fiche"}),
        (coordinator, cmv, str(request.pk), True, {"vue": "historique"}),
    ]


def test_the_export_holds_what_the_cpts_knows_and_is_audited(submit, coordinator, propose, offer):
    request = submit(ald=True, address="3 rue des Lilas", nir="")
    move(request, Status.QUALIFIED, coordinator)
    propose(request)
    request.refresh_from_db()
    data = export(request, coordinator)
    json.dumps(data)  # JSON-ready
    assert (data["référence"], data["nom"], data["prénom"]) == (request.reference, "Lefèvre", "Hélène")
    assert data["date_de_naissance"] == "1985-06-02"
    assert data["adresse"] == "3 rue des Lilas"
    assert data["commune"] == {"code": "92046", "nom": "Malakoff"}
    assert data["situation"]["affection de longue durée (ALD)"] is True
    assert data["priorité"] == 4
    assert data["état"] == "proposée à un médecin"
    assert [step["vers"] for step in data["historique"]] == ["reçue", "qualifiée", "proposée à un médecin"]
    assert data["propositions"] == [
        {"médecin": offer.professional.full_name, "le": data["propositions"][0]["le"], "état": "en attente de réponse"}
    ]
    entry = AuditEntry.objects.get(action="doctor_access.request.exported")
    assert (entry.actor, entry.object_id, entry.health_data) == (coordinator, str(request.pk), True)


def test_anonymisation_after_the_cpts_delay_for_closed_and_declared_requests_only(submit, cmv, idf):
    AccessSettings.of(cmv)
    old_closed = _aged(submit(last_name="Ancien"), Status.CLOSED, 400, close_reason="withdrawn")
    old_declared = _aged(submit(last_name="Déclaré"), Status.DECLARED, 400)
    recent_closed = _aged(submit(last_name="Récent"), Status.CLOSED, 300, close_reason="withdrawn")
    old_open = _aged(submit(last_name="Attente"), Status.QUALIFIED, 400)
    assert sorted(anonymise_due()) == sorted([old_closed.pk, old_declared.pk])
    for request in (old_closed, old_declared):
        request.refresh_from_db()
        assert request.anonymised_at is not None
        assert (request.last_name, request.first_name, request.birth_date) == ("", "", None)
        assert (request.phone, request.email, request.address, request.nir, request.notes) == ("",) * 5
        assert request.full_name == "(anonymisée)"
        # What the indicators count stays.
        assert (request.commune_id, request.status) == ("92046", request.status)
        assert request.transitions.exists()
    for request, name in ((recent_closed, "Récent"), (old_open, "Attente")):
        request.refresh_from_db()
        assert (request.last_name, request.anonymised_at) == (name, None)
    entry = AuditEntry.objects.get(action="doctor_access.requests.anonymised")
    assert entry.details == {"demandes": 2, "délai_mois": 12}
    assert anonymise_due() == []  # done once


def test_each_cpts_its_own_delay(submit, cmv, idf):
    AccessSettings.objects.filter(pk=AccessSettings.of(cmv).pk).update(purge_months=6)
    issy = idf["issy"]
    AccessSettings.of(issy)
    here = _aged(submit(), Status.CLOSED, 200, close_reason="withdrawn")
    there = _aged(submit(issy, commune=idf["communes"]["92040"]), Status.CLOSED, 200, close_reason="withdrawn")
    assert anonymise_due() == [here.pk]
    there.refresh_from_db()
    assert there.last_name == "Lefèvre"


def test_the_purge_command(submit, cmv, coordinator):
    request = submit()
    transition(request, Status.CLOSED, coordinator, close_reason="withdrawn")
    _aged(request, Status.CLOSED, 400)
    out = StringIO()
    call_command("purge_doctor_requests", "--dry-run", stdout=out)
    assert out.getvalue() == "1 demande serait anonymisée.\n"
    request.refresh_from_db()
    assert request.anonymised_at is None
    out = StringIO()
    call_command("purge_doctor_requests", stdout=out)
    assert out.getvalue() == "1 demande anonymisée.\n"
    request.refresh_from_db()
    assert request.last_name == ""
    out = StringIO()
    call_command("purge_doctor_requests", stdout=out)
    assert out.getvalue() == "0 demande anonymisée.\n"
