"""The mission's indicators and its lines of the yearly ACI report."""

from django.utils import timezone

from maillage.indicators import registry
from maillage.indicators.activity import for_year
from maillage.indicators.periods import Period
from maillage.support import newcomers, offers
from maillage.support.indicators import CODES
from maillage.support.models import OfferStatus
from tests.support.conftest import offer_draft


def test_the_year_figures_count_what_was_done(idf):
    cmv = idf["cmv"]
    year = timezone.localdate().year
    internship = offers.post_offer(cmv, offer_draft(kind="internship", positions=2), None, by_coordination=True)
    offers.post_offer(cmv, offer_draft(), None, by_coordination=True)
    offers.move(internship, OfferStatus.FILLED, None)
    declared = newcomers.Declared(last_name="Moreau", first_name="Léa", profession="Infirmière", commune_code="92020")
    newcomer = newcomers.declare(cmv, declared, None)
    newcomers.send_welcome(newcomer, "lea@exemple.fr", None)
    newcomers.declare(cmv, newcomers.Declared(last_name="Roux", first_name="", profession="Kiné", commune_code="92046"),
                      None)  # fmt: skip
    values = registry.compute(cmv, Period.year(year), CODES)
    assert values == {
        "support.newcomers": 2,
        "support.newcomers_contacted": 1,
        "support.newcomers_joined": 0,
        "support.offers_published": 2,
        "support.offers_filled": 1,
        "support.students_hosted": 2,
    }
    assert registry.compute(idf["paris13"], Period.year(year), CODES) == dict.fromkeys(CODES, 0)
    lines = dict(for_year(cmv, year))["accompagnement des professionnels"]
    assert (lines[0].label, lines[0].value) == ("Nouveaux professionnels installés repérés", 2)
    assert "Moreau" not in str(lines)  # no person named
