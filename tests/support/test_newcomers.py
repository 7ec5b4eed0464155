"""Newcomers: found after an RPPS import (a new activity on the territory), declared, welcomed by
an email enqueued for the worker, followed until they join; the fiche-action of the setting."""

from datetime import timedelta

import pytest
from django.utils import timezone

from maillage.association import statutes
from maillage.association.actions.members import create_member
from maillage.core.jobs import run_pending
from maillage.support import SupportError, newcomers
from maillage.support.models import Newcomer, NewcomerStatus
from tests.factories import ActivityFactory, ProfessionalFactory


def _scan_baseline(cpts, when):
    return newcomers.detect(cpts, until=when)


def test_a_new_activity_on_the_territory_after_an_import_is_a_newcomer(idf):
    cmv = idf["cmv"]
    long_ago = timezone.now() - timedelta(days=30)
    settled = ActivityFactory(commune=idf["communes"]["92046"])
    settled.__class__.objects.filter(pk=settled.pk).update(created_at=long_ago)
    assert _scan_baseline(cmv, timezone.now() - timedelta(days=1)) == []  # the first scan sets the start only

    # The next import: a professional installs in Vanves, the settled one opens a second site, one
    # outside the territory.
    arrived = ActivityFactory(commune=idf["communes"]["92075"], professional=ProfessionalFactory(last_name="Petit"))
    ActivityFactory(commune=idf["communes"]["92020"], professional=settled.professional)
    ActivityFactory(commune=idf["communes"]["75113"])
    found = newcomers.detect(cmv)
    assert [n.last_name for n in found] == ["Petit"]
    assert found[0].source == Newcomer.Source.DIRECTORY and found[0].email == arrived.email
    assert newcomers.detect(cmv) == []  # a second scan finds nobody new


def test_detection_through_the_real_rpps_import(idf, tmp_path):
    from tests.directory.conftest import rpps_line, rpps_number, run, write_rpps

    cmv = idf["cmv"]
    first = write_rpps(tmp_path / "a.txt", [rpps_line(rpps=rpps_number(1), structure_id="S1", commune_code="92046")])
    run("import_rpps", first, "--apply")
    newcomers.detect(cmv)  # the baseline: the first national load is not newcomers
    second = write_rpps(
        tmp_path / "b.txt",
        [
            rpps_line(rpps=rpps_number(1), structure_id="S1", commune_code="92046"),
            rpps_line(rpps=rpps_number(2), structure_id="S2", commune_code="92075", last_name="LEROY"),
        ],
    )
    run("import_rpps", second, "--apply")
    found = newcomers.detect(cmv)
    assert [n.last_name for n in found] == ["LEROY"]


def test_welcome_enqueues_an_email_and_joining_is_tracked(idf, mailoutbox):
    cmv = idf["cmv"]
    newcomer = newcomers.declare(
        cmv,
        newcomers.Declared(last_name="Moreau", first_name="Léa", profession="Infirmière", commune_code="92020"),
        None,
    )
    newcomers.send_welcome(newcomer, "lea.moreau@exemple.fr", None)
    newcomer.refresh_from_db()
    assert newcomer.status == NewcomerStatus.CONTACTED and newcomer.contacted_at is not None
    assert mailoutbox == []  # a background task, not sent in the request
    run_pending()
    (sent,) = mailoutbox
    assert sent.to == ["lea.moreau@exemple.fr"]
    assert "/cpts/cmv/adherer/" in sent.body and "/cpts/cmv/installation/" in sent.body
    newcomers.move(newcomer, NewcomerStatus.JOINED, None)
    newcomer.refresh_from_db()
    assert newcomer.joined_on == timezone.localdate()
    assert [t.target for t in newcomer.transitions.order_by("id")] == ["detected", "contacted", "joined"]
    with pytest.raises(SupportError, match="n'est plus à envoyer"):
        newcomers.send_welcome(newcomer, "lea.moreau@exemple.fr", None)


def test_a_newcomer_who_became_a_member_is_marked_joined_by_the_scan(idf):
    cmv = idf["cmv"]
    newcomers.detect(cmv, until=timezone.now() - timedelta(hours=1))
    activity = ActivityFactory(commune=idf["communes"]["92075"])
    (newcomer,) = newcomers.detect(cmv)
    college = statutes.colleges(cmv).order_by("pk").first()
    create_member(cmv, {"college": college, "kind": "person", "last_name": "X", "email": "x@exemple.fr", "professional": activity.professional},
                  actor=None)  # fmt: skip
    newcomers.detect(cmv)
    newcomer.refresh_from_db()
    assert newcomer.status == NewcomerStatus.JOINED


@pytest.mark.parametrize(
    ("values", "told"),
    [
        ({"last_name": ""}, "nom"),
        ({"commune_code": "75113"}, "commune du territoire"),
        ({"email": "pas-une-adresse"}, "adresse valide"),
        ({"installed_on": timezone.localdate() + timedelta(days=3)}, "futur"),
    ],
)
def test_bad_declarations_are_refused_in_french(idf, values, told):
    draft = {"last_name": "Moreau", "first_name": "Léa", "profession": "Infirmière", "commune_code": "92020"}
    with pytest.raises(SupportError, match=told):
        newcomers.declare(idf["cmv"], newcomers.Declared(**{**draft, **values}), None)
    assert not Newcomer.objects.exists()


def test_the_fiche_action_must_be_the_cpts_support_one(idf):
    from maillage.projet.models import FicheAction, ProjetSante

    def fiche(cpts, mission):
        projet = ProjetSante.objects.get_or_create(cpts=cpts)[0]
        return FicheAction.objects.create(projet=projet, mission=mission, title="Fiche", objective="…")

    with pytest.raises(SupportError, match="pas celle du projet"):
        newcomers.save_settings(idf["cmv"], fiche=fiche(idf["paris13"], "support"), welcome_text="", actor=None)
    with pytest.raises(SupportError, match="pas l'accompagnement"):
        newcomers.save_settings(idf["cmv"], fiche=fiche(idf["cmv"], "crisis"), welcome_text="", actor=None)
    own = fiche(idf["cmv"], "support")
    assert newcomers.save_settings(idf["cmv"], fiche=own, welcome_text="Bienvenue", actor=None).fiche == own


def test_another_cpts_newcomer_is_404(idf, login, coordinator):
    other = newcomers.declare(
        idf["paris13"], newcomers.Declared(last_name="Roux", profession="Kiné", commune_code="75113", first_name=""),
        None,
    )  # fmt: skip
    client = login(coordinator)
    assert client.get(f"/c/cmv/accompagnement/nouveaux-installes/{other.pk}/").status_code == 404
    response = client.post(f"/c/cmv/accompagnement/nouveaux-installes/{other.pk}/accueil/", {"email": "a@exemple.fr"})
    assert response.status_code == 404
    assert Newcomer.objects.get(pk=other.pk).status == NewcomerStatus.DETECTED
