import contextlib
import json
import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.test import Client

from maillage.territory import published, reference
from maillage.territory import shapes as shape_source
from tests.factories import CommuneFactory, CptsFactory, DepartementFactory, RegionFactory, RoleFactory, UserFactory

SHARED_DATA = Path(os.environ.get("MAILLAGE_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """On PostgreSQL, no autovacuum in the test database.

    Every test rolls its rows back, so between tests autovacuum finds each table empty and records
    0 rows in pg_class (over the pages the file keeps). A test that then loads the reference
    territory and the demo in its own, never-committed transaction (35,000 communes, thousands of
    professionals and slots) gets plans made for empty tables: nested loops over the 35,000
    communes, 20 s per query, 5 minutes per demo test instead of 20 s. Never vacuumed, a table is
    estimated from its actual size, as in a fresh database."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = current_schema()")
        for (table,) in cursor.fetchall():
            cursor.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false, toast.autovacuum_enabled = false)")


@pytest.fixture(autouse=True)
def _no_demo_relaxation(settings):
    # Tests see the production rule (second factor required) unless a test relaxes it itself.
    settings.DEMO_RELAX_MFA = False


@pytest.fixture
def shared_data():
    if not SHARED_DATA.is_dir():
        pytest.skip(f"../shared/data est absent ({SHARED_DATA}) : ce test compare avec les extraits nationaux.")
    return SHARED_DATA


@pytest.fixture
def idf(db):
    """A small real-looking piece of Île-de-France: enough for pages, search and coverage."""
    return build_idf()


def build_idf():
    """The `idf` fixture's objects (tests/test_permissions.py builds them once per module)."""
    hauts_de_seine = DepartementFactory(code="92", name="Hauts-de-Seine", region=RegionFactory(code="11"))
    paris = DepartementFactory(code="75", name="Paris", region=hauts_de_seine.region)
    communes = {
        "92020": CommuneFactory(code="92020", name="Châtillon", population=37_500, departement=hauts_de_seine),
        "92046": CommuneFactory(code="92046", name="Malakoff", population=30_557, departement=hauts_de_seine),
        "92075": CommuneFactory(code="92075", name="Vanves", population=28_622, departement=hauts_de_seine),
        "92040": CommuneFactory(
            code="92040",
            name="Issy-les-Moulineaux",
            population=67_669,
            departement=hauts_de_seine,
            postal_codes=["92130"],
        ),
        "92049": CommuneFactory(code="92049", name="Montrouge", population=49_976, departement=hauts_de_seine),
        "75113": CommuneFactory(
            code="75113", name="Paris 13e Arrondissement", population=181_271, departement=paris, kind="arrondissement"
        ),
        "75056": CommuneFactory(code="75056", name="Paris", population=2_100_000, departement=paris, is_unit=False),
    }
    cmv = CptsFactory(
        name="CPTS Châtillon-Malakoff-Vanves",
        slug="cmv",
        communes=[communes["92020"], communes["92046"], communes["92075"]],
    )
    issy = CptsFactory(
        name="CPTS Grand Issy-Vanves",
        slug="issy",
        status="projet",
        communes=[communes["92040"], communes["92075"]],
    )
    paris13 = CptsFactory(name="CPTS Paris 13", slug="paris-13", communes=[communes["75113"]])
    return {"communes": communes, "cmv": cmv, "issy": issy, "paris13": paris13, "region": hauts_de_seine.region}


def _login(user, *, with_mfa=True):
    """A client logged in as `user`, second factor included (members, coordinators, regulators and
    admins need one; tests/test_accounts.py and tests/accounts/ test its absence)."""
    client = Client()
    client.force_login(user)
    if with_mfa:
        from allauth.mfa.models import Authenticator

        Authenticator.objects.get_or_create(user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "x"}})
    return client


@pytest.fixture
def login():
    return _login


@pytest.fixture
def coordinator(idf):
    return RoleFactory(coordinator=True, cpts=idf["cmv"]).user


@pytest.fixture
def coordinator_client(coordinator):
    return _login(coordinator, with_mfa=True)


@pytest.fixture
def anonymous():
    return Client()


@pytest.fixture
def user_factory(db):
    return UserFactory


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Uploaded files (milestone documents) never land in the developer's var/media.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True, scope="session")
def _static_files_found_per_request():
    # WhiteNoise lists every static folder when its middleware loads, that is at the first request
    # of each test client (0.1 s, thousands of clients in the suite): the tests look a static file
    # up when it is asked for instead, as in development. Production (release settings) still
    # lists them once per process; scripts/release-check serves them that way.
    django_settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    # allauth's login throttling counts in the cache: each test starts from zero. Production's
    # cache is the database (shared by every worker); a test gets a memory cache so that tests
    # without a database may use it. tests/test_operations.py exercises the database cache.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def real_sources():
    shapes_path = shape_source.default_source()
    if not (django_settings.COG_DATA_DIR / "communes.json").exists() or shapes_path is None:
        pytest.skip("Référentiel absent : lancez « make setup » (npm ci) pour installer le COG.")
    return django_settings.COG_DATA_DIR, shapes_path


@pytest.fixture(scope="session")
def cached_shapes(real_sources):
    """Outlines are pure computation from the wheel: computed once for the whole session."""
    units = json.loads((django_settings.COG_DATA_DIR / "communes.json").read_text())
    pairs = [(c["code"], c.get("anciensCodes", [])) for c in units if c["type"] in reference.UNIT_TYPES]
    return shape_source.build_shapes(real_sources[1], pairs)


@pytest.fixture(scope="session")
def _background_outlines():
    """The départements' and régions' outlines, computed by the first install of the session and
    written back as they were by the next ones (the same communes give the same outlines;
    tests/territory's own tests compute them)."""
    return {}


@pytest.fixture
def installed(db, real_sources, cached_shapes, _background_outlines, monkeypatch):
    return install_reference(real_sources, cached_shapes, _background_outlines, monkeypatch)


@contextlib.contextmanager
def rolled_back(django_db_blocker):
    """A transaction for a whole module's tests, rolled back after the last one, or at once if the
    setup inside fails: what a module loads once (the demo) is gone for the next module, and each
    test runs in a savepoint inside it (tests/test_demo.py, tests/fhir/conformance/conftest.py)."""
    outer = transaction.atomic()
    with django_db_blocker.unblock():
        outer.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def install_reference(real_sources, cached_shapes, outlines: dict, patch):
    """The real reference territory installed, with the session's outlines (`patch`, a
    MonkeyPatch, keeps the shortcuts for as long as its caller needs them); `installed`, and the
    modules that install it once for all their tests (tests/test_demo.py)."""
    from maillage.territory import background
    from maillage.territory.models import Departement, Region

    compute = background.refresh_background

    def refresh_once():
        if not outlines:
            count = compute()
            for model in (Departement, Region):
                outlines[model] = dict(model.objects.values_list("code", "outline"))
            return count
        for model, by_code in outlines.items():
            rows = list(model.objects.all())
            for row in rows:
                row.outline = by_code.get(row.code, "")
            model.objects.bulk_update(rows, ["outline"], batch_size=200)
        published.bump()
        return sum(bool(outline) for outline in outlines[Departement].values())

    patch.setattr(shape_source, "build_shapes", lambda path, units: cached_shapes)
    patch.setattr(background, "refresh_background", refresh_once)
    return reference.install(real_sources[0], real_sources[1], log=lambda *_: None)
