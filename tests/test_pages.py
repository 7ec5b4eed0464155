import json
import re

import pytest

from maillage.core import audit
from maillage.core.models import AuditEntry
from maillage.territory.models import Cpts

HTMX = {"HTTP_HX_REQUEST": "true"}


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def test_home_lists_cpts_with_population(idf, anonymous):
    page = text(anonymous.get("/"))
    assert "CPTS Châtillon-Malakoff-Vanves" in page
    assert "96 679" in page
    assert "en projet" in page  # the draft CPTS


def test_public_cpts_page_shows_tier_communes_and_overlap(idf, anonymous):
    page = text(anonymous.get("/cpts/cmv/"))
    assert 'data-testid="tier">T3<' in page
    assert "Taille 3 (de 80 000 à moins de 175 000 habitants)" in page
    assert "Vanves</strong> (92075) est aussi revendiquée par" in page
    assert "CPTS Grand Issy-Vanves" in page
    for name in ("Châtillon", "Malakoff", "Vanves"):
        assert name in page


def test_public_geojson_marks_shared_communes(idf, anonymous):
    idf["communes"]["92046"].shape = json.dumps({"type": "Point", "coordinates": [2.29, 48.81]})
    idf["communes"]["92046"].save()
    body = anonymous.get("/cpts/cmv/carte.geojson").json()
    states = {f["properties"]["code"]: f["properties"]["etat"] for f in body["features"]}
    assert states == {"92020": "territoire", "92046": "territoire", "92075": "chevauchement"}


