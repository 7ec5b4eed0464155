"""No lost update (ADR 0017): for each record several people edit, two sessions read the same
form, the first saves, and the second, still holding the old version, is refused with a French
message naming who changed what, while the first change stays saved and the second person's
input stays in the form."""

import html
import re
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from maillage.core.versioning import StaleEdit
from maillage.directory.actions import save_partner
from maillage.directory.models import DirectoryEntry, Partner, ProfessionalAccount
from maillage.doctor_access.models import DoctorOffer
from maillage.funding.models import RuleSet
from maillage.funding.rules import ensure_rule_sets
from maillage.indicators.models import IndicatorValue
from maillage.lifecycle.models import Milestone
from maillage.projet.models import FicheAction, ProjetSante
from maillage.unscheduled.models import Slot
from maillage.www.funding.forms import ContractForm
from tests.factories import ActivityFactory, DoctorRequestFactory, ProfessionalFactory, RoleFactory, UserFactory

pytestmark = pytest.mark.django_db


def version_in(response, name="version") -> int:
    found = re.findall(rf'name="{name}" value="(\d+)"', response.content.decode())
    assert len(found) == 1, found
    return int(found[0])


def assert_refused(response, *, who: str, shows: list[str], kept: list[str], new_version: int):
    """The second save: 409, the French message with who and what, the typed input still there."""
    assert response.status_code == 409
    page = html.unescape(response.content.decode())
    message = re.search(r'data-testid="stale-edit">(.*?)</div>', page, re.S).group(1)
    assert f"{who} a modifié cette fiche le " in message
    assert "Votre modification n'a pas été enregistrée" in message
    for value in shows:
        assert value in message, (value, message)
    for value in kept:
        assert value in page, value
    assert version_in(response) == new_version


@pytest.fixture
def two(idf, login):
    """Two people of cmv, both coordinators and GPs' desk staff: Marie Dupont acts first."""

    def _two(**role):
        marie = UserFactory(first_name="Marie", last_name="Dupont")
        paul = UserFactory(first_name="Paul", last_name="Martin")
        for user in (marie, paul):
            RoleFactory(user=user, cpts=idf["cmv"], **role)
        return login(marie, with_mfa=True), login(paul, with_mfa=True)

    return _two


def test_doctor_request_qualification(idf, two):
    marie, paul = two(coordinator=True)
    request = DoctorRequestFactory(cpts=idf["cmv"], commune=idf["communes"]["92046"], status="qualified")
    url = f"/c/cmv/medecin-traitant/{request.pk}/"
    seen = version_in(marie.get(url))
    assert version_in(paul.get(url)) == seen
    saved = marie.post(url + "qualifier/", {"ald": "on", "notes": "", "version": seen})
    assert saved.status_code == 302
    refused = paul.post(url + "qualifier/", {"notes": "Rappeler après 18 h", "version": seen})
    assert_refused(
        refused,
        who="Marie Dupont",
        shows=["Affection de longue durée (ALD) → oui"],
        kept=["Rappeler après 18 h"],
        new_version=seen + 1,
    )
    request.refresh_from_db()
    assert (request.ald, request.notes, request.version) == (True, "", seen + 1)
    again = paul.post(url + "qualifier/", {"ald": "on", "notes": "Rappeler après 18 h", "version": seen + 1})
    assert again.status_code == 302  # saving again, knowingly, goes through
    request.refresh_from_db()
    assert (request.ald, request.notes) == (True, "Rappeler après 18 h")


def test_doctor_offer(idf, login):
    gp_user = RoleFactory(cpts=idf["cmv"]).user
    gp_user.first_name, gp_user.last_name = "Marie", "Dupont"
    gp_user.save()
    ProfessionalAccount.objects.create(user=gp_user, professional=ProfessionalFactory())
    desk, laptop = login(gp_user), login(gp_user)  # the same doctor in two windows
    url = "/c/cmv/medecin-traitant/mes-patients/"
    seen = version_in(desk.get(url))
    assert version_in(laptop.get(url)) == seen == 0
    assert desk.post(url, {"capacity": "4", "mode": "monthly", "commune": "92046", "version": seen}).status_code == 302
    refused = laptop.post(url, {"capacity": "9", "mode": "monthly", "commune": "92046", "version": seen})
    assert_refused(refused, who="Marie Dupont", shows=["→ 4"], kept=['value="9"'], new_version=1)
    assert DoctorOffer.objects.get().capacity == 4


