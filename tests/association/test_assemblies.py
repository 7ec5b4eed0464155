"""Issue 16 item 3 — general assemblies and board meetings: convocation within the statutory delay,
attendance and proxies, quorum and carence, online and room votes (twice, after the close, before
the opening, a non-voting member), weighted and secret ballots, results and the PV."""

import io
from datetime import timedelta
from fractions import Fraction

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from docx import Document

from maillage.association.actions import AssociationError
from maillage.association.actions import assemblies as actions
from maillage.association.actions.votes import record_attendance, record_room_votes, vote_online
from maillage.association.assembly_minutes import docx_bytes
from maillage.association.models import Member
from maillage.association.models.assemblies import (
    Assembly,
    AssemblyStatus,
    Attendance,
    Ballot,
    Participation,
    Presence,
)
from maillage.association.tally import attendance_figures, resolution_results
from maillage.core.jobs import run_pending
from maillage.core.models import AuditEntry
from tests.association.conftest import member

NOW = timezone.now()


def _when(days, hour=18):
    moment = timezone.localtime(NOW) + timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


@pytest.fixture
def world(association):
    """cmv's association with six voting members over three collèges, one expired member."""
    cmv, colleges = association["cpts"], association["colleges"]
    extra = {
        "pharmacist": member(cmv, colleges["liberaux"], last_name="Blanc", first_name="Hugo", email="h.blanc@exemple.fr"),
        "user2": member(cmv, colleges["usagers"], last_name="Noir", first_name="Léa", email="l.noir@exemple.fr"),
        "late": member(cmv, colleges["usagers"], last_name="Tardif", first_name="Marc", email="m.tardif@exemple.fr"),
    }  # fmt: skip
    members = {**association["members"], **extra}
    Member.objects.filter(pk__in=[m.pk for m in members.values()]).update(status=Member.Status.CURRENT)
    Member.objects.filter(pk=extra["late"].pk).update(status=Member.Status.EXPIRED)
    for key, found in members.items():
        members[key] = Member.objects.get(pk=found.pk)
    return {**association, "members": members}


def _assembly(world, *, kind="ordinary", days=20, vote=True, resolutions=(("Rapport moral", False),)):
    draft = actions.AssemblyDraft(
        kind=kind, title="Assemblée générale 2027", starts_at=_when(days), place="Mairie de Malakoff",
        vote_opens_at=_when(1) if vote else None, vote_closes_at=_when(days, hour=9) if vote else None,
    )  # fmt: skip
    coordinator = world["coordinator"]
    assembly = actions.create_assembly(world["cpts"], draft, coordinator)
    actions.add_agenda_item(assembly, coordinator, title="Rapport moral et financier")
    for title, secret in resolutions:
        actions.add_resolution(assembly, coordinator, title=title, secret=secret)
    return assembly


def _convened(world, **kwargs):
    assembly = _assembly(world, **kwargs)
    actions.convene(assembly, world["coordinator"])
    return assembly


def _presence(assembly, world, **presences):
    """{member key: "present" | "absent" | ("represented", holder key)}."""
    members = world["members"]
    changes = {}
    for key, value in presences.items():
        if isinstance(value, tuple):
            changes[members[key].pk] = (value[0], members[value[1]].pk)
        else:
            changes[members[key].pk] = (value, None)
    return record_attendance(assembly, world["coordinator"], changes)


def _open_session(assembly, world):
    Assembly.objects.filter(pk=assembly.pk).update(starts_at=timezone.now() - timedelta(minutes=5))
    assembly.refresh_from_db()
    return actions.hold(assembly, world["coordinator"])


# Convocation


def test_convening_within_the_statutory_delay_is_refused_in_french(world):
    assembly = _assembly(world, days=10, vote=False)
    with pytest.raises(AssociationError, match="Les statuts demandent de convoquer 15 jours au moins avant"):
        actions.convene(assembly, world["coordinator"])
    assembly.refresh_from_db()
    assert assembly.status == AssemblyStatus.DRAFT and not assembly.attendances.exists()


