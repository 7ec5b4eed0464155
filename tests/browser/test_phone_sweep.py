"""Every HTML page of every role at phone width (390 × 844): no sideways scroll, no primary button
off screen.

The pages come from the permission matrix (tests/test_permissions.py): each GET row that answers an
HTML page with 200 to a role is visited in that role, so that a new page joins the sweep on its own.
The data are the matrix's (`actors`, which fills the rows' placeholders) made busier (as `busy`: every
line of the coordinator's to-do list) and given the long words a phone must wrap (an email address,
a web address, a long name).

A primary button is a `.button` (links styled as buttons) or a submit button of the page's content
(`main`) that is not `.secondary`: the action the page is for; and so is every button of a table's
row (its action, « Réserver », « Modifier », « Retirer »). It must lie within the window's width (a
button in a table that scrolls inside its box, beyond the screen's edge, is off screen). Layout
does not depend on the database: the sweep runs on SQLite only (CI runs the suite twice).
"""

import time
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from maillage.directory.models import Partner
from maillage.doctor_access.models import MatchRun, Proposal
from maillage.lifecycle.models import Milestone
from maillage.unscheduled.models import Alternative
from tests.browser.conftest import Page
from tests.dashboard.conftest import care_request
from tests.factories import ActivityFactory, DoctorOfferFactory, DoctorRequestFactory, ProfessionalFactory, RoleFactory
from tests.test_permissions import ACTORS, MATRIX, fill
from tests.test_permissions import committed_actors as actors  # noqa: F401 (the matrix's fixture, for a live server)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        connection.vendor == "postgresql",
        reason="layout does not depend on the database: the phone sweep runs on SQLite only",
    ),
]

PHONE = {"width": 390, "height": 844}
# GET rows that answer something else than an HTML page of ours, with the reason they are not swept.
NOT_HTML = {
    ".geojson": "GeoJSON for the maps",
    ".csv": "CSV export",
    ".xlsx": "spreadsheet export",
    ".docx": "Word document",
    ".ics": "calendar feed",
    ".json": "JSON export",
    "/api/": "the JSON API (its docs page is the third-party Swagger UI)",
    "/fhir/": "FHIR (JSON)",
    "/healthz": "the health probe (plain text)",
    "/parcours/documents/": "an uploaded file (PDF)",
    "/fichier/": "a file attached to a liaison log (PDF)",
    "/documents/{assembly_document}/": "a document attached to an assembly (PDF)",  # issue 16
}
# The roles swept: one of each kind, in the CPTS or région of the matrix's URLs ("_other" actors
# would only add 404 pages and the same personal pages).
ROLES = ("anonymous", "no_role", "admin", "regional_own", "regional_admin_own", "coordinator", "member", "regulator")
ROLES += ("adherent",)  # issue 16: the members' space of the association
ROLES += ("sas_regulator",)  # issue 18: a slot's booking page from the SAS
# And a coordinator of a CPTS at its very beginning (Grand Issy-Vanves, no lifecycle yet: idéation),
# whose dashboard guides the founding steps: not a role of the matrix, its pages listed here.
IDEATION = "coordinator_ideation"


# Pages outside the matrix (allauth's account pages, a page that does not exist), swept as well.
OUTSIDE_MATRIX = {
    "anonymous": ["/accounts/login/", "/accounts/password/reset/", "/page-inexistante/"],
    "coordinator": ["/accounts/2fa/", "/accounts/password/change/"],
    IDEATION: ["/c/issy/", "/c/issy/parcours/", "/c/issy/projet-de-sante/", "/c/issy/diagnostic/"],
}


def _skip_reason(path: str) -> str | None:
    bare = path.split("?")[0]
    for marker, reason in NOT_HTML.items():
        if bare.endswith(marker) or marker in bare:
            return reason
    return None


def html_rows():
    """(url name, path, access) of the matrix's GET rows that answer an HTML page."""
    return [(name, path, access) for name, method, path, access in MATRIX if method == "get" and not _skip_reason(path)]


def pages_of(role: str) -> list[tuple[str, str]]:
    matrix = [
        (name, path) for name, path, access in html_rows() if role in ACTORS and access["expected"]()[role] == 200
    ]
    return matrix + [("(outside the matrix)", path) for path in OUTSIDE_MATRIX.get(role, [])]


