"""The indicators pages as their users see them: members read, the coordinator enters values,
each indicator has its history and a chart drawn on the server."""

import html
import re
from datetime import date

import pytest

from maillage.core.models import AuditEntry
from maillage.indicators.models import IndicatorValue, IndicatorValueRevision
from tests.factories import RoleFactory

pytestmark = pytest.mark.django_db

FORM = {
    "code": "cpam.depistage_sein",
    "periode": "2025",
    "valeur": "70,1",
    "source": "CPAM des Hauts-de-Seine, tableau de bord ACI",
    "date_source": "2026-03-16",
    "versions": "",  # the versions of the values read with the form: none yet
}


@pytest.fixture
def coordinator_client(login, coordinator_user):
    return login(coordinator_user, with_mfa=True)


@pytest.fixture
def member_client(login, cmv):
    return login(RoleFactory(cpts=cmv).user)


def text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def test_members_read_the_last_external_values_with_source_and_date_but_get_no_form(member_client, enter):
    enter("cpam.depistage_sein", "2025", "70.1", source_date=date(2026, 3, 16))
    enter(
        "cpam.depistage_sein", "2026", "72.9", source="CPAM 92, cumul à fin septembre", source_date=date(2026, 10, 20)
    )

    response = member_client.get("/c/cmv/indicateurs/")

    page = text(response)
    assert response.status_code == 200
    assert (
        "Taux de dépistage organisé du cancer du sein année 2026 72,9 % CPAM 92, cumul à fin septembre 20/10/2026"
        in page
    )
    assert "Patients en ALD sans médecin traitant aucune valeur saisie" in page
    assert "Saisir une valeur" not in page
    assert member_client.post("/c/cmv/indicateurs/", FORM).status_code == 404
    assert not IndicatorValueRevision.objects.exists()  # the member's post changed nothing
    assert AuditEntry.objects.filter(action__startswith="indicators.value.").count() == 2


def test_the_coordinator_enters_a_value_and_lands_on_its_history(coordinator_client):
    page = text(coordinator_client.get("/c/cmv/indicateurs/"))
    assert "Saisir une valeur" in page

    response = coordinator_client.post("/c/cmv/indicateurs/", FORM, follow=True)

    assert response.redirect_chain[-1][0] == "/c/cmv/indicateurs/cpam.depistage_sein/"
    page = text(response)
    assert "Valeur enregistrée : Taux de dépistage organisé du cancer du sein, année 2025." in page
    assert "année 2025 70,1 CPAM des Hauts-de-Seine, tableau de bord ACI 16/03/2026" in page
    assert AuditEntry.objects.filter(action="indicators.value.entered").count() == 1


def test_a_bad_value_is_shown_beside_its_field_and_nothing_is_saved(coordinator_client):
    response = coordinator_client.post(
        "/c/cmv/indicateurs/", {**FORM, "valeur": "140", "date_source": "", "periode": "hier"}
    )
    assert response.status_code == 400
    page = text(response)
    assert "Un pourcentage est compris entre 0 et 100 (140 saisi)." in page
    assert "non reconnue" in page and "Indiquez la date de la source" in page
    assert not IndicatorValue.objects.exists() and not AuditEntry.objects.exists()


def test_an_unknown_code_in_the_form_is_refused(coordinator_client):
    response = coordinator_client.post("/c/cmv/indicateurs/", {**FORM, "code": "doctor_access.found_doctor"})
    assert response.status_code == 400
    assert "Indicateur inconnu ou qui ne se saisit pas" in text(response)


