"""`load_demo` without the reference territory (tests/test_demo.py installs it for its whole module)."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def test_demo_needs_the_reference_first(db):
    with pytest.raises(CommandError, match="référentiel territorial n'est pas installé"):
        call_command("load_demo")
