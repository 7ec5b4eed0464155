"""Hostile search parameters on FHIR (/fhir/Practitioner, PractitionerRole, Organization and the
SAS Slot search), drawn by Hypothesis: NUL bytes, lone surrogates and bytes that are not UTF-8
(percent-encoded as a client would send them), thousands of characters, numbers past 64 bits,
dates such as 2026-13-45, modifiers, repeated and unknown parameters, `_count`, `_offset` and
`_include` out of their values. Every answer is below 500, and every 4xx is an OperationOutcome
whose diagnostics are French.

Deterministic (`derandomize`: the same draws on every run, whatever pytest-randomly's seed), no
shrinking, no example database; the database holds a few professionals, activities, structures
and slots, so the searches run against rows.
"""

import re
from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from maillage.fhir import sas_search, search, systems
from tests.factories import ActivityFactory, ProfessionalFactory, StructureFactory
from tests.fhir import test_sas
from tests.fhir.test_sas import criteria

agenda = test_sas.agenda  # a GP of cmv with slots of every kind
consumer = test_sas.consumer  # a key of the SAS interface

FUZZ = hypothesis_settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=False,
)
FHIR_JSON = "application/fhir+json; charset=utf-8"
# Words every diagnostics of the server has in one form or another: what an English framework
# message (« Bad Request », « Invalid value ») would not.
FRENCH = re.compile(r"«|Paramètre|paramètre|Valeur|Requête|Format|Ressource|Critère|Identifiant|Date|Période|Clé")

# Values ---------------------------------------------------------------------------------------

NASTY = [
    "\x00", "a\x00b", "\ud800", "\udfff", "x\udc80y", "\ufffd", "\uffff", "\u202e", "é", "%", "%00", "%ff",
    "\\", "\\,", ",", ",,,", "|", "||", "|x", "x|", "x|y|z", "*", "_", "%_", "'", '"', ";--", "\t", " ",
    "\r\n", "null", "true", "TRUE", "-1", "0", "1e400", "NaN", "Infinity", "-0", "00000000000000000000",
    str(2**63), str(2**64 + 1), str(-(2**63) - 1), "9" * 400, "x" * 5000, "é" * 2000, "x" * 60_000, "2026-13-45",
    "2026-02-30", "0000-00-00", "9999-12-31T24:00:00Z", "ge2026-13-45", "le+99999-01-01", "eq2026",
    "Practitioner/", "Practitioner/x/y", "/", "http://", "urn:oid:", f"{systems.IDNPS}|", f"{systems.IDNPS}|\x00",
]  # fmt: skip
MODIFIERS = [":exact", ":contains", ":missing", ":not", ":text", ":above", ":below", ":in", ":Practitioner", ":", "::"]
GENERAL = ["_count", "_offset", "_include", "_revinclude", "_sort", "_format", "_id", "_lastUpdated", "_summary",
           "_elements", "_total", "_has:Practitioner:x:y", "_include:iterate", "_revinclude:iterate"]  # fmt: skip


def dates():
    """Dates and date-times, most of them impossible, with or without a FHIR prefix."""
    numbers = st.tuples(
        st.integers(-1, 100_000), st.integers(-1, 99), st.integers(-1, 99), st.integers(-1, 99), st.integers(-1, 99)
    )
    text = numbers.map(lambda n: f"{n[0]:04d}-{n[1]:02d}-{n[2]:02d}") | numbers.map(
        lambda n: f"{n[0]:04d}-{n[1]:02d}-{n[2]:02d}T{n[3]:02d}:{n[4]:02d}:00+{n[3]:02d}:00"
    )
    return st.tuples(st.sampled_from(["", "ge", "le", "eq", "gt", "sa", "ap"]), text).map("".join)


# What finds rows in `directory`: a search that works, with a hostile parameter beside it.
BENIGN = ["lef", "MSP", "malakoff", "92240", "true", "false", "10", "SM54", "L", "124", f"8{test_sas.RPPS}",
          f"Practitioner/8{test_sas.RPPS}", f"{systems.IDNPS}|8{test_sas.RPPS}", "GEOGRAPHICAL-ENTITY", "0", "3"]  # fmt: skip

values = st.one_of(
    st.sampled_from(BENIGN),
    st.sampled_from(BENIGN),
    st.sampled_from(NASTY),
    st.text(st.characters(exclude_characters="\x00"), max_size=30),  # controls, astral planes…
    st.text(st.characters(codec=None, categories=["Cs", "Cc", "Zs"]), max_size=8),  # lone surrogates
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.integers(0, 6000).map(lambda n: "é" * n),
    dates(),
    st.lists(st.sampled_from(NASTY[:30]), min_size=2, max_size=5).map(",".join),
)


