"""The funding pages as the coordinator, the ARS and the others see them; the two downloads read back."""

import io
from datetime import date
from decimal import Decimal

import docx
import openpyxl
import pytest

from maillage.funding.models import Contract
from tests.factories import RoleFactory
from tests.funding.conftest import FOUND, SERVED, keep

NB = "\u202f"  # thousands
EUR = "\u00a0€"


@pytest.fixture
def with_values(idf, cmv_contract):
    keep(idf["cmv"], FOUND, 2025, 35)  # 20–50 → 4 000 €
    keep(idf["cmv"], SERVED, 2025, 72.5)  # ≥ 70 → 8 000 €
    keep(idf["cmv"], FOUND, 2026, 60)  # ≥ 50 → 8 000 €; SERVED of 2026 not entered yet
    return cmv_contract


def test_the_coordinator_sees_the_years_funding(coordinator_client, with_values):
    page = coordinator_client.get("/c/cmv/financement/?annee=2025").content.decode()
    assert f"303{NB}250,00{EUR}" in page  # 291 250 fixed (running 131 250 + missions) + 12 000 variable
    assert f"218{NB}437,50{EUR}" in page and "15/03/2025" in page  # the advance, at the anniversary
    assert f"84{NB}812,50{EUR}" in page and "30/04/2026" in page  # the balance
    assert "ACI CPTS 2019, avenant 2" in page
    assert "Valeurs manquantes" not in page and "Calcul en attente" not in page


def test_missing_values_and_the_projection(coordinator_client, with_values):
    page = coordinator_client.get("/c/cmv/financement/?annee=2026").content.decode()
    assert f"299{NB}250,00{EUR}" in page  # the year as known: the 24 h indicator pays nothing yet
    assert "Calcul en attente pour 2026 : Part des demandes prises en charge en moins de 24 heures" in page
    assert "à saisir" not in page and "valeur manquante" not in page
    assert "Recalculer 2026 maintenant" in page
    assert f"Si les indicateurs restent à leur niveau actuel : <strong>307{NB}250,00{EUR}" in page


def test_a_bad_year_is_explained(coordinator_client, with_values):
    response = coordinator_client.get("/c/cmv/financement/?annee=2019")
    assert response.status_code == 400
    assert "Le contrat couvre les années 2023 à" in response.content.decode()
    assert "Année « deux » illisible" in coordinator_client.get("/c/cmv/financement/?annee=deux").content.decode()
    assert coordinator_client.get("/c/cmv/financement/rapport.xlsx?annee=1990").status_code == 400


def test_without_a_contract_the_coordinator_is_invited_to_record_it(coordinator_client, idf):
    page = coordinator_client.get("/c/cmv/financement/").content.decode()
    assert "Aucun contrat ACI n'est enregistré" in page and "/c/cmv/financement/contrat/" in page
    assert coordinator_client.get("/c/cmv/financement/rapport.docx").status_code == 404


def test_the_xlsx_report_reads_back(coordinator_client, with_values):
    response = coordinator_client.get("/c/cmv/financement/rapport.xlsx?annee=2025")
    assert response["Content-Disposition"] == 'attachment; filename="financement-aci-cmv-2025.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Financement ACI 2025 — CPTS Châtillon-Malakoff-Vanves"
    by_label = {row[0]: row[1:] for row in rows if row and row[0]}
    assert by_label["Fonctionnement"][:3] == (131_250, None, 131_250)
    assert by_label["Accès aux soins"][:3] == (35_000, 12_000, 47_000)
    assert by_label["Total"][:3] == (291_250, 12_000, 303_250)
    assert by_label["Avance (75 % de la part fixe)"][:2] == ("15/03/2025", Decimal("218437.5"))
    assert by_label["Patients ayant trouvé un médecin traitant"][:3] == ("accès aux soins", "35", 4000)


def test_the_docx_report_reads_back(coordinator_client, with_values):
    response = coordinator_client.get("/c/cmv/financement/rapport.docx?annee=2026")
    document = docx.Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Financement ACI 2026 — CPTS Châtillon-Malakoff-Vanves" in text
    assert f"Si les indicateurs restent à leur niveau actuel : 307{NB}250,00{EUR}" in text
    missions, indicators, schedule, activity = document.tables
    assert [c.text for c in missions.rows[-1].cells] == ["Total", f"291{NB}250,00{EUR}", f"8{NB}000,00{EUR}",
                                                        f"299{NB}250,00{EUR}"]  # fmt: skip
    assert ["Part des demandes prises en charge en moins de 24 heures", "accès aux soins", "calcul en attente",
            f"0,00{EUR}"] in [[c.text for c in row.cells] for row in indicators.rows]  # fmt: skip
    assert [c.text for c in schedule.rows[1].cells][1] == "15/03/2026"
    # Issue 17: what each mission did, from its records (none yet here: each says so).
    assert [c.text for c in activity.rows[0].cells] == ["Mission", "Action", "Chiffre", "Détail"]
    assert "rien d'enregistré dans Maillage cette année" in [row.cells[1].text for row in activity.rows]


def test_regional_viewers_read_and_others_get_404(client, login, idf, with_values):
    own = login(RoleFactory(regional=True, region=idf["region"]).user)
    page = own.get("/c/cmv/financement/?annee=2025").content.decode()
    assert f"303{NB}250,00{EUR}" in page and "Modifier le contrat" not in page
    assert own.get("/c/cmv/financement/contrat/").status_code == 404
    other = login(RoleFactory(regional=True, region__code="76").user)
    assert other.get("/c/cmv/financement/").status_code == 404
    coordinator_other = login(RoleFactory(coordinator=True, cpts=idf["paris13"]).user, with_mfa=True)
    assert coordinator_other.get("/c/cmv/financement/").status_code == 404
    assert coordinator_other.get("/c/cmv/financement/rapport.xlsx").status_code == 404


