"""Raw query strings and headers no client library would send — bytes that are not UTF-8, an
encoded NUL, an encoded lone surrogate, percent signs that encode nothing, thousands of
characters — on every GET URL of the permission matrix (site pages, API, FHIR), as an anonymous
visitor and as the coordinator: never a 500."""

import os
from urllib.parse import urlsplit

import pytest
from django.test import Client

from tests import test_permissions
from tests.test_bad_input_sweep import COMMON
from tests.test_permissions import MATRIX, fill

actors = test_permissions.actors  # the matrix's people and objects
# Built once for the module (one media folder, and `idf` is the module's world).
_matrix_media, _matrix_world = test_permissions._matrix_media, test_permissions._matrix_world
_media_in_tmp, idf = test_permissions._media_in_tmp, test_permissions.idf

# Values as they travel in a query string (already percent-encoded, or deliberately not), by kind.
RAW_KINDS = {
    "nul": ["%00", "a%00b"],  # NUL: PostgreSQL cannot hold it in a text
    "not utf-8": [
        "%ff%fe",
        "%ed%a0%80",  # a lone surrogate (U+D800) encoded as if it were a character
        "%c0%80",  # an overlong NUL
        "%e9t%e9",  # Latin-1 « été »
    ],
    "bad percent": ["%", "%zz%4"],  # a percent sign that encodes nothing, or half of one
    "long text": ["x" * 4000, "%C3%A9" * 1300],  # what fits in a request line (gunicorn: 4094 bytes)
    "long number": ["9" * 400],
    "impossible date": ["2026-13-45"],
}
RAW_VALUES = [value for values in RAW_KINDS.values() for value in values]
# Every raw value on every name of every URL at once is ~4,000 requests per actor (2 min on
# PostgreSQL in CI). By default each URL gets its own parameters one at a time with every value, and
# all the names at once with one value of each kind, the value turning from one URL to the next
# (each value is sent to a share of the URLs, each URL meets every kind); MAILLAGE_FUZZ_EXHAUSTIVE=1
# sends every value with all the names to every URL.
EXHAUSTIVE = os.environ.get("MAILLAGE_FUZZ_EXHAUSTIVE") == "1"


def _values_for(index: int) -> list[str]:
    """The values sent with all the names to the index-th URL: every value, or one of each kind."""
    if EXHAUSTIVE:
        return RAW_VALUES
    return [values[index % len(values)] for values in RAW_KINDS.values()]


GETS = [row for row in MATRIX if row[1] == "get"]


def _query(names: list[str], value: str) -> str:
    return "&".join(f"{name}={value}" for name in names)


@pytest.mark.parametrize("actor", ["anonymous", "coordinator"])
def test_raw_query_strings_never_give_a_server_error(actors, actor):
    clients, idf = actors
    client = clients[actor]
    client.raise_request_exception = False  # every 500 listed, not only the first
    errors = []
    for index, (name, _, path, _) in enumerate(GETS):
        url = urlsplit(fill(path, idf))
        own = [part.split("=")[0] for part in url.query.split("&") if part]
        names = own + [n for n in COMMON if n not in own]
        # The URL's own parameters one at a time (a refusal of another one cannot hide theirs), then
        # all the names at once.
        queries = [_query([own_name], value) for own_name in own for value in RAW_VALUES]
        queries += [_query(names, value) for value in _values_for(index)]
        queries += ["&&==&=%&%%=%%", "q=%00&q=%ff&q=x&page=%00", "%00=%00", "%ff%fe=1"]
        for query in queries:
            response = client.get(f"{url.path}?{query}")
            if response.status_code >= 500 and (name, response.status_code) != ("www:healthz", 503):
                errors.append((name, query[:40], response.status_code))
    assert not errors


HEADER_PATHS = ["/", "/cpts/cmv/", "/c/cmv/", "/c/cmv/annuaire/?q=mal", "/couverture/", "/accounts/login/",
                "/api/v1/cpts/", "/api/v1/cpts/cmv/indicators?year=2025", "/fhir/Practitioner?name=a", "/fhir/metadata"]  # fmt: skip
