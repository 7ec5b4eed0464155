"""The waiting list through its pages, as the patient, the regulator, the coordinator and the GP
see it."""

import json
from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from maillage.core.jobs import run_pending
from maillage.core.models import AuditEntry
from maillage.directory.models import ProfessionalAccount
from maillage.doctor_access.models import DoctorRequest, Proposal
from maillage.indicators import registry
from maillage.indicators.periods import Period
from maillage.www.doctor_access.forms import PublicIntakeForm
from tests.factories import DoctorOfferFactory, DoctorRequestFactory, ProfessionalFactory, RoleFactory

pytestmark = pytest.mark.django_db


def _patient(**changes):
    data = {
        "last_name": "Lefèvre",
        "first_name": "Hélène",
        "birth_date": "1948-05-02",
        "phone": "06 12 34 56 78",
        "email": "helene@exemple.fr",
        "commune": "92046",
        "ald": "on",
        "consent": "on",
        "shown": PublicIntakeForm.stamp(timezone.now().timestamp() - 60),
        "website": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def desk(idf, login):
    coordinator = RoleFactory(coordinator=True, cpts=idf["cmv"]).user
    regulator = RoleFactory(regulator=True, cpts=idf["cmv"]).user
    return {
        "coordinator": login(coordinator, with_mfa=True),
        "regulator": login(regulator, with_mfa=True),
        **idf,
    }


def test_public_form_records_the_request_and_confirms_by_email(desk, django_capture_on_commit_callbacks):
    client = desk["coordinator"].__class__()
    page = client.get("/cpts/cmv/medecin-traitant/")
    assert "Vous cherchez un médecin traitant" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/cpts/cmv/medecin-traitant/", _patient(), follow=True)
    run_pending()
    request = DoctorRequest.objects.get()
    assert f"référence <strong>{request.reference}</strong>" in response.content.decode()
    assert (request.channel, request.status, request.commune_id) == ("public_form", "received", "92046")
    assert request.consent_version and request.consented_at
    assert request.priority == 4 + 3  # ALD and 70 or over, default weights
    assert [m.to for m in mail.outbox] == [["helene@exemple.fr"]]
    assert request.reference in mail.outbox[0].body


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"birth_date": (date.today() + timedelta(days=2)).isoformat()}, "La date de naissance est dans le futur."),
        ({"nir": "2 48 05 92 046 123 00"}, "Ce numéro de sécurité sociale n&#x27;est pas valide"),
        ({"commune": "75113"}, "Commune inconnue ou hors du territoire de la CPTS"),
        ({"phone": "", "email": ""}, "Indiquez un téléphone ou une adresse électronique"),
        ({"consent": None}, "Sans votre accord, la CPTS ne peut pas enregistrer la demande."),
    ],
)
def test_public_form_explains_bad_input_and_saves_nothing(desk, changes, message):
    response = desk["coordinator"].__class__().post("/cpts/cmv/medecin-traitant/", _patient(**changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not DoctorRequest.objects.exists()


def test_public_form_turns_robots_away(desk, settings):
    client = desk["coordinator"].__class__()
    assert client.post("/cpts/cmv/medecin-traitant/", _patient(website="http://spam")).status_code == 400
    too_fast = _patient(shown=PublicIntakeForm.stamp())
    assert client.post("/cpts/cmv/medecin-traitant/", too_fast).status_code == 400
    forged = _patient(shown="123:faux")
    assert client.post("/cpts/cmv/medecin-traitant/", forged).status_code == 400
    assert not DoctorRequest.objects.exists()
    settings.DOCTOR_ACCESS_PUBLIC_RATE = (2, 3600)
    statuses = [client.post("/cpts/cmv/medecin-traitant/", _patient(last_name=f"Nom{i}")).status_code for i in range(3)]
    assert statuses == [302, 302, 429]
    assert DoctorRequest.objects.count() == 2


def test_regulator_takes_a_call_and_a_duplicate_is_flagged_not_merged(desk):
    first = desk["regulator"].post("/c/cmv/medecin-traitant/nouvelle/", _patient(), follow=True)
    assert "enregistrée" in first.content.decode()
    second = desk["regulator"].post(
        "/c/cmv/medecin-traitant/nouvelle/", _patient(last_name="LEFEVRE", first_name="helene"), follow=True
    )
    assert "une demande semblable existe déjà" in second.content.decode()
    older, newer = DoctorRequest.objects.order_by("id")
    assert newer.possible_duplicate_of == older and newer.channel == "phone"
    assert "Doublon probable de" in second.content.decode()


def test_reading_a_request_is_audited_and_another_cpts_request_is_404(desk):
    request = DoctorRequestFactory(cpts=desk["cmv"], commune=desk["communes"]["92046"])
    other = DoctorRequestFactory(cpts=desk["paris13"], commune=desk["communes"]["75113"])
    page = desk["regulator"].get(f"/c/cmv/medecin-traitant/{request.pk}/")
    assert request.last_name in page.content.decode()
    entry = AuditEntry.objects.filter(action="doctor_access.request.viewed").get()
    assert entry.health_data and entry.object_id == str(request.pk)
    assert desk["regulator"].get(f"/c/cmv/medecin-traitant/{other.pk}/").status_code == 404
    assert desk["regulator"].get(f"/c/paris-13/medecin-traitant/{other.pk}/").status_code == 404
    listing = desk["coordinator"].get("/c/cmv/medecin-traitant/")
    assert request.last_name in listing.content.decode() and other.last_name not in listing.content.decode()
    assert AuditEntry.objects.filter(action="doctor_access.list.viewed", health_data=True).exists()


def test_qualify_then_close_with_a_reason(desk):
    request = DoctorRequestFactory(cpts=desk["cmv"], commune=desk["communes"]["92046"], status="received")
    desk["regulator"].post(
        f"/c/cmv/medecin-traitant/{request.pk}/qualifier/", {"c2s_ame": "on", "notes": "Rappeler", "version": 0}
    )
    request.refresh_from_db()
    assert (request.status, request.c2s_ame, request.notes) == ("qualified", True, "Rappeler")
    refused = desk["regulator"].post(f"/c/cmv/medecin-traitant/{request.pk}/etat/", {"target": "closed"})
    assert "Indiquez le motif de clôture." in refused.content.decode()
    desk["regulator"].post(
        f"/c/cmv/medecin-traitant/{request.pk}/etat/", {"target": "closed", "close_reason": "moved_away"}
    )
    request.refresh_from_db()
    assert (request.status, request.close_reason) == ("closed", "moved_away")
    page = desk["regulator"].get(f"/c/cmv/medecin-traitant/{request.pk}/").content.decode()
    assert "qualifiée → close, par" in page and "(a déménagé)" in page  # the log, with its author
    assert "Qualification" not in page  # a closed request is no longer edited
    assert list(request.transitions.values_list("target", flat=True)) == ["qualified", "closed"]


def test_export_gives_the_patient_data_as_json(desk):
    request = DoctorRequestFactory(cpts=desk["cmv"], commune=desk["communes"]["92046"])
    response = desk["coordinator"].get(f"/c/cmv/medecin-traitant/{request.pk}/export.json")
    data = json.loads(response.content)
    assert data["nom"] == request.last_name and data["commune"]["code"] == "92046"
    assert AuditEntry.objects.filter(action="doctor_access.request.exported", health_data=True).exists()


def test_matching_then_the_doctor_accepts(desk, login, django_capture_on_commit_callbacks):
    gp_role = RoleFactory(cpts=desk["cmv"])
    gp = ProfessionalFactory(last_name="Bernard")
    ProfessionalAccount.objects.create(user=gp_role.user, professional=gp)
    malakoff = desk["communes"]["92046"]
    DoctorOfferFactory(cpts=desk["cmv"], professional=gp, user=gp_role.user, commune=malakoff, capacity=1)
    urgent = DoctorRequestFactory(cpts=desk["cmv"], commune=malakoff, priority=4, email="p@exemple.fr")
    DoctorRequestFactory(cpts=desk["cmv"], commune=malakoff, priority=0)
    preview = desk["coordinator"].get("/c/cmv/medecin-traitant/appariement/").content.decode()
    assert "Aperçu : 1 proposition" in preview and urgent.last_name in preview
    assert not Proposal.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        desk["coordinator"].post("/c/cmv/medecin-traitant/appariement/appliquer/")
    run_pending()
    proposal = Proposal.objects.get()
    assert proposal.request == urgent and proposal.status == "pending"
    assert mail.outbox[-1].to == [gp_role.user.email]
    doctor = login(gp_role.user)
    space = doctor.get("/c/cmv/medecin-traitant/mes-patients/").content.decode()
    assert urgent.last_name in space and "Accepter ce patient" in space
    period = Period.current_month()
    before = registry.compute(desk["cmv"], period, ["doctor_access.found_doctor"])
    with django_capture_on_commit_callbacks(execute=True):
        doctor.post(f"/c/cmv/medecin-traitant/propositions/{proposal.pk}/", {"decision": "accepter"})
    run_pending()
    urgent.refresh_from_db()
    assert urgent.status == "accepted"
    assert mail.outbox[-1].to == ["p@exemple.fr"] and "Dr Camille Bernard" in mail.outbox[-1].body
    after = registry.compute(desk["cmv"], period, ["doctor_access.found_doctor"])
    assert (before["doctor_access.found_doctor"], after["doctor_access.found_doctor"]) == (0, 1)
    again = doctor.post(f"/c/cmv/medecin-traitant/propositions/{proposal.pk}/", {"decision": "accepter"}, follow=True)
    assert "déjà « acceptée »" in again.content.decode()


def _a_gp_with_a_proposal(desk, login):
    """A GP member with an offer in Malakoff, one request proposed to them, and their logged-in client."""
    gp_role = RoleFactory(cpts=desk["cmv"])
    gp = ProfessionalFactory()
    ProfessionalAccount.objects.create(user=gp_role.user, professional=gp)
    offer = DoctorOfferFactory(cpts=desk["cmv"], professional=gp, user=gp_role.user, commune=desk["communes"]["92046"])
    request = DoctorRequestFactory(cpts=desk["cmv"], commune=desk["communes"]["92046"], status="proposed")
    proposal = Proposal.objects.create(request=request, offer=offer, expires_at=timezone.now() + timedelta(days=3))
    return login(gp_role.user), request, proposal


def test_a_declined_patient_goes_back_to_the_pool(desk, login):
    doctor, request, proposal = _a_gp_with_a_proposal(desk, login)
    url = f"/c/cmv/medecin-traitant/propositions/{proposal.pk}/"
    doctor.post(url, {"decision": "refuser"})
    request.refresh_from_db()
    assert request.status == "proposed"  # no reason given: nothing changed
    doctor.post(url, {"decision": "refuser", f"p{proposal.pk}-reason": "full"})
    request.refresh_from_db()
    proposal.refresh_from_db()
    assert (request.status, proposal.status, proposal.decline_reason) == ("qualified", "declined", "full")
    stranger = login(RoleFactory(cpts=desk["cmv"]).user)
    assert stranger.post(url, {"decision": "accepter"}).status_code == 404


def test_a_gp_declares_capacity_and_a_non_gp_cannot(desk, login):
    gp_role = RoleFactory(cpts=desk["cmv"])
    ProfessionalAccount.objects.create(user=gp_role.user, professional=ProfessionalFactory())
    doctor = login(gp_role.user)
    response = doctor.post(
        "/c/cmv/medecin-traitant/mes-patients/",
        {
            "capacity": "4",
            "mode": "monthly",
            "commune": "92046",
            "communes": ["92046", "92020"],
            "priority_only": "on",
            "version": "0",
        },
        follow=True,
    )
    assert "Places restantes : <strong>4</strong>" in response.content.decode()
    offer = gp_role.user.doctor_offers.get()
    assert offer.priority_only and sorted(offer.communes.values_list("code", flat=True)) == ["92020", "92046"]
    negative = doctor.post(
        "/c/cmv/medecin-traitant/mes-patients/", {"capacity": "-1", "mode": "total", "commune": "92046", "version": "1"}
    )
    assert negative.status_code == 400
    nurse = RoleFactory(cpts=desk["cmv"])
    ProfessionalAccount.objects.create(user=nurse.user, professional=ProfessionalFactory(adeli=True))
    page = login(nurse.user).get("/c/cmv/medecin-traitant/mes-patients/").content.decode()
    assert "n'est pas relié à une fiche RPPS de médecin généraliste" in page


def test_a_member_refers_a_patient_without_reading_the_list(desk, login):
    pharmacist = login(RoleFactory(cpts=desk["cmv"]).user)
    data = _patient(referrer_label="Pharmacie du centre")
    response = pharmacist.post("/c/cmv/medecin-traitant/orienter/", data, follow=True)
    request = DoctorRequest.objects.get()
    assert f"demande {request.reference} transmise" in response.content.decode()
    assert (request.channel, request.referrer_label) == ("referral", "Pharmacie du centre")
    assert pharmacist.get("/c/cmv/medecin-traitant/").status_code == 404


def test_editing_weights_recomputes_open_priorities(desk):
    request = DoctorRequestFactory(cpts=desk["cmv"], commune=desk["communes"]["92046"], birth_date=date(1990, 1, 1))
    request.c2s_ame = True
    request.save()
    page = desk["coordinator"].get("/c/cmv/medecin-traitant/reglages/").content.decode()
    assert "Poids — C2S ou AME" in page
    form = {"formulaire": "poids"}
    for rank, criterion in enumerate(
        ["c2s_ame", "ald", "age_70", "precarity", "isolation", "pregnancy", "chronic", "disability", "discharge"],
        start=1,
    ):
        form[f"poids_{criterion}"] = "10" if criterion == "c2s_ame" else "1"
        form[f"ordre_{criterion}"] = str(rank)
    response = desk["coordinator"].post("/c/cmv/medecin-traitant/reglages/", form, follow=True)
    assert "1 demande a changé de priorité" in response.content.decode()
    request.refresh_from_db()
    assert request.priority == 10
    assert desk["regulator"].get("/c/cmv/medecin-traitant/reglages/").status_code == 404


def test_the_coordinator_reads_the_indicators_of_a_period(desk):
    DoctorRequestFactory(cpts=desk["cmv"], commune=desk["communes"]["92046"], status="received")
    page = desk["coordinator"].get("/c/cmv/indicateurs/").content.decode()
    assert "Accès à un médecin traitant" in page and "Médecins volontaires" in page
    bad = desk["coordinator"].get("/c/cmv/indicateurs/?periode=novembre")
    assert bad.status_code == 400 and "non reconnue" in bad.content.decode()
    assert desk["regulator"].get("/c/cmv/indicateurs/").status_code == 404


def test_public_form_counts_each_client_behind_the_proxy(desk, settings):
    """Behind nginx every request comes from the proxy: the limit counts the forwarded address."""
    settings.TRUSTED_PROXIES = 1
    settings.DOCTOR_ACCESS_PUBLIC_RATE = (1, 3600)
    client = desk["coordinator"].__class__()

    def send(address, name):
        return client.post(
            "/cpts/cmv/medecin-traitant/", _patient(last_name=name), HTTP_X_FORWARDED_FOR=address
        ).status_code

    assert [send("198.51.100.1", "Un"), send("198.51.100.2", "Deux"), send("198.51.100.1", "Trois")] == [302, 302, 429]
    assert DoctorRequest.objects.count() == 2


def test_the_refusal_form_preselects_no_reason(desk, login):
    doctor, request, proposal = _a_gp_with_a_proposal(desk, login)
    page = doctor.get("/c/cmv/medecin-traitant/mes-patients/").content.decode()
    select = page.split(f'id="id_p{proposal.pk}-reason"')[1].split("</select>")[0]
    assert '<option value="" selected>— choisissez un motif —</option>' in select
    assert select.count("selected") == 1
    refused = doctor.post(f"/c/cmv/medecin-traitant/propositions/{proposal.pk}/", {"decision": "refuser"}, follow=True)
    assert "Indiquez le motif du refus." in refused.content.decode()
    request.refresh_from_db()
    assert request.status == "proposed"


def test_the_doctor_records_the_declared_medecin_traitant_and_the_indicator_counts_it(desk, login):
    doctor, request, proposal = _a_gp_with_a_proposal(desk, login)
    doctor.post(f"/c/cmv/medecin-traitant/propositions/{proposal.pk}/", {"decision": "accepter"})
    page = doctor.get("/c/cmv/medecin-traitant/mes-patients/").content.decode()
    assert "Médecin traitant déclaré" in page
    url = f"/c/cmv/medecin-traitant/propositions/{proposal.pk}/declaration/"
    today = timezone.localdate()
    future = doctor.post(url, {f"d{proposal.pk}-declared_on": str(today + timedelta(days=2))}, follow=True)
    assert "ne peut pas être dans le futur" in future.content.decode()
    empty = doctor.post(url, {}, follow=True)
    assert "Indiquez la date de la déclaration" in empty.content.decode()
    period = Period.current_month()
    assert (
        registry.compute(desk["cmv"], period, ["doctor_access.declared_doctor"])["doctor_access.declared_doctor"] == 0
    )
    done = doctor.post(url, {f"d{proposal.pk}-declared_on": str(today)}, follow=True).content.decode()
    assert "Déclaration enregistrée" in done and f"médecin traitant déclaré le {today:%d/%m/%Y}" in done
    request.refresh_from_db()
    assert (request.status, request.declared_on) == ("declared", today)
    assert request.transitions.filter(source="accepted", target="declared").exists()
    assert AuditEntry.objects.filter(action="doctor_access.request.declared", health_data=True).exists()
    assert (
        registry.compute(desk["cmv"], period, ["doctor_access.declared_doctor"])["doctor_access.declared_doctor"] == 1
    )
    again = doctor.post(url, {f"d{proposal.pk}-declared_on": str(today)}, follow=True)
    assert "ne peut pas passer" in again.content.decode()