def test_every_html_page_of_the_matrix_is_swept_by_some_role():
    """A GET row is either swept by a role or skipped with a reason (not HTML, or an error for all)."""
    swept = {(name, path) for role in ROLES for name, path in pages_of(role)}
    for name, method, path, access in MATRIX:
        if method != "get" or _skip_reason(path):
            continue
        statuses = set(access["expected"]().values())
        assert (name, path) in swept or 200 not in statuses, f"{name} ({path}) is visited by no role"
    assert len(swept) >= 40


# What the browser measures on each page: how much wider than the window the document is, the
# outermost element that sticks out, and the primary buttons beyond the window's edges.
MEASURE = r"""() => {
  // The layout viewport: with is_mobile, Chromium zooms a too-wide page out and window.innerWidth
  // grows with it (a 700 px page reads innerWidth 700), hiding the very overflow looked for.
  const width = document.documentElement.clientWidth;
  const overflow = document.documentElement.scrollWidth - width;
  // The outermost element that sticks out (its parent does not) and is not inside a box that
  // scrolls or clips: what widened the page.
  const clipped = (el) => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== 'visible') return true;
    }
    return false;
  };
  let widest = null;
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    const end = box.right + window.scrollX;
    if (box.width === 0 || end <= width + 0.5) continue;
    const parent = el.parentElement.getBoundingClientRect();
    if (el.parentElement !== document.body && parent.right + window.scrollX > width + 0.5) continue;
    if (clipped(el)) continue;
    const cls = typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\s+/).join('.') : '';
    widest = `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${cls} (${Math.round(box.width)} px wide,`
      + ` right edge at ${Math.round(end)} px) « ${(el.innerText || '').trim().replace(/\s+/g, ' ').slice(0, 50)} »`;
    break;
  }
  // Else something positioned out of its scrolling box (an absolute element escapes the box that
  // is not its containing block): the element whose right edge is the furthest.
  if (overflow > 0 && widest === null) {
    let right = width;
    for (const el of document.body.querySelectorAll('*')) {
      const end = el.getBoundingClientRect().right + window.scrollX;
      if (end > right) {
        right = end;
        widest = `${el.tagName.toLowerCase()}${el.className ? '.' + String(el.className).trim().split(/\s+/).join('.') : ''}`
          + ` (right edge at ${Math.round(end)} px, ${getComputedStyle(el).position}) « ${(el.textContent || '').trim().slice(0, 50)} »`;
      }
    }
  }
  const off = [];
  const buttons = document.querySelectorAll(
    'main .button:not(.secondary), main button[type=submit]:not(.secondary), main button:not([type]):not(.secondary),'
    + ' main table .button, main table button');
  for (const el of buttons) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;  // hidden (a closed <details>…)
    if (box.left < -0.5 || box.right > width + 0.5) {
      off.push(`« ${(el.innerText || el.value || '').trim().slice(0, 30)} » from ${Math.round(box.left)} to ${Math.round(box.right)} px`);
    }
  }
  return {overflow, widest, off};
}"""


@pytest.fixture
def phone_data(actors, idf):  # noqa: F811
    """The matrix's data, busier, with long words to wrap."""
    clients, idf = actors
    cmv, now, malakoff = idf["cmv"], timezone.now(), idf["communes"]["92046"]
    # The dashboards' busy CPTS (tests/dashboard/conftest.py `busy`), but for the letter of intent
    # the matrix's data already hold.
    for days in (3, 3, 40):
        DoctorRequestFactory(cpts=cmv, commune=malakoff, status="received", received_at=now - timedelta(days=days))
    proposed = DoctorRequestFactory(cpts=cmv, commune=malakoff, status="proposed")
    full = DoctorOfferFactory(
        cpts=cmv, commune=malakoff, capacity=1, professional=ProfessionalFactory(first_name="Anne", last_name="Roux")
    )
    Proposal.objects.create(request=proposed, offer=full, expires_at=now + timedelta(hours=10))
    MatchRun.objects.create(cpts=cmv, author_label="coordination", proposals=0, waiting=1)
    care_request(cmv, urgency="today")
    Milestone.objects.create(cpts=cmv, kind="aci_signed", date=timezone.localdate() - timedelta(days=800))
    Partner.objects.create(
        cpts=cmv,
        kind=Partner.Kind.DAC,
        name="Dispositif d'appui à la coordination des parcours complexes des Hauts-de-Seine",
        email="secretariat.coordination-parcours-complexes@dac-hautsdeseine-sud.exemple.fr",
        website="https://www.dac-hautsdeseine-sud.exemple.fr/parcours/coordination/contact-professionnels",
    )
    care_request(cmv, last_name="Martin-Lefebvre-Dubois", first_name="Marie-Charlotte", urgency="48h")
    DoctorRequestFactory(
        cpts=cmv,
        commune=malakoff,
        status="received",
        last_name="Fontaine-Delacroix-Beaumarchais",
        first_name="Anne-Élisabeth",
        email="anne-elisabeth.fontaine-delacroix-beaumarchais@messagerie-exemple.fr",
        notes="Rappeler après 18 h ; suivi : https://www.exemple.fr/dossier/parcours-coordonne/2026/suivi-detaille",
    )
    gp = ProfessionalFactory(last_name="Fontaine-Delacroix-Beaumarchais", first_name="Jean-Christophe")
    ActivityFactory(professional=gp, commune=malakoff)
    Alternative.objects.create(
        cpts=cmv,
        name="Maison médicale de garde des Hauts-de-Seine Sud (Clamart-Malakoff-Vanves)",
        phone="01 23 45 67 89",
        hours="soirs de semaine 20 h–24 h, samedi 12 h–24 h, dimanche et jours fériés 8 h–24 h",
    )
    founder = RoleFactory(coordinator=True, cpts=idf["issy"]).user
    Authenticator.objects.create(user=founder, type=Authenticator.Type.TOTP, data={"secret": "x"})
    clients[IDEATION] = Client()
    clients[IDEATION].force_login(founder)
    return clients, idf