def _form(**extra):
    data = {"rule_set": "", "signed_on": "2024-05-02", "tier": "", "tier_reason": "", "version": "0"}
    for line, start, fixed, variable in (("access", "2024-05-02", "40 000", "25 000"),
                                         ("pathways", "", "50000", "0"), ("prevention", "", "20000", "0"),
                                         ("crisis", "", "20000", "10000")):  # fmt: skip
        data.update({f"{line}_in": "on", f"{line}_start": start, f"{line}_fixed": fixed, f"{line}_variable": variable})
    data.update({"ind0_code": FOUND, "ind0_mission": "access", "ind0_direction": "lower",
                 "ind0_steps": " ; 10 ; 5000\n10 ; 20 ; 2500,50"})  # fmt: skip
    data.update(extra)
    return data


def test_the_coordinator_records_the_contract(coordinator_client, idf, avenant_2):
    assert (
        "Contrat ACI de la CPTS Châtillon-Malakoff-Vanves"
        in coordinator_client.get("/c/cmv/financement/contrat/").content.decode()
    )
    response = coordinator_client.post("/c/cmv/financement/contrat/", _form(rule_set=avenant_2.pk))
    assert response.status_code == 302
    contract = Contract.objects.get(cpts=idf["cmv"])
    assert contract.signed_on == date(2024, 5, 2)
    assert contract.missions.get(mission="pathways").starts_on == date(2024, 5, 2)  # no start: the signature
    steps = contract.indicators.get().steps.order_by("id")
    assert [(s.lower, s.upper, s.amount) for s in steps] == [(None, 10, 5000), (10, 20, Decimal("2500.50"))]
    # The form shows the saved contract back.
    page = coordinator_client.get("/c/cmv/financement/contrat/").content.decode()
    assert "10 ; 20 ; 2500,5" in page


def test_a_refused_contract_says_why_and_saves_nothing(coordinator_client, idf, avenant_2):
    response = coordinator_client.post(
        "/c/cmv/financement/contrat/",
        _form(rule_set=avenant_2.pk, access_fixed="50 000", ind0_steps="10 ; 20 ; 100\n25 ; ; 50\nabc ; 3 ; 1"),
    )
    assert response.status_code == 400
    assert "Ligne 3 : « abc » n&#x27;est pas un nombre." in response.content.decode()
    response = coordinator_client.post(
        "/c/cmv/financement/contrat/", _form(rule_set=avenant_2.pk, access_fixed="50 000")
    )
    page = response.content.decode()
    assert response.status_code == 400 and "Rien n'a été enregistré" in page
    assert "dépasse le maximum du règlement pour la taille T3" in page
    assert not Contract.objects.exists()


def test_the_funding_page_reads_the_recognised_crisis_and_links_to_its_declaration(
    coordinator_client, with_values, idf
):
    """Issue 17 — no crisis form on the funding page: the crisis is declared on the crisis pages, and
    the crisis variable part follows the crises the ARS recognised."""
    from datetime import date

    from maillage.crisis import activation

    page = coordinator_client.get("/c/cmv/financement/?annee=2025").content.decode()
    assert 'href="/c/cmv/crise/declarer/"' in page and "/financement/crise/" not in page
    declared = activation.Declaration(kind="epidemic", title="Bronchiolite", starts_on=date(2025, 11, 3),
                                      ends_on=date(2025, 12, 20), alert=False)  # fmt: skip
    activation.declare([idf["cmv"]], declared, None, by_ars=True, today=date(2025, 12, 22))
    page = coordinator_client.get("/c/cmv/financement/?annee=2025").content.decode()
    assert "Bronchiolite, reconnue le 22/12/2025" in page
    assert f"313{NB}250,00{EUR}" in page  # + the crisis variable part, 10 000 €


def test_regional_readers_never_see_a_count_of_people_under_five(coordinator_client, login, idf, cmv_contract):
    keep(idf["cmv"], FOUND, 2025, 3)  # three patients: a regional reader must not see it
    keep(idf["cmv"], SERVED, 2025, 4.5)  # a percentage over 40 requests: shown
    keep(idf["cmv"], "unscheduled.requests", 2025, 40)
    regional = login(RoleFactory(regional=True, region=idf["region"]).user)
    page = regional.get("/c/cmv/financement/?annee=2025").content.decode()
    assert '<td class="num">&lt; 5</td>' in page and '<td class="num">4,5</td>' in page
    assert '<td class="num">3</td>' in coordinator_client.get("/c/cmv/financement/?annee=2025").content.decode()
    document = docx.Document(io.BytesIO(regional.get("/c/cmv/financement/rapport.docx?annee=2025").content))
    cells = [[c.text for c in row.cells][:3] for row in document.tables[1].rows]
    assert ["Patients ayant trouvé un médecin traitant", "accès aux soins", "< 5"] in cells
    sheet = openpyxl.load_workbook(
        io.BytesIO(regional.get("/c/cmv/financement/rapport.xlsx?annee=2025").content)
    ).active
    assert ("Patients ayant trouvé un médecin traitant", "accès aux soins", "< 5") in [
        row[:3] for row in sheet.iter_rows(values_only=True)
    ]
