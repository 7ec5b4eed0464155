"""The coordinator's directory search: live (htmx) and plain, each filter, pagination, queries."""

import pytest

from maillage.directory import search
from tests.directory_ui.helpers import HTMX, pro, text
from tests.factories import RoleFactory

URL = "/c/cmv/annuaire/"


def names(page: str) -> set[str]:
    known = ("Lefèvre Élodie", "Dupont Jean", "Martin Anne", "Étienne Paul", "Ancien Zoé", "Partie Lucie")
    return {name for name in known if f">{name}</a>" in page}


def test_full_page_lists_the_territory_by_default(directory, coordinator_client):
    response = coordinator_client.get(URL)
    page = text(response)
    assert response.status_code == 200
    assert "<h1>Annuaire de la CPTS Châtillon-Malakoff-Vanves</h1>" in page
    assert names(page) == {"Lefèvre Élodie", "Dupont Jean"}  # not the inactive, nor outside
    assert "2 professionnels" in page
    assert "Cabinet de Malakoff — Malakoff — tél. 0146000001" in page
    assert "adhérent" in page and "Pédiatrie" in page
    assert "2 structures" in page
    assert "CENTRE DE SANTE DES LILAS" in page and "PHARMACIE DU MARCHE" in page
    assert "HOPITAL LOINTAIN" not in page and "CENTRE FERME" not in page
    assert 'hx-get="/c/cmv/annuaire/"' in page
    assert "Exporter les professionnels (CSV)" in page


def test_htmx_request_gets_only_the_results(directory, coordinator_client):
    page = text(coordinator_client.get(URL, {"name": "lef"}, **HTMX))
    assert "<html" not in page and "<form" not in page
    assert names(page) == {"Lefèvre Élodie"}
    assert "1 professionnel" in page


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"name": "LEFEVRE"}, {"Lefèvre Élodie"}),
        ({"name": "lefè"}, {"Lefèvre Élodie"}),
        ({"name": "elo"}, {"Lefèvre Élodie"}),  # first name
        ({"name": "efe"}, set()),  # a prefix, not any substring
        ({"profession": "60"}, {"Dupont Jean"}),
        ({"specialty": "SM54"}, {"Lefèvre Élodie"}),
        ({"commune": "Vanves"}, {"Dupont Jean"}),
        ({"commune": "92046"}, {"Lefèvre Élodie"}),
        ({"commune": "malakoff", "radius": "3"}, {"Lefèvre Élodie", "Dupont Jean"}),  # Montrouge is outside
        ({"commune": "malakoff", "radius": "3", "scope": "all"}, {"Lefèvre Élodie", "Dupont Jean", "Martin Anne"}),
        ({"scope": "all"}, {"Lefèvre Élodie", "Dupont Jean", "Martin Anne", "Étienne Paul", "Partie Lucie"}),
        ({"member": "yes"}, {"Lefèvre Élodie"}),
        ({"member": "no"}, {"Dupont Jean"}),  # his membership of another CPTS does not count
        ({"new_patients": "on"}, {"Lefèvre Élodie", "Dupont Jean"}),
        ({"skill": "plaies-complexes"}, {"Dupont Jean"}),
        ({"skill": "pediatrie", "profession": "60"}, set()),
    ],
)
def test_each_filter(directory, coordinator_client, params, expected):
    assert names(text(coordinator_client.get(URL, params, **HTMX))) == expected


def test_radius_reaches_paris_13_and_not_marseille(directory, coordinator_client):
    pro(directory["communes"]["75113"], last_name="Treize", first_name="Léa")
    page = text(coordinator_client.get(URL, {"commune": "92046", "radius": "6", "scope": "all"}, **HTMX))
    assert ">Treize Léa</a>" in page
    assert "Étienne Paul" not in page
    assert ">Treize Léa</a>" not in text(
        coordinator_client.get(URL, {"commune": "92046", "radius": "4", "scope": "all"})
    )


def test_communes_within_uses_centroid_distance(directory):
    malakoff = directory["communes"]["92046"]
    assert search.communes_within(malakoff, 1) == ["92046", "92075"]  # Vanves is 600 m away
    assert "92049" in search.communes_within(malakoff, 2)  # Montrouge, 1.6 km
    assert "13055" not in search.communes_within(malakoff, 100)