def test_convening_puts_the_voting_members_on_the_list_and_emails_them_after_commit(world, mailoutbox):
    world["statutes"].weighted_votes = True
    world["statutes"].save()
    assembly = _assembly(world, days=15)
    run_pending()
    mailoutbox.clear()
    count = actions.convene(assembly, world["coordinator"])
    assembly.refresh_from_db()
    members = world["members"]
    assert assembly.status == AssemblyStatus.CONVENED and count == 6
    assert members["late"].pk not in set(assembly.attendances.values_list("member_id", flat=True))
    assert assembly.quorum_percent == 25 and assembly.max_proxies == 2 and assembly.weighted
    assert sum(assembly.weights.values()) == 100
    assert mailoutbox == []  # enqueued, sent by the worker
    run_pending()
    assert len(mailoutbox) == 6
    mail = mailoutbox[0]
    assert mail.subject == "[Maillage] Convocation : Assemblée générale 2027"
    assert "Rapport moral et financier" in mail.body and f"/c/cmv/adherent/assemblees/{assembly.pk}/" in mail.body
    assert "vous pouvez voter en ligne" in mail.body
    assert AuditEntry.objects.filter(action="association.assembly.convened").count() == 1
    assert list(assembly.transitions.values_list("target", flat=True)) == ["draft", "convened"]


def test_convening_without_an_agenda_or_twice_is_refused(world):
    draft = actions.AssemblyDraft(kind="ordinary", title="AG", starts_at=_when(30), place="Salle")
    assembly = actions.create_assembly(world["cpts"], draft, world["coordinator"])
    with pytest.raises(AssociationError, match="au moins un point à l'ordre du jour"):
        actions.convene(assembly, world["coordinator"])
    actions.add_agenda_item(assembly, world["coordinator"], title="Budget")
    actions.convene(assembly, world["coordinator"])
    with pytest.raises(AssociationError, match="ne peut pas être convoquée"):
        actions.convene(assembly, world["coordinator"])
    with pytest.raises(AssociationError, match="ne se modifie plus après la convocation"):
        actions.add_resolution(assembly, world["coordinator"], title="Tardive")


def test_a_board_meeting_is_convened_to_the_board_only(world):
    from maillage.association.actions.board import MandateDraft, create_mandate

    board = [world["members"]["gp"], world["members"]["malakoff"]]
    today = timezone.localdate()
    for person, role in zip(board, ("president", "tresorier"), strict=True):
        create_mandate(world["cpts"], MandateDraft(person, "bureau", role, today - timedelta(days=30),
                                                   today + timedelta(days=700)), None)  # fmt: skip
    assembly = _convened(world, kind="board", vote=False)
    assert sorted(assembly.attendances.values_list("member_id", flat=True)) == sorted(m.pk for m in board)
    assert assembly.quorum_percent == 50 and not assembly.weighted


def test_bad_drafts_are_refused_in_french(world):
    def draft(**changes):
        values = {"kind": "ordinary", "title": "AG", "starts_at": _when(30), "place": "Salle"}
        return actions.AssemblyDraft(**{**values, **changes})

    for bad, message in (
        (draft(title=" "), "intitulé"),
        (draft(place=""), "lieu"),
        (draft(kind="assemblee"), "type d'assemblée"),
        (draft(vote_opens_at=_when(1)), "indiquez les deux"),
        (draft(vote_opens_at=_when(3), vote_closes_at=_when(2)), "ouvrir avant de se clore"),
        (draft(vote_opens_at=_when(3), vote_closes_at=_when(31)), "au plus tard à l'ouverture de la séance"),
    ):
        with pytest.raises(AssociationError, match=message):
            actions.create_assembly(world["cpts"], bad, world["coordinator"])
    assert not Assembly.objects.exists()


# Attendance, proxies, quorum


def test_proxies_beyond_the_maximum_to_a_non_member_or_to_a_represented_member_are_refused(world):
    assembly = _convened(world)
    members = world["members"]
    with pytest.raises(AssociationError, match="recevrait 3 pouvoirs : les statuts en permettent 2 au plus"):
        _presence(assembly, world, gp="present", nurse=("represented", "gp"), malakoff=("represented", "gp"),
                  patient=("represented", "gp"))  # fmt: skip
    with pytest.raises(AssociationError, match="adhérent convoqué à cette assemblée"):
        record_attendance(assembly, world["coordinator"], {members["nurse"].pk: ("represented", members["late"].pk)})
    with pytest.raises(AssociationError, match="a lui-même donné pouvoir"):
        _presence(assembly, world, nurse=("represented", "gp"), gp=("represented", "patient"))
    with pytest.raises(AssociationError, match="à lui-même"):
        _presence(assembly, world, nurse=("represented", "nurse"))
    assert not assembly.attendances.exclude(presence=Presence.ABSENT).exists()  # nothing half-saved
    _presence(assembly, world, gp="present", nurse=("represented", "gp"), malakoff=("represented", "gp"))
    assert Attendance.objects.get(assembly=assembly, member=members["nurse"]).proxy == members["gp"]