LONG = "x" * 5000
# Header values as a WSGI server hands them over (Latin-1 text): junk, escapes, thousands of bytes.
HOSTILE_HEADERS = {
    "Accept": ["\xff\xfe", "*/*;q=é", "text/html;q=1e999", ",,,;;;", LONG],
    "Accept-Language": ["\xff", "fr;q=é", "*;q=-1", "-" * 300, LONG],
    "Authorization": ["Bearer", "Bearer \xff\xfe", "Basic %00", "Bearer " + LONG],
    "X-Forwarded-For": ["\xff", "1.2.3.4, ,, x", "::::::", "999.999.999.999", LONG],
    "X-Request-ID": ["\xff", "a\\000b", LONG],
    "HX-Request": ["true", "\xff"],
    "HX-Current-URL": ["%00", "\xff", LONG],
    "Referer": ["\xff", "http://[::1", LONG],
    "User-Agent": ["\xff\xfe", LONG],
    "If-Modified-Since": ["Sat, 99 Foo 99999 99:99:99 GMT", "\xff"],
    "If-None-Match": ['"\xff"', "*" * 300],
    "Range": ["bytes=-", "bytes=9999999999999999999999-"],
    "Content-Type": ["multipart/form-data; boundary=", "\xff"],
    "Origin": ["null", "\xff"],
}


@pytest.mark.parametrize("header", sorted(HOSTILE_HEADERS))
def test_hostile_headers_never_give_a_server_error(coordinator_client, header):
    errors = []
    for client in (Client(raise_request_exception=False), coordinator_client):
        client.raise_request_exception = False
        for path in HEADER_PATHS:
            for value in HOSTILE_HEADERS[header]:
                response = client.get(path, headers={header: value})
                if response.status_code >= 500:
                    errors.append((path, value[:20], response.status_code))
    assert not errors


SESSION_COOKIES = [
    '"\\000\\000\\000\\000\\000\\000\\000\\000"',  # eight NUL characters once unquoted
    '"abcdefgh\\000"',
    '"\\377\\376\\375\\374\\373\\372\\371\\370"',
    "x" * 5000,
    "../../../../etc/passwd",
    "%00%00%00%00%00%00%00%00",
]


@pytest.mark.parametrize("value", SESSION_COOKIES)
def test_a_forged_session_cookie_is_no_session(idf, value):
    """Regression: a session cookie of NUL characters (octal escapes, unquoted by Django) made every
    page a 500 on PostgreSQL; a key Django never issues is now no session at all."""
    client = Client(raise_request_exception=False)
    errors = []
    for path in HEADER_PATHS:
        response = client.get(path, headers={"Cookie": f"sessionid={value}; csrftoken={value}; messages={value}"})
        if response.status_code >= 500:
            errors.append((path, response.status_code))
    assert not errors
    strict = Client(enforce_csrf_checks=True, raise_request_exception=False)
    login = strict.post("/accounts/login/", {"login": "x@exemple.fr", "password": "x"},
                        headers={"Cookie": f"sessionid={value}; csrftoken={value}"})  # fmt: skip
    assert login.status_code == 403  # the CSRF refusal, not a 500


POSTS = [row for row in MATRIX if row[1] == "post"]
FORM = "application/x-www-form-urlencoded"
# Bodies as they travel, with the content type they claim.
RAW_BODIES = [
    (FORM, b"code=%ff%fe&version=%00&role=%ed%a0%80&slot=%c0%80"),
    (FORM, b"\xff\xfe\x00=\x00&%=%&&=="),
    (FORM + "; charset=x-unknown", b"code=%e9t%e9"),
    (FORM + "; charset=utf-16", b"c\x00o\x00d\x00e\x00=\x00\xd8\x00"),
    ("multipart/form-data; boundary=", b"--\r\n\r\n"),
    ("multipart/form-data; boundary=x", b"--x\r\nContent-Disposition: form-data; name=\"code\"\r\n\r\n\xff\x00\r\n--x--"),
    ("multipart/form-data; boundary=x", b"--x\r\nContent-Disposition: form-data; name=\"f\"; filename=\"\x00.pdf\"\r\n\r\n%PDF\r\n--x"),
    ("application/json", b'{"code": "\\u0000"'),
    ("text/plain", b"\x00" * 100),
]  # fmt: skip


@pytest.mark.parametrize(("name", "path"), [(row[0], row[2]) for row in POSTS], ids=[row[0] for row in POSTS])
def test_raw_form_bodies_never_give_a_server_error(actors, name, path):
    """Every POST of the matrix, bodies that are not UTF-8, claim an unknown charset or are
    malformed multipart, as the coordinator and the admin: a refusal, never a 500."""
    clients, idf = actors
    path = fill(path, idf)
    errors = []
    for actor in ("coordinator", "admin"):
        client = clients[actor]
        client.raise_request_exception = False
        for content_type, body in RAW_BODIES:
            response = client.generic("POST", path, body, content_type=content_type)
            if response.status_code >= 500:
                errors.append((actor, content_type, body[:20], response.status_code))
    assert not errors
