"""An idéation coordinator, from the first login to a complete first draft of the projet de santé,
in headless Chromium: the dashboard's steps lead the way (letter of intent → diagnostic → projet →
ARS), the projet starts pre-filled, and the coordinator only types what Maillage cannot know.

The journey counts what the coordinator types and clicks, and how long it takes; the figures are
printed (run with `-s` to read them) and bounded here: the issue asked for a first complete draft
in under ten minutes of scripted typing."""

import io
import time
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, hotp_value
from django.utils import timezone
from docx import Document

from maillage.directory.models import Partner
from maillage.projet.models import FicheAction, FicheIndicator, ProjetSante
from tests.factories import PASSWORD, ActivityFactory, ProfessionalFactory, RoleFactory, StructureFactory

pytestmark = pytest.mark.browser
GOVERNANCE = "- Bureau : présidente Dr Anne Martin, trésorier Paul Durand (pharmacien)."
TARGETS = {"%": "60", "": "2"}  # a rate's target, any other (counts of parcours, exercises, patients…)


class Script:
    """The coordinator's hands: every key typed and every click is counted."""

    def __init__(self, page):
        self.page = page
        self.typed = 0
        self.clicks = 0

    def type(self, locator, text: str):
        locator.fill(text)
        self.typed += len(text)

    def click(self, locator):
        locator.click()
        self.clicks += 1
        self.page.page.wait_for_load_state("networkidle")


@pytest.fixture
def ideation(idf):
    """CMV at its very beginning (no lifecycle yet: idéation), with a directory and partners."""
    cmv = idf["cmv"]
    for n, commune in enumerate(idf["communes"][code] for code in ("92020", "92046", "92075")):
        for _ in range(2 + n):
            ActivityFactory(professional=ProfessionalFactory(), commune=commune, commune_code=commune.code)
        ActivityFactory(professional=ProfessionalFactory(adeli=True), commune=commune, commune_code=commune.code)
    Partner.objects.create(cpts=cmv, kind=Partner.Kind.MUNICIPALITY, name="Mairie de Malakoff")
    StructureFactory(commune=idf["communes"]["92020"], short_name="EHPAD Les Marronniers", category_label="EHPAD")
    user = RoleFactory(coordinator=True, cpts=cmv).user
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return cmv, user, secret


def test_an_ideation_coordinator_reaches_a_complete_first_draft_in_minutes(page, ideation):
    cmv, user, secret = ideation
    hands = Script(page)
    started = time.monotonic()
    page.goto("/accounts/login/")
    hands.type(page.page.get_by_label("Adresse électronique"), user.email)
    hands.type(page.page.get_by_label("Mot de passe"), PASSWORD)
    hands.click(page.page.get_by_role("button", name="Se connecter"))
    hands.type(page.page.locator("input[name=code]"), format(hotp_value(secret, int(time.time()) // 30), "06d"))
    hands.click(page.page.get_by_role("button", name="Connexion"))
    signing_in = hands.typed

    # 1. The dashboard's first step: the letter of intent, dated on the timeline.
    steps = page.page.locator("[data-testid=founding-steps]")
    assert "1. Lettre d'intention à l'ARS à faire maintenant" in " ".join(steps.inner_text().split())
    assert page.axe("[data-testid=founding-steps]") == []
    hands.click(page.page.get_by_role("link", name="Dater la lettre d'intention"))
    letter = page.page.locator("#date-letter_of_intent")
    hands.type(letter, f"{timezone.localdate():%Y-%m-%d}")
    hands.click(page.page.get_by_role("button", name="Enregistrer la date : Lettre d'intention", exact=True))
    page.page.get_by_text("« Lettre d'intention » daté du").wait_for()

    # 2. Back on the dashboard, the diagnostic is next; then the projet.
    hands.click(page.page.get_by_role("link", name="Mon espace"))
    assert "2. Territoire et diagnostic à faire maintenant" in " ".join(steps.inner_text().split())
    hands.click(page.page.get_by_role("link", name="Lire le diagnostic"))
    assert "96 679 habitants" in page.text()
    hands.click(page.page.get_by_role("link", name="Mon espace"))
    hands.click(page.page.get_by_role("link", name="Lire le diagnostic"))  # still next: no analysis yet
    hands.click(page.page.get_by_role("link", name="Mon espace"))

    # 3. The projet starts pre-filled.
    hands.click(page.page.get_by_role("link", name="Projet de santé", exact=True))
    hands.click(page.page.get_by_role("button", name="Commencer le projet de santé"))
    assert "Brouillon pré-rempli : 7 fiches-actions, une par mission." in page.text()
    assert page.axe() == []
    # What only the CPTS knows: its bureau, appended to the governance Maillage wrote.
    hands.click(page.page.get_by_role("link", name="Rédiger la présentation et la gouvernance"))
    governance = page.page.get_by_label("Gouvernance (bureau, collèges, instances, fonctionnement)")
    assert "Mairie de Malakoff" in governance.input_value()
    governance.press("Control+End")
    page.page.keyboard.type("\n" + GOVERNANCE)
    hands.typed += len(GOVERNANCE) + 1
    hands.click(page.page.get_by_role("button", name="Enregistrer"))
    # The targets, fiche by fiche: the CPTS's commitments.
    for fiche in FicheAction.objects.filter(projet__cpts=cmv).order_by("pk"):
        hands.click(page.page.get_by_role("link", name=f"Modifier « {fiche.title} »"))
        for n, indicator in enumerate(fiche.indicators.order_by("position", "pk")):
            hands.type(page.page.locator(f"#id_indicateurs-{n}-target"), TARGETS.get(indicator.unit, "2"))
        hands.click(page.page.get_by_role("button", name="Enregistrer la fiche-action"))
        assert f"Fiche-action « {fiche.title} » enregistrée." in page.text()

    with page.page.expect_download() as download:
        page.page.get_by_role("link", name="Télécharger le projet (Word)").click()
    hands.clicks += 1
    elapsed = time.monotonic() - started
    document = Document(io.BytesIO(Path(download.value.path()).read_bytes()))

    # 4. Filed with the ARS, the last step shows the day its silence validates the projet.
    hands.click(page.page.get_by_role("button", name="Marquer comme déposé à l'ARS"))
    hands.click(page.page.get_by_role("link", name="Mon espace"))
    assert "sans réponse, le projet sera réputé validé le" in steps.inner_text()

    text = "\n".join(p.text for p in document.paragraphs)
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "À compléter." not in text and "Aucune fiche-action pour cette mission." not in text
    assert "Aucun indicateur" not in text
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert sum(h.startswith("Fiche ") for h in headings) == 7
    everything = " ".join([*cells, text]).replace("\u202f", " ")  # French digit groups: narrow no-break spaces
    assert GOVERNANCE[2:] in text and "Mairie de Malakoff" in text and "96 679 habitants" in everything
    assert not FicheIndicator.objects.filter(fiche__projet__cpts=cmv, target__isnull=True).exists()
    assert ProjetSante.objects.get(cpts=cmv).status == "depose"
    print(
        f"\nIdéation → premier projet complet : {hands.typed} caractères tapés (dont {signing_in} pour se "
        f"connecter), {hands.clicks} clics, {elapsed:.1f} s (navigateur scripté)"
    )
    assert hands.typed < 300 and hands.clicks < 40 and elapsed < 600