def test_the_quorum_reached_holds_the_assembly(world):
    assembly = _convened(world)  # 6 convened, 25 %: 2 needed
    _presence(assembly, world, gp="present", nurse=("represented", "gp"))
    assert attendance_figures(assembly).needed == 2
    _open_session(assembly, world)
    assert assembly.status == AssemblyStatus.HELD and assembly.quorum_reached is True
    with pytest.raises(AssociationError, match="avant l'ouverture de la séance"):
        _presence(assembly, world, patient="present")


def test_a_quorum_not_reached_is_a_carence_and_the_pv_says_so(world):
    assembly = _convened(world, kind="extraordinary")  # 50 %: 3 of 6 needed
    _presence(assembly, world, gp="present", nurse=("represented", "gp"))
    _open_session(assembly, world)
    assert assembly.status == AssemblyStatus.LACKING and assembly.quorum_reached is False
    assert AuditEntry.objects.filter(action="association.assembly.lacking").exists()
    resolution = assembly.resolutions.get()
    with pytest.raises(AssociationError, match="le quorum atteint"):
        record_room_votes(resolution, world["coordinator"], {world["members"]["gp"].pk: "for"})
    text = _docx_text(assembly)
    assert "Procès-verbal de carence" in text and "Quorum non atteint" in text
    assert "Non mise au vote (carence)." in text
    page = world["coordinator_client"].get(f"/c/cmv/association/assemblees/{assembly.pk}/").content.decode()
    assert "carence (quorum non atteint)" in page and "aucune résolution n'est mise au vote" in page
    actions.close(assembly, world["coordinator"])
    assert "Procès-verbal de carence" in _docx_text(assembly)


def test_an_assembly_is_not_held_before_its_day(world):
    assembly = _convened(world)
    with pytest.raises(AssociationError, match="avant ce jour"):
        actions.hold(assembly, world["coordinator"])


# Votes


def test_online_vote_refusals_before_after_twice_and_for_a_non_voting_member(world):
    assembly = _convened(world)
    resolution = assembly.resolutions.get()
    gp, nurse = world["members"]["gp"], world["members"]["nurse"]
    before = assembly.vote_opens_at - timedelta(minutes=1)
    with pytest.raises(AssociationError, match="Le vote en ligne ouvre le"):
        vote_online(assembly, gp, None, {resolution: "for"}, now=before)
    after = assembly.vote_closes_at + timedelta(minutes=1)
    with pytest.raises(AssociationError, match="Le vote en ligne est clos depuis le"):
        vote_online(assembly, gp, None, {resolution: "for"}, now=after)
    during = assembly.vote_opens_at + timedelta(hours=1)
    vote_online(assembly, gp, None, {resolution: "for"}, now=during)
    with pytest.raises(AssociationError, match="a déjà voté sur la résolution 1"):
        vote_online(assembly, gp, None, {resolution: "against"}, now=during)
    Member.objects.filter(pk=nurse.pk).update(status=Member.Status.EXPIRED)
    nurse.refresh_from_db()
    with pytest.raises(AssociationError, match="n'est pas à jour de sa cotisation"):
        vote_online(assembly, nurse, None, {resolution: "for"}, now=during)
    with pytest.raises(AssociationError, match="pas convoqué"):
        vote_online(assembly, world["members"]["late"], None, {resolution: "for"}, now=during)
    assert Participation.objects.count() == 1 and Ballot.objects.count() == 1
    assert Attendance.objects.get(assembly=assembly, member=gp).presence == Presence.REMOTE
    assert attendance_figures(assembly).remote == 1


def test_a_represented_member_does_not_vote_online_and_an_online_voter_gives_no_proxy(world):
    assembly = _convened(world)
    resolution = assembly.resolutions.get()
    during = assembly.vote_opens_at + timedelta(hours=1)
    _presence(assembly, world, nurse=("represented", "gp"))
    with pytest.raises(AssociationError, match="Vous avez donné pouvoir à Anne Leroy"):
        vote_online(assembly, world["members"]["nurse"], None, {resolution: "for"}, now=during)
    vote_online(assembly, world["members"]["patient"], None, {resolution: "for"}, now=during)
    with pytest.raises(AssociationError, match="a déjà voté en ligne"):
        _presence(assembly, world, patient=("represented", "gp"))
    _presence(assembly, world, patient="absent")  # stays counted: their vote stands
    assert Attendance.objects.get(assembly=assembly, member=world["members"]["patient"]).presence == Presence.REMOTE


