"""The Django admin speaks French: every model it lists has a French name and plural (« Crises
sanitaires », not « Crisiss »), allauth's and django-tasks' models included."""

import html

import pytest
from django.contrib import admin

from tests.factories import UserFactory

ENGLISH = ["crisiss", "Recognised", "Contrat ACIs", "Authenticators", "Task Results", "Reference install",
           "EPCIs", "créneaus"]  # fmt: skip


@pytest.mark.django_db
def test_the_admin_index_names_every_model_in_french(login):
    client = login(UserFactory(is_staff=True, is_superuser=True))
    page = html.unescape(client.get("/admin/").content.decode())
    for word in ["Crises sanitaires", "Contrats ACI", "Seconds facteurs", "Tâches en arrière-plan"]:
        assert word in page
    assert not [word for word in ENGLISH if word in page]


def test_every_model_of_the_admin_says_its_plural_itself():
    """Django's default plural adds an « s » to the singular (« valeur d'indicateurs »)."""
    lacking = [
        f"{model._meta.label}: {model._meta.verbose_name_plural}"
        for model in admin.site._registry
        if "verbose_name_plural" not in model._meta.original_attrs
        and not model._meta.app_label.startswith(("account", "socialaccount", "auth"))
    ]
    assert not lacking, lacking
