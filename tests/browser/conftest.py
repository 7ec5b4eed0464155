"""Browser journeys in real headless Chromium (Debian's package), driven by Playwright.

Skipped with a reason when Chromium is absent, unless MAILLAGE_REQUIRE_BROWSER=1 (CI), where a
missing browser is a failure: the journeys must never silently stop running.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = os.environ.get("MAILLAGE_CHROMIUM", "/usr/bin/chromium")
AXE = Path(settings.NODE_MODULES) / "axe-core" / "axe.min.js"
# Chromium as root in a sandboxless container, with nothing that phones home (no network here).
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def _require_browser() -> bool:
    return os.environ.get("MAILLAGE_REQUIRE_BROWSER", "") == "1"


# CI (.ci/run) runs the whole suite on SQLite and on PostgreSQL side by side, and each browser
# journey on one of the two only: the journeys are most of a pass's time, and what they add over
# the other tests (a real browser, axe, 390 px) does not depend on the database. The journeys whose
# outcome does (races and locks, version checks, the demo loaded as in production) run on
# PostgreSQL; the others on SQLite. Outside CI (no MAILLAGE_BROWSER_SHARE) every journey runs.
ON_POSTGRESQL = {
    "test_care_requests.py",
    "test_doctor_access.py",
    "test_gp_week.py",
    "test_invitations.py",
    "test_lost_update.py",
    "test_meetings.py",
    "test_pathways.py",
    "test_unscheduled.py",
}


def pytest_collection_modifyitems(config, items):
    share = os.environ.get("MAILLAGE_BROWSER_SHARE", "")
    if share not in ("sqlite", "postgresql"):
        return
    kept, dropped = [], []
    for item in items:
        on_postgresql = item.path.name in ON_POSTGRESQL
        if "browser" in item.keywords and on_postgresql != (share == "postgresql"):
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session")
def _playwright():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        if _require_browser():
            pytest.fail(f"Chromium introuvable ({CHROMIUM}) alors que MAILLAGE_REQUIRE_BROWSER=1.")
        pytest.skip(f"Chromium absent ({CHROMIUM}) : installez le paquet Debian « chromium ».")
    if not AXE.exists():
        pytest.fail(f"axe-core absent ({AXE}) : lancez « make setup ».")
    # Playwright's sync API runs an event loop in this thread; the Django test database is only
    # touched between browser calls, never concurrently, so the async-safety guard is lifted here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(_playwright):
    browser = _playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
    yield browser
    browser.close()


class Page:
    """A Playwright page bound to the live server, recording what a careful tester watches:
    console errors (a CSP refusal shows there) and failed same-origin requests."""

    def __init__(self, page, base_url):
        self.page = page
        self.base_url = base_url
        self.console_errors: list[str] = []
        self.failed: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        page.on("pageerror", lambda e: self.console_errors.append(str(e)))
        page.on("requestfailed", lambda r: self.failed.append(r.url))

    def goto(self, path: str):
        response = self.page.goto(self.base_url + path)
        self.page.wait_for_load_state("networkidle")
        return response

    def axe(self, context: str = "document") -> list[dict]:
        """Serious or critical axe-core violations of the page as it stands."""
        self.page.evaluate(AXE.read_text(encoding="utf-8"))
        results = self.page.evaluate(
            "async (ctx) => await axe.run(ctx === 'document' ? document : document.querySelector(ctx),"
            " {resultTypes: ['violations']})",
            context,
        )
        return [
            {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in results["violations"]
            if v["impact"] in ("serious", "critical")
        ]

    def login(self, email: str, password: str):
        self.goto("/accounts/login/")
        self.page.get_by_label("Adresse électronique").fill(email)
        self.page.get_by_label("Mot de passe").fill(password)
        self.page.get_by_role("button", name="Se connecter").click()
        self.page.wait_for_load_state("networkidle")

    def open_menu(self):
        """On a phone the header's links and account are folded under « Menu »: unfold them."""
        toggle = self.page.get_by_role("button", name="Menu")
        if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
            toggle.click()

    def text(self) -> str:
        return " ".join(self.page.inner_text("body").split())

    def overflow(self) -> int:
        """How many pixels the page is wider than the window (0 or less: no sideways scroll). The
        layout viewport's width (clientWidth), not innerWidth: on a phone (is_mobile) Chromium zooms
        a too-wide page out and innerWidth grows with the page, hiding the overflow."""
        return self.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


@pytest.fixture(autouse=True)
def _shipped_rows(live_server):
    """The rows the migrations ship (the ACI rule sets, the reference densities, the shared library
    of pathway templates), put back before each live-server test: the previous one ran as a
    TransactionTestCase, whose flush emptied every table, theirs included. Runs before the test's
    other fixtures (autouse), so that the data they build can rely on them."""
    from importlib import import_module

    from django.apps import apps

    from maillage.funding.rules import ensure_rule_sets
    from maillage.pathways.models import PathwayTemplate
    from maillage.projet import densities
    from maillage.projet.models import ReferenceDensity

    ensure_rule_sets()
    if not ReferenceDensity.objects.exists():
        densities.install_shipped(ReferenceDensity)
    if not PathwayTemplate.objects.filter(cpts=None).exists():
        import_module("maillage.pathways.migrations.0002_library").load(apps, None)


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    wrapped = Page(context.new_page(), live_server.url)
    yield wrapped
    context.close()


@pytest.fixture
def mobile_page(browser, live_server):
    context = browser.new_context(locale="fr-FR", viewport={"width": 375, "height": 740}, is_mobile=True)
    wrapped = Page(context.new_page(), live_server.url)
    yield wrapped
    context.close()