def test_voting_twice_is_refused_by_the_database_too(world):
    assembly = _convened(world)
    resolution = assembly.resolutions.get()
    gp = world["members"]["gp"]
    Participation.objects.create(resolution=resolution, member=gp, channel="online")
    with pytest.raises(IntegrityError), transaction.atomic():
        Participation.objects.create(resolution=resolution, member=gp, channel="room")


def test_room_votes_for_present_members_and_their_proxies_then_refused_after_the_close(world):
    assembly = _convened(world)
    resolution = assembly.resolutions.get()
    members = world["members"]
    _presence(assembly, world, gp="present", nurse=("represented", "gp"), malakoff=("represented", "patient"))
    _open_session(assembly, world)
    with pytest.raises(AssociationError, match="Seuls les adhérents présents"):
        record_room_votes(resolution, world["coordinator"], {members["malakoff"].pk: "for"})  # holder absent
    record_room_votes(resolution, world["coordinator"], {members["gp"].pk: "for", members["nurse"].pk: "against"})
    proxy_vote = Participation.objects.get(member=members["nurse"])
    assert proxy_vote.proxy == members["gp"] and proxy_vote.channel == "room"
    with pytest.raises(AssociationError, match="Anne Leroy a déjà voté"):
        record_room_votes(resolution, world["coordinator"], {members["gp"].pk: "abstain"})
    actions.close(assembly, world["coordinator"])
    with pytest.raises(AssociationError, match="close : plus aucun vote"):
        record_room_votes(resolution, world["coordinator"], {members["gp"].pk: "for"})
    assert Participation.objects.count() == 2


def test_a_secret_ballot_keeps_who_voted_apart_from_what_they_voted(world):
    assembly = _convened(world, resolutions=(("Élection du bureau", True),))
    resolution = assembly.resolutions.get()
    gp = world["members"]["gp"]
    vote_online(assembly, gp, None, {resolution: "against"}, now=assembly.vote_opens_at + timedelta(hours=1))
    assert Participation.objects.filter(resolution=resolution, member=gp).exists()
    ballot = Ballot.objects.get(resolution=resolution)
    assert ballot.member_id is None and ballot.choice == "against"
    assert {f.name for f in Ballot._meta.get_fields()} == {"id", "resolution", "college", "choice", "member"}


# Results


def _vote_room(assembly, world, resolution, choices):
    members = world["members"]
    record_room_votes(resolution, world["coordinator"], {members[k].pk: v for k, v in choices.items()})


def test_results_by_head_and_weighted_by_college(world):
    world["statutes"].weighted_votes = True
    world["statutes"].save()
    # Weights: libéraux 40, collectivités 15, usagers 10 (sanitaire 20, médico-social 15: nobody).
    assembly = _convened(world)
    resolution = assembly.resolutions.get()
    _presence(assembly, world, gp="present", nurse="present", pharmacist="present", malakoff="present",
              patient="present", user2="present")  # fmt: skip
    _open_session(assembly, world)
    _vote_room(assembly, world, resolution, {"gp": "against", "nurse": "against", "pharmacist": "for",
                                             "malakoff": "for", "patient": "for", "user2": "abstain"})  # fmt: skip
    result = resolution_results(assembly)[0]
    assert result.heads == {"for": 3, "against": 2, "abstain": 1}
    # libéraux 40 split in three: 13.33 for, 26.67 against; collectivités 15 for; usagers 10: 5 for, 5 abstention.
    assert result.weighted["for"] == Fraction(40, 3) + 15 + 5
    assert result.weighted["against"] == Fraction(80, 3)
    assert result.weighted["abstain"] == 5
    assert result.adopted  # 33.33 for against 26.67
    assert result.weighted_for == "33,33\u00a0%"
    text = _docx_text(assembly)
    assert "Voix pondérées par collège" in text and "La résolution est adoptée" in text


def test_weighting_can_turn_a_majority_by_head(world):
    world["statutes"].weighted_votes = True
    world["statutes"].save()
    assembly = _convened(world)
    resolution = assembly.resolutions.get()
    _presence(assembly, world, gp="present", nurse="present", pharmacist="present", patient="present")
    _open_session(assembly, world)
    # By head a tie (rejected); weighted, the libéraux carry it: 26.67 for, 13.33 + 10 against.
    _vote_room(
        assembly, world, resolution, {"gp": "for", "nurse": "for", "pharmacist": "against", "patient": "against"}
    )
    result = resolution_results(assembly)[0]
    assert result.heads["for"] == result.heads["against"] == 2
    assert result.weighted["for"] == Fraction(80, 3) and result.weighted["against"] == Fraction(40, 3) + 10
    assert result.adopted


