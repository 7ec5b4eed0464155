"""The Annuaire and SAS conformance suites as one module, so that they share one demo load
(tests/fhir/conformance/conftest.py); their tests and fixtures are those of the two suites."""

import pytest

from tests.fhir.conformance.test_annuaire_conformance import *  # noqa: F403
from tests.fhir.conformance.test_sas_conformance import *  # noqa: F403
from tests.fhir.conformance.test_sas_conformance import _sas_demo  # noqa: F401 (a fixture, private)

pytestmark = pytest.mark.reference
