"""GET /api/v1/cpts/<slug>/indicators?year=: what each kind of reader gets."""

from datetime import date

import pytest
from django.test import Client
from django.utils import timezone

from maillage.indicators.models import IndicatorValue
from maillage.unscheduled.models import CareRequest
from tests.factories import RoleFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/cpts/cmv/indicators"


def by_code(response) -> dict:
    return {row["code"]: row for row in response.json()["indicateurs"]}


@pytest.fixture
def figures(cmv, enter):
    enter("cpam.ald_sans_mt", "2025", 3)
    enter("cpam.depistage_sein", "2025", "70.1", source_date=date(2026, 3, 16))
    IndicatorValue.objects.create(
        cpts=cmv, code="doctor_access.waiting_by_priority", period="2025", period_start=date(2025, 1, 1),
        period_end=date(2026, 1, 1), value={"priorité 1": 2, "non prioritaire": 7},
    )  # fmt: skip
    IndicatorValue.objects.create(
        cpts=cmv, code="doctor_access.median_wait_days", period="2025", period_start=date(2025, 1, 1),
        period_end=date(2026, 1, 1), value=41,
    )  # fmt: skip


def test_a_member_reads_entered_and_computed_values_with_their_kind_and_source(login, cmv, figures):
    response = login(RoleFactory(cpts=cmv).user).get(URL, {"year": "2025"})

    assert response.status_code == 200
    body = response.json()
    assert (body["cpts"], body["annee"], body["vue"]) == ("cmv", 2025, "cpts")
    rows = by_code(response)
    assert rows["cpam.depistage_sein"] == {
        "code": "cpam.depistage_sein",
        "libelle": "Taux de dépistage organisé du cancer du sein",
        "mission": "prevention",
        "type": "percentage",
        "unite": "%",
        "sens": "higher",
        "valeur": 70.1,
        "origine": "saisie",
        "conservee": True,
        "source": "CPAM des Hauts-de-Seine, tableau de bord ACI",
        "date_source": "2026-03-16",
    }
    assert rows["cpam.ald_sans_mt"]["valeur"] == 3
    waiting = rows["doctor_access.waiting_by_priority"]
    assert (waiting["type"], waiting["valeur"], waiting["origine"], waiting["source"]) == (
        "distribution",
        {"priorité 1": 2, "non prioritaire": 7},
        "calculée",
        "Maillage",
    )
    assert rows["cpam.vaccination_grippe_65"]["valeur"] is None and rows["cpam.vaccination_grippe_65"]["source"] is None


def test_a_computed_indicator_with_nothing_kept_is_computed_for_the_answer(login, cmv, idf):
    CareRequest.objects.create(
        cpts=cmv, last_name="Petit", first_name="Jeanne", commune=idf["communes"]["92046"], reason="fièvre",
        phone="0600000000",
    )  # fmt: skip

    body = login(RoleFactory(cpts=cmv).user).get(URL).json()  # the current year by default

    assert body["annee"] == timezone.localdate().year
    rows = {row["code"]: row for row in body["indicateurs"]}
    requests = rows["unscheduled.requests"]
    assert (requests["valeur"], requests["conservee"], requests["source"]) == (1, False, None)


def test_regional_viewers_of_the_region_get_small_counts_of_people_hidden(login, idf, figures):
    rows = by_code(login(RoleFactory(regional=True, region=idf["region"]).user).get(URL, {"year": 2025}))

    assert rows["cpam.ald_sans_mt"]["valeur"] == "< 5"
    assert rows["doctor_access.waiting_by_priority"]["valeur"] == {"priorité 1": "< 5", "non prioritaire": 7}
    assert rows["cpam.depistage_sein"]["valeur"] == 70.1  # a rate is not a count of people
    assert rows["doctor_access.median_wait_days"]["valeur"] == 41  # computed on 9 people


def test_others_get_a_404_and_anonymous_clients_a_401(login, idf, figures):
    other_region = RoleFactory(regional=True, region__code="76").user
    for user in (
        other_region,
        RoleFactory(coordinator=True, cpts=idf["paris13"]).user,
        RoleFactory(regulator=True, cpts=idf["cmv"]).user,
    ):
        response = login(user, with_mfa=True).get(URL, {"year": 2025})
        assert response.status_code == 404
        assert response.json() == {"detail": "CPTS inconnue : cmv."}
    assert login(RoleFactory(admin=True).user).get("/api/v1/cpts/inexistante/indicators").status_code == 404
    assert Client().get(URL).json() == {"detail": "Authentification requise."}


@pytest.mark.parametrize(
    ("year", "message"),
    [
        ("deux-mille", "Année « deux-mille » illisible : attendu une année sur quatre chiffres"),
        ("20255", "illisible"),
        ("2999", "L'année 2999 n'a pas encore commencé."),
    ],
)
def test_a_bad_year_is_a_french_json_error(login, cmv, year, message):
    response = login(RoleFactory(admin=True).user).get(URL, {"year": year})
    assert response.status_code == 400
    assert message in response.json()["detail"]