def test_partner(idf, two):
    marie, paul = two(coordinator=True)
    partner = Partner.objects.create(cpts=idf["cmv"], kind="dac", name="DAC 92 Sud")
    url = f"/c/cmv/annuaire/partenaires/{partner.pk}/"
    seen = version_in(marie.get(url))
    assert version_in(paul.get(url)) == seen
    base = {"kind": "dac", "name": "DAC 92 Sud", "version": seen}
    assert marie.post(url, {**base, "phone": "01 40 00 00 00"}).status_code == 302
    refused = paul.post(url, {**base, "email": "contact@dac92.fr"})
    assert_refused(
        refused,
        who="Marie Dupont",
        shows=["Téléphone → 01 40 00 00 00"],
        kept=['value="contact@dac92.fr"'],
        new_version=1,
    )
    partner.refresh_from_db()
    assert (partner.phone, partner.email) == ("01 40 00 00 00", "")


def test_directory_entry(idf, two):
    marie, paul = two(coordinator=True)
    professional = ProfessionalFactory()
    url = f"/c/cmv/annuaire/pro/{professional.national_id}/"
    seen = version_in(marie.get(url))
    assert version_in(paul.get(url)) == seen == 0  # no entry yet: the first save creates it
    assert marie.post(url + "fiche/", {"languages": "arabe", "version": seen}).status_code == 302
    refused = paul.post(url + "fiche/", {"languages": "breton", "is_member": "on", "version": seen})
    assert_refused(
        refused, who="Marie Dupont", shows=["Langues parlées → arabe"], kept=['value="breton"'], new_version=1
    )
    assert DirectoryEntry.objects.get(professional=professional).languages == ["arabe"]


def test_unscheduled_slot(idf, login):
    gp = ProfessionalFactory()
    site = ActivityFactory(professional=gp, commune=idf["communes"]["92046"])
    user = RoleFactory(cpts=idf["cmv"], user__first_name="Marie", user__last_name="Dupont").user
    ProfessionalAccount.objects.create(user=user, professional=gp)
    start = timezone.localtime(timezone.now() + timedelta(days=1)).replace(hour=18, minute=0, second=0, microsecond=0)
    slot = Slot.objects.create(
        cpts=idf["cmv"], professional=gp, activity=site, commune=site.commune, start=start,
        end=start + timedelta(minutes=20), types=["CPTS"], profession_code="10", profession_label="Médecin",
    )  # fmt: skip
    desk, phone = login(user), login(user)  # the same professional on two devices
    url = f"/c/cmv/mes-creneaux/{slot.pk}/"
    seen = version_in(desk.get(url))
    assert version_in(phone.get(url)) == seen
    form = {"day": f"{start:%Y-%m-%d}", "kind": "practice", "types": ["CPTS"], "version": seen}
    assert desk.post(url, {**form, "start_time": "19:00", "end_time": "19:30"}).status_code == 302
    refused = phone.post(url, {**form, "start_time": "20:00", "end_time": "20:15"})
    assert_refused(refused, who="Marie Dupont", shows=["Début → 19:00 ;"], kept=['value="20:15"'], new_version=seen + 1)
    slot.refresh_from_db()
    assert timezone.localtime(slot.start).strftime("%H:%M") == "19:00"


