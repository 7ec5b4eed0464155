from datetime import date, timedelta

import pytest
from django.utils import timezone

from maillage.directory.models import Partner, ProfessionalAccount
from maillage.pathways.actions.consent import Information
from maillage.pathways.actions.enrolment import Enrolment, Patient, Referrer, enrol
from maillage.pathways.models import PathwayTemplate
from maillage.pathways.states import CareRole, Decision, Scope
from tests.factories import ActivityFactory, ProfessionalFactory, RoleFactory, UserFactory, with_check_digit

DISCHARGE = "sortie-hospitalisation-personne-agee"
# A valid NIR: 13 digits and their key (97 − number mod 97).
NIR_BODY = "2550375120005"
VALID_NIR = NIR_BODY + f"{97 - int(NIR_BODY) % 97:02d}"


def information(**decisions):
    return Information(
        informed_by_label="Dr Anne Leroy",
        informed_at=timezone.now() - timedelta(hours=1),
        text_version="2026-12-v1",
        decisions=decisions or {Scope.TEAM: Decision.NON_OPPOSITION},
    )


def patient(commune, **changes):
    values = {"last_name": "Moreau", "first_name": "Jeanne", "birth_date": date(1938, 5, 2), "sex": "F",
              "commune": commune, "phone": "0601020304"}  # fmt: skip
    return Patient(**{**values, **changes})


def linked(cpts, professional):
    """A member account of `cpts` linked to `professional`."""
    user = RoleFactory(cpts=cpts).user
    ProfessionalAccount.objects.create(user=user, professional=professional)
    return user


@pytest.fixture
def world(idf):
    cmv = idf["cmv"]
    malakoff = idf["communes"]["92046"]

    def working_in_cmv(**kwargs):
        professional = ProfessionalFactory(**kwargs)
        ActivityFactory(professional=professional, commune=malakoff)
        return professional

    nurse = working_in_cmv(adeli=True)
    gp = working_in_cmv()
    pharmacist = working_in_cmv(profession_code="21", profession_label="Pharmacien")
    physio = working_in_cmv(profession_code="70", profession_label="Masseur-kinésithérapeute")
    other_nurse = working_in_cmv(adeli=True)
    outsider = ProfessionalFactory()  # no site on the territory, no entry of the CPTS
    dac = Partner.objects.create(cpts=cmv, kind=Partner.Kind.DAC, name="DAC Hauts-de-Seine Sud")
    return {
        **idf,
        "malakoff": malakoff,
        "coordinator": RoleFactory(coordinator=True, cpts=cmv).user,
        "regulator": RoleFactory(regulator=True, cpts=cmv).user,
        "regional": RoleFactory(regional=True, region=idf["region"]).user,
        "coordinator_other": RoleFactory(coordinator=True, cpts=idf["paris13"]).user,
        "no_role": UserFactory(),
        "nurse": nurse, "gp": gp, "pharmacist": pharmacist, "physio": physio, "other_nurse": other_nurse,
        "outsider": outsider, "dac": dac,
        "nurse_user": linked(cmv, nurse), "gp_user": linked(cmv, gp), "other_nurse_user": linked(cmv, other_nurse),
        "discharge": PathwayTemplate.objects.get(cpts=None, code=DISCHARGE),
    }  # fmt: skip


@pytest.fixture
def enrolled(world):
    """Mme Moreau, back home from hospital yesterday, with her GP, her nurse and the DAC on her team."""
    today = timezone.localdate()
    pathway = enrol(
        world["cmv"],
        Enrolment(
            template=world["discharge"],
            patient=patient(world["malakoff"], ins=VALID_NIR),
            start_date=today,
            discharge_date=today - timedelta(days=1),
            information=information(),
            referrer=Referrer(kind="professional", professional=world["gp"]),
            team=[(world["gp"], CareRole.GP), (world["nurse"], CareRole.NURSE), (world["dac"], CareRole.DAC)],
        ),
        world["coordinator"],
    )
    return pathway


__all__ = ["VALID_NIR", "information", "patient", "with_check_digit"]
