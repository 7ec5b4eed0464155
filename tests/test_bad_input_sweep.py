"""Every GET URL of the permission matrix, its query parameters (and the ones the views commonly
read) replaced by bad values, as the coordinator and the admin: never a 500."""

from urllib.parse import parse_qsl, urlsplit

import pytest

from tests import test_permissions
from tests.test_permissions import MATRIX, TEXTS, fill

actors = test_permissions.actors  # the matrix's people and objects
# Built once for the module (one media folder, and `idf` is the module's world).
_matrix_media, _matrix_world = test_permissions._matrix_media, test_permissions._matrix_world
_media_in_tmp, idf = test_permissions._media_in_tmp, test_permissions.idf

BAD_VALUES = ["abc", "a\x00b", "0000", "9" * 40, "-1e400", "9" * 5000, "0001-01-01", "9999-12-31", "2026-99"]
# What the views and GET forms read (the annuaire's and the journal's filters, FHIR's paging…).
COMMON = [
    "annee", "year", "periode", "page", "spage", "q", "delai", "etat", "priorite", "table", "limit",
    "region", "departement", "name", "commune", "radius", "profession", "specialty", "skill", "scope",
    "member", "category", "actor", "action", "since", "until", "_count", "_offset", "_id", "identifier",
    "_lastUpdated", "role",
]  # fmt: skip
GETS = [row for row in MATRIX if row[1] == "get"]


@pytest.mark.parametrize(("name", "path"), [(row[0], row[2]) for row in GETS], ids=[row[0] for row in GETS])
def test_bad_query_parameters_never_give_a_server_error(actors, name, path):
    clients, idf = actors
    path = fill(path, idf)
    url = urlsplit(path)
    own = [key for key, _ in parse_qsl(url.query)]
    names = own + [n for n in COMMON if n not in own]
    errors = []
    for actor in ("coordinator", "admin"):
        for value in BAD_VALUES:
            # The URL's own parameters one at a time (the others absent), then all of them at once.
            for params in [{n: value} for n in own] + [dict.fromkeys(names, value)]:
                response = clients[actor].get(url.path, params)
                # The health probe's 503 is its answer (no periodic run in the fixture), not an error.
                if response.status_code >= 500 and (name, response.status_code) != ("www:healthz", 503):
                    errors.append((actor, sorted(params)[:3], value[:12], response.status_code))
                if response.status_code == 400 and response["Content-Type"].startswith("text/html"):
                    assert 'lang="fr"' in response.content.decode()
    assert not errors


# Ids in the path itself (a search's parameter naming nobody is an empty answer, not a 404).
# Paths with an object's id in them (not those whose only placeholder is a token).
TOKENS = ("{ical}", "{token}", *(f"{{{key}}}" for key in TEXTS))
INT_PATHS = [row for row in MATRIX if "{" in urlsplit(row[2]).path and not any(t in row[2] for t in TOKENS)]


@pytest.mark.parametrize("number", [str(2**31), str(2**63), "9" * 40])
def test_oversize_ids_in_paths_are_not_found(actors, number):
    """`<int:pk>` in a path: past what the column holds, the object does not exist (a 404, or the
    refusal a POST without its body gets), on SQLite as on PostgreSQL."""
    clients, idf = actors
    got = {}
    for name, method, path, _ in INT_PATHS:
        url = fill(path, idf, number)
        for actor in ("coordinator", "admin", "member"):
            got[(name, actor)] = getattr(clients[actor], method)(url).status_code
    assert not {key: status for key, status in got.items() if status not in (302, 400, 404)}
    assert got[("www:snp_request", "coordinator")] == 404


def _form_field_names() -> list[str]:
    from tests.test_bad_input import _www_forms

    names = {name for cls in _www_forms() for name in cls.base_fields}
    return sorted(names | {"role", "slot", "code", "version", "etat", "decision", "issue", "formulaire", "target"})


POSTS = [row for row in MATRIX if row[1] == "post"]


@pytest.mark.parametrize(("name", "path"), [(row[0], row[2]) for row in POSTS], ids=[row[0] for row in POSTS])
def test_bad_form_values_never_give_a_server_error(actors, name, path):
    """Every POST of the matrix, every field name the site's forms use set to a bad value, by the
    people who may post it: a refusal (400, or a redirect with a message), never a 500."""
    clients, idf = actors
    path = fill(path, idf)
    names = _form_field_names()
    errors = []
    for actor in ("coordinator", "admin", "member", "regulator"):
        for value in BAD_VALUES:
            response = clients[actor].post(path, dict.fromkeys(names, value))
            if response.status_code >= 500:
                errors.append((actor, value[:12], response.status_code))
    assert not errors
