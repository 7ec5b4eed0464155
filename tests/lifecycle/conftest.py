import html
from datetime import date

import pytest

from maillage.lifecycle import actions
from tests.factories import RoleFactory

TODAY = date(2026, 11, 23)

# A CPTS that went all the way: the chain, then the ACI signed on 2023-03-15.
CHAIN_DATES = [
    ("letter_of_intent", date(2019, 6, 3)),
    ("seed_funding", date(2019, 9, 16)),
    ("statutes", date(2019, 11, 28)),
    ("project_submitted", date(2022, 10, 3)),
    ("ars_response", date(2022, 11, 28)),
    ("aci_signed", date(2023, 3, 15)),
]


def date_all(cpts, items, actor=None):
    for kind, day in items:
        actions.date_milestone(cpts, kind, day, actor=actor, today=TODAY, history=kind == "ars_response")


@pytest.fixture
def signed(idf):
    """cmv with its whole chain dated (nothing of the missions yet)."""
    date_all(idf["cmv"], CHAIN_DATES)
    return idf["cmv"]


@pytest.fixture
def regional_viewer(idf):
    return RoleFactory(regional=True, region=idf["region"]).user


def text(response) -> str:
    """The page as a reader sees its characters (apostrophes and quotes unescaped)."""
    return html.unescape(response.content.decode())
