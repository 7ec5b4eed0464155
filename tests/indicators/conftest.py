from datetime import date

import pytest

from maillage.indicators.actions import enter_value
from tests.factories import RoleFactory

CPAM = "CPAM des Hauts-de-Seine, tableau de bord ACI"


@pytest.fixture
def cmv(idf):
    return idf["cmv"]


@pytest.fixture
def coordinator_user(cmv):
    return RoleFactory(coordinator=True, cpts=cmv).user


@pytest.fixture
def enter(cmv, coordinator_user):
    """Enters a value as the coordinator, from the CPAM's dashboard of 1 March 2026 by default."""

    def _enter(code, period, value=None, *, cpts=None, source=CPAM, source_date=date(2026, 3, 1), **numbers):
        return enter_value(
            cpts or cmv,
            code,
            period,
            value=value,
            source=source,
            source_date=source_date,
            actor=coordinator_user,
            **numbers,
        )

    return _enter
