"""The demo both conformance suites read, loaded once.

The Annuaire suite (test_annuaire_conformance.py) and the SAS suite (test_sas_conformance.py) read
the same demo. In a whole run both are collected through test_conformance_on_the_demo.py, one
module, so that the demo (~30 s on SQLite, ~60 s on PostgreSQL) is loaded once for the two; named
on the command line, each suite is its own module and loads it for itself."""

import io

import pytest
from django.core.management import call_command
from django.test.utils import override_settings

from maillage.territory import background, reference
from maillage.territory import shapes as shape_source
from tests.conftest import rolled_back

collect_ignore = ["test_annuaire_conformance.py", "test_sas_conformance.py"]


@pytest.fixture(scope="module")
def conformance_demo(django_db_setup, django_db_blocker, real_sources, cached_shapes, tmp_path_factory):
    """The reference territory and the demo, loaded once for the module in a transaction rolled back
    after its last test; each test runs in a savepoint inside it. The outlines are pure
    computation, of no use here: the session's shapes, no background."""
    cache = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "conformance"}}
    media = tmp_path_factory.mktemp("conformance-media")
    with rolled_back(django_db_blocker):
        with (
            django_db_blocker.unblock(),
            pytest.MonkeyPatch.context() as patch,
            override_settings(MEDIA_ROOT=media, CACHES=cache, DEMO_RELAX_MFA=False),
        ):
            patch.setattr(shape_source, "build_shapes", lambda path, units: cached_shapes)
            patch.setattr(background, "refresh_background", lambda: 0)
            reference.install(real_sources[0], real_sources[1], log=lambda *_: None)
            call_command("load_demo", stdout=io.StringIO())
        yield