def test_projet_texts(idf, two):
    marie, paul = two(coordinator=True)
    url = "/c/cmv/projet-de-sante/textes/"
    seen = version_in(marie.get(url))
    assert version_in(paul.get(url)) == seen == 0  # before the first edit: the first save creates the projet
    assert marie.post(url, {"presentation": "Fondée en 2019.", "governance": "", "version": seen}).status_code == 302
    refused = paul.post(url, {"presentation": "", "governance": "Un bureau de six membres.", "version": seen})
    assert_refused(
        refused,
        who="Marie Dupont",
        shows=["→ Fondée en 2019."],
        kept=["Un bureau de six membres."],
        new_version=1,
    )
    projet = ProjetSante.objects.get(cpts=idf["cmv"])
    assert (projet.presentation, projet.governance) == ("Fondée en 2019.", "")


def test_projet_fiche_action(idf, two):
    marie, paul = two(coordinator=True)
    projet = ProjetSante.objects.create(cpts=idf["cmv"])
    fiche = FicheAction.objects.create(projet=projet, mission="crisis", title="Plan de crise", objective="Être prêts.")
    url = f"/c/cmv/projet-de-sante/fiches/{fiche.pk}/"
    seen = version_in(marie.get(url))
    assert version_in(paul.get(url)) == seen
    form = {
        "mission": "crisis", "title": "Plan de crise", "objective": "Être prêts.", "version": seen,
        "indicateurs-TOTAL_FORMS": "0", "indicateurs-INITIAL_FORMS": "0",
        "indicateurs-MIN_NUM_FORMS": "0", "indicateurs-MAX_NUM_FORMS": "20",
    }  # fmt: skip
    assert marie.post(url, {**form, "lead": "Dr Bernard"}).status_code == 302
    refused = paul.post(url, {**form, "calendar": "Exercice en mars"})
    assert_refused(refused, who="Marie Dupont", shows=["Pilote → Dr Bernard"], kept=["Exercice en mars"], new_version=1)
    fiche.refresh_from_db()
    assert (fiche.lead, fiche.calendar) == ("Dr Bernard", "")