@pytest.mark.parametrize("role", (*ROLES, IDEATION))
def test_every_page_fits_a_phone(browser, live_server, phone_data, role, settings):
    clients, idf = phone_data
    context = browser.new_context(locale="fr-FR", viewport=PHONE, is_mobile=True)
    if role != "anonymous":
        cookie = clients[role].cookies[django_settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    page = context.new_page()
    problems, pages = [], pages_of(role)
    started = time.monotonic()
    try:
        for name, path in pages:
            response = page.goto(live_server.url + fill(path, idf), wait_until="load")
            expected = 404 if path == "/page-inexistante/" else 200
            if response is None or response.status != expected:
                problems.append(f"{name} {path}: status {response and response.status}")
                continue
            if page.url.split("?")[0] != (live_server.url + fill(path, idf)).split("?")[0]:
                problems.append(f"{name} {path}: landed on {page.url}")
                continue
            got = page.evaluate(MEASURE)
            if got["overflow"] > 0:
                problems.append(f"{name} {path}: {got['overflow']} px too wide; widest: {got['widest']}")
            if got["off"]:
                problems.append(f"{name} {path}: primary button off screen: {'; '.join(got['off'])}")
    finally:
        context.close()
    print(f"phone sweep, {role}: {len(pages)} pages in {time.monotonic() - started:.1f} s")
    assert pages, role
    assert not problems, f"{role} at 390 px, {len(problems)} pages:\n" + "\n".join(problems)


def test_the_header_folds_into_a_menu_on_a_phone_only(browser, live_server, idf):
    """At 390 px the header's links wait under « Menu » (a button: keyboard, aria-expanded, Escape);
    on a computer there is no menu button and the links are in sight."""
    coordinator = RoleFactory(coordinator=True, cpts=idf["cmv"]).user
    Authenticator.objects.create(user=coordinator, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client = Client()
    client.force_login(coordinator)
    cookie = {
        "name": django_settings.SESSION_COOKIE_NAME,
        "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
    }
    for viewport, phone in ((PHONE, True), ({"width": 1280, "height": 800}, False)):
        context = browser.new_context(locale="fr-FR", viewport=viewport, is_mobile=phone)
        context.add_cookies([{**cookie, "url": live_server.url}])
        page = Page(context.new_page(), live_server.url)
        try:
            page.goto("/c/cmv/")
            toggle = page.page.get_by_role("button", name="Menu")
            link = page.page.get_by_role("navigation", name="Navigation principale").get_by_role(
                "link", name="Annuaire"
            )
            if not phone:
                assert not toggle.is_visible() and link.is_visible()
                continue
            assert toggle.get_attribute("aria-expanded") == "false" and not link.is_visible()
            toggle.focus()
            page.page.keyboard.press("Enter")
            assert toggle.get_attribute("aria-expanded") == "true" and link.is_visible()
            assert page.page.get_by_role("button", name="Se déconnecter").is_visible()
            assert page.axe() == [] and page.overflow() <= 0
            page.page.keyboard.press("Tab")
            page.page.keyboard.press("Escape")
            assert toggle.get_attribute("aria-expanded") == "false" and not link.is_visible()
            assert page.page.evaluate("document.activeElement.classList.contains('menu-toggle')")
            assert page.console_errors == [] and page.failed == []
        finally:
            context.close()
