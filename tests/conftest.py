import os
from pathlib import Path

import pytest
from django.test import Client

from tests.factories import CommuneFactory, CptsFactory, DepartementFactory, RegionFactory, RoleFactory, UserFactory

SHARED_DATA = Path(os.environ.get("MAILLAGE_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))


@pytest.fixture(autouse=True)
def _no_demo_relaxation(settings):
    # Tests see the production rule (second factor required) unless a test relaxes it itself.
    settings.DEMO_RELAX_MFA = False


@pytest.fixture
def shared_data():
    if not SHARED_DATA.is_dir():
        pytest.skip(f"../shared/data est absent ({SHARED_DATA}) : ce test compare avec les extraits nationaux.")
    return SHARED_DATA


@pytest.fixture
def idf(db):
    """A small real-looking piece of Île-de-France: enough for pages, search and coverage."""
    hauts_de_seine = DepartementFactory(code="92", name="Hauts-de-Seine", region=RegionFactory(code="11"))
    paris = DepartementFactory(code="75", name="Paris", region=hauts_de_seine.region)
    communes = {
        "92020": CommuneFactory(code="92020", name="Châtillon", population=37_500, departement=hauts_de_seine),
        "92046": CommuneFactory(code="92046", name="Malakoff", population=30_557, departement=hauts_de_seine),
        "92075": CommuneFactory(code="92075", name="Vanves", population=28_622, departement=hauts_de_seine),
        "92040": CommuneFactory(
            code="92040", name="Issy-les-Moulineaux", population=67_669, departement=hauts_de_seine
        ),
        "92049": CommuneFactory(code="92049", name="Montrouge", population=49_976, departement=hauts_de_seine),
        "75113": CommuneFactory(
            code="75113", name="Paris 13e Arrondissement", population=181_271, departement=paris, kind="arrondissement"
        ),
        "75056": CommuneFactory(code="75056", name="Paris", population=2_100_000, departement=paris, is_unit=False),
    }
    cmv = CptsFactory(
        name="CPTS Châtillon-Malakoff-Vanves",
        slug="cmv",
        communes=[communes["92020"], communes["92046"], communes["92075"]],
    )
    issy = CptsFactory(
        name="CPTS Grand Issy-Vanves",
        slug="issy",
        status="projet",
        communes=[communes["92040"], communes["92075"]],
    )
    paris13 = CptsFactory(name="CPTS Paris 13", slug="paris-13", communes=[communes["75113"]])
    return {"communes": communes, "cmv": cmv, "issy": issy, "paris13": paris13, "region": hauts_de_seine.region}


def _login(user, *, with_mfa=False):
    client = Client()
    client.force_login(user)
    if with_mfa:
        from allauth.mfa.models import Authenticator

        Authenticator.objects.get_or_create(user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "x"}})
    return client


@pytest.fixture
def login():
    return _login


@pytest.fixture
def coordinator(idf):
    return RoleFactory(coordinator=True, cpts=idf["cmv"]).user


@pytest.fixture
def coordinator_client(coordinator):
    return _login(coordinator, with_mfa=True)


@pytest.fixture
def anonymous():
    return Client()


@pytest.fixture
def user_factory(db):
    return UserFactory
