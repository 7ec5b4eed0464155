"""Partners of a CPTS in neither national file: the team reads them, coordinators add and edit."""

import html
import re

import pytest

from maillage.core.models import AuditEntry
from maillage.directory.models import Partner
from tests.factories import RoleFactory

URL = "/c/cmv/annuaire/partenaires/"


def text(response):
    return re.sub(r"\s+", " ", html.unescape(response.content.decode()))


def test_coordinator_adds_a_municipality_with_its_siren(idf, coordinator, coordinator_client):
    response = coordinator_client.post(
        URL,
        {"kind": "municipality", "name": "Mairie de Malakoff", "siren": "219 200 466", "commune": "92046"},
        follow=True,
    )
    page = text(response)
    assert "Mairie de Malakoff a été ajouté aux partenaires." in page
    assert "Malakoff" in page and "219200466" in page
    partner = Partner.objects.get(cpts=idf["cmv"])
    assert (partner.kind, partner.commune_id, partner.siren) == ("municipality", "92046", "219200466")
    entry = AuditEntry.objects.get(action="directory.partner.created")
    assert (entry.actor, entry.cpts) == (coordinator, idf["cmv"])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "ccas", "name": "CCAS", "siren": "123456789"}, "Ce numéro SIREN n'est pas valide"),
        ({"kind": "ccas", "name": "CCAS", "commune": "99999"}, "Commune inconnue : « 99999 »"),
        ({"kind": "ccas", "name": ""}, "Ce champ est obligatoire."),
        ({"kind": "dac", "name": "DAC", "website": "pas une adresse"}, "Saisissez une URL valide."),
    ],
)
def test_bad_partner_is_refused_in_french_and_nothing_is_saved(idf, coordinator_client, data, message):
    response = coordinator_client.post(URL, data)
    assert response.status_code == 400
    assert message in text(response)
    assert not Partner.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="directory.partner").exists()


def test_coordinator_corrects_a_partner_and_the_log_names_the_fields(idf, coordinator_client):
    partner = Partner.objects.create(cpts=idf["cmv"], kind="dac", name="DAC 92 Sud")
    url = f"{URL}{partner.pk}/"
    assert "DAC 92 Sud" in text(coordinator_client.get(url))
    coordinator_client.post(url, {"kind": "dac", "name": "DAC 92 Sud", "phone": "01 40 00 00 00", "version": 0})
    partner.refresh_from_db()
    assert partner.phone == "01 40 00 00 00"
    assert AuditEntry.objects.get(action="directory.partner.updated").details == {"champs": ["phone"]}
    coordinator_client.post(url, {"kind": "dac", "name": "DAC 92 Sud", "phone": "01 40 00 00 00", "version": 1})
    assert partner.version == 1 and Partner.objects.get(pk=partner.pk).version == 1  # untouched: not bumped
    assert AuditEntry.objects.filter(action="directory.partner.updated").count() == 1  # untouched: no entry


def test_members_read_partners_but_cannot_add(idf, login):
    Partner.objects.create(cpts=idf["cmv"], kind="ccas", name="CCAS de Vanves")
    member = login(RoleFactory(cpts=idf["cmv"]).user)
    page = text(member.get(URL))
    assert "CCAS de Vanves" in page
    assert "Ajouter un partenaire" not in page
    assert member.post(URL, {"kind": "ccas", "name": "Intrus"}).status_code == 404
    assert Partner.objects.count() == 1
