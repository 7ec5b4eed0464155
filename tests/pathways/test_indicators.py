"""The pathways' indicators in the registry, on hand-built data: what each counts, and what a
regional reader sees of them (small counts hidden, no identity)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from maillage.indicators import registry
from maillage.indicators.periods import Period
from maillage.indicators.registry import REGISTRY, Kind, Mission
from maillage.pathways.models import AlertKind, RuptureAlert, Task
from maillage.pathways.states import TaskStatus

DISCHARGE_NAME = "Sortie d'hospitalisation d'une personne âgée"


@pytest.fixture
def period():
    today = timezone.localdate()
    return Period(today - timedelta(days=60), today + timedelta(days=1), "test")


def value(code, cpts, period):
    return REGISTRY[code].value(cpts, period)


def test_the_pathways_indicators_are_registered_and_the_library_codes_exist(db):
    from maillage.pathways.models import TemplateStep

    codes = {code for code, indicator in REGISTRY.items() if indicator.mission == Mission.PATHWAYS}
    assert {"pathways.enrolled_by_template", "pathways.tasks_on_time", "pathways.ruptures_detected",
            "pathways.ruptures_resolved", "pathways.discharge_to_home_visit_days"} <= codes  # fmt: skip
    referenced = {code for codes in TemplateStep.objects.values_list("indicator_codes", flat=True) for code in codes}
    assert referenced and referenced <= set(REGISTRY), "a step of the library feeds an indicator that does not exist"
    assert REGISTRY["pathways.enrolled_by_template"].kind == Kind.DISTRIBUTION
    assert REGISTRY["pathways.tasks_on_time"].kind == Kind.PERCENTAGE


def test_patients_enrolled_per_template(world, enrolled, period):
    assert value("pathways.enrolled_by_template", world["cmv"], period) == {DISCHARGE_NAME: 1}
    assert value("pathways.enrolled_by_template", world["paris13"], period) == {}
    earlier = Period(period.start - timedelta(days=30), period.start, "avant")
    assert value("pathways.enrolled_by_template", world["cmv"], earlier) == {}


def test_tasks_done_on_time(world, enrolled, period):
    today = timezone.localdate()
    tasks = list(enrolled.tasks.order_by("id"))
    assert len(tasks) >= 5
    on_time, late, still_open, cancelled = tasks[:4]
    Task.objects.filter(pk=on_time.pk).update(due_on=today - timedelta(days=5), status=TaskStatus.DONE,
                                             done_on=today - timedelta(days=6))  # fmt: skip
    Task.objects.filter(pk=late.pk).update(due_on=today - timedelta(days=5), status=TaskStatus.DONE,
                                          done_on=today - timedelta(days=2))  # fmt: skip
    Task.objects.filter(pk=still_open.pk).update(due_on=today - timedelta(days=3), status=TaskStatus.TODO)
    Task.objects.filter(pk=cancelled.pk).update(due_on=today - timedelta(days=3), status=TaskStatus.CANCELLED)
    Task.objects.filter(pk__in=[t.pk for t in tasks[4:]]).update(due_on=today + timedelta(days=10))
    assert value("pathways.tasks_on_time", world["cmv"], period) == 33.3  # 1 of 3 due, the cancelled left out
    assert value("pathways.tasks_on_time", world["paris13"], period) is None


def test_ruptures_detected_and_resolved(world, enrolled, period):
    now = timezone.now()
    RuptureAlert.objects.create(pathway=enrolled, kind=AlertKind.NO_CONTACT, raised_at=now - timedelta(days=2))
    RuptureAlert.objects.create(pathway=enrolled, kind=AlertKind.UNASSIGNED, raised_at=now - timedelta(days=1),
                                resolved_at=now)  # fmt: skip
    RuptureAlert.objects.create(pathway=enrolled, kind=AlertKind.REHOSPITALISED, raised_at=now - timedelta(days=90),
                                resolved_at=now - timedelta(days=3))  # fmt: skip
    RuptureAlert.objects.create(pathway=enrolled, kind=AlertKind.OVERDUE, raised_at=now - timedelta(days=100),
                                resolved_at=now - timedelta(days=95))  # fmt: skip
    assert value("pathways.ruptures_detected", world["cmv"], period) == 2
    assert value("pathways.ruptures_resolved", world["cmv"], period) == 2


def test_median_days_from_discharge_to_the_first_home_visit(world, enrolled, period):
    today = timezone.localdate()
    assert value("pathways.discharge_to_home_visit_days", world["cmv"], period) is None  # no visit done yet
    discharge = today - timedelta(days=10)
    type(enrolled).objects.filter(pk=enrolled.pk).update(discharge_date=discharge)
    visit = enrolled.tasks.get(step__indicator_codes__icontains="discharge_to_home_visit_days")
    Task.objects.filter(pk=visit.pk).update(status=TaskStatus.DONE, done_on=discharge + timedelta(days=2))
    # A pharmacist's task done earlier is not a home visit: it does not count.
    other = enrolled.tasks.exclude(pk=visit.pk).filter(step__profession_code="21").first()
    Task.objects.filter(pk=other.pk).update(status=TaskStatus.DONE, done_on=discharge)
    # A second nurse visit, done later, is not the first.
    second = Task.objects.create(pathway=enrolled, step=visit.step, title="Deuxième visite", due_on=today,
                                 alert_on=today, status=TaskStatus.DONE, done_on=discharge + timedelta(days=5))  # fmt: skip
    assert second.pk
    assert value("pathways.discharge_to_home_visit_days", world["cmv"], period) == 2


def test_regional_readers_never_see_a_small_count_nor_an_identity(world, enrolled, period):
    values = registry.compute(world["cmv"], period, [code for code in REGISTRY if code.startswith("pathways.")])
    shown = {code: registry.for_region(REGISTRY[code], values, cpts=world["cmv"], period=period) for code in values}
    assert shown["pathways.enrolled_by_template"] == {DISCHARGE_NAME: "< 5"}
    for code, seen in shown.items():
        assert "Moreau" not in str(seen) and "Jeanne" not in str(seen), code
    Task.objects.filter(pathway=enrolled).update(due_on=timezone.localdate() - timedelta(days=1))
    values = registry.compute(world["cmv"], period, ["pathways.tasks_on_time"])
    assert values["pathways.tasks_on_time"] == 0
    seen = registry.for_region(REGISTRY["pathways.tasks_on_time"], values, cpts=world["cmv"], period=period)
    assert seen == registry.hidden()  # a rate over one patient


def test_the_regional_indicators_page_shows_no_identity_and_hides_small_counts(world, enrolled, login):
    regional = login(world["regional"]).get("/c/cmv/indicateurs/")
    assert regional.status_code == 200
    text = regional.content.decode()
    assert "Patients inscrits dans un parcours, par modèle" in text and "Part des tâches des parcours" in text
    assert "Moreau" not in text and "Jeanne" not in text and enrolled.reference not in text
    assert "&lt; 5" in text
    mine = login(world["coordinator"]).get("/c/cmv/indicateurs/").content.decode()
    assert "Patients inscrits dans un parcours, par modèle" in mine and "Moreau" not in mine