def test_pages_carry_a_strict_csp(idf, anonymous):
    policy = anonymous.get("/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "<script>" not in anonymous.get("/cpts/cmv/").content.decode()  # no inline script anywhere


def test_unknown_pages_are_french_404_without_traceback(idf, anonymous):
    response = anonymous.get("/cpts/nexiste-pas/")
    assert response.status_code == 404
    assert "Page introuvable" in text(response)
    assert "Traceback" not in text(response)


def test_coordinator_dashboard(idf, coordinator_client):
    page = text(coordinator_client.get("/c/cmv/"))
    assert "Tableau de bord de la CPTS Châtillon-Malakoff-Vanves" in page
    assert "Modifier le territoire" in page


def test_live_search_partial(idf, coordinator_client):
    page = text(coordinator_client.get("/c/cmv/territoire/recherche/", {"q": "MONT"}, **HTMX))
    assert "Montrouge" in page
    assert "<html" not in page  # a fragment, swapped into the page
    assert "déjà dans le territoire" in text(coordinator_client.get("/c/cmv/territoire/recherche/", {"q": "vanv"}))
    assert "Aucune commune ne correspond à « xyz »" in text(
        coordinator_client.get("/c/cmv/territoire/recherche/?q=xyz")
    )


def test_adding_through_htmx_updates_population_and_tier(idf, coordinator_client):
    version = idf["cmv"].territory_version
    response = coordinator_client.post("/c/cmv/territoire/ajouter/", {"code": "92049", "version": version}, **HTMX)
    page = text(response)
    assert response.status_code == 200
    assert "Montrouge a été ajoutée au territoire." in page
    assert "146 655 habitants" in page
    assert f'id="territory-version" name="version" value="{version + 1}"' in page


def test_stale_edit_shows_the_conflict_and_keeps_saved_data(idf, coordinator_client):
    version = idf["cmv"].territory_version
    coordinator_client.post("/c/cmv/territoire/ajouter/", {"code": "92049", "version": version}, **HTMX)
    response = coordinator_client.post("/c/cmv/territoire/ajouter/", {"code": "92040", "version": version}, **HTMX)
    assert "modifié par une autre personne" in text(response)
    assert set(idf["cmv"].territory.values_list("commune_id", flat=True)) == {"92020", "92046", "92075", "92049"}
    # Without JavaScript the same refusal is a 409 page.
    plain = coordinator_client.post("/c/cmv/territoire/ajouter/", {"code": "92040", "version": version})
    assert plain.status_code == 409


@pytest.mark.parametrize(("code", "status"), [("99999", 400), ("", 400), ("92046", 400)])
def test_bad_commune_without_javascript(idf, coordinator_client, code, status):
    version = idf["cmv"].territory_version
    response = coordinator_client.post("/c/cmv/territoire/ajouter/", {"code": code, "version": version})
    assert response.status_code == status
    assert 'role="alert"' in text(response)


def test_garbage_version_is_treated_as_stale(idf, coordinator_client):
    response = coordinator_client.post("/c/cmv/territoire/retirer/", {"code": "92020", "version": "abc"}, **HTMX)
    assert "modifié par une autre personne" in text(response)
    assert idf["cmv"].territory.count() == 3


def test_audit_log_lists_and_filters(idf, coordinator, coordinator_client):
    cmv = idf["cmv"]
    audit.record("territory.commune.added", actor=coordinator, cpts=cmv, obj=cmv, details={"commune": "92049"})
    audit.record("territory.set", actor=None, cpts=cmv, obj=cmv)
    audit.record("territory.set", actor=None, cpts=idf["paris13"], obj=idf["paris13"])
    page = text(coordinator_client.get("/c/cmv/journal/"))
    assert "2 entrées" in page
    assert coordinator.email in page
    only_mine = text(coordinator_client.get("/c/cmv/journal/", {"actor": coordinator.email}))
    assert "1 entrée" in only_mine
    by_action = text(coordinator_client.get("/c/cmv/journal/", {"action": "territory.set"}))
    assert "1 entrée" in by_action
    future = text(coordinator_client.get("/c/cmv/journal/", {"since": "2100-01-01"}))
    assert "0 entrée" in future
    reversed_dates = text(coordinator_client.get("/c/cmv/journal/", {"since": "2026-02-01", "until": "2026-01-01"}))
    assert "La date de début doit précéder la date de fin." in reversed_dates


def test_audit_masks_secrets_and_flags_health_reads(idf, coordinator):
    entry = audit.record_health_read(
        "doctor_access.request.viewed", actor=coordinator, cpts=idf["cmv"], obj=idf["cmv"], details={"nir": "1234"}
    )
    assert entry.health_data
    assert entry.details == {"nir": "***"}
    assert AuditEntry.objects.get(pk=entry.pk).actor_label == coordinator.email


def test_region_coverage_page(idf, login):
    from tests.factories import RoleFactory

    viewer = RoleFactory(regional=True, region=idf["region"]).user
    page = text(login(viewer).get("/couverture/region/11/"))
    assert "Couverture par les CPTS : Île-de-France" in page
    assert "Montrouge" in page  # the only zone blanche
    assert "CPTS Châtillon-Malakoff-Vanves, CPTS Grand Issy-Vanves" in page
    geo = login(viewer).get("/couverture/departement/92/carte.geojson").json()
    states = sorted(f["properties"]["etat"] for f in geo["features"])
    assert states == ["chevauchement", "couverte", "couverte", "couverte", "zone_blanche"]


def test_member_space_and_role_label(idf, login):
    from tests.factories import RoleFactory

    member = RoleFactory(cpts=idf["cmv"]).user
    assert "professionnel membre — CPTS Châtillon-Malakoff-Vanves" in text(login(member).get("/espace/"))


def test_draft_status_label(idf, anonymous):
    assert Cpts.objects.get(slug="issy").get_status_display() == "en projet"
    assert "en projet" in text(anonymous.get("/cpts/issy/"))


def test_search_without_javascript_shows_the_whole_page_with_versioned_forms(idf, coordinator_client):
    page = text(coordinator_client.get("/c/cmv/territoire/recherche/", {"q": "mont"}))
    assert "<html" in page
    assert "Territoire de la CPTS Châtillon-Malakoff-Vanves" in page
    assert 'value="mont"' in page
    assert f'name="version" value="{idf["cmv"].territory_version}"' in page


def test_search_fragment_carries_no_version_of_its_own(idf, coordinator_client):
    # The add forms of the fragment take the panel's version: a fresher one here would hide a
    # colleague's edit made since the panel was drawn.
    page = text(coordinator_client.get("/c/cmv/territoire/recherche/", {"q": "mont"}, **HTMX))
    assert 'name="version"' not in page
    assert 'hx-include="#territory-version"' in page


def test_home_map_draws_one_outline_per_cpts(idf, anonymous):
    square = {"type": "Polygon", "coordinates": [[[2.29, 48.81], [2.3, 48.82], [2.31, 48.81], [2.29, 48.81]]]}
    idf["communes"]["92046"].shape = json.dumps(square)
    idf["communes"]["92046"].save()
    body = anonymous.get("/carte.geojson").json()
    by_cpts = {f["properties"]["nom"]: f for f in body["features"]}
    assert len(body["features"]) == 3
    # One commune has an outline: the CPTS's outline is it; without outlines, its communes' centroids.
    assert by_cpts["CPTS Châtillon-Malakoff-Vanves"]["geometry"]["type"] == "Polygon"
    assert by_cpts["CPTS Grand Issy-Vanves"]["geometry"]["type"] == "MultiPoint"
    assert by_cpts["CPTS Grand Issy-Vanves"]["properties"] == {
        "nom": "CPTS Grand Issy-Vanves",
        "slug": "issy",
        "statut": "en projet",
    }
