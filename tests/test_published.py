"""The public map and the API's list of CPTS answer from precomputed outlines and a versioned cache
(maillage.territory.published): fast, yet a change shows at once."""

import gzip
import json

import pytest

from maillage.territory import actions, published
from maillage.territory.models import Cpts
from tests.factories import CommuneFactory, CptsFactory, UserFactory

SQUARE = {"type": "Polygon", "coordinates": [[[2.291234567, 48.81], [2.3, 48.82], [2.31, 48.81], [2.291234567, 48.81]]]}


def _features(client):
    return {f["properties"]["slug"]: f for f in client.get("/carte.geojson").json()["features"]}


def test_a_territory_change_shows_at_once_on_the_map_and_in_the_api(idf, anonymous, coordinator):
    before = anonymous.get("/carte.geojson")
    assert _features(anonymous)["cmv"]["geometry"]["type"] == "MultiPoint"
    listed = {c["slug"]: c for c in anonymous.get("/api/v1/cpts/").json()["items"]}
    assert listed["cmv"]["communes"] == 3
    assert len(anonymous.get("/cpts/cmv/carte.geojson").json()["features"]) == 3
    assert "Montrouge" not in anonymous.get("/cpts/cmv/").content.decode()

    montrouge = idf["communes"]["92049"]
    montrouge.shape = json.dumps(SQUARE)
    montrouge.save()  # a commune's outline changes (a reference install does it in bulk)
    actions.add_commune(idf["cmv"], "92049", actor=coordinator)

    after = anonymous.get("/carte.geojson")
    assert after["ETag"] != before["ETag"]
    # Montrouge's outline is now the CPTS's (the other communes have none).
    assert _features(anonymous)["cmv"]["geometry"]["type"] == "Polygon"
    listed = {c["slug"]: c for c in anonymous.get("/api/v1/cpts/").json()["items"]}
    assert listed["cmv"]["communes"] == 4
    assert listed["cmv"]["population"] == 96_679 + 49_976
    assert len(anonymous.get("/cpts/cmv/carte.geojson").json()["features"]) == 4
    assert "Montrouge" in anonymous.get("/cpts/cmv/").content.decode()


def test_status_name_and_new_cpts_show_at_once(idf, anonymous):
    assert "nouvelle" not in _features(anonymous)
    cmv = Cpts.objects.get(slug="issy")
    cmv.status = Cpts.Status.ACTIVE
    cmv.save()
    CptsFactory(name="CPTS Nouvelle", slug="nouvelle", communes=[idf["communes"]["92049"]])
    features = _features(anonymous)
    assert features["issy"]["properties"]["statut"] == "constituée"
    assert "nouvelle" in features
    listed = {c["slug"]: c for c in anonymous.get("/api/v1/cpts/").json()["items"]}
    assert listed["issy"]["statut"] == "active" and "nouvelle" in listed
    assert "CPTS Nouvelle" in anonymous.get("/").content.decode()


def test_a_territory_replaced_in_bulk_shows_at_once(idf, anonymous, coordinator):
    actions.set_territory(idf["cmv"], ["92020", "92046"], actor=coordinator)
    listed = {c["slug"]: c for c in anonymous.get("/api/v1/cpts/").json()["items"]}
    assert listed["cmv"]["communes"] == 2
    assert listed["cmv"]["chevauchements"] == 0
    assert len(_features(anonymous)["cmv"]["geometry"]["coordinates"]) == 2


def test_conditional_get_and_gzip(idf, anonymous):
    first = anonymous.get("/carte.geojson", HTTP_ACCEPT_ENCODING="gzip, br")
    assert first["Content-Encoding"] == "gzip" and "Accept-Encoding" in first["Vary"]
    assert json.loads(gzip.decompress(first.content))["type"] == "FeatureCollection"
    again = anonymous.get("/carte.geojson", HTTP_IF_NONE_MATCH=first["ETag"], HTTP_ACCEPT_ENCODING="gzip")
    assert again.status_code == 304 and again.content == b""
    # The uncompressed answer is another representation: another ETag.
    plain = anonymous.get("/carte.geojson", HTTP_IF_NONE_MATCH=first["ETag"])
    assert plain.status_code == 200 and plain["ETag"] != first["ETag"] and "Content-Encoding" not in plain
    assert anonymous.get("/carte.geojson", HTTP_IF_NONE_MATCH=f"W/{plain['ETag']}").status_code == 304

    api = anonymous.get("/api/v1/cpts/")
    assert api.status_code == 200 and api["ETag"]
    assert anonymous.get("/api/v1/cpts/", HTTP_IF_NONE_MATCH=api["ETag"]).status_code == 304
    # Another page is another document.
    other = anonymous.get("/api/v1/cpts/", {"limit": 1}, HTTP_IF_NONE_MATCH=api["ETag"])
    assert other.status_code == 200
    squeezed = anonymous.get("/api/v1/cpts/", HTTP_ACCEPT_ENCODING="gzip")
    assert json.loads(gzip.decompress(squeezed.content))["count"] == 3
    assert squeezed["ETag"] != api["ETag"] and "Accept-Encoding" in squeezed["Vary"]
    again = anonymous.get("/api/v1/cpts/", HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=squeezed["ETag"])
    assert again.status_code == 304
    # After a change the old ETag no longer matches.
    Cpts.objects.filter(slug="issy").get().save()
    assert anonymous.get("/carte.geojson", HTTP_IF_NONE_MATCH=plain["ETag"]).status_code == 200
    assert anonymous.get("/api/v1/cpts/", HTTP_IF_NONE_MATCH=api["ETag"]).status_code == 200


