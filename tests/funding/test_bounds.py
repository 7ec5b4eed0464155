"""The contract form's bounds: amounts that fit their columns, a bounded number of indicator
rows and tier steps, a mission for every indicator; a refused form changes nothing saved."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from maillage.funding.models import Contract, ContractIndicator
from maillage.www.funding.forms import MAX_INDICATOR_ROWS, MAX_STEPS
from tests.funding.conftest import FOUND
from tests.funding.test_views import _form
from tests.test_bad_input import french_page

CONTRACT = "/c/cmv/financement/contrat/"


@pytest.mark.parametrize("amount", ["1E+30", "9" * 40, "-1e400", "1e999999", "NaN", "Infinity"])
def test_huge_contract_amounts_are_refused_and_save_nothing(coordinator_client, avenant_2, amount):
    response = coordinator_client.post(CONTRACT, _form(rule_set=avenant_2.pk, access_fixed=amount))
    page = french_page(response)
    assert "montant" in page.lower() or "nombre" in page.lower()
    assert not Contract.objects.exists()


@pytest.mark.parametrize("step", ["1e999999", "9" * 40, "-1e400", "1E+30"])
def test_a_huge_tier_step_is_refused(coordinator_client, avenant_2, step):
    response = coordinator_client.post(CONTRACT, _form(rule_set=avenant_2.pk, ind0_steps=f"0 ; {step} ; 100"))
    page = french_page(response)
    assert "Ligne 1" in page
    assert not Contract.objects.exists()


def test_a_contract_indicator_row_without_a_mission_is_refused(coordinator_client, avenant_2):
    response = coordinator_client.post(CONTRACT, _form(rule_set=avenant_2.pk, ind0_mission=""))
    page = french_page(response)
    assert "Choisissez la mission" in page
    assert not Contract.objects.exists()


def test_a_refused_contract_leaves_the_saved_one_unchanged(coordinator_client, cmv_contract, avenant_2):
    before = list(ContractIndicator.objects.values_list("code", "mission"))
    response = coordinator_client.post(CONTRACT, _form(rule_set=avenant_2.pk, access_fixed="1E+30"))
    french_page(response)
    assert list(ContractIndicator.objects.values_list("code", "mission")) == before
    assert Contract.objects.get().missions.get(mission="access").fixed == 35_000


def test_twenty_thousand_indicator_rows_are_refused_before_any_is_built(coordinator_client, avenant_2):
    with CaptureQueriesContext(connection) as queries:
        response = coordinator_client.post(CONTRACT, {"ind20000_code": ""})
    page = french_page(response)
    assert f"{MAX_INDICATOR_ROWS} indicateurs au plus" in page
    assert "ind20000_code" not in page and "ind40_code" not in page  # no row was built
    assert len(queries) < 20
    # As many distinct row numbers as the maximum allows are still shown.
    many = {f"ind{n}_code": "" for n in range(MAX_INDICATOR_ROWS + 1)}
    assert "indicateurs au plus" in french_page(coordinator_client.post(CONTRACT, many))


def test_the_maximum_number_of_indicator_rows_is_accepted(coordinator_client, avenant_2):
    data = _form(rule_set=avenant_2.pk)
    data[f"ind{MAX_INDICATOR_ROWS - 1}_code"] = ""
    assert coordinator_client.post(CONTRACT, data).status_code == 302
    assert Contract.objects.get().indicators.get().code == FOUND


def test_too_many_tier_steps_and_too_long_texts_are_refused(coordinator_client, avenant_2):
    steps = "\n".join(f"{n} ; {n + 1} ; 10" for n in range(MAX_STEPS + 1))
    page = french_page(coordinator_client.post(CONTRACT, _form(rule_set=avenant_2.pk, ind0_steps=steps)))
    assert f"{MAX_STEPS} tranches au plus" in page
    page = french_page(
        coordinator_client.post(CONTRACT, _form(rule_set=avenant_2.pk, tier="T2", tier_reason="x" * 256))
    )
    assert "au plus 255 caractères" in page
    assert not Contract.objects.exists()


def test_the_maximum_number_of_tier_steps_is_accepted(coordinator_client, avenant_2):
    # A better result never pays less: the last range has no upper bound.
    steps = "\n".join(f"{n} ; {n + 1 if n < MAX_STEPS - 1 else ''} ; 10" for n in range(MAX_STEPS))
    assert (
        coordinator_client.post(
            CONTRACT, _form(rule_set=avenant_2.pk, ind0_steps=steps, ind0_direction="higher")
        ).status_code
        == 302
    )
    assert Contract.objects.get().indicators.get().steps.count() == MAX_STEPS