def encode(text: str) -> str:
    """The value as a client puts it on the wire: UTF-8, a lone surrogate as its three bytes."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


# Anything, UTF-8 or not (without NUL, which `NASTY` has: refused first, it would hide the rest).
raw_bytes = st.lists(st.integers(1, 255), max_size=24).map(lambda b: quote(bytes(b), safe=""))


def query_strings(names: list[str]):
    """Query strings of 1 to 4 parameters: the resource's own (with or without a modifier), the
    general ones, unknown ones; repeated at will; values hostile or raw bytes."""
    own = st.sampled_from([name for name in names if name != "_format"])
    name = st.one_of(
        own,  # the resource's own parameters most of the time: the searches run
        own,
        own,
        st.tuples(own, st.sampled_from(MODIFIERS)).map("".join),
        st.sampled_from(GENERAL),
        st.text(min_size=1, max_size=12),
    )
    pair = st.one_of(
        st.tuples(name.map(encode), values.map(encode)),
        st.tuples(name.map(encode), values.map(encode)),
        st.tuples(name.map(encode), raw_bytes),
        st.tuples(raw_bytes, raw_bytes),
    )
    return st.lists(pair, min_size=1, max_size=4).map(lambda pairs: "&".join(f"{n}={v}" for n, v in pairs))


# Data -----------------------------------------------------------------------------------------


@pytest.fixture
def directory(agenda):
    """The agenda's doctor and slots, and a little of the directory around them."""
    structures = [StructureFactory(short_name="MSP DE MALAKOFF"), StructureFactory(short_name="CENTRE ÉTÉ")]
    for structure in structures:
        ActivityFactory(finess_site=structure.finess_et, professional=ProfessionalFactory(last_name="Lefèvre"))
    ProfessionalFactory(adeli=True, last_name="Œuvray", first_name="Zoé")
    return agenda


def check(response) -> None:
    body = response.content.decode()
    assert response.status_code < 500, body[:2000]
    assert response["Content-Type"] == FHIR_JSON, body[:2000]
    if response.status_code >= 400:
        outcome = response.json()
        assert outcome["resourceType"] == "OperationOutcome", body[:2000]
        diagnostics = outcome["issue"][0]["diagnostics"]
        assert FRENCH.search(diagnostics), diagnostics


@pytest.mark.parametrize("resource_type", sorted(search.RESOURCES))
def test_hostile_searches_of_the_directory(directory, resource_type):
    client = Client(raise_request_exception=False)
    names = search.RESOURCES[resource_type].names()
    statuses = set()

    @FUZZ
    @given(query=query_strings(names))
    def fuzz(query):
        response = client.get(f"/fhir/{resource_type}?{query}")
        statuses.add(response.status_code)
        check(response)

    fuzz()
    assert {200, 400} <= statuses


def _slot_query(pairs) -> str:
    return "&".join(f"{encode(n)}={encode(v)}" for n, v in pairs)


@pytest.fixture
def sas_key(consumer):
    return consumer[1]


def test_hostile_sas_slot_searches(directory, sas_key):
    """The guide's query, one to three of its parameters replaced or added with hostile ones."""
    client = Client(raise_request_exception=False, headers={"Authorization": f"Bearer {sas_key}"})
    base = [(name, value) for name, values in criteria(**test_sas.INCLUDES).items() for value in
            ([values] if isinstance(values, str) else values)]  # fmt: skip
    names = [*sas_search.ACCEPTED, "start:missing", "schedule.actor", "_include:Slot:schedule"]
    statuses = set()
    change = st.tuples(st.integers(0, len(base)), st.sampled_from(names) | st.text(max_size=10), values)

    @FUZZ
    @given(changes=st.lists(change, min_size=1, max_size=3), raw=st.none() | raw_bytes)
    def fuzz(changes, raw):
        pairs = list(base)
        for index, name, value in changes:
            if index < len(pairs):
                pairs[index] = (pairs[index][0], value) if index % 2 else (name, value)
            else:
                pairs.append((name, value))
        query = _slot_query(pairs) + (f"&start={raw}" if raw is not None else "")
        response = client.get(f"/fhir/Slot?{query}")
        statuses.add(response.status_code)
        check(response)

    fuzz()
    assert 400 in statuses and max(statuses) < 500


@pytest.mark.parametrize(
    "authorization",
    ["", "Bearer", "Bearer ", "Basic x", "Bearer \u00ff\u00fe", "Bearer " + "x" * 5000, "bearer\tx", "Bearer a b c"],
)
def test_hostile_keys_are_a_401_operation_outcome(directory, authorization):
    query = _slot_query([(n, v) for n, vs in criteria().items() for v in ([vs] if isinstance(vs, str) else vs)])
    response = Client().get(f"/fhir/Slot?{query}", headers={"Authorization": authorization})
    check(response)
    assert response.status_code == 401


@pytest.mark.parametrize(
    "accept", ["", "*/*", "\u00ff", "application/fhir+json;q=\u00e9", "text/html", ",,,", "a/b;" * 500]
)
def test_hostile_accept_headers_never_give_a_server_error(directory, accept):
    response = Client().get("/fhir/Practitioner?name=lef", headers={"Accept": accept})
    check(response)
