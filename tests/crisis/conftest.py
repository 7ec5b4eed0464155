"""Issue 17 — the crisis plan's fixtures: cmv's coordinator, a professional working on cmv's
territory (a volunteer), an ARS viewer of Île-de-France."""

import pytest

from maillage.directory.models import Listing
from tests.factories import ProfessionalFactory, RoleFactory


@pytest.fixture
def nurse(idf):
    professional = ProfessionalFactory(
        profession_code="60", profession_label="Infirmier", first_name="Léa", last_name="Roux"
    )
    Listing.objects.create(
        cpts=idf["cmv"],
        professional=professional,
        search_name="roux lea",
        search_given="lea roux",
        national_id=professional.national_id,
        profession_code="60",
    )
    return professional


@pytest.fixture
def ars(idf):
    return RoleFactory(regional=True, region=idf["region"]).user


def full_plan(cpts, volunteer=None):
    from maillage.crisis import plan

    plan.save_plan(
        cpts, plan.PlanDraft("La cellule se réunit sous 2 h.", None, {"epidemic": "Vacciner.", "heatwave": ""}), None
    )
    plan.add_part(
        cpts,
        "cellule",
        {
            "name": "Dr Claire Martin",
            "function": "Médecin référente",
            "phone_day": "01 02 03 04 05",
            "phone_night": "06 07 08 09 10",
        },
        None,
    )
    plan.add_part(
        cpts, "partenaire", {"kind": "hospital", "name": "Hôpital Béclère", "contact": "Cadre de garde"}, None
    )
    plan.add_part(
        cpts,
        "exercice",
        {
            "held_on": __import__("datetime").date(2025, 3, 4),
            "scenario": "Canicule",
            "lessons": "Numéros de nuit à jour.",
        },
        None,
    )
    if volunteer is not None:
        plan.add_part(cpts, "volontaire", {"rpps": volunteer.identifier, "vaccinate": True, "test": True}, None)
    return plan.plan_of(cpts)
