"""The médecin traitant journeys in headless Chromium: a patient asks on the public page, the
regulator records a call and qualifies it, a GP accepts the patient proposed to them."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from maillage.directory.models import ProfessionalAccount
from maillage.doctor_access.models import DoctorRequest, Proposal
from tests.factories import PASSWORD, DoctorOfferFactory, DoctorRequestFactory, ProfessionalFactory, RoleFactory

pytestmark = pytest.mark.browser


def _fill_patient(page, *, last_name, first_name, birth_date, phone):
    page.get_by_label(re.compile(r"^Nom\s*:?$")).fill(last_name)
    page.get_by_label("Prénom").fill(first_name)
    page.get_by_label("Date de naissance").fill(birth_date)
    page.get_by_label("Téléphone").fill(phone)
    page.get_by_label("Commune de résidence").select_option(label="Malakoff (92000)")
    page.get_by_label("Affection de longue durée (ALD)").check()
    page.get_by_label("J'accepte que la CPTS enregistre").check()


def test_a_patient_asks_for_a_doctor_on_the_public_page(page, idf, settings):
    settings.DOCTOR_ACCESS_MIN_FILL_SECONDS = 0  # a test fills the form faster than a person
    page.goto("/cpts/cmv/")
    page.page.get_by_role("link", name="Demander un médecin traitant").click()
    page.page.wait_for_load_state("networkidle")
    assert page.axe() == []
    page.page.get_by_role("button", name="Envoyer ma demande").click()  # empty: explained, not lost
    page.page.wait_for_load_state("networkidle")
    assert "Ce champ est obligatoire." in page.text()
    _fill_patient(page.page, last_name="Lefèvre", first_name="Hélène", birth_date="1950-04-12", phone="0612345678")
    page.page.get_by_role("button", name="Envoyer ma demande").click()
    page.page.get_by_role("heading", name="Votre demande est envoyée").wait_for()
    request = DoctorRequest.objects.get()
    assert f"référence {request.reference}" in page.text()
    assert (request.last_name, request.channel, request.status) == ("Lefèvre", "public_form", "received")
    assert page.axe() == []
    # The refused empty form answered 400, which Chromium logs; nothing else may show there.
    assert [e for e in page.console_errors if "status of 400" not in e] == [] and page.failed == []


def test_the_regulator_records_a_call_and_qualifies_it(page, idf, settings):
    settings.DEMO_RELAX_MFA = True  # the second factor has its own journey
    regulator = RoleFactory(regulator=True, cpts=idf["cmv"]).user
    page.login(regulator.email, PASSWORD)
    page.page.get_by_role("link", name="Médecin traitant", exact=True).click()
    page.page.wait_for_load_state("networkidle")
    assert "Aucune demande." in page.text()
    assert page.axe() == []
    page.page.get_by_role("link", name="Nouvelle demande").click()
    page.page.wait_for_load_state("networkidle")
    _fill_patient(page.page, last_name="Moreau", first_name="Jacques", birth_date="1941-09-30", phone="0145000000")
    page.page.get_by_role("button", name="Enregistrer la demande").click()
    page.page.get_by_text("enregistrée.").wait_for()
    assert "Moreau" in page.text() and "État : reçue" in page.text()
    assert page.axe() == []
    page.page.get_by_label("Isolement").check()
    page.page.get_by_label("Notes").fill("Vit seul, ne se déplace pas le matin.")
    page.page.get_by_role("button", name="Qualifier la demande").click()
    page.page.get_by_text("qualifiée (priorité").wait_for()
    request = DoctorRequest.objects.get()
    assert (request.status, request.isolation, request.priority) == ("qualified", True, 4 + 3)
    assert "reçue → qualifiée, par " + regulator.email in page.text()
    assert page.console_errors == [] and page.failed == []


def test_a_gp_accepts_the_patient_proposed_to_them(page, idf, settings):
    settings.DEMO_RELAX_MFA = True
    gp_role = RoleFactory(cpts=idf["cmv"])
    ProfessionalAccount.objects.create(user=gp_role.user, professional=ProfessionalFactory(last_name="Bernard"))
    offer = DoctorOfferFactory(
        cpts=idf["cmv"], professional=gp_role.user.professional_account.professional, user=gp_role.user,
        commune=idf["communes"]["92046"],
    )  # fmt: skip
    patient = DoctorRequestFactory(
        cpts=idf["cmv"], commune=idf["communes"]["92020"], status="proposed", last_name="Petit", ald=True
    )
    proposal = Proposal.objects.create(
        request=patient, offer=offer, distance_km=1.5, expires_at=timezone.now() + timedelta(days=7)
    )
    page.login(gp_role.user.email, PASSWORD)
    page.page.get_by_role("link", name="Nouveaux patients").click()
    page.page.wait_for_load_state("networkidle")
    assert "Louise Petit" in page.text() and "Situation : affection de longue durée (ALD)" in page.text()
    assert page.axe() == []
    page.page.get_by_role("button", name="Accepter ce patient").click()
    page.page.get_by_text("Vous avez accepté Louise Petit").wait_for()
    proposal.refresh_from_db()
    patient.refresh_from_db()
    assert (proposal.status, patient.status) == ("accepted", "accepted")
    assert "Aucune proposition en attente de votre réponse." in page.text()
    assert "Places restantes : 4." in page.text()
    assert page.axe() == []
    assert page.console_errors == [] and page.failed == []
