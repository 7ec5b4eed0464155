"""Invitations in headless Chromium: a coordinator invites a regulator by email; the regulator
opens the link, chooses a password, sets up the second factor and books a slot at the SNP desk."""

import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from maillage.accounts.models import Role
from maillage.core.jobs import run_pending
from maillage.territory.models import Cpts
from maillage.unscheduled.actions.slots import open_slot
from maillage.unscheduled.models import Booking
from tests.accounts.conftest import totp_code, with_totp
from tests.browser.conftest import Page
from tests.factories import PASSWORD, ActivityFactory, ProfessionalFactory, RoleFactory

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _overflow_on_a_phone(page) -> int:
    """How many pixels the page overflows a 390 px wide screen."""
    page.page.set_viewport_size(PHONE)
    overflow = page.overflow()
    page.page.set_viewport_size(DESKTOP)
    return overflow


@pytest.fixture
def gp_slot(idf):
    gp = ProfessionalFactory(last_name="Bernard", first_name="Camille")
    ActivityFactory(professional=gp, commune=idf["communes"]["92046"])
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(hours=2)
    return open_slot(
        idf["cmv"], gp, None, start=start, end=start + timedelta(minutes=20), kind="practice", types=["CPTS"]
    )


def _coordinator_invites(page, idf, email):
    coordinator = RoleFactory(coordinator=True, cpts=idf["cmv"]).user
    secret = with_totp(coordinator)
    page.login(coordinator.email, PASSWORD)
    page.page.locator("input[name=code]").fill(totp_code(secret))
    page.page.get_by_role("button", name="Connexion").click()
    page.page.wait_for_load_state("networkidle")
    _invite_from_the_dashboard(page, "CPTS Châtillon-Malakoff-Vanves", email)


def _invite_from_the_dashboard(page, cpts_name, email):
    page.page.get_by_role("link", name="Gérer l'équipe").click()
    page.page.wait_for_load_state("networkidle")
    assert f"Équipe de la {cpts_name}" in page.text()
    page.page.get_by_label("Adresse électronique de la personne").fill(email)
    # The invitation's role (the header also has a role switcher when the person holds several).
    page.page.locator("#id_kind").select_option(label="régulateur du numéro unique")
    page.page.get_by_role("button", name="Envoyer l'invitation").click()
    page.page.get_by_text(f"Invitation envoyée à {email} (régulateur du numéro unique).").wait_for()
    assert f"{email} — régulateur du numéro unique" in page.text()
    assert page.axe() == []
    assert _overflow_on_a_phone(page) <= 0


def test_an_invited_regulator_sets_up_the_account_and_the_second_factor_then_books(
    page, browser, live_server, idf, gp_slot, settings
):
    assert settings.DEMO_RELAX_MFA is False  # the second factor is really asked for
    _coordinator_invites(page, idf, "regulation@exemple.fr")
    _the_regulator_joins_and_books(
        page, browser, live_server, gp_slot, "CPTS Châtillon-Malakoff-Vanves", "regulation@exemple.fr"
    )


@pytest.mark.reference
def test_on_the_demo_its_coordinator_invites_a_regulator_who_books(page, browser, live_server, installed, settings):
    """The same journey on the demo as `make run` serves it, its coordinator's first login included."""
    from maillage.territory.demo import DEMO_PASSWORD
    from maillage.territory.models import Commune

    call_command("load_demo", stdout=io.StringIO())
    assert settings.DEMO_RELAX_MFA is False
    gp = ProfessionalFactory(last_name="Bernard", first_name="Camille")
    chatillon = Commune.objects.get(code="92020")
    ActivityFactory(professional=gp, commune=chatillon)
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(hours=2)
    cmv = Cpts.objects.get(slug="chatillon-malakoff-vanves")
    slot = open_slot(cmv, gp, None, start=start, end=start + timedelta(minutes=20), kind="practice", types=["CPTS"])

    page.login("coordination.cmv@demo.maillage.fr", DEMO_PASSWORD)
    assert page.page.url.endswith("/accounts/2fa/totp/activate/")  # the demo's coordinator too
    secret = page.page.inner_text("#totp-secret").strip()
    page.page.get_by_label("Code à six chiffres").fill(totp_code(secret))
    page.page.get_by_role("button", name="Activer").click()
    page.page.wait_for_load_state("networkidle")
    page.goto("/c/chatillon-malakoff-vanves/")
    _invite_from_the_dashboard(page, "CPTS Châtillon-Malakoff-Vanves", "regulation.soir@exemple.fr")
    _the_regulator_joins_and_books(
        page, browser, live_server, slot, "CPTS Châtillon-Malakoff-Vanves", "regulation.soir@exemple.fr"
    )


