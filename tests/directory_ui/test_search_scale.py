"""What the search does for a national directory: an index-friendly name filter, a plan chosen by
the number of results (the same page either way), and a pager that stops counting."""

import pytest

from maillage.directory import search
from maillage.www.paging import CappedPaginator
from tests.directory_ui.helpers import HTMX, pro, text

URL = "/c/cmv/annuaire/"


def page_names(data, cpts) -> list[str]:
    return [f"{p.last_name} {p.first_name}" for p in search.professionals(data, cpts)[:25]]


@pytest.mark.parametrize(
    "data",
    [{}, {"scope": "all"}, {"name": "ma"}, {"name": "ma", "scope": "all"}, {"profession": "10", "scope": "all"}],
)
def test_walking_the_index_or_sorting_gives_the_same_page(directory, monkeypatch, data):
    malakoff = directory["communes"]["92046"]
    for n, (last, first) in enumerate([("Marchal", "Zoé"), ("Mathis", "Anne"), ("Abel", "Mathilde"), ("Zola", "Marc")]):
        pro(malakoff, last_name=last, first_name=first, national_id=f"8100000{n:05d}")
    monkeypatch.setattr(search, "WALK_ABOVE", 10_000)
    sorted_page = page_names(data, directory["cmv"])
    monkeypatch.setattr(search, "WALK_ABOVE", 0)
    walked_page = page_names(data, directory["cmv"])
    assert walked_page == sorted_page
    assert sorted_page  # something to compare


def test_a_name_matches_the_last_name_or_the_first_name(directory):
    malakoff = directory["communes"]["92046"]
    pro(malakoff, last_name="Martin", first_name="Paul")
    pro(malakoff, last_name="Durand", first_name="Martine")
    pro(malakoff, last_name="Le Martin", first_name="Luc")  # a later word of the name: not a prefix
    found = page_names({"name": "mart"}, directory["cmv"])
    assert found == ["Martin Paul", "Durand Martine"]  # names first, then first names
    # Only first names start so: listed by first name.
    pro(malakoff, last_name="Abel", first_name="Rosine")
    pro(malakoff, last_name="Zidane", first_name="Rosalie")
    assert page_names({"name": "ros"}, directory["cmv"]) == ["Zidane Rosalie", "Abel Rosine"]


@pytest.mark.parametrize("scope", ["territory", "all"])
def test_a_name_matching_both_columns_pages_through_names_then_first_names(directory, scope):
    malakoff = directory["communes"]["92046"]
    for last, first in [("Roux", "Anne"), ("Rolland", "Jean"), ("Robin", "Zoé")]:
        pro(malakoff, last_name=last, first_name=first)
    for last, first in [("Abel", "Romain"), ("Zola", "Rose"), ("Petit", "Robert")]:
        pro(malakoff, last_name=last, first_name=first)
    results = search.professionals({"name": "ro", "scope": scope}, directory["cmv"])
    names = [f"{p.last_name} {p.first_name}" for p in results[:25]]
    assert names == ["Robin Zoé", "Rolland Jean", "Roux Anne", "Petit Robert", "Abel Romain", "Zola Rose"]
    pager = CappedPaginator(results, 2)
    assert pager.count == 6 and pager.num_pages == 3
    # The middle page takes the last name and the first first name; each row with what the page shows.
    middle = list(pager.page(2))
    assert [p.last_name for p in middle] == ["Roux", "Petit"]
    assert [a.commune_id for a in middle[1].current_activities] == ["92046"]


def test_the_pager_stops_counting_past_its_cap(directory, coordinator_client, monkeypatch):
    malakoff = directory["communes"]["92046"]
    for n in range(4):
        pro(malakoff, last_name=f"Nombreux{n}", first_name="Jean")
    monkeypatch.setattr(search, "COUNT_CAP", 3)
    monkeypatch.setattr(CappedPaginator, "cap", 3)
    page = text(coordinator_client.get(URL, {"name": "nombreux"}, **HTMX))
    assert "plus de 3 professionnels" in page
    assert page.count("Nombreux") >= 3

    page = text(coordinator_client.get(URL, {"name": "nombreux3"}, **HTMX))
    assert "1 professionnel" in page and "plus de" not in page
