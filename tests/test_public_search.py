"""« Ma commune, ma CPTS »: the public visitor finds the CPTS of a commune (both where two cover
it), their contacts and what they do; the coordinator keeps those contacts up to date."""

import pytest

from maillage.core.models import AuditEntry
from maillage.territory import actions
from maillage.territory.models import Cpts


@pytest.fixture
def contacts(idf):
    for cpts, email, phone in ((idf["cmv"], "contact@cmv.fr", "01 99 00 12 34"), (idf["issy"], "issy@cpts.fr", "")):
        actions.update_contacts(cpts, contact_email=email, phone=phone, actor=None, expected_version=None)
    return idf


def test_the_home_page_carries_the_search_form_only(contacts, anonymous):
    page = anonymous.get("/").content.decode()
    assert 'action="/recherche/"' in page and 'name="q"' in page
    assert "contact@cmv.fr" not in page  # results on their own page, not on the home page


def test_a_commune_covered_by_two_cpts_shows_both_with_their_contacts(contacts, anonymous):
    answer = anonymous.get("/recherche/", {"q": "vanv"})
    page = answer.content.decode()
    assert answer.status_code == 200
    assert "Vanves" in page and "1 commune trouvée" in page
    assert "CPTS Châtillon-Malakoff-Vanves" in page and "CPTS Grand Issy-Vanves" in page
    assert "2 CPTS couvrent cette commune" in page
    assert 'href="tel:0199001234"' in page and "mailto:issy@cpts.fr" in page
    assert "Cache-Control" not in answer or "public" not in answer["Cache-Control"]


def test_search_by_postal_code(contacts, anonymous):
    page = anonymous.get("/recherche/", {"q": "92130"}).content.decode()
    assert "Issy-les-Moulineaux" in page and "CPTS Grand Issy-Vanves" in page
    assert "CPTS Châtillon-Malakoff-Vanves" not in page


def test_a_commune_no_cpts_covers_and_no_commune_at_all(idf, anonymous):
    from tests.factories import CommuneFactory

    CommuneFactory(code="92012", name="Boulogne-Billancourt", departement=idf["communes"]["92020"].departement)
    page = anonymous.get("/recherche/", {"q": "boulogne"}).content.decode()
    assert "Aucune CPTS de cette plateforme ne couvre encore cette commune" in page
    page = anonymous.get("/recherche/", {"q": "zzzz"}).content.decode()
    assert "Aucune commune ne correspond à « zzzz »" in page
    assert anonymous.get("/recherche/", {"q": "x" * 5000}).status_code == 200


def test_the_htmx_search_answers_a_fragment(contacts, anonymous):
    answer = anonymous.get("/recherche/", {"q": "vanves"}, headers={"HX-Request": "true"})
    page = answer.content.decode()
    assert "<html" not in page and "CPTS Grand Issy-Vanves" in page
    assert "HX-Request" in answer["Vary"]


def test_the_cpts_page_shows_contacts_and_missions(contacts, anonymous):
    page = anonymous.get("/cpts/cmv/").content.decode()
    assert "Numéro unique" in page and "contact@cmv.fr" in page
    assert "/cpts/cmv/medecin-traitant/" in page
    assert "rendez-vous le jour même" in page and 'href="tel:0199001234"' in page
    issy = anonymous.get("/cpts/issy/").content.decode()
    assert "pas encore publié de numéro unique" in issy and "issy@cpts.fr" in issy


def test_the_doctor_request_confirmation_gives_the_contact(contacts, anonymous):
    page = anonymous.get("/cpts/cmv/medecin-traitant/envoyee/").content.decode()
    assert "prévenez-la" not in page
    assert 'href="tel:0199001234"' in page and "mailto:contact@cmv.fr" in page


def test_the_coordinator_edits_the_contacts_and_the_public_page_follows(idf, anonymous, coordinator_client):
    before = anonymous.get("/cpts/cmv/")
    assert "01 23 45 67 89" not in before.content.decode()
    assert "cpts@cmv.fr" not in anonymous.get("/recherche/", {"q": "malakoff"}).content.decode()
    page = coordinator_client.get("/c/cmv/territoire/").content.decode()
    assert "Contacts publics" in page and 'name="version" value="0"' in page
    answer = coordinator_client.post(
        "/c/cmv/territoire/contacts/", {"contact_email": "cpts@cmv.fr", "phone": " 01 23  45 67 89 ", "version": "0"}
    )
    assert answer.status_code == 302
    cmv = Cpts.objects.get(slug="cmv")
    assert (cmv.contact_email, cmv.phone, cmv.version) == ("cpts@cmv.fr", "01 23 45 67 89", 1)
    entry = AuditEntry.objects.get(action="territory.cpts.contacts_changed")
    assert entry.cpts == cmv and entry.details["phone"] == "01 23 45 67 89"
    after = anonymous.get("/cpts/cmv/")
    assert after["ETag"] != before["ETag"] and "01 23 45 67 89" in after.content.decode()
    assert "cpts@cmv.fr" in anonymous.get("/recherche/", {"q": "malakoff"}).content.decode()


def test_a_stale_contacts_edit_is_refused_and_bad_input_explained(idf, coordinator_client):
    actions.update_contacts(idf["cmv"], contact_email="a@cmv.fr", phone="", actor=None, expected_version=None)
    answer = coordinator_client.post(
        "/c/cmv/territoire/contacts/", {"contact_email": "b@cmv.fr", "phone": "", "version": "0"}
    )
    assert answer.status_code == 409
    assert "a@cmv.fr" in answer.content.decode()
    assert Cpts.objects.get(slug="cmv").contact_email == "a@cmv.fr"
    answer = coordinator_client.post(
        "/c/cmv/territoire/contacts/", {"contact_email": "pas un courriel", "phone": "appelez-nous", "version": "1"}
    )
    page = answer.content.decode()
    assert answer.status_code == 400
    assert "Saisissez un numéro de téléphone" in page and "adresse de courriel valide" in page
