"""The projet de santé in headless Chromium: the coordinator adds a fiche-action (a refused
indicator first, explained) and downloads the Word document."""

import io
import re
from pathlib import Path

import pytest
from docx import Document

from maillage.projet.models import FicheAction
from tests.factories import PASSWORD, RoleFactory

pytestmark = pytest.mark.browser


def test_the_coordinator_adds_a_fiche_action_and_downloads_the_docx(page, idf, settings):
    settings.DEMO_RELAX_MFA = True  # the second factor has its own journey
    coordinator = RoleFactory(coordinator=True, cpts=idf["cmv"]).user
    page.login(coordinator.email, PASSWORD)
    page.page.get_by_role("link", name="Projet de santé", exact=True).click()
    page.page.wait_for_load_state("networkidle")
    assert "Le projet de santé n'est pas encore rédigé." in page.text()
    assert page.axe() == []
    page.page.get_by_role("link", name="Ajouter une fiche-action").click()
    page.page.wait_for_load_state("networkidle")
    page.page.get_by_label("Mission").select_option(label="prévention")
    page.page.get_by_label("Intitulé").fill("Dépistage du cancer du sein")
    page.page.get_by_label(re.compile(r"^Objectif\s*:?$")).fill("Augmenter la participation au dépistage organisé.")
    page.page.get_by_label("Pilote").fill("Dr Martin")
    page.page.locator("#id_indicateurs-0-code").fill("cpam.depistage_sein")
    page.page.locator("#id_indicateurs-0-label").fill("Taux de dépistage du cancer du sein")
    page.page.locator("#id_indicateurs-0-unit").fill("%")
    page.page.locator("#id_indicateurs-0-baseline").fill("46,2")
    page.page.locator("#id_indicateurs-0-target").fill("160")
    page.page.get_by_role("button", name="Enregistrer la fiche-action").click()
    page.page.wait_for_load_state("networkidle")
    assert "Indicateur 1 : Un pourcentage est compris entre 0 et 100 : cible 160 refusée." in page.text()
    assert not FicheAction.objects.exists()
    assert page.axe() == []
    page.page.locator("#id_indicateurs-0-target").fill("60")
    page.page.get_by_role("button", name="Enregistrer la fiche-action").click()
    page.page.get_by_text("Fiche-action « Dépistage du cancer du sein » enregistrée.").wait_for()
    assert "Version 1 · brouillon · 1 fiche-action" in page.text()
    assert page.axe() == []

    with page.page.expect_download() as download:
        page.page.get_by_role("link", name="Télécharger le projet (Word)").click()
    assert download.value.suggested_filename == "projet-de-sante-cmv-v1.docx"
    document = Document(io.BytesIO(Path(download.value.path()).read_bytes()))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "4 Missions et fiches-actions" in headings
    assert "Fiche 4.1 — Dépistage du cancer du sein" in headings
    summary = next(t for t in document.tables if t.rows[0].cells[0].text == "Fiche-action")
    assert [c.text for c in summary.rows[1].cells][1:] == [
        "Taux de dépistage du cancer du sein", "cpam.depistage_sein", "%", "46,2", "—", "60",
    ]  # fmt: skip
    page.page.get_by_role("link", name="Diagnostic territorial").click()
    page.page.wait_for_load_state("networkidle")
    assert "D'après l'annuaire chargé dans Maillage" in page.text() and "96 679 habitants" in page.text()
    assert page.axe() == []
    # The refused form answered 400, which Chromium logs; a download is reported as an aborted
    # navigation. Nothing else may show there.
    assert [e for e in page.console_errors if "status of 400" not in e] == []
    assert [url for url in page.failed if not url.endswith(".docx")] == []
