"""Issue 16, item 5: the coordinator sends a newsletter to the collège of the libéraux and, once the
worker has run, sees each delivery; a member (a commune's representative) registers to a
formation from the members' space — both on a phone, 390 px wide."""

import time
from datetime import datetime, timedelta
from datetime import time as clock

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, hotp_value
from django.core import mail
from django.utils import timezone

from maillage.accounts.models import RoleKind
from maillage.association import statutes
from maillage.association.actions.events import EventDraft, plan_event
from maillage.association.actions.members import create_member
from maillage.association.models import Delivery, Mailing, Registration
from maillage.core.jobs import run_pending
from tests.browser.test_pathways import _clean, _phone
from tests.factories import PASSWORD, RoleFactory

pytestmark = pytest.mark.browser


def _association(cmv):
    statutes.of(cmv)
    colleges = {c.code: c for c in statutes.colleges(cmv)}

    def add(college, **data):
        return create_member(cmv, {"college": colleges[college], "kind": "person", **data}, actor=None)

    add("liberaux", last_name="Leroy", first_name="Anne", email="anne.leroy@exemple.fr", profession_code="10")
    add("liberaux", last_name="Petit", first_name="Jean", email="jean.petit@exemple.fr", profession_code="60")
    add("usagers", last_name="Roy", first_name="Martine", email="m.roy@exemple.fr")
    mayor = RoleFactory(cpts=cmv, kind=RoleKind.ADHERENT).user
    create_member(cmv, {"college": colleges["collectivites"], "kind": "legal", "legal_kind": "commune",
                        "name": "Commune de Malakoff", "representative_name": "Adjointe à la santé",
                        "representative_email": mayor.email}, actor=None)  # fmt: skip
    return colleges, mayor


def test_a_newsletter_reaches_a_college_and_a_member_registers_to_a_formation(browser, live_server, idf):
    cmv = idf["cmv"]
    colleges, mayor = _association(cmv)
    coordinator = RoleFactory(coordinator=True, cpts=cmv).user
    secret = generate_totp_secret()
    TOTP.activate(coordinator, secret)
    day = timezone.localdate() + timedelta(days=12)
    start = timezone.make_aware(datetime.combine(day, clock(20)))
    formation = plan_event(cmv, EventDraft(kind="training", title="Formation spirométrie", starts_at=start,
                                           ends_at=start + timedelta(hours=2), place="Maison de santé de Malakoff",
                                           capacity=12), None)  # fmt: skip

    context, page = _phone(browser, live_server)
    page.login(coordinator.email, PASSWORD)
    page.page.locator("input[name=code]").fill(format(hotp_value(secret, int(time.time()) // 30), "06d"))
    page.page.get_by_role("button", name="Connexion").click()
    page.page.wait_for_load_state("networkidle")
    page.goto("/c/cmv/association/messages/")
    _clean(page)
    page.page.get_by_role("link", name="Écrire un message").click()
    page.page.wait_for_load_state("networkidle")
    _clean(page)
    form = page.page
    form.get_by_label("Lettre d'information").check()
    form.get_by_label("Objet").fill("Lettre des libéraux")
    form.get_by_label("Texte").fill("Bonjour,\n\nLa formation à la spirométrie est ouverte aux inscriptions.")
    form.get_by_label("Envoyer à").select_option("college")
    form.get_by_label("Collège").select_option(str(colleges["liberaux"].pk))
    form.get_by_role("button", name="Enregistrer et vérifier avant l'envoi").click()
    page.page.wait_for_load_state("networkidle")
    assert "2 adhérents" in page.text()
    _clean(page)
    page.page.get_by_role("button", name="Envoyer à 2 adhérents").click()
    page.page.wait_for_load_state("networkidle")
    assert "part vers 2 adhérents" in page.text()
    assert "En attente (2)" in page.text()
    mail.outbox = []
    assert run_pending() == 1  # the worker: one task for the batch of both copies
    page.page.reload()
    page.page.wait_for_load_state("networkidle")
    assert "Envoyé (2)" in page.text()
    newsletter = Mailing.objects.get()
    assert set(newsletter.deliveries.values_list("status", flat=True)) == {Delivery.Status.SENT}
    assert sorted(m.to[0] for m in mail.outbox) == ["anne.leroy@exemple.fr", "jean.petit@exemple.fr"]
    _clean(page)
    assert page.console_errors == [] and page.failed == []
    context.close()

    context, page = _phone(browser, live_server)
    page.login(mayor.email, PASSWORD)
    page.goto("/c/cmv/adherent/")
    page.page.get_by_role("link", name="Agenda de l'association").click()
    page.page.wait_for_load_state("networkidle")
    assert "Formation spirométrie" in page.text()
    _clean(page)
    page.page.get_by_role("button", name="M'inscrire : Formation spirométrie").click()
    page.page.wait_for_load_state("networkidle")
    assert "Vous êtes inscrit à « Formation spirométrie »." in page.text()
    assert Registration.objects.filter(event=formation, member__name="Commune de Malakoff").exists()
    page.page.get_by_role("button", name="Créer mon adresse d'agenda").click()
    page.page.wait_for_load_state("networkidle")
    assert "/adherents/agenda/" in page.text()
    _clean(page)
    assert page.console_errors == [] and page.failed == []
    context.close()
