"""Issue 17 — the crisis mission's fixtures. The plan's: cmv's coordinator, a professional working
on cmv's territory (a volunteer), an ARS viewer of Île-de-France. The response's: a crisis of cmv
with a centre and its shifts."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from maillage.crisis.models import Crisis
from maillage.crisis.response_centres import CentreDraft, add_shift, open_centre
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
            "held_on": date(2025, 3, 4),
            "scenario": "Canicule",
            "lessons": "Numéros de nuit à jour.",
        },
        None,
    )
    if volunteer is not None:
        plan.add_part(cpts, "volontaire", {"rpps": volunteer.identifier, "vaccinate": True, "test": True}, None)
    return plan.plan_of(cpts)


def at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=hour, minute=minute))


@pytest.fixture
def response(idf):
    return build_response(idf)


def build_response(idf):
    """cmv's crisis in progress, a vaccination centre with shifts tomorrow, people of cmv and paris13."""
    cmv = idf["cmv"]
    coordinator = RoleFactory(coordinator=True, cpts=cmv).user
    members = [RoleFactory(cpts=cmv, user__first_name=f"Prénom{n}", user__last_name=f"Nom{n}").user for n in range(3)]
    today = timezone.localdate()
    crisis = Crisis.objects.create(cpts=cmv, kind="epidemic", title="Épidémie de grippe", starts_on=today - timedelta(days=10),
                                   declared_by="ars", recognised_on=today - timedelta(days=10))  # fmt: skip
    centre = open_centre(
        crisis, CentreDraft("vaccination", "Centre de vaccination de Malakoff", "1 place du 11-Novembre",
                            today - timedelta(days=5), idf["communes"]["92046"], "8 h – 18 h"), coordinator,
    )  # fmt: skip
    tomorrow = today + timedelta(days=1)
    morning = add_shift(centre, coordinator, starts_at=at(tomorrow, 8), ends_at=at(tomorrow, 12), capacity=2,
                        role="vaccinate")  # fmt: skip
    late_morning = add_shift(centre, coordinator, starts_at=at(tomorrow, 11), ends_at=at(tomorrow, 14), capacity=2,
                             role="reception")  # fmt: skip
    afternoon = add_shift(centre, coordinator, starts_at=at(tomorrow, 14), ends_at=at(tomorrow, 18), capacity=1,
                          role="vaccinate")  # fmt: skip
    other = Crisis.objects.create(cpts=idf["paris13"], kind="epidemic", title="Autre", starts_on=date(2026, 1, 1),
                                  declared_by="cpts")  # fmt: skip
    return {
        "cmv": cmv, "crisis": crisis, "centre": centre, "coordinator": coordinator, "members": members,
        "morning": morning, "late_morning": late_morning, "afternoon": afternoon, "other_crisis": other,
        "other_member": RoleFactory(cpts=idf["paris13"]).user, "communes": idf["communes"],
    }  # fmt: skip
