"""A pathway's state buttons: a re-hospitalisation declared, the pathway closed with its outcome,
reopened — each with the version check (a stale save is refused) and the transition logged."""

import html
from datetime import timedelta

import pytest
from django.utils import timezone

from maillage.core.models import AuditEntry
from maillage.core.versioning import StaleEdit
from maillage.pathways.actions import PathwayError
from maillage.pathways.actions.ruptures import declare_rehospitalisation
from maillage.pathways.actions.states import close_pathway, reopen_pathway
from maillage.pathways.actions.team import remove_member
from maillage.pathways.models import AlertKind, Pathway, PathwayTransition, RuptureAlert
from maillage.pathways.states import PathwayStatus


def _counts():
    return PathwayTransition.objects.count(), AuditEntry.objects.count(), RuptureAlert.objects.count()


def _fresh(pathway):
    return Pathway.objects.select_related("cpts", "template").get(pk=pathway.pk)


def test_closing_then_reopening_logs_each_transition_with_its_reason(world, enrolled):
    version = enrolled.version
    close_pathway(
        enrolled, world["nurse_user"], outcome="deceased", reason="Décès à domicile.", expected_version=version
    )
    pathway = _fresh(enrolled)
    assert pathway.status == PathwayStatus.CLOSED and pathway.version == version + 1
    closing = pathway.transitions.order_by("-at", "-id").first()
    assert (closing.source, closing.target, closing.note) == ("active", "closed", "patient décédé : Décès à domicile.")
    assert AuditEntry.objects.filter(action="pathways.pathway.transition", health_data=True).count() == 1
    Pathway.objects.filter(pk=pathway.pk).update(contact_due_on=timezone.localdate() - timedelta(days=30))
    pathway = _fresh(enrolled)
    reopen_pathway(pathway, world["coordinator"], reason="Erreur de saisie.", expected_version=pathway.version)
    pathway = _fresh(enrolled)
    assert pathway.status == PathwayStatus.ACTIVE
    assert pathway.contact_due_on == timezone.localdate() + timedelta(days=pathway.template.no_contact_days)
    assert pathway.transitions.order_by("-at", "-id").first().note == "Erreur de saisie."


def test_a_stale_save_is_refused_and_nothing_is_written(world, enrolled):
    old = enrolled.version
    close_pathway(_fresh(enrolled), world["coordinator"], outcome="completed", expected_version=old)
    before = _counts()
    with pytest.raises(StaleEdit):
        reopen_pathway(_fresh(enrolled), world["nurse_user"], reason="Retour.", expected_version=old)
    assert _counts() == before and _fresh(enrolled).status == PathwayStatus.CLOSED


@pytest.mark.parametrize(
    ("write", "message"),
    [
        (lambda p, u: close_pathway(p, u, outcome="vanished"), "pourquoi le parcours est clos"),
        (lambda p, u: close_pathway(p, u, outcome="other"), "Précisez le motif"),
        (lambda p, u: close_pathway(p, u, outcome="completed", reason="x" * 201), "trop longue"),
        (lambda p, u: reopen_pathway(p, u, reason="Retour."), "ne peut pas passer à cet état"),
        (
            lambda p, u: declare_rehospitalisation(p, u, on=timezone.localdate() + timedelta(days=1)),
            "ne peut pas être dans le futur",
        ),
    ],
)
def test_bad_input_is_refused_in_french_with_nothing_half_saved(world, enrolled, write, message):
    before = _counts()
    with pytest.raises(PathwayError, match=message):
        write(_fresh(enrolled), world["nurse_user"])
    assert _counts() == before and _fresh(enrolled).status == PathwayStatus.ACTIVE


def test_closing_twice_or_a_professional_off_the_team_is_refused(world, enrolled):
    close_pathway(_fresh(enrolled), world["coordinator"], outcome="moved")
    with pytest.raises(PathwayError, match="ne peut pas passer à cet état"):
        close_pathway(_fresh(enrolled), world["coordinator"], outcome="moved")
    remove_member(enrolled.team.get(professional=world["gp"]), world["coordinator"])
    before = _counts()
    with pytest.raises(PathwayError, match="ne pouvez pas modifier"):
        reopen_pathway(_fresh(enrolled), world["gp_user"], reason="Retour.")
    assert _counts() == before


def test_the_pathway_page_has_the_state_buttons_and_they_work(world, enrolled, login):
    url = f"/c/cmv/parcours-patients/{enrolled.pk}/"
    nurse = login(world["nurse_user"])
    page = html.unescape(nurse.get(url).content.decode())
    assert "Signaler la réhospitalisation" in page and "Clore le parcours" in page
    today = timezone.localdate().isoformat()
    version = _fresh(enrolled).version
    answer = nurse.post(f"{url}rehospitalisation/", {"rehosp-on": today, "rehosp-version": version})
    assert answer.status_code == 302
    assert RuptureAlert.objects.open().filter(pathway=enrolled, kind=AlertKind.REHOSPITALISED).exists()
    # The page was read before the declaration: closing with its version is refused as stale.
    stale = nurse.post(f"{url}clore/", {"clore-outcome": "completed", "clore-version": version}, follow=True)
    assert "vient d'être modifié par quelqu'un d'autre" in html.unescape(stale.content.decode())
    assert _fresh(enrolled).status == PathwayStatus.ACTIVE
    current = _fresh(enrolled).version
    nurse.post(f"{url}clore/", {"clore-outcome": "completed", "clore-version": current})
    assert _fresh(enrolled).status == PathwayStatus.CLOSED
    page = html.unescape(nurse.get(url).content.decode())
    assert "Rouvrir le parcours" in page and "Clore le parcours" not in page
    refused = nurse.post(f"{url}rouvrir/", {"rouvrir-reason": "", "rouvrir-version": current + 1}, follow=True)
    assert "obligatoire" in html.unescape(refused.content.decode())
    nurse.post(f"{url}rouvrir/", {"rouvrir-reason": "Retour à domicile.", "rouvrir-version": current + 1})
    assert _fresh(enrolled).status == PathwayStatus.ACTIVE
