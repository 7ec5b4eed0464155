"""Schemathesis against the API's own schema (/api/v1/openapi.json): every operation, with values
that fit the schema and values that do not (negative mode: wrong types, missing parameters), as an
anonymous visitor, a coordinator of cmv and a regional viewer, both past their second factor. The
requests go through Django in-process (the WSGI interface, no server). What is checked: never a 5xx,
and the body of a status the schema documents matches its schema. (Not that every status is
documented: the schema does not list 401 and 422, which the API answers on purpose.)

Bounded and deterministic: `derandomize` draws the same examples on every run, whatever the seed
pytest-randomly gives; no shrinking (a failure prints its request as drawn), no example database.
"""

import pytest
import schemathesis
from django.conf import settings
from django.test import Client
from django.test.client import ClientHandler
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from maillage.api.urls import api
from tests.accounts.conftest import with_totp
from tests.factories import RoleFactory

SCHEMA_PATH = "/api/v1/openapi.json"
EXAMPLES = 60  # per operation, actor and mode
FUZZ = hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    print_blob=False,
)
# Values that name something in the fixture, drawn as often as random ones, so that the operations
# behind a path parameter do their work rather than answer 404.
KNOWN = {"slug": ["cmv", "issy", "paris-13"], "code": ["92046", "75056", "92075"]}
KNOWN_QUERY = {"year": ["2025", "2024"]}  # cmv's contract runs from 2023
OPERATIONS = sorted(
    f"{method.upper()} {path}"
    for path, methods in api.get_openapi_schema(path_prefix="/api/v1/")["paths"].items()
    for method in methods
)


class InProcess:
    """Django's request handling as the test client runs it, behind the WSGI interface schemathesis
    speaks: the connection is not closed at the end of a request (it holds the test's
    transaction), and a view's exception becomes the 500 a server would answer."""

    def __init__(self):
        self.handler = ClientHandler(enforce_csrf_checks=True)

    def __call__(self, environ, start_response):
        response = self.handler(environ)
        headers = [*response.items(), *(("Set-Cookie", c.OutputString()) for c in response.cookies.values())]
        start_response(f"{response.status_code} {response.reason_phrase}", headers)
        return response.streaming_content if response.streaming else [response.content]


@pytest.fixture(scope="module")
def schema():
    return schemathesis.openapi.from_wsgi(SCHEMA_PATH, InProcess())


@pytest.fixture
def world(idf):
    """The territory of `idf`, a funding contract for cmv (the funding endpoint computes a year)."""
    from maillage.funding.actions import save_contract
    from maillage.funding.models import RuleSet
    from maillage.funding.rules import ensure_rule_sets
    from tests.funding.conftest import cmv_draft

    ensure_rule_sets()
    save_contract(idf["cmv"], cmv_draft(RuleSet.objects.get(code="avenant-2")), None)
    return idf


def _session_cookie(user) -> dict[str, str]:
    with_totp(user)
    client = Client()
    client.force_login(user)
    return {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}


ACTORS = {
    "anonymous": lambda idf: {},
    "coordinator": lambda idf: _session_cookie(RoleFactory(coordinator=True, cpts=idf["cmv"]).user),
    "regional": lambda idf: _session_cookie(RoleFactory(regional=True, region=idf["region"]).user),
}


def _cases(operation):
    """The operation's cases in both modes, its path parameters random or known."""
    known_paths = [{}] + [{p.name: v} for p in operation.path_parameters for v in KNOWN.get(p.name, [])]
    known_queries = [{}] + [{p.name: v} for p in operation.query for v in KNOWN_QUERY.get(p.name, [])]
    return st.one_of(
        operation.as_strategy(generation_mode=mode, path_parameters=path or None, query=query or None)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        for path in known_paths
        for query in known_queries
        if path or not query  # a known year with a random slug finds nothing either
    )


@pytest.mark.parametrize("actor", sorted(ACTORS))
@pytest.mark.parametrize("label", OPERATIONS)
def test_no_server_error_on_any_generated_request(schema, world, actor, label):
    operation = schema[label.split(" ", 1)[1]][label.split(" ", 1)[0]]
    cookies = ACTORS[actor](world)
    seen = set()

    @FUZZ
    @given(case=_cases(operation))
    def fuzz(case):
        # Plain bodies: the WSGI transport does not undo the gzip that published lists answer with
        # to a client accepting it (tests/test_published.py checks that encoding).
        response = case.call(cookies=cookies, headers={"Accept-Encoding": "identity"})
        seen.add(response.status_code)
        case.validate_response(response, checks=[not_a_server_error, schemathesis.checks.response_schema_conformance])

    fuzz()
    assert seen and max(seen) < 500