def _the_regulator_joins_and_books(page, browser, live_server, slot, cpts_name, email):
    # The live server enqueues; the worker (run here) sends through the test's in-memory backend
    # (the demo's own mails are there too). Only once the page's own requests are over: SQLite
    # locks its tables while the live server's thread writes.
    page.page.wait_for_load_state("networkidle")
    run_pending()
    [sent] = [message for message in mail.outbox if message.to == [email]]
    assert "en tant que régulateur du numéro unique" in sent.body
    path = re.search(r"https?://[^/\s]+(/invitation/[^/\s]+/)", sent.body).group(1)

    context = browser.new_context(locale="fr-FR", viewport=DESKTOP)
    regulator = Page(context.new_page(), live_server.url)
    try:
        regulator.goto(path)
        assert f"Rejoindre la {cpts_name}" in regulator.text()
        assert regulator.axe() == []
        assert _overflow_on_a_phone(regulator) <= 0
        regulator.page.get_by_label("Prénom").fill("Inès")
        regulator.page.get_by_label(re.compile(r"^Nom\s*:?$")).fill("Moreau")
        regulator.page.get_by_label(re.compile(r"^Mot de passe\s*:?$")).fill("Regulation-du-soir-2026")
        regulator.page.get_by_label("Confirmation du mot de passe").fill("Regulation-du-soir-2026")
        regulator.page.get_by_role("button", name="Créer mon compte").click()
        regulator.page.wait_for_load_state("networkidle")

        # Logged in, and sent straight to the second factor: no page of the app before it.
        assert regulator.page.url.endswith("/accounts/2fa/totp/activate/")
        secret = regulator.page.inner_text("#totp-secret").strip()
        regulator.page.get_by_label("Code à six chiffres").fill(totp_code(secret))
        regulator.page.get_by_role("button", name="Activer").click()
        regulator.page.wait_for_load_state("networkidle")
        assert regulator.page.url.endswith("/accounts/2fa/recovery-codes/")
        regulator.page.get_by_role("link", name="Continuer vers mon espace").click()
        regulator.page.wait_for_load_state("networkidle")
        assert f"régulateur du numéro unique — {cpts_name}" in regulator.text()
        assert Role.objects.get(user__email=email).kind == "regulator"

        regulator.page.get_by_role("link", name="Soins non programmés").click()
        regulator.page.wait_for_load_state("networkidle")
        regulator.page.get_by_label(re.compile(r"^Nom\s*:?$")).fill("Petit")
        regulator.page.get_by_label("Prénom").fill("Jeanne")
        regulator.page.get_by_label("Téléphone").fill("0612345678")
        chatillon = regulator.page.locator("#id_commune option", has_text="Châtillon (").first.inner_text()
        regulator.page.get_by_label("Commune du patient").select_option(label=chatillon)
        regulator.page.get_by_label("Motif").fill("fièvre depuis trois jours")
        regulator.page.get_by_role("button", name="Chercher un créneau").click()
        regulator.page.get_by_role("heading", name="Créneaux libres dans les 24 heures").wait_for()
        regulator.page.get_by_role("button", name=re.compile("Réserver le créneau de .* avec Camille Bernard")).click()
        regulator.page.get_by_role("button", name="Confirmer la réservation").click()
        regulator.page.get_by_text("Rendez-vous réservé").wait_for()
        assert Booking.objects.get(slot=slot).request.last_name == "Petit"
        assert regulator.console_errors == [] and regulator.failed == []
    finally:
        context.close()

    # The link was for one use only.
    page.page.context.clear_cookies()
    response = page.goto(path)
    assert response.status == 410
    assert "Cette invitation a déjà été utilisée" in page.text()
    assert page.axe() == []
    assert page.console_errors == [] or all("410" in e for e in page.console_errors)


def test_the_admin_creates_a_cpts_on_a_phone(page, idf, settings):
    settings.DEMO_RELAX_MFA = True  # the admin reads no patient data; the second factor has its journey above
    admin = RoleFactory(admin=True).user
    page.login(admin.email, PASSWORD)
    page.page.get_by_role("link", name="Créer une CPTS").click()
    page.page.wait_for_load_state("networkidle")
    assert page.axe() == []
    assert _overflow_on_a_phone(page) <= 0
    page.page.get_by_label("Nom de la CPTS").fill("CPTS Montrouge")
    page.page.get_by_label("Adresse de la page").fill("montrouge")
    page.page.get_by_label("Communes du territoire").fill("92049 99999")
    page.page.get_by_label("Téléphone du numéro unique").fill("01 23 45 67 89")
    page.page.get_by_label("Adresse électronique du coordinateur").fill("coord@exemple.fr")
    page.page.get_by_role("button", name="Créer la CPTS et inviter son coordinateur").click()
    page.page.get_by_text("Commune inconnue : 99999.").wait_for()
    assert page.axe() == []
    page.page.get_by_label("Communes du territoire").fill("92049")
    page.page.get_by_role("button", name="Créer la CPTS et inviter son coordinateur").click()
    page.page.get_by_text("son coordinateur est invité à l'adresse coord@exemple.fr").wait_for()
    assert "Numéro unique : 01 23 45 67 89" in page.text()
    assert mail.outbox == []  # enqueued, not sent inside the request
    page.page.wait_for_load_state("networkidle")  # the page's map requests done: SQLite is free
    run_pending()
    assert [m.to for m in mail.outbox] == [["coord@exemple.fr"]]
    assert [e for e in page.console_errors if "status of 400" not in e] == [] and page.failed == []
