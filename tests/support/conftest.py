"""Issue 17 — accompagnement des professionnels: the tests' helpers."""

from datetime import timedelta

import pytest
from django.utils import timezone

from maillage.support.offers import OfferDraft


def offer_draft(**values) -> OfferDraft:
    defaults = {
        "kind": "cabinet",
        "title": "Cabinet à louer",
        "description": "Cabinet de 20 m² en maison de santé.",
        "profession": "10-MG",
        "commune_code": "92046",
        "expires_on": timezone.localdate() + timedelta(days=30),
        "contact_name": "Mairie de Malakoff",
        "contact_email": "sante@exemple.fr",
    }
    return OfferDraft(**{**defaults, **values})


@pytest.fixture
def member_user(idf):
    from tests.factories import RoleFactory

    return RoleFactory(cpts=idf["cmv"]).user