def test_the_indicator_page_has_a_chart_per_granularity_and_every_value_in_the_history(member_client, enter):
    enter("cpam.ald_sans_mt", "2025", 128)
    enter("cpam.ald_sans_mt", "2026", 96, source_date=date(2026, 10, 20))
    for quarter, value in ((1, 141), (2, 136), (3, 131)):
        enter("cpam.ald_sans_mt", f"2025-T{quarter}", value)

    response = member_client.get("/c/cmv/indicateurs/cpam.ald_sans_mt/")

    source = response.content.decode()
    assert response.status_code == 200
    charts = re.findall(r"<svg[^>]*role=\"img\".*?</svg>", source, re.S)
    assert len(charts) == 2
    yearly, quarterly = charts
    assert yearly.count("<circle") == 2 and quarterly.count("<circle") == 3
    assert (
        '<title id="graphique-annee-titre">Patients en ALD sans médecin traitant, par année (patients)</title>'
        in yearly
    )
    assert "2025 : 128 ; 2026 : 96" in yearly  # the description a screen reader reads
    page = text(response)
    assert "Plus bas, c'est mieux" in page and "Effectif" in page
    for period in ("année 2025", "année 2026", "1er trimestre 2025", "2e trimestre 2025", "3e trimestre 2025"):
        assert period in page
    assert "Saisir ou corriger une valeur" not in page  # a member reads only


def test_a_correction_shows_the_replaced_value(coordinator_client, enter):
    enter("cpam.depistage_sein", "2025", "69.5")
    response = coordinator_client.post(
        "/c/cmv/indicateurs/cpam.depistage_sein/",
        {"code": "cpam.depistage_sein", "periode": "2025", "valeur": "70.1", "source": "CPAM, rectificatif",
         "date_source": "2026-04-01", "versions": "cpam.depistage_sein@2025=1"},
        follow=True,
    )  # fmt: skip
    page = text(response)
    assert "année 2025 70,1 CPAM, rectificatif 01/04/2026" in page
    assert "69,5 (CPAM des Hauts-de-Seine, tableau de bord ACI, 01/03/2026), remplacée le" in page


def test_a_ratio_page_asks_its_numerator_and_denominator(coordinator_client):
    page = text(coordinator_client.get("/c/cmv/indicateurs/cpam.patientele_mt_par_mg/"))
    assert "Numérateur : patients du territoire ayant déclaré un médecin traitant" in page
    response = coordinator_client.post(
        "/c/cmv/indicateurs/cpam.patientele_mt_par_mg/",
        {"code": "cpam.patientele_mt_par_mg", "periode": "2025", "numerateur": "61250", "denominateur": "0",
         "source": "CPAM", "date_source": "2026-03-16"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "Le dénominateur ne peut pas être nul" in text(response)


def test_a_computed_indicator_has_its_page_without_a_form(coordinator_client):
    response = coordinator_client.get("/c/cmv/indicateurs/doctor_access.found_doctor/")
    assert response.status_code == 200
    page = text(response)
    assert "calculée par Maillage" in page and "Aucune valeur enregistrée" in page
    assert "Saisir ou corriger" not in page
    assert coordinator_client.post("/c/cmv/indicateurs/doctor_access.found_doctor/", FORM).status_code == 404


def test_other_people_get_a_404(login, idf, coordinator_client):
    regulator = login(RoleFactory(regulator=True, cpts=idf["cmv"]).user, with_mfa=True)
    other = login(RoleFactory(coordinator=True, cpts=idf["paris13"]).user, with_mfa=True)
    regional = login(RoleFactory(regional=True, region=idf["region"]).user)
    for client in (regulator, other):
        assert client.get("/c/cmv/indicateurs/cpam.ald_sans_mt/").status_code == 404
        assert client.post("/c/cmv/indicateurs/", FORM).status_code == 404
    # The région's viewer reads the indicators (small numbers hidden) but never enters a value.
    page = regional.get("/c/cmv/indicateurs/cpam.ald_sans_mt/")
    assert page.status_code == 200
    assert "entry-form" not in page.content.decode()
    assert regional.post("/c/cmv/indicateurs/", FORM).status_code == 404
    assert coordinator_client.get("/c/cmv/indicateurs/cpam.inconnu/").status_code == 404
    assert coordinator_client.get("/c/paris-13/indicateurs/cpam.ald_sans_mt/").status_code == 404
    assert not IndicatorValue.objects.exists()


def test_an_admin_enters_values_for_any_cpts(login, idf):
    admin = login(RoleFactory(admin=True).user)
    response = admin.post("/c/paris-13/indicateurs/", FORM)
    assert response.status_code == 302
    assert IndicatorValue.objects.get().cpts == idf["paris13"]