def test_structure_filters(directory, coordinator_client):
    page = text(coordinator_client.get(URL, {"category": "620"}, **HTMX))
    assert "1 structure" in page and "PHARMACIE DU MARCHE" in page and "CENTRE DE SANTE" not in page
    page = text(coordinator_client.get(URL, {"name": "lilas"}, **HTMX))
    assert "CENTRE DE SANTE DES LILAS" in page and "PHARMACIE" not in page
    page = text(coordinator_client.get(URL, {"scope": "all", "category": "355"}, **HTMX))
    assert "HOPITAL LOINTAIN" in page
    assert "Centre Hospitalier (C.H.)" in page


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"commune": "Atlantide"}, "Commune : Commune inconnue : « Atlantide »."),
        ({"radius": "5"}, "Commune : Indiquez la commune autour de laquelle chercher."),
        (
            {"commune": "92046", "radius": "500"},
            "Rayon autour (km) : Assurez-vous que cette valeur est inférieure ou égale à 100.",
        ),
    ],
)
def test_refused_filters_are_explained(directory, coordinator_client, params, message):
    live = coordinator_client.get(URL, params, **HTMX)
    assert live.status_code == 200  # htmx swaps 2xx answers only
    assert message in text(live)
    assert 'role="alert"' in text(live)
    plain = coordinator_client.get(URL, params)
    assert plain.status_code == 400
    assert message in text(plain)


def test_pagination_keeps_the_filters(directory, coordinator_client):
    for n in range(30):
        pro(directory["communes"]["92020"], last_name=f"Zorro{n:02d}", first_name="Ana")
    page = text(coordinator_client.get(URL, {"name": "zorro"}))
    assert "30 professionnels" in page
    assert page.count('<h3 class="card-title"><a href="/c/cmv/annuaire/pro/') == 25
    assert "Page 1 sur 2" in page
    assert 'href="/c/cmv/annuaire/?name=zorro&amp;page=2"' in page
    assert 'hx-get="/c/cmv/annuaire/?name=zorro&amp;page=2"' in page
    second = text(coordinator_client.get(URL, {"name": "zorro", "page": "2"}, **HTMX))
    assert second.count('<h3 class="card-title"><a href="/c/cmv/annuaire/pro/') == 5
    assert "Page 2 sur 2" in second and "Zorro29" in second and "Zorro00" not in second


def test_search_runs_a_fixed_number_of_queries(directory, coordinator_client, django_assert_max_num_queries):
    def run():
        page = list(search.professionals({"scope": "all"}, directory["cmv"])[:25])
        for professional in page:
            for activity in professional.current_activities:
                str(activity.commune)
            for entry in professional.cpts_entries:
                list(entry.skills.all())
        return page

    # The count (it decides the plan), professionals, activities + communes, entries, skills.
    with django_assert_max_num_queries(5):
        assert len(run()) == 5
    for n in range(20):
        pro(directory["communes"]["92046"], last_name=f"Nombreux{n}")
    with django_assert_max_num_queries(5):
        assert len(run()) == 25
    coordinator_client.get(URL)  # warms the session and the choice lists
    with django_assert_max_num_queries(21):  # the same with 5 or 25 professionals on the page
        coordinator_client.get(URL, {"scope": "all"})


@pytest.mark.parametrize("kind", ["member", "regulator"])
def test_members_and_regulators_read_without_exports(directory, login, kind):
    user = RoleFactory(cpts=directory["cmv"], kind=kind).user
    response = login(user, with_mfa=True).get(URL)
    assert response.status_code == 200
    assert "Lefèvre Élodie" in text(response)
    assert "Exporter" not in text(response)


def test_another_cpts_directory_is_a_404(directory, coordinator_client):
    assert coordinator_client.get("/c/paris-13/annuaire/").status_code == 404
    national_id = directory["lefevre"].national_id
    assert coordinator_client.get(f"/c/paris-13/annuaire/pro/{national_id}/").status_code == 404
    assert coordinator_client.get("/c/cmv/annuaire/pro/899999999999/").status_code == 404


def test_nav_and_dashboard_link_to_the_directory(directory, coordinator_client):
    assert '<a href="/c/cmv/annuaire/">Annuaire</a>' in text(coordinator_client.get("/c/cmv/"))
    assert "Consulter l'annuaire" in text(coordinator_client.get("/c/cmv/"))
