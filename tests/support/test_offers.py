"""Installation offers: posted, validated, listed publicly until they expire (by query), filled;
bad input refused in French with nothing saved; another CPTS's offer is 404."""

from datetime import timedelta

import pytest
from django.utils import timezone

from maillage.core.models import AuditEntry
from maillage.support import SupportError, offers
from maillage.support.models import Offer, OfferStatus
from tests.support.conftest import offer_draft


def test_a_members_offer_waits_for_validation_then_is_listed_until_it_expires(idf, member_user, client):
    cmv = idf["cmv"]
    offer = offers.post_offer(cmv, offer_draft(), member_user)
    assert offer.status == OfferStatus.SUBMITTED
    assert not Offer.objects.filter(cpts=cmv).listed(timezone.localdate()).exists()
    assert "Cabinet à louer" not in client.get("/cpts/cmv/installation/").content.decode()
    assert client.get(f"/cpts/cmv/installation/annonces/{offer.pk}/").status_code == 404

    offers.move(offer, OfferStatus.PUBLISHED, None)
    page = client.get("/cpts/cmv/installation/").content.decode()
    assert "Cabinet à louer" in page
    detail = client.get(f"/cpts/cmv/installation/annonces/{offer.pk}/").content.decode()
    assert "sante@exemple.fr" in detail

    # Expired: it leaves the public list by query, no job needed.
    Offer.objects.filter(pk=offer.pk).update(expires_on=timezone.localdate() - timedelta(days=1))
    assert "Cabinet à louer" not in client.get("/cpts/cmv/installation/").content.decode()
    assert client.get(f"/cpts/cmv/installation/annonces/{offer.pk}/").status_code == 404
    with pytest.raises(SupportError, match="expiré"):
        Offer.objects.filter(pk=offer.pk).update(status=OfferStatus.SUBMITTED)
        offers.move(offer, OfferStatus.PUBLISHED, None)


def test_a_filled_offer_leaves_the_list_and_cannot_be_published_again(idf):
    offer = offers.post_offer(idf["cmv"], offer_draft(), None, by_coordination=True)
    offers.move(offer, OfferStatus.FILLED, None)
    assert not Offer.objects.listed(timezone.localdate()).exists()
    with pytest.raises(SupportError, match="pourvue ne peut pas devenir"):
        offers.move(offer, OfferStatus.PUBLISHED, None)
    assert list(AuditEntry.objects.filter(cpts=idf["cmv"]).values_list("action", flat=True).order_by("id")) == [
        "support.offer.posted",
        "support.offer.filled",
    ]


@pytest.mark.parametrize(
    ("values", "told"),
    [
        ({"commune_code": "75113"}, "commune du territoire"),
        ({"expires_on": timezone.localdate() - timedelta(days=1)}, "déjà passée"),
        ({"expires_on": timezone.localdate() + timedelta(days=800)}, "un an au plus"),
        ({"contact_email": "", "contact_phone": ""}, "l'un des deux suffit"),
        ({"contact_email": "pas-une-adresse"}, "n'est pas une adresse valide"),
        ({"title": "  "}, "intitulé"),
        ({"kind": "vente"}, "type d'annonce"),
        ({"positions": 500}, "entre 1 et 50"),
    ],
)
def test_bad_offers_are_refused_in_french_and_nothing_is_saved(idf, values, told):
    with pytest.raises(SupportError, match=told):
        offers.post_offer(idf["cmv"], offer_draft(**values), None)
    assert not Offer.objects.exists()
    assert not AuditEntry.objects.exists()


def test_the_form_answers_400_in_french_with_the_input_kept(idf, login, member_user):
    client = login(member_user)
    response = client.post(
        "/c/cmv/annonces-installation/nouvelle/",
        {"kind": "cabinet", "title": "Mon cabinet", "profession": "10-MG", "commune": "92046",
         "description": "Bel endroit", "expires_on": "2020-01-01", "positions": "1", "contact_name": "Moi",
         "contact_email": "moi@exemple.fr"},
    )  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 400 and "déjà passée" in page and "Mon cabinet" in page
    assert not Offer.objects.exists()


def test_another_cpts_offer_is_404(idf, login, coordinator):
    other = offers.post_offer(idf["paris13"], offer_draft(commune_code="75113"), None, by_coordination=True)
    client = login(coordinator)
    assert client.get(f"/c/cmv/accompagnement/annonces/{other.pk}/").status_code == 404
    assert client.post(f"/c/cmv/accompagnement/annonces/{other.pk}/etat/", {"target": "filled"}).status_code == 404
    assert client.get(f"/cpts/cmv/installation/annonces/{other.pk}/").status_code == 404
    assert Offer.objects.get(pk=other.pk).status == OfferStatus.PUBLISHED


def test_a_member_marks_their_own_offer_filled_but_not_anothers(idf, login, member_user):
    from tests.factories import RoleFactory

    mine = offers.post_offer(idf["cmv"], offer_draft(), member_user)
    offers.move(mine, OfferStatus.PUBLISHED, None)
    someone = RoleFactory(cpts=idf["cmv"]).user
    theirs = offers.post_offer(idf["cmv"], offer_draft(), someone)
    client = login(member_user)
    assert client.post(f"/c/cmv/annonces-installation/{theirs.pk}/etat/", {"target": "withdrawn"}).status_code == 404
    client.post(f"/c/cmv/annonces-installation/{mine.pk}/etat/", {"target": "published"})
    assert Offer.objects.get(pk=mine.pk).status == OfferStatus.PUBLISHED  # only the coordination publishes
    client.post(f"/c/cmv/annonces-installation/{mine.pk}/etat/", {"target": "filled"})
    assert Offer.objects.get(pk=mine.pk).status == OfferStatus.FILLED


def test_the_coordinators_todo_lists_offers_to_validate_and_newcomers_to_welcome(idf, member_user):
    from maillage.support import newcomers
    from maillage.www.dashboard import todo

    offers.post_offer(idf["cmv"], offer_draft(), member_user)
    newcomers.declare(
        idf["cmv"], newcomers.Declared(last_name="Roux", first_name="", profession="Kiné", commune_code="92046"), None
    )
    texts = [line.text for line in todo.coordinator(idf["cmv"])]
    assert "1 annonce d'installation à valider" in texts and "1 nouvel installé à accueillir" in texts
    assert not any("installation" in t for t in (line.text for line in todo.coordinator(idf["paris13"])))
