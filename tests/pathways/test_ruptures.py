"""Rupture alerts: raised and resolved by the scheduled detection, signalled by email (no patient
in it) to the person concerned and the coordination, through the background tasks."""

from datetime import timedelta

import pytest
from django.utils import timezone

from maillage.core import periodic
from maillage.core.jobs import run_pending
from maillage.core.models import AuditEntry
from maillage.pathways.actions import PathwayError
from maillage.pathways.actions.enrolment import move_pathway
from maillage.pathways.actions.ruptures import declare_rehospitalisation, resolve_alert
from maillage.pathways.actions.tasks import move_task
from maillage.pathways.models import AlertKind, RuptureAlert
from maillage.pathways.ruptures import detect
from maillage.pathways.states import PathwayStatus, TaskStatus


def _later(days):
    return timezone.now() + timedelta(days=days)


def _kinds():
    return sorted(RuptureAlert.objects.open().values_list("kind", "task__title"), key=str)


def test_overdue_and_unassigned_tasks_raise_alerts_once_and_email_who_is_concerned(world, enrolled, mailoutbox):
    run_pending()
    mailoutbox.clear()
    outcome = detect(_later(3))
    assert _kinds() == sorted(
        [
            (AlertKind.OVERDUE, "Visite infirmière à domicile"),  # due today, tolerance 1 day
            (AlertKind.UNASSIGNED, "Conciliation médicamenteuse"),  # nobody on the team for them
            (AlertKind.UNASSIGNED, "Bilan de kinésithérapie"),
        ],
        key=str,
    )
    assert (outcome.raised, outcome.resolved, outcome.emails) == (3, 0, 2)
    assert mailoutbox == []  # enqueued in the detection's transaction; the worker sends them
    run_pending()
    by_address = {mail.to[0]: mail for mail in mailoutbox}
    assert set(by_address) == {world["coordinator"].email, world["nurse_user"].email}
    coordinator_mail = by_address[world["coordinator"].email].body
    assert (
        "3 nouvelles alertes de rupture de parcours" in coordinator_mail
        and "/c/cmv/parcours-patients/" in coordinator_mail
    )
    assert "1 nouvelle alerte" in by_address[world["nurse_user"].email].body
    for mail in mailoutbox:
        assert "Moreau" not in mail.body and "Jeanne" not in mail.body and "Visite" not in mail.body
    again = detect(_later(3))
    assert (again.raised, again.resolved, again.emails) == (0, 0, 0)


def test_an_alert_resolves_itself_when_its_cause_is_gone(world, enrolled):
    detect(_later(3))
    visit = enrolled.tasks.get(title="Visite infirmière à domicile")
    move_task(visit, TaskStatus.DONE, world["nurse_user"])
    outcome = detect(_later(3))
    assert outcome.resolved == 1
    assert not RuptureAlert.objects.open().filter(task=visit).exists()
    assert RuptureAlert.objects.get(task=visit).resolved_at is not None


def test_no_contact_for_the_templates_delay_raises_an_alert_for_the_whole_team(world, enrolled, mailoutbox):
    run_pending()
    mailoutbox.clear()
    detect(_later(10))  # the discharge template: 7 days without a task done
    assert RuptureAlert.objects.open().filter(kind=AlertKind.NO_CONTACT, pathway=enrolled).count() == 1
    run_pending()
    assert {world["gp_user"].email, world["nurse_user"].email} <= {mail.to[0] for mail in mailoutbox}
    move_pathway(enrolled, PathwayStatus.CLOSED, world["coordinator"])
    detect(_later(10))
    assert not RuptureAlert.objects.open().exists()  # a closed pathway raises nothing


def test_a_rehospitalisation_is_declared_once_and_resolved_by_a_person(world, enrolled):
    alert = declare_rehospitalisation(enrolled, world["nurse_user"], on=timezone.localdate(), note="Chute, urgences")
    assert (
        alert.kind == AlertKind.REHOSPITALISED
        and AuditEntry.objects.get(action="pathways.rehospitalisation.declared").health_data
    )
    before = RuptureAlert.objects.count(), AuditEntry.objects.count()
    with pytest.raises(PathwayError, match="Une réhospitalisation est déjà signalée"):
        declare_rehospitalisation(enrolled, world["gp_user"], on=timezone.localdate())
    with pytest.raises(PathwayError, match="ne peut pas être dans le futur"):
        declare_rehospitalisation(enrolled, world["gp_user"], on=timezone.localdate() + timedelta(days=1))
    with pytest.raises(PathwayError, match="Vous ne pouvez pas modifier ce parcours"):
        declare_rehospitalisation(enrolled, world["other_nurse_user"], on=timezone.localdate())
    assert (RuptureAlert.objects.count(), AuditEntry.objects.count()) == before
    detect()
    assert RuptureAlert.objects.open().get(kind=AlertKind.REHOSPITALISED).notified_at is not None
    resolve_alert(alert, world["coordinator"], note="Retour à domicile prévu")
    with pytest.raises(PathwayError, match="déjà résolue"):
        resolve_alert(alert, world["coordinator"])


def test_the_detection_is_a_periodic_job(world, enrolled):
    job = periodic.get("pathways.ruptures")
    assert job.every_minutes == 60
    assert job.function(_later(3)) == "3 alertes levées, 0 alerte résolue, 2 courriels"