def _contract_form(cpts, contract, **changes) -> dict:
    """What the contract page posts when nothing is touched, with `changes`."""
    form = ContractForm(cpts=cpts, contract=contract)
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is True:
            data[name] = "on"
        elif value not in (None, False, ""):
            data[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return {**data, **changes}


def test_funding_contract(idf, two):
    from maillage.funding.actions import save_contract
    from tests.funding.conftest import cmv_draft

    marie, paul = two(coordinator=True)
    ensure_rule_sets()
    contract = save_contract(idf["cmv"], cmv_draft(RuleSet.objects.get(code="avenant-2")), None)
    url = "/c/cmv/financement/contrat/"
    seen = version_in(marie.get(url))
    assert version_in(paul.get(url)) == seen == 1
    form = _contract_form(idf["cmv"], contract, version=seen)
    assert marie.post(url, {**form, "ends_on": "2028-03-14"}).status_code == 302
    refused = paul.post(url, {**form, "access_fixed": "34 000"})
    assert_refused(
        refused,
        who="Marie Dupont",
        shows=["Date de fin (facultative) → 14/03/2028"],
        kept=['value="34 000"'],
        new_version=2,
    )
    contract.refresh_from_db()
    assert contract.ends_on.isoformat() == "2028-03-14"
    assert contract.missions.get(mission="access").fixed == 35_000


def _milestone_version(response, kind) -> int:
    row = re.search(rf'data-kind="{kind}">(.*?)</tr>', response.content.decode(), re.S).group(1)
    return int(re.search(r'name="version" value="(\d+)"', row).group(1))


@pytest.mark.parametrize("htmx", [True, False])
def test_lifecycle_milestone(idf, two, htmx):
    marie, paul = two(coordinator=True)
    url = "/c/cmv/parcours/"
    seen = _milestone_version(marie.get(url), "seed_funding")
    assert _milestone_version(paul.get(url), "seed_funding") == seen == 0
    post = f"{url}jalons/seed_funding/"
    assert marie.post(post, {"date": "2019-09-16", "amount": "50000", "version": seen}).status_code == 302
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    refused = paul.post(post, {"date": "2019-10-01", "amount": "45000", "version": seen}, **headers)
    assert refused.status_code == (200 if htmx else 409)  # htmx swaps only 2xx answers, as in the territory editor
    row = html.unescape(re.search(r'data-kind="seed_funding">(.*?)</tr>', refused.content.decode(), re.S).group(1))
    assert "Marie Dupont a modifié cette fiche le " in row
    assert "Date → 16/09/2019" in row and "Montant (€) → 50000,00" in row
    assert "Votre modification n'a pas été enregistrée" in row
    assert 'value="2019-10-01"' in row and 'value="45000"' in row  # what Paul typed
    assert _milestone_version(refused, "seed_funding") == 1
    milestone = Milestone.objects.get(cpts=idf["cmv"], kind="seed_funding")
    assert (milestone.date.isoformat(), milestone.amount) == ("2019-09-16", 50000)


@pytest.mark.parametrize("page", ["/c/cmv/indicateurs/", "/c/cmv/indicateurs/cpam.depistage_sein/"])
def test_entered_indicator_value(idf, two, page):
    from datetime import date

    from maillage.indicators.actions import enter_value

    marie, paul = two(coordinator=True)
    enter_value(
        idf["cmv"],
        "cpam.depistage_sein",
        "2025",
        value="69.5",
        source="CPAM 92",
        source_date=date(2026, 3, 1),
        actor=None,
    )
    seen = re.search(r'name="versions" value="([^"]*)"', marie.get(page).content.decode()).group(1)
    assert seen == "cpam.depistage_sein@2025=1"
    assert re.search(r'name="versions" value="([^"]*)"', paul.get(page).content.decode()).group(1) == seen
    form = {"code": "cpam.depistage_sein", "periode": "2025", "date_source": "2026-04-01", "versions": seen}
    assert marie.post(page, {**form, "valeur": "70,1", "source": "CPAM 92, rectificatif"}).status_code == 302
    refused = paul.post(page, {**form, "valeur": "71,4", "source": "CPAM 92, second rectificatif"})
    assert refused.status_code == 409
    body = html.unescape(refused.content.decode())
    message = re.search(r'data-testid="stale-edit">(.*?)</div>', body, re.S).group(1)
    assert (
        "Marie Dupont a modifié cette fiche le " in message and "Votre modification n'a pas été enregistrée" in message
    )
    assert "Source → CPAM 92, rectificatif" in message and "→ 70,1" in message
    assert 'value="71,4"' in body and 'value="CPAM 92, second rectificatif"' in body  # Paul's input, kept
    assert 'name="versions" value="cpam.depistage_sein@2025=2"' in body
    kept = IndicatorValue.objects.get(cpts=idf["cmv"], code="cpam.depistage_sein", period="2025")
    assert (kept.value, kept.source, kept.version) == (70.1, "CPAM 92, rectificatif", 2)
    # A period nobody had entered when the form was read, entered by someone else meanwhile, is refused too.
    assert marie.post(page, {**form, "periode": "2024", "valeur": "68", "source": "CPAM 92"}).status_code == 302
    assert paul.post(page, {**form, "periode": "2024", "valeur": "67", "source": "CPAM 92"}).status_code == 409


@pytest.mark.django_db(transaction=True)
def test_saves_at_the_same_instant_let_exactly_one_through(idf):
    """The row lock: without it, simultaneous saves holding the same version could all pass the
    comparison before any increment."""
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:memorydb"):
        pytest.skip("an in-memory SQLite database is not shared between threads")
    partner = Partner.objects.create(cpts=idf["cmv"], kind="dac", name="DAC 92 Sud")
    barrier, outcomes = threading.Barrier(6), []

    def attempt(n):
        try:
            barrier.wait()
            phone = f"01 40 00 00 0{n}"
            save_partner(
                idf["cmv"], {"phone": phone}, None, partner=Partner.objects.get(pk=partner.pk), expected_version=0
            )
            outcomes.append(phone)
        except StaleEdit:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    saved = [o for o in outcomes if o != "refused"]
    assert len(saved) == 1 and outcomes.count("refused") == 5
    partner.refresh_from_db()
    assert (partner.phone, partner.version) == (saved[0], 1)