def test_outlines_are_simplified_to_five_decimals(db):
    outline = json.loads(published.outline_of([json.dumps(SQUARE)], []))
    for x, y in outline["coordinates"][0]:
        assert round(x, 5) == x and round(y, 5) == y
    assert published.outline_of([], []) == ""
    assert json.loads(published.outline_of([], [(48.8, 2.3)])) == {"type": "Point", "coordinates": [2.3, 48.8]}
    assert published.outline_of(["pas du GeoJSON"], [(48.8, 2.3)]).startswith('{"type": "Point"')


def test_neighbouring_communes_merge_into_one_outline(db):
    left = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
    right = {"type": "Polygon", "coordinates": [[[1, 0], [2, 0], [2, 1], [1, 1], [1, 0]]]}
    a = CommuneFactory(code="01001", shape=json.dumps(left))
    b = CommuneFactory(code="01002", shape=json.dumps(right))
    cpts = CptsFactory(communes=[a, b])
    cpts.refresh_from_db()
    assert json.loads(cpts.outline)["type"] == "Polygon"


@pytest.mark.parametrize(
    ("params", "count", "items", "next_offset"),
    [({}, 3, 3, None), ({"limit": 2}, 3, 2, "2"), ({"limit": 2, "offset": 2}, 3, 1, None)],
)
def test_cpts_list_is_paginated(idf, anonymous, params, count, items, next_offset):
    body = anonymous.get("/api/v1/cpts/", params).json()
    assert (body["count"], len(body["items"])) == (count, items)
    if next_offset is None:
        assert body["next"] is None
    else:
        assert body["next"].startswith("http://testserver/api/v1/cpts/?")
        assert f"offset={next_offset}" in body["next"] and "limit=2" in body["next"]
        assert anonymous.get(body["next"]).json()["items"][0]["slug"] == "paris-13"


def test_commune_search_is_paginated(idf, anonymous):
    body = anonymous.get("/api/v1/communes", {"q": "92", "limit": 2}).json()
    assert body["count"] == 5 and len(body["items"]) == 2 and "offset=2" in body["next"]
    assert anonymous.get("/api/v1/communes", {"q": "92", "limit": 101}).status_code == 422
    assert anonymous.get("/api/v1/cpts/", {"limit": 1001}).status_code == 422
    assert anonymous.get("/api/v1/cpts/", {"offset": -1}).status_code == 422


def test_the_version_changes_again_when_the_write_commits(db, django_capture_on_commit_callbacks):
    before = published.version()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        published.bump()
        inside = published.version()
    assert len(callbacks) == 1
    assert len({before, inside, published.version()}) == 3


@pytest.mark.django_db  # the database outlives the cache's clean-up (tests/conftest.py)
def test_with_the_database_cache_of_production(idf, anonymous, coordinator, settings):
    from config.operations import cache_from_url

    settings.CACHES = {"default": cache_from_url("")}
    first = anonymous.get("/carte.geojson")
    assert anonymous.get("/carte.geojson", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    actions.add_commune(idf["cmv"], "92049", actor=coordinator)
    assert anonymous.get("/carte.geojson", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200
    listed = {c["slug"]: c for c in anonymous.get("/api/v1/cpts/").json()["items"]}
    assert listed["cmv"]["communes"] == 4


def test_an_unknown_cpts_is_a_404_and_leaves_nothing_behind(idf, anonymous):
    for _ in range(2):
        assert anonymous.get("/cpts/inconnue/").status_code == 404
        assert anonymous.get("/cpts/inconnue/carte.geojson").status_code == 404
    assert published._building == {}
    assert not [key for key in published.memory.entries if "inconnue" in key]


def test_a_territory_replaced_in_bulk_recomputes_its_outline_once(idf, coordinator, monkeypatch):
    calls = []
    real = published.refresh_outlines
    monkeypatch.setattr(published, "refresh_outlines", lambda ids=None: calls.append(set(ids)) or real(ids))
    actions.set_territory(idf["cmv"], ["92049"], actor=coordinator)  # three communes removed, one added
    assert calls == [{idf["cmv"].pk}]
    assert json.loads(Cpts.objects.get(slug="cmv").outline)["type"] == "Point"


def test_anonymous_pages_are_published_documents_with_nothing_personal(idf, anonymous):
    first = anonymous.get("/cpts/cmv/", HTTP_ACCEPT_ENCODING="gzip")
    assert first["Content-Encoding"] == "gzip" and "Cookie" in first["Vary"]
    page = gzip.decompress(first.content).decode()
    assert "CPTS Châtillon-Malakoff-Vanves" in page and "Se connecter" in page
    assert "csrf" not in page.lower() and "csrftoken" not in first.cookies
    assert anonymous.get("/cpts/cmv/", HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    home = anonymous.get("/")
    assert home["ETag"] and "CPTS Châtillon-Malakoff-Vanves" in home.content.decode()


def test_a_logged_in_visitor_gets_the_page_rendered_for_them(idf, anonymous, client):
    anonymous.get("/")  # the anonymous version is now published
    client.force_login(UserFactory(first_name="Aïcha"))
    mine = client.get("/")
    assert "ETag" not in mine
    assert "Se déconnecter" in mine.content.decode() and "X-CSRFToken" in mine.content.decode()


def test_a_message_waiting_for_an_anonymous_visitor_is_shown(idf, anonymous, client):
    anonymous.get("/")
    client.force_login(UserFactory())
    after_logout = client.post("/accounts/logout/", follow=True)
    assert after_logout.redirect_chain[-1][0] == "/"
    assert "Vous êtes déconnecté" in after_logout.content.decode()