def test_an_extraordinary_assembly_needs_its_majority_of_votes_cast(world):
    assembly = _convened(world, kind="extraordinary", resolutions=(("Statuts", False), ("Siège", False)))
    first, second = assembly.resolutions.order_by("order")
    _presence(assembly, world, gp="present", nurse="present", pharmacist="present", malakoff="present",
              patient="present")  # fmt: skip
    _open_session(assembly, world)
    _vote_room(assembly, world, first, {"gp": "for", "nurse": "for", "pharmacist": "against", "malakoff": "abstain"})
    _vote_room(assembly, world, second, {"gp": "for", "nurse": "for", "pharmacist": "for", "malakoff": "against",
                                         "patient": "against"})  # fmt: skip
    adopted = [r.adopted for r in resolution_results(assembly)]
    assert adopted == [True, False]  # 2/3 = 66.7 % ≥ 66 %; 3/5 = 60 % < 66 %
    assert "66 % des suffrages exprimés" in resolution_results(assembly)[0].rule


def test_a_tie_or_no_vote_rejects(world):
    assembly = _convened(world, resolutions=(("A", False), ("B", False)))
    first, _second = assembly.resolutions.order_by("order")
    _presence(assembly, world, gp="present", nurse="present")
    _open_session(assembly, world)
    _vote_room(assembly, world, first, {"gp": "for", "nurse": "against"})
    assert [r.adopted for r in resolution_results(assembly)] == [False, False]


# Minutes


def _docx_text(assembly) -> str:
    document = Document(io.BytesIO(docx_bytes(assembly)))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def test_the_pv_has_the_figures_and_each_result(world):
    assembly = _convened(world, resolutions=(("Rapport moral", False), ("Cotisation 2027", True)))
    first, second = assembly.resolutions.order_by("order")
    vote_online(assembly, world["members"]["user2"], None, {first: "for", second: "against"},
                now=assembly.vote_opens_at + timedelta(hours=1))  # fmt: skip
    _presence(assembly, world, gp="present", nurse=("represented", "gp"))
    _open_session(assembly, world)
    _vote_room(assembly, world, first, {"gp": "for", "nurse": "for"})
    _vote_room(assembly, world, second, {"gp": "for", "nurse": "for"})
    actions.close(assembly, world["coordinator"])
    text = _docx_text(assembly)
    for expected in (
        "Procès-verbal — assemblée générale ordinaire",
        "adhérents convoqués (à jour de leur cotisation) | 6",
        "présents | 1",
        "représentés (pouvoirs) | 1",
        "ayant voté en ligne | 1",
        "quorum requis | 2 (25 % des convoqués)",
        "Quorum atteint : 3 membres présents, représentés ou ayant voté en ligne pour un quorum de 2.",
        "Résolution 1 : Rapport moral",
        "pour | 3",
        "Vote à main levée, 3 votants. Majorité requise : majorité simple des suffrages exprimés. "
        "La résolution est adoptée.",
        "Vote à bulletin secret, 3 votants.",
        "Jean Petit | représenté | Anne Leroy",
    ):
        assert expected in text, expected


# Documents


def test_documents_are_checked_and_bounded(world, settings):
    assembly = _assembly(world)
    with pytest.raises(AssociationError, match="pas d'un format accepté"):
        actions.attach_document(assembly, world["coordinator"], SimpleUploadedFile("virus.exe", b"MZ"))
    with pytest.raises(AssociationError, match="ne correspond pas à son extension"):
        actions.attach_document(assembly, world["coordinator"], SimpleUploadedFile("rapport.pdf", b"MZ"))
    settings.LIFECYCLE_DOCUMENT_MAX_BYTES = 10
    with pytest.raises(AssociationError, match="dépasse la taille maximale"):
        actions.attach_document(assembly, world["coordinator"], SimpleUploadedFile("rapport.pdf", b"%PDF-1.4\n" * 5))
    assert not assembly.documents.exists()
    settings.LIFECYCLE_DOCUMENT_MAX_BYTES = 10_000
    document = actions.attach_document(assembly, world["coordinator"], SimpleUploadedFile("rapport.pdf", b"%PDF-1.4\n"))
    assert document.file_name == "rapport.pdf" and document.file.name.startswith(f"association/{assembly.pk}/")


