from datetime import timedelta

import pytest
from django.utils import timezone

from maillage.unscheduled.actions.slots import open_slot
from maillage.unscheduled.enums import Kind
from tests.factories import ActivityFactory, ProfessionalFactory, RoleFactory


@pytest.fixture
def gp(idf):
    """A GP practising in Malakoff (CMV), with an account that opens their slots."""
    professional = ProfessionalFactory(last_name="Bernard")
    ActivityFactory(professional=professional, commune=idf["communes"]["92046"])
    return professional


@pytest.fixture
def nurse(idf):
    professional = ProfessionalFactory(adeli=True, last_name="Infirmière")
    ActivityFactory(professional=professional, commune=idf["communes"]["92075"], commune_code="92075")
    return professional


@pytest.fixture
def member(idf):
    return RoleFactory(cpts=idf["cmv"]).user


@pytest.fixture
def soon():
    """A quarter-hour boundary an hour from now: slots are never in the past."""
    now = timezone.now().replace(second=0, microsecond=0)
    return now + timedelta(hours=1, minutes=-(now.minute % 15))


@pytest.fixture
def slot_of(idf, member):
    def make(professional, start, minutes=20, *, kind=Kind.PRACTICE, types=("CPTS", "SNP")):
        return open_slot(
            idf["cmv"],
            professional,
            member,
            start=start,
            end=start + timedelta(minutes=minutes),
            kind=kind,
            types=types,
        )

    return make
