"""Issue 17 — case counts by commune and week: hand entry, the CSV import (dry run, a file with an
unknown commune or a count below zero refused whole with its lines named), the secret-kept map."""

from datetime import timedelta

import pytest
from django.utils import timezone

from maillage.core.models import AuditEntry
from maillage.crisis.models import CaseCount
from maillage.crisis.response_cases import case_map, enter, monday, run
from maillage.crisis.response_centres import ResponseError

WEEK = monday(timezone.localdate()) - timedelta(days=14)


def csv(*lines):
    return ("code_insee;semaine;cas\n" + "\n".join(lines)).encode()


def test_a_dry_run_writes_nothing_then_apply_writes_and_a_second_run_changes_nothing(response):
    data = csv(f"92046;{WEEK:%d/%m/%Y};12", f"92020;{WEEK + timedelta(days=3):%Y-%m-%d};3", f"92075;{WEEK};0")
    dry = run(response["crisis"], data, file_name="cas.csv")
    assert (dry.lines, dry.new, dry.applied, dry.rejected) == (3, 3, False, [])
    assert not CaseCount.objects.exists()
    applied = run(response["crisis"], data, file_name="cas.csv", apply=True, actor=response["coordinator"])
    assert applied.applied and CaseCount.objects.count() == 3
    assert set(CaseCount.objects.values_list("week", flat=True)) == {WEEK}
    assert AuditEntry.objects.filter(action="crisis.cases.imported").count() == 1
    again = run(response["crisis"], data, apply=True)
    assert (again.new, again.changed, again.unchanged) == (0, 0, 3)


def test_a_file_with_unknown_communes_or_negative_counts_is_refused_whole(response):
    data = csv(
        f"92046;{WEEK};12",
        f"92040;{WEEK};4",  # Issy: in the commune table, not on cmv's territory
        f"99999;{WEEK};4",  # in no table
        f"92020;{WEEK};-2",
        "92075;2099-01-05;1",
        f"92046;{WEEK};13",
    )
    outcome = run(response["crisis"], data, apply=True, actor=response["coordinator"])
    assert not outcome.applied and outcome.refused
    assert [(r.line, r.reason) for r in outcome.rejected] == [
        (3, "commune 92040 hors du territoire de la CPTS"),
        (4, "commune 99999 inconnue du référentiel des communes"),
        (5, "nombre de cas négatif (-2)"),
        (6, "semaine du 05/01/2099 à venir"),
        (7, f"commune 92046, semaine du {WEEK:%d/%m/%Y} déjà donnée ligne 2"),
    ]
    assert not CaseCount.objects.exists() and not AuditEntry.objects.filter(action="crisis.cases.imported").exists()


def test_a_file_without_the_columns_is_refused_in_french(response):
    with pytest.raises(ResponseError, match="En-tête non reconnu"):
        run(response["crisis"], b"a;b\n1;2")
    with pytest.raises(ResponseError, match="vide"):
        run(response["crisis"], b"")


def test_hand_entry_refuses_a_negative_count_and_a_commune_off_the_territory(response):
    coordinator, crisis = response["coordinator"], response["crisis"]
    with pytest.raises(ResponseError, match="négatif"):
        enter(crisis, coordinator, commune_code="92046", week=WEEK, count=-1)
    with pytest.raises(ResponseError, match="commune du territoire"):
        enter(crisis, coordinator, commune_code="92040", week=WEEK, count=1)
    enter(crisis, coordinator, commune_code="92046", week=WEEK + timedelta(days=2), count=7)
    enter(crisis, coordinator, commune_code="92046", week=WEEK, count=8)  # the same week: replaced
    assert list(CaseCount.objects.values_list("week", "count")) == [(WEEK, 8)]


def test_the_map_hides_counts_from_one_to_four(response):
    crisis, coordinator = response["crisis"], response["coordinator"]
    enter(crisis, coordinator, commune_code="92046", week=WEEK, count=3)
    enter(crisis, coordinator, commune_code="92020", week=WEEK, count=0)
    enter(crisis, coordinator, commune_code="92075", week=WEEK + timedelta(days=7), count=25)
    shown = case_map(crisis, secret=True)
    rows = {commune.code: (values, total) for commune, values, total in shown.communes}
    assert rows["92046"] == (["< 5", None], "< 5")
    assert rows["92020"] == ([0, None], 0)
    assert rows["92075"] == ([None, 25], 25)
    assert shown.totals == ["< 5", 25]
    assert case_map(crisis, secret=False).totals == [3, 25]
