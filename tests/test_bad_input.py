"""Inputs found by testing from the outside that once answered a 500 or took seconds: each one
now gets a French 400 (JSON on the API, an OperationOutcome on FHIR, a page or a form error on
the site), and nothing already saved changes."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from maillage.indicators.models import IndicatorValue
from maillage.lifecycle.models import Milestone
from maillage.unscheduled.models import Booking, CareRequest, SasConsumer
from tests.factories import RoleFactory


def french_page(response) -> str:
    page = response.content.decode()
    assert response.status_code == 400, page[:2000]
    assert 'lang="fr"' in page
    return page


def test_a_role_that_is_not_a_number_is_a_french_400(coordinator_client):
    page = french_page(coordinator_client.post("/espace/role/", {"role": "abc"}))
    assert "Requête invalide" in page and "rôle" in page


@pytest.mark.parametrize("slot", ["abc", "9" * 40, "-1e400"])
def test_booking_a_slot_that_is_not_a_number_is_a_french_400(idf, login, slot):
    regulator = login(RoleFactory(regulator=True, cpts=idf["cmv"]).user, with_mfa=True)
    care = CareRequest.objects.create(cpts=idf["cmv"], last_name="Petit", first_name="Jeanne",
                                      commune=idf["communes"]["92046"], reason="fièvre", phone="0600000000")  # fmt: skip
    page = french_page(regulator.post(f"/c/cmv/snp/{care.pk}/reserver/", {"slot": slot}))
    assert "créneau" in page
    assert not Booking.objects.exists()


@pytest.mark.parametrize("year", ["0000", "0", "99999", "9" * 40, "abc", "1999"])
def test_the_indicators_api_answers_a_bad_year_in_french_json(coordinator_client, year):
    response = coordinator_client.get("/api/v1/cpts/cmv/indicators", {"year": year})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "Année" in response.json()["detail"] or "année" in response.json()["detail"]


@pytest.mark.parametrize("period", ["0000", "0000-01", "9999-12", "9999-T4", "1850"])
def test_an_indicator_entered_for_an_impossible_period_is_refused(coordinator_client, period):
    response = coordinator_client.post(
        "/c/cmv/indicateurs/",
        {"code": "cpam.depistage_sein", "periode": period, "numerateur": "1", "denominateur": "2",
         "source": "CPAM", "date_source": "01/03/2026"},
    )  # fmt: skip
    page = french_page(response)
    assert "Période" in page and "2000" in page
    assert not IndicatorValue.objects.exists()


@pytest.mark.parametrize("period", ["0000", "9999-12", "9" * 40])
def test_reading_the_indicators_of_an_impossible_period_is_a_french_400(coordinator_client, period):
    page = french_page(coordinator_client.get("/c/cmv/indicateurs/", {"periode": period}))
    assert "Période" in page


@pytest.mark.parametrize(
    ("amount", "told"),
    [
        ("1E+30", "n&#x27;est pas un nombre"),
        ("-1e400", "n&#x27;est pas un nombre"),
        ("1e999999", "n&#x27;est pas un nombre"),
        ("99999999999", "est trop grand"),
        ("9" * 40, "au plus 20 caractères"),
        ("x" * 5000, "au plus 20 caractères"),
    ],
)
def test_a_huge_milestone_amount_is_refused_in_french(idf, login, amount, told):
    admin = login(RoleFactory(admin=True).user, with_mfa=True)
    response = admin.post("/c/cmv/parcours/jalons/seed_funding/", {"date": "2019-09-16", "amount": amount})
    page = french_page(response)
    assert told in page
    assert not Milestone.objects.exists()


@pytest.mark.parametrize(
    ("resource_type", "resource_id"),
    [
        ("Schedule", "999999999999999999999-x-1"),
        ("Schedule", "1-810003456789-999999999999999999999"),
        ("Slot", "99999999999999999999999"),
        ("Slot", str(2**63)),
        ("HealthcareService", "cpts-99999999999999999999999"),
        ("Organization", "cpts-99999999999999999999999"),
    ],
)
def test_an_oversize_fhir_id_is_an_operation_outcome_400(db, resource_type, resource_id):
    _, key = SasConsumer.create_with_key("Plateforme SAS")
    response = Client().get(f"/fhir/{resource_type}/{resource_id}", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 400, response.content.decode()
    body = response.json()
    assert body["resourceType"] == "OperationOutcome" and body["issue"][0]["code"] == "invalid"
    assert "Identifiant" in body["issue"][0]["diagnostics"]


def test_the_api_answers_json_never_an_html_page(coordinator_client, monkeypatch):
    from maillage.api import indicators

    def failing(error):
        def values(*args):
            raise error

        return values

    monkeypatch.setattr(indicators, "_values", failing(RuntimeError("boom")))
    response = coordinator_client.get("/api/v1/cpts/cmv/indicators", {"year": "2025"})
    assert response.status_code == 500
    assert response.json() == {"detail": "Erreur interne du serveur ; elle a été journalisée."}
    # A number past what the database stores (SQLite: OverflowError) is the client's error.
    monkeypatch.setattr(indicators, "_values", failing(OverflowError("Python int too large")))
    response = coordinator_client.get("/api/v1/cpts/cmv/indicators", {"year": "2025"})
    assert response.status_code == 400 and response.json() == {"detail": "Paramètre hors des limites."}
    assert Client().get("/api/v1/cpts/inconnue/funding").json()["detail"] == "Authentification requise."


def _www_forms():
    import importlib
    import inspect
    import pkgutil

    from django import forms

    import maillage.www

    for found in pkgutil.walk_packages(maillage.www.__path__, "maillage.www."):
        # Forms live in `forms` modules, and some parts keep theirs beside their views.
        # Issue 17: the crisis parts keep theirs in `forms_<part>` modules.
        last = found.name.rsplit(".", 1)[-1]
        if last == "forms" or last.startswith("forms_") or found.name.startswith("maillage.www.association."):
            module = importlib.import_module(found.name)
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                    yield cls


def _unbounded(name, field):
    from django import forms
    from django.core.validators import MaxValueValidator

    from maillage.core.bounds import plausible_date

    if isinstance(field, forms.CharField) and field.max_length is None:
        return f"{name}: text without max_length"
    if isinstance(field, forms.IntegerField | forms.DecimalField) and not any(
        isinstance(v, MaxValueValidator) for v in field.validators
    ):
        return f"{name}: number without a maximum"
    if isinstance(field, forms.DateField) and plausible_date not in field.validators:
        return f"{name}: date without its range"
    return None


def test_every_field_of_every_form_has_a_maximum(idf):
    from maillage.www.funding.forms import ContractForm

    problems = [
        problem
        for cls in _www_forms()
        for name, field in cls.base_fields.items()
        if (problem := _unbounded(f"{cls.__name__}.{name}", field))
    ]
    # The contract form's rows are built when it is: a form with its rows.
    contract = ContractForm(cpts=idf["cmv"])
    problems += [p for name, field in contract.fields.items() if (p := _unbounded(f"ContractForm.{name}", field))]
    assert sorted(_www_forms(), key=str) and not problems


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1899-12-31"])
def test_a_date_out_of_range_is_told_in_french(idf, login, day):
    admin = login(RoleFactory(admin=True).user, with_mfa=True)
    page = french_page(admin.post("/c/cmv/parcours/jalons/letter_of_intent/", {"date": day}))
    assert "Date hors des limites : entre 1900 et 2100." in page
    assert not Milestone.objects.exists()


def test_a_thousand_indicator_rows_of_a_fiche_are_refused_before_they_are_built(coordinator_client):
    from maillage.projet.models import FicheAction

    data = {"mission": "crisis", "title": "Plan", "objective": "Être prêts.",
            "indicateurs-TOTAL_FORMS": "20000", "indicateurs-INITIAL_FORMS": "0"}  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        response = coordinator_client.post("/c/cmv/projet-de-sante/fiches/nouvelle/", data)
    page = french_page(response)
    assert "20 formulaires" in page
    assert 'name="indicateurs-20-code"' not in page
    assert not FicheAction.objects.exists()
    assert len(queries) < 30


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("0001-01-01", "0001-01-02"),
        ("9999-12-30", "9999-12-31"),
        ("9999-12-31T23:00:00-05:00", "9999-12-31T23:30:00-05:00"),
        ("2026-06-12", "9" * 40),
    ],
)
def test_a_sas_search_far_out_of_time_is_an_operation_outcome_400(db, start, end):
    from maillage.fhir import systems
    from tests.factories import with_check_digit

    _, key = SasConsumer.create_with_key("Plateforme SAS")
    params = {
        "start": [f"ge{start}", f"le{end}"],
        "schedule.actor:Practitioner.identifier": f"{systems.IDNPS}|8{with_check_digit('1000290937')}",
        "status": "free",
    }
    response = Client().get("/fhir/Slot", params, headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 400, response.content.decode()
    body = response.json()
    assert body["resourceType"] == "OperationOutcome" and body["issue"][0]["code"] == "invalid"
    assert "Date" in body["issue"][0]["diagnostics"]


def test_too_many_fields_is_the_general_french_400(coordinator_client):
    # Django refuses more than DATA_UPLOAD_MAX_NUMBER_FIELDS keys (a SuspiciousOperation): the
    # same page, with the general sentence rather than Django's English reason.
    many = {f"ind{n}_steps": "" for n in range(1001)}
    page = french_page(coordinator_client.post("/c/cmv/financement/contrat/", many))
    assert "Une valeur envoyée est illisible ou hors des limites." in page
    assert "Too many" not in page


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/c/cmv/territoire/recherche/", {"q": "\x00"}),  # search_units: a DataError on PostgreSQL
        ("/c/cmv/medecin-traitant/", {"q": "a\x00b"}),  # the desk's name filter
        ("/c/cmv/annuaire/", {"q": "mal\x00"}),
    ],
)
def test_a_nul_character_in_the_address_is_a_french_400(coordinator_client, path, data):
    page = french_page(coordinator_client.get(path, data))
    assert "Requête invalide : une valeur envoyée contient un caractère nul." in page


@pytest.mark.parametrize("action", ["ajouter", "retirer"])
def test_a_nul_character_in_a_posted_commune_is_a_french_400(coordinator_client, idf, action):
    from maillage.territory.models import CptsCommune

    before = list(CptsCommune.objects.values_list("cpts_id", "commune_id").order_by("pk"))
    page = french_page(coordinator_client.post(f"/c/cmv/territoire/{action}/", {"code": "92\x00046", "version": "1"}))
    assert "caractère nul" in page
    assert list(CptsCommune.objects.values_list("cpts_id", "commune_id").order_by("pk")) == before


@pytest.mark.parametrize("params", [{"name": "\x00"}, {"family": "a\x00b"}, {"identifier": "\x00|1"}, {"\x00": "x"}])
def test_a_nul_character_in_a_fhir_search_is_an_operation_outcome_400(db, params):
    response = Client().get("/fhir/Practitioner", params)
    assert response.status_code == 400, response.content.decode()
    body = response.json()
    assert body["resourceType"] == "OperationOutcome" and body["issue"][0]["code"] == "invalid"
    assert body["issue"][0]["diagnostics"] == "Requête invalide : une valeur envoyée contient un caractère nul."


def test_a_commune_search_of_sixty_thousand_characters_finds_nothing(idf):
    # SQLite refuses a LIKE pattern over 50,000 bytes (« LIKE or GLOB pattern too complex »): was a 500.
    response = Client().get("/api/v1/communes", {"q": "x" * 60_000})
    assert response.status_code == 200 and response.json()["items"] == []
    assert Client().get("/api/v1/communes", {"q": "malakoff"}).json()["items"][0]["code"] == "92046"


@pytest.mark.parametrize(("resource_type", "param"), [("Organization", "name"), ("Organization", "address-city"),
                                                      ("Organization", "address-postalcode"), ("Practitioner", "name")])  # fmt: skip
def test_a_fhir_search_value_of_sixty_thousand_characters_is_an_operation_outcome_400(db, resource_type, param):
    # SQLite refused the LIKE pattern of Organization's name, city and postal code: was a 500.
    from tests.factories import StructureFactory

    StructureFactory()
    response = Client().get(f"/fhir/{resource_type}", {param: "x" * 60_000})
    assert response.status_code == 400, response.content.decode()
    body = response.json()
    assert body["resourceType"] == "OperationOutcome" and body["issue"][0]["code"] == "invalid"
    assert body["issue"][0]["diagnostics"] == (
        f"Valeur trop longue pour le paramètre « {param} » : 60\u202f000 caractères, au plus 1\u202f000."
    )
