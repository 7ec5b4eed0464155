"""Issue 17 — qualité et pertinence: on a phone, the coordinator writes a protocol as a draft,
deposits its file, is told that a protocol validated by nobody is not validated, records the
group's validation and puts it in use — every page axe-clean and usable 390 px wide."""

from datetime import timedelta

import pytest
from django.utils import timezone

from maillage.quality.models import Protocol
from tests.browser.test_pathways import _clean, _log_in, _phone, _with_totp
from tests.factories import ActivityFactory, ProfessionalFactory, RoleFactory

pytestmark = pytest.mark.browser


def test_a_protocol_goes_from_draft_to_in_use(browser, live_server, idf):
    malakoff = idf["communes"]["92046"]
    gp = ProfessionalFactory(last_name="Leroy", first_name="Anne")
    pharmacist = ProfessionalFactory(last_name="Martin", first_name="Paul", profession_code="21",
                                     profession_label="Pharmacien")  # fmt: skip
    for person in (gp, pharmacist):
        ActivityFactory(professional=person, commune=malakoff)
    coordinator, secret = _with_totp(RoleFactory(coordinator=True, cpts=idf["cmv"]).user)
    today = timezone.localdate()

    context, page = _phone(browser, live_server)
    _log_in(page, coordinator, secret)
    page.goto("/c/cmv/qualite/")
    _clean(page)
    page.page.get_by_role("link", name="Nouveau protocole").first.click()
    page.page.wait_for_load_state("networkidle")
    _clean(page)
    form = page.page
    form.get_by_label("Intitulé").fill("Angine : test rapide d'orientation diagnostique en officine")
    form.get_by_label("médecin", exact=True).check()
    form.get_by_label("pharmacien", exact=True).check()
    form.get_by_label("Auteurs").select_option([str(gp.pk)])
    form.get_by_role("button", name="Créer le brouillon").click()
    page.page.wait_for_load_state("networkidle")
    assert "Protocole « Angine : test rapide d'orientation diagnostique en officine » créé en brouillon." in page.text()
    protocol = Protocol.objects.get()
    assert protocol.status == "draft"
    _clean(page)

    form.get_by_label("Fichier du protocole").set_input_files(
        {"name": "angine.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}
    )
    form.get_by_role("button", name="Déposer", exact=True).click()
    page.page.wait_for_load_state("networkidle")
    assert "Fichier déposé." in page.text() and "angine.pdf" in page.text()

    form.get_by_label("Date de validation").fill(today.isoformat())
    form.get_by_label("Prochaine révision le").fill((today + timedelta(days=730)).isoformat())
    form.get_by_role("button", name="Enregistrer la validation").click()
    page.page.wait_for_load_state("networkidle")
    assert "Un protocole validé par personne n'est pas validé" in page.text()
    _clean(page)
    form.get_by_label("Validé par").select_option([str(gp.pk), str(pharmacist.pk)])
    form.get_by_label("Date de validation").fill(today.isoformat())
    form.get_by_label("Prochaine révision le").fill((today + timedelta(days=730)).isoformat())
    form.get_by_role("button", name="Enregistrer la validation").click()
    page.page.wait_for_load_state("networkidle")
    assert f"Protocole validé le {today:%d/%m/%Y}." in page.text()

    form.get_by_role("button", name="Mettre en usage").click()
    page.page.wait_for_load_state("networkidle")
    assert "Protocole : en usage." in page.text()
    protocol.refresh_from_db()
    assert protocol.status == "in_use"
    assert [(t.source, t.target) for t in protocol.transitions.all()] == [
        ("", "draft"), ("draft", "validated"), ("validated", "in_use"),
    ]  # fmt: skip
    assert "Anne Leroy, Paul Martin" in page.text()
    _clean(page)
    assert page.console_errors == [] and page.failed == []
    context.close()
