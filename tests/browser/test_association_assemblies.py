"""Issue 16 item 3 — general assemblies, on a phone (390 px): the coordinator prepares and convenes
an AG (a convocation too late is refused in French); a member votes online in the members' space;
the coordinator records the attendance with a proxy, opens the session, records the room's votes
(the proxy's included), and the result and the PV (DOCX) come out right."""

from datetime import timedelta

import pytest
from django.utils import timezone
from docx import Document

from maillage.accounts.models import RoleKind
from maillage.association import statutes as statutes_of
from maillage.association.actions import assemblies as actions
from maillage.association.models import College, Member
from maillage.association.models.assemblies import Assembly, Ballot, Participation
from maillage.core.jobs import run_pending
from tests.association.conftest import member
from tests.browser.test_pathways import _clean, _log_in, _phone, _with_totp
from tests.factories import RoleFactory

pytestmark = pytest.mark.browser


def _go(page, action):
    action()
    page.page.wait_for_load_state("networkidle")


def _members(cmv):
    statutes_of.of(cmv)
    colleges = {c.code: c for c in College.objects.filter(cpts=cmv)}
    found = {
        "leroy": member(cmv, colleges["liberaux"], last_name="Leroy", first_name="Anne", email="a.leroy@exemple.fr"),
        "petit": member(cmv, colleges["liberaux"], last_name="Petit", first_name="Jean", email="j.petit@exemple.fr"),
        "roy": member(cmv, colleges["usagers"], last_name="Roy", first_name="Martine", email="m.roy@exemple.fr"),
        "mairie": member(cmv, colleges["collectivites"], kind="legal", legal_kind="commune", name="Commune de Vanves",
                         representative_name="Adjoint à la santé", representative_email="sante@vanves.example"),
    }  # fmt: skip
    Member.objects.filter(pk__in=[m.pk for m in found.values()]).update(status=Member.Status.CURRENT)
    return {key: Member.objects.get(pk=m.pk) for key, m in found.items()}


def test_the_coordinator_convenes_an_ag(browser, live_server, idf, mailoutbox):
    cmv = idf["cmv"]
    _members(cmv)
    coordinator, secret = _with_totp(RoleFactory(coordinator=True, cpts=cmv).user)
    context, page = _phone(browser, live_server)
    _log_in(page, coordinator, secret)
    page.goto("/c/cmv/association/assemblees/")
    _clean(page)
    _go(page, lambda: page.page.get_by_role("link", name="Préparer une assemblée").click())
    _clean(page)
    day = timezone.localtime() + timedelta(days=20)
    page.page.get_by_label("Intitulé").fill("Assemblée générale 2027")
    page.page.get_by_label("Date et heure").fill(day.strftime("%Y-%m-%dT18:00"))
    page.page.get_by_label("Lieu").fill("Mairie de Vanves")
    page.page.get_by_label("Ouverture du vote en ligne").fill((day - timedelta(days=10)).strftime("%Y-%m-%dT08:00"))
    page.page.get_by_label("Clôture du vote en ligne").fill(day.strftime("%Y-%m-%dT12:00"))
    _go(page, lambda: page.page.get_by_role("button", name="Créer l'assemblée").click())
    assembly = Assembly.objects.get()
    assert "Assemblée créée" in page.text()
    page.page.get_by_label("Point de l'ordre du jour").fill("Rapport moral et financier")
    _go(page, lambda: page.page.get_by_role("button", name="Ajouter le point").click())
    page.page.get_by_label("Intitulé de la résolution").fill("Approbation des comptes")
    _go(page, lambda: page.page.get_by_role("button", name="Ajouter la résolution").click())
    page.page.get_by_label("Intitulé de la résolution").fill("Élection du conseil")
    page.page.get_by_label("Vote à bulletin secret").check()
    _go(page, lambda: page.page.get_by_role("button", name="Ajouter la résolution").click())
    _clean(page)
    run_pending()
    mailoutbox.clear()
    _go(page, lambda: page.page.get_by_role("button", name="Convoquer l'assemblée").click())
    assert "Assemblée convoquée : 4 adhérents convoqués" in page.text()
    assembly.refresh_from_db()
    assert assembly.status == "convened" and list(assembly.resolutions.values_list("secret", flat=True)) == [
        False,
        True,
    ]
    _clean(page)
    run_pending()
    assert len(mailoutbox) == 4 and "Rapport moral et financier" in mailoutbox[0].body

    # Too late: an assembly in ten days cannot be convened (15 days in the statutes).
    _go(page, lambda: page.goto("/c/cmv/association/assemblees/nouvelle/"))
    page.page.get_by_label("Intitulé").fill("AG extraordinaire")
    page.page.get_by_label("Type").select_option(label="assemblée générale extraordinaire")
    page.page.get_by_label("Date et heure").fill((day - timedelta(days=10)).strftime("%Y-%m-%dT18:00"))
    page.page.get_by_label("Lieu").fill("Mairie de Vanves")
    _go(page, lambda: page.page.get_by_role("button", name="Créer l'assemblée").click())
    page.page.get_by_label("Point de l'ordre du jour").fill("Modification des statuts")
    _go(page, lambda: page.page.get_by_role("button", name="Ajouter le point").click())
    _go(page, lambda: page.page.get_by_role("button", name="Convoquer l'assemblée").click())
    assert "Les statuts demandent de convoquer 15 jours au moins avant l'assemblée" in page.text()
    _clean(page)
    assert page.console_errors == [] and page.failed == []
    context.close()


