"""A delta synchronisation (`_lastUpdated`) pages by key: the `next` link carries the last row's
(updated_at, id) as `_cursor`, so that a row changed during the walk is read again later rather
than shifting every offset and making the client miss another one."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from maillage.directory.models import Professional
from tests.factories import ProfessionalFactory
from tests.fhir.helpers import diagnostics, ids, links

SINCE = "ge2031-03-04"
IMPORTED = timezone.make_aware(timezone.datetime(2031, 3, 4, 9, 0))
NEXT_IMPORT = IMPORTED + timedelta(days=1)  # the dates are in the future: `now()` would be before


@pytest.fixture
def changed(db):
    """Twelve professionals changed by the same import (one date), three changed before it."""
    people = ProfessionalFactory.create_batch(12)
    Professional.objects.filter(pk__in=[p.pk for p in people]).update(updated_at=IMPORTED)
    older = ProfessionalFactory.create_batch(3)
    Professional.objects.filter(pk__in=[p.pk for p in older]).update(updated_at=IMPORTED - timedelta(days=30))
    return [p.national_id for p in sorted(people, key=lambda p: p.pk)]  # the delta's order: date, then id


def walk(fhir, first: dict, *, between=None) -> tuple[list[str], list[dict]]:
    """Follows `next` from the first page; `between(page_number)` runs after each page."""
    pages, seen, bundle = [first], ids(first), first
    while "next" in links(bundle):
        if between:
            between(len(pages))
        url = urlsplit(links(bundle)["next"])
        bundle = fhir.get(url.path, {k: v[-1] for k, v in parse_qs(url.query).items()})
        pages.append(bundle)
        seen += ids(bundle)
        assert len(pages) < 20, "the paging does not end"
    return seen, pages


def test_every_changed_row_comes_once_through_cursors(fhir, changed):
    first = fhir.search("Practitioner", {"_lastUpdated": SINCE, "_count": "5"})
    seen, pages = walk(fhir, first)
    assert sorted(seen) == changed and len(seen) == len(set(seen))
    assert [len(ids(page)) for page in pages] == [5, 5, 2]
    assert {page["total"] for page in pages} == {12}  # the search's total, on every page
    for page in pages[:-1]:
        assert set(links(page)) == {"self", "first", "next"}  # a cursor knows no « previous » nor « last »
        assert "_cursor=" in links(page)["next"] and "_offset" not in links(page)["next"]
        assert "_lastUpdated=ge2031-03-04" in links(page)["next"]
    assert set(links(pages[-1])) == {"self", "first"}
    assert "_cursor" not in links(pages[1])["first"] and "_cursor=" in links(pages[1])["self"]


def test_a_row_changed_during_the_walk_is_read_again_and_none_is_missed(fhir, changed):
    first = fhir.search("Practitioner", {"_lastUpdated": SINCE, "_count": "5"})
    already_read = changed[0]

    def import_changes_it(page_number):
        if page_number == 1:
            Professional.objects.filter(national_id=already_read).update(updated_at=NEXT_IMPORT)

    seen, _pages = walk(fhir, first, between=import_changes_it)
    # With offsets, the row leaving the first page would have shifted every later row back by one:
    # the second page would have started one row too far, and that row would never have been read.
    assert set(seen) == set(changed)
    assert seen.count(already_read) == 2 and seen[-1] == already_read  # its change, read again at the end


def test_the_order_is_the_order_of_the_changes(fhir, changed):
    later = changed[0]
    Professional.objects.filter(national_id=later).update(updated_at=NEXT_IMPORT)
    seen, _pages = walk(fhir, fhir.search("Practitioner", {"_lastUpdated": SINCE, "_count": "4"}))
    assert seen[-1] == later and len(seen) == 12


def test_roles_page_by_cursor_too(fhir, changed):
    from maillage.directory.models import Activity
    from tests.factories import ActivityFactory

    for national_id in changed[:3]:
        ActivityFactory.create_batch(2, professional=Professional.objects.get(national_id=national_id))
    Activity.objects.update(updated_at=NEXT_IMPORT)
    seen, pages = walk(fhir, fhir.search("PractitionerRole", {"_lastUpdated": SINCE, "_count": "4"}))
    assert sorted(seen, key=int) == sorted(str(pk) for pk in Activity.objects.values_list("pk", flat=True))
    assert len(pages) == 2 and "_cursor=" in links(pages[0])["next"]


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"_lastUpdated": SINCE, "_cursor": "hier"}, "suivez ce lien tel quel"),
        ({"_lastUpdated": SINCE, "_cursor": "2031-03-04T09:00:00|12"}, "suivez ce lien tel quel"),  # no offset
        ({"_lastUpdated": SINCE, "_cursor": "2031-03-04T09:00:00+00:00|99999999999999999999"}, "_cursor"),
        ({"_lastUpdated": SINCE, "_cursor": "x" * 5000}, "_cursor"),
        ({"family": "durand", "_cursor": "2031-03-04T09:00:00+00:00|12"}, "ne s'emploie qu'avec « _lastUpdated »"),
    ],
)
def test_a_cursor_not_written_by_the_server_is_refused_in_french(fhir, changed, params, words):
    outcome = fhir.get("/fhir/Practitioner", params, status=400)
    assert words in diagnostics(outcome)


def test_a_cursor_past_the_end_gives_an_empty_page(fhir, changed):
    page = fhir.search("Practitioner", {"_lastUpdated": SINCE, "_cursor": "2099-01-01T00:00:00+00:00|1"})
    assert ids(page) == [] and page["total"] == 12 and "next" not in links(page)
