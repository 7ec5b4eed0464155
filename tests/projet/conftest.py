import pytest

from tests.factories import (
    ActivityFactory,
    CommuneFactory,
    CptsFactory,
    DepartementFactory,
    ProfessionalFactory,
    RegionFactory,
    RoleFactory,
)

NURSE = {"adeli": True}
CARDIOLOGIST = {"savoir_faire_code": "SM04", "savoir_faire_label": "Cardiologie"}


def _site(professional, commune, **extra):
    return ActivityFactory(professional=professional, commune=commune, commune_code=commune.code, **extra)


@pytest.fixture
def dordogne(db):
    """A small directory with round populations, so that every density is known by hand.

    Territory (24037 + 24001): 20,000 inhabitants; département 24: 40,000; France (the whole
    database): 50,000.
    """
    region = RegionFactory(code="75", name="Nouvelle-Aquitaine")
    dordogne = DepartementFactory(code="24", name="Dordogne", region=region)
    gironde = DepartementFactory(code="33", name="Gironde", region=region)
    communes = {
        "24037": CommuneFactory(code="24037", name="Bergerac", population=8_000, departement=dordogne),
        "24001": CommuneFactory(code="24001", name="Abjat-sur-Bandiat", population=12_000, departement=dordogne),
        "24002": CommuneFactory(code="24002", name="Agonac", population=20_000, departement=dordogne),
        "33063": CommuneFactory(code="33063", name="Bordeaux", population=10_000, departement=gironde),
    }
    cpts = CptsFactory(name="CPTS de Bergerac", slug="bergerac", communes=[communes["24037"], communes["24001"]])
    c = communes
    gp1 = ProfessionalFactory()
    _site(gp1, c["24037"])
    _site(gp1, c["24001"])  # two sites on the territory: counted once
    _site(ProfessionalFactory(), c["24037"])
    gp3 = ProfessionalFactory()
    _site(gp3, c["24001"])
    _site(gp3, c["33063"], active=False)  # a closed site counts nowhere
    _site(ProfessionalFactory(), c["24002"])
    _site(ProfessionalFactory(), c["24002"])
    _site(ProfessionalFactory(), c["33063"])
    _site(ProfessionalFactory(active=False), c["24037"])  # gone from the last extraction
    _site(ProfessionalFactory(**CARDIOLOGIST), c["24037"])
    _site(ProfessionalFactory(**NURSE), c["24001"])
    _site(ProfessionalFactory(**NURSE), c["24001"])
    _site(ProfessionalFactory(**NURSE), c["33063"])
    # A site abroad (no commune): the professional counts nowhere.
    abroad = _site(ProfessionalFactory(**NURSE), c["33063"])
    abroad.commune = None
    abroad.save()
    return {"cpts": cpts, "communes": communes}


@pytest.fixture
def bergerac_coordinator(dordogne, login):
    user = RoleFactory(coordinator=True, cpts=dordogne["cpts"]).user
    return login(user, with_mfa=True)