# Pages


def test_the_coordinator_pages_and_a_refusal_shown_in_french(world):
    client = world["coordinator_client"]
    response = client.post("/c/cmv/association/assemblees/nouvelle/", {
        "kind": "ordinary", "title": "AG 2027", "starts_at": _when(5).strftime("%Y-%m-%dT%H:%M"), "place": "Salle",
    })  # fmt: skip
    assembly = Assembly.objects.get()
    assert response.status_code == 302
    client.post(
        f"/c/cmv/association/assemblees/{assembly.pk}/ordre-du-jour/", {"quoi": "point", "point-title": "Budget"}
    )
    response = client.post(f"/c/cmv/association/assemblees/{assembly.pk}/convoquer/", {"version": assembly.version + 1},
                           follow=True)  # fmt: skip
    page = response.content.decode()
    assert "Les statuts demandent de convoquer 15 jours au moins avant" in page
    assert client.get(f"/c/cmv/association/assemblees/{assembly.pk}/").status_code == 200
    assert client.get("/c/cmv/association/assemblees/").status_code == 200
    docx = client.get(f"/c/cmv/association/assemblees/{assembly.pk}/proces-verbal.docx")
    assert docx.status_code == 200 and docx["Content-Disposition"].endswith('.docx"')


def test_a_member_votes_in_the_members_space(world):
    from tests.conftest import _login

    assembly = _convened(world)
    resolution = assembly.resolutions.get()
    Assembly.objects.filter(pk=assembly.pk).update(vote_opens_at=timezone.now() - timedelta(hours=1))
    gp_member = world["members"]["gp"]
    Member.objects.filter(pk=gp_member.pk).update(user=world["gp_user"])
    client = _login(world["gp_user"], with_mfa=True)
    url = f"/c/cmv/adherent/assemblees/{assembly.pk}/"
    assert "Voter en ligne" in client.get(url).content.decode()
    response = client.post(url, {f"choix-{resolution.pk}": "maybe"})
    assert response.status_code == 400 and "Choisissez pour, contre ou abstention" in response.content.decode()
    assert not Participation.objects.exists()
    response = client.post(url, {f"choix-{resolution.pk}": "for"}, follow=True)
    assert "Merci : 1 vote enregistré." in response.content.decode()
    response = client.post(url, {f"choix-{resolution.pk}": "for"})
    assert response.status_code == 400 and "a déjà voté" in response.content.decode()
    assert client.get("/c/cmv/adherent/assemblees/").status_code == 200


# Demo


def test_the_demo_has_a_past_ag_with_its_pv_and_one_convened_with_its_online_vote_open(world):
    from maillage.association import demo_assemblies

    members = list(world["members"].values())
    Member.objects.filter(pk=world["members"]["gp"].pk).update(user=world["gp_user"])
    demo_assemblies.build(world["cpts"], list(Member.objects.filter(pk__in=[m.pk for m in members])), None)
    past, coming = Assembly.objects.order_by("starts_at")
    assert past.status == AssemblyStatus.CLOSED and past.quorum_reached
    assert all(r.ballots for r in resolution_results(past))
    assert "La résolution est adoptée." in _docx_text(past)
    assert coming.status == AssemblyStatus.CONVENED
    assert coming.vote_opens_at <= timezone.now() < coming.vote_closes_at
    voted = set(Participation.objects.filter(resolution__assembly=coming).values_list("member_id", flat=True))
    assert voted and world["members"]["gp"].pk not in voted  # the demo account is left to vote
    demo_assemblies.build(world["cpts"], members, None)  # a second run adds nothing
    assert Assembly.objects.count() == 2


def test_the_attendance_page_reads_the_proxy_typed_from_the_list(world):
    assembly = _convened(world)
    client = world["coordinator_client"]
    gp, nurse = world["members"]["gp"], world["members"]["nurse"]
    url = f"/c/cmv/association/assemblees/{assembly.pk}/presences/"
    page = client.get(url).content.decode()
    assert f'<option value="Anne Leroy ({gp.reference})">' in page
    data = {"version": assembly.version, f"presence-{nurse.pk}": "represented", f"proxy-{nurse.pk}": "Anne"}
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Pouvoir de Jean Petit : choisissez son détenteur dans la liste" in response.content.decode()
    response = client.post(url, {**data, f"proxy-{nurse.pk}": f"Anne Leroy ({gp.reference})"})
    assert response.status_code == 302
    assert Attendance.objects.get(assembly=assembly, member=nurse).proxy == gp