def test_members_vote_online_and_in_the_room_with_proxies_and_the_pv_comes_out_right(
    browser, live_server, idf, tmp_path
):
    cmv = idf["cmv"]
    members = _members(cmv)
    coordinator, secret = _with_totp(RoleFactory(coordinator=True, cpts=cmv).user)
    adherent, adherent_secret = _with_totp(RoleFactory(cpts=cmv, kind=RoleKind.ADHERENT).user)
    Member.objects.filter(pk=members["roy"].pk).update(user=adherent)
    now = timezone.localtime()
    draft = actions.AssemblyDraft(
        kind="ordinary", title="Assemblée générale 2027", starts_at=now + timedelta(days=16), place="Mairie",
        vote_opens_at=now - timedelta(hours=1), vote_closes_at=now + timedelta(days=15),
    )  # fmt: skip
    assembly = actions.create_assembly(cmv, draft, coordinator)
    actions.add_agenda_item(assembly, coordinator, title="Comptes")
    first = actions.add_resolution(assembly, coordinator, title="Approbation des comptes")
    second = actions.add_resolution(assembly, coordinator, title="Élection du conseil", secret=True)
    actions.convene(assembly, coordinator)

    # The member votes online in the members' space.
    context, page = _phone(browser, live_server)
    _log_in(page, adherent, adherent_secret)
    page.goto("/c/cmv/adherent/assemblees/")
    _clean(page)
    _go(page, lambda: page.page.get_by_role("link", name="Assemblée générale 2027").click())
    _clean(page)
    page.page.get_by_label("Pour (résolution 1)").check()
    page.page.get_by_label("Contre (résolution 2)").check()
    _go(page, lambda: page.page.get_by_role("button", name="Voter").click())
    assert "Merci : 2 votes enregistrés." in page.text() and "vous avez voté" in page.text()
    _clean(page)
    assert Ballot.objects.get(resolution=second).member_id is None
    context.close()

    # The day of the session: the coordinator records the attendance with a proxy.
    Assembly.objects.filter(pk=assembly.pk).update(starts_at=timezone.now() - timedelta(minutes=5),
                                                   vote_closes_at=timezone.now() - timedelta(minutes=6))  # fmt: skip
    context, page = _phone(browser, live_server)
    _log_in(page, coordinator, secret)
    page.goto(f"/c/cmv/association/assemblees/{assembly.pk}/")
    _go(page, lambda: page.page.get_by_role("link", name="Présences et pouvoirs").click())
    _clean(page)
    page.page.get_by_label("Présence de Anne Leroy").select_option("present")
    page.page.get_by_label("Présence de Jean Petit").select_option("represented")
    page.page.get_by_label("Pouvoir de Jean Petit donné à").fill(f"Anne Leroy ({members['leroy'].reference})")
    _go(page, lambda: page.page.get_by_role("button", name="Enregistrer les présences").click())
    assert "Présences et pouvoirs enregistrés" in page.text()
    _go(page, lambda: page.page.get_by_role("button", name="Ouvrir la séance (quorum)").click())
    assert "quorum atteint" in page.text()
    _clean(page)

    # The room's votes: Anne Leroy for herself and for Jean Petit's proxy.
    _go(page, lambda: page.page.get_by_role("link", name="Saisir les votes en séance : résolution 1").click())
    _clean(page)
    page.page.get_by_label("pour (Anne Leroy)").check()
    page.page.get_by_label("contre (Jean Petit)").check()
    _go(page, lambda: page.page.get_by_role("button", name="Enregistrer les votes").click())
    assert "Résolution 1 : 2 votes enregistrés." in page.text()
    assert Participation.objects.get(resolution=first, member=members["petit"]).proxy == members["leroy"]
    result = page.page.get_by_test_id("resolution-result").first
    assert "Adoptée" in result.inner_text() and "3 votants" in result.inner_text()
    _go(page, lambda: page.page.get_by_role("button", name="Clore l'assemblée").click())
    _clean(page)

    with page.page.expect_download() as download:
        page.page.get_by_role("link", name="Procès-verbal (.docx)").click()
    saved = tmp_path / "pv.docx"
    download.value.save_as(saved)
    document = Document(str(saved))
    text = "\n".join(p.text for p in document.paragraphs)
    rows = [" | ".join(c.text for c in row.cells) for table in document.tables for row in table.rows]
    assert "Quorum atteint : 3 membres présents, représentés ou ayant voté en ligne pour un quorum de 1." in text
    assert "pour | 2" in rows and "contre | 1" in rows
    assert "Jean Petit | représenté | Anne Leroy" in rows
    assert "La résolution est adoptée." in text
    assert page.console_errors == [] and page.failed == []
    context.close()
