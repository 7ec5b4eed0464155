"""Care requests (issue 15 item 5): reach by distance, profession and skill; the usual
professional first, then everyone in reach; identity hidden until accepted; the first accept wins;
expiry, escalation to the coordinator, widening; each bad input refused with nothing saved."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from maillage.core.jobs import run_pending
from maillage.core.models import AuditEntry
from maillage.directory.models import DirectoryEntry, Skill
from maillage.pathways import access
from maillage.pathways.actions import NotVisible, PathwayError
from maillage.pathways.actions.requests import (
    EXPIRED,
    TAKEN,
    Need,
    PatientContact,
    accept,
    advance,
    cancel,
    create_request,
    decline,
    read_request,
    widen,
)
from maillage.pathways.models import CareRequest, CareRequestRecipient, CareRequestTransition, CareTeamMember
from maillage.pathways.models.requests import RequestStatus
from maillage.pathways.reach import ReachParams, reach
from maillage.pathways.states import CareRole
from tests.factories import ActivityFactory, CommuneFactory, ProfessionalFactory
from tests.pathways.conftest import linked

# Real centroids (rounded): Malakoff is the patient's commune; Versailles is about 13 km away.
CENTROIDS = {
    "92046": (48.8169, 2.2988),  # Malakoff
    "92020": (48.8030, 2.2880),  # Châtillon, ~1.8 km
    "92075": (48.8214, 2.2870),  # Vanves, ~1 km
    "92040": (48.8240, 2.2650),  # Issy-les-Moulineaux, ~2.6 km
    "92049": (48.8160, 2.3170),  # Montrouge, ~1.3 km
    "75113": (48.8283, 2.3623),  # Paris 13e, ~4.8 km
    "75056": (48.8566, 2.3522),
}


@pytest.fixture
def geo(world):
    communes = world["communes"]
    for code, (lat, lon) in CENTROIDS.items():
        communes[code].latitude, communes[code].longitude = lat, lon
        communes[code].save()
    versailles = CommuneFactory(
        code="78646", name="Versailles", latitude=48.8049, longitude=2.1204, departement__code="78"
    )
    far_nurse = ProfessionalFactory(adeli=True, last_name="Loin")
    ActivityFactory(professional=far_nurse, commune=versailles)
    return {**world, "versailles": versailles, "far_nurse": far_nurse, "far_user": linked(world["cmv"], far_nurse)}


def _need(world, **changes):
    values = {"profession_code": "60", "need": "Pansement complexe à domicile, 3 fois par semaine",
              "start_on": timezone.localdate() + timedelta(days=2), "commune": world["malakoff"], "radius_km": 5}  # fmt: skip
    values.update(changes)
    return Need(**values)


def _patient(**changes):
    values = {"name": "Jeanne Moreau", "phone": "0601020304", "address": "12 rue Pierre Larousse, Malakoff"}
    return PatientContact(**{**values, **changes})


def _standalone(world, actor=None, **changes):
    return create_request(world["cmv"], actor or world["coordinator"], _need(world, **changes), _patient())


def test_reach_keeps_the_profession_within_the_radius_nearest_first(geo):
    params = ReachParams(cpts=geo["cmv"], commune=geo["malakoff"], radius_km=5, profession_code="60")
    found = reach(params)
    assert {p.professional_id for p in found} == {geo["nurse"].pk, geo["other_nurse"].pk}  # not the GP
    assert all(p.distance_km == 0 for p in found) and all(p.emails for p in found)
    wider = reach(ReachParams(cpts=geo["cmv"], commune=geo["malakoff"], radius_km=20, profession_code="60"))
    assert [p.professional_id for p in wider][-1] == geo["far_nurse"].pk
    assert 12 < wider[-1].distance_km < 14
    # Without an account a professional is reached but cannot be offered the request.
    unlinked = ProfessionalFactory(adeli=True)
    ActivityFactory(professional=unlinked, commune=geo["communes"]["92075"])
    assert unlinked.pk not in {p.professional_id for p in reach(params)}
    assert unlinked.pk in {p.professional_id for p in reach(params, with_account=False)}


def test_reach_by_skill_reads_the_cpts_enrichment(geo):
    wounds = Skill.objects.create(code="plaies", label="Plaies chroniques")
    DirectoryEntry.objects.create(cpts=geo["cmv"], professional=geo["other_nurse"]).skills.add(wounds)
    # The same skill recorded by another CPTS does not count for this one.
    DirectoryEntry.objects.create(cpts=geo["paris13"], professional=geo["nurse"]).skills.add(wounds)
    params = ReachParams(cpts=geo["cmv"], commune=geo["malakoff"], radius_km=5, profession_code="60", skill=wounds)
    assert [p.professional_id for p in reach(params)] == [geo["other_nurse"].pk]


def test_from_a_pathway_the_usual_nurse_has_it_alone_then_everyone_in_reach(geo, enrolled, mailoutbox):
    run_pending()
    mailoutbox.clear()
    request = create_request(geo["cmv"], geo["gp_user"], _need(geo, commune=None), PatientContact(), pathway=enrolled)
    assert request.status == RequestStatus.OPEN and request.usual_professional == geo["nurse"]
    assert request.patient_name == "Jeanne Moreau" and request.commune == geo["malakoff"]
    assert list(request.recipients.values_list("professional_id", "priority")) == [(geo["nurse"].pk, True)]
    assert request.priority_until < request.respond_by
    # The other nurse does not see it yet.
    assert not access.sees_request(geo["other_nurse_user"], request)
    run_pending()
    assert [m.to for m in mailoutbox] == [[geo["nurse_user"].email]]
    assert "Une demande de prise en charge vous attend sur Maillage" in mailoutbox[0].body
    assert "Moreau" not in mailoutbox[0].body and "Pansement" not in mailoutbox[0].body
    mailoutbox.clear()
    assert advance(request.priority_until - timedelta(minutes=1)).broadcast == 0
    assert advance(request.priority_until + timedelta(minutes=1)).broadcast == 1
    request.refresh_from_db()
    assert request.status == RequestStatus.BROADCAST and request.broadcast_at is not None
    assert set(request.recipients.values_list("professional_id", flat=True)) == {geo["nurse"].pk, geo["other_nurse"].pk}
    run_pending()
    assert [m.to for m in mailoutbox] == [[geo["other_nurse_user"].email]]  # the usual nurse is not told twice
    assert list(request.transitions.values_list("source", "target")) == [("", "open"), ("open", "broadcast")]


def test_the_usual_nurse_declining_broadcasts_at_once(geo, enrolled):
    request = create_request(geo["cmv"], geo["gp_user"], _need(geo, commune=None), PatientContact(), pathway=enrolled)
    decline(request, geo["nurse_user"], note="Complet cette semaine")
    request.refresh_from_db()
    assert request.status == RequestStatus.BROADCAST
    assert access.sees_request(geo["other_nurse_user"], request)
    with pytest.raises(PathwayError, match="déjà décliné"):
        decline(request, geo["nurse_user"])


def test_identity_is_shown_only_to_the_winner_once_accepted(geo):
    request = _standalone(geo)
    assert request.status == RequestStatus.BROADCAST  # no usual professional: everyone at once
    nurse, other = geo["nurse_user"], geo["other_nurse_user"]
    assert access.sees_request(nurse, request) and not access.sees_request_identity(nurse, request)
    assert read_request(nurse, request) == (False, request.recipients.get(professional=geo["nurse"]))
    assert not AuditEntry.objects.filter(action="pathways.care_request.viewed").exists()
    accept(request, nurse)
    assert access.sees_request_identity(nurse, request)
    assert access.sees_request(other, request) and not access.sees_request_identity(other, request)
    identity, _ = read_request(nurse, request)
    assert identity and AuditEntry.objects.get(action="pathways.care_request.viewed").health_data
    # Nobody else: another CPTS's coordinator, a regulator, someone far away.
    for outsider in (geo["coordinator_other"], geo["regulator"], geo["far_user"], geo["no_role"]):
        assert not access.sees_request(outsider, request)


def test_the_first_to_accept_wins_and_the_second_is_told_in_french(geo, mailoutbox):
    request = _standalone(geo, actor=geo["gp_user"])
    accept(CareRequest.objects.get(pk=request.pk), geo["other_nurse_user"])
    with pytest.raises(PathwayError) as refused:
        accept(CareRequest.objects.get(pk=request.pk), geo["nurse_user"])
    assert str(refused.value) == TAKEN == "Cette demande a déjà été acceptée par un autre professionnel."
    # Even with a stale copy still saying « diffusée »: the conditional UPDATE decides.
    stale = CareRequest.objects.get(pk=request.pk)
    stale.status = RequestStatus.BROADCAST
    with pytest.raises(PathwayError, match="déjà été acceptée par un autre"):
        accept(stale, geo["nurse_user"])
    request.refresh_from_db()
    assert (request.status, request.accepted_by) == (RequestStatus.ACCEPTED, geo["other_nurse"])
    assert request.transitions.filter(target=RequestStatus.ACCEPTED).count() == 1
    with pytest.raises(PathwayError, match="Vous avez déjà accepté"):
        accept(request, geo["other_nurse_user"])
    run_pending()
    accepted = [m for m in mailoutbox if m.to == [geo["gp_user"].email]]
    assert len(accepted) == 1 and "Moreau" not in accepted[0].body


def test_accepting_from_a_pathway_joins_its_care_team(geo, enrolled):
    physio_user = linked(geo["cmv"], geo["physio"])
    request = create_request(geo["cmv"], geo["coordinator"], _need(geo, commune=None, profession_code="70"),
                             PatientContact(), pathway=enrolled)  # fmt: skip
    assert request.status == RequestStatus.BROADCAST  # no physio on the team
    assert not access.sees(physio_user, enrolled)
    accept(request, physio_user)
    member = CareTeamMember.objects.active().get(pathway=enrolled, professional=geo["physio"])
    assert member.role == CareRole.PHYSIO and access.sees(physio_user, enrolled)
    entry = AuditEntry.objects.get(action="pathways.care_request.accepted")
    assert entry.health_data and entry.details["équipe_rejointe"] is True


def test_an_expired_request_cannot_be_accepted(geo):
    request = _standalone(geo)
    CareRequest.objects.filter(pk=request.pk).update(start_on=timezone.localdate() - timedelta(days=30))
    request.refresh_from_db()
    with pytest.raises(PathwayError) as refused:
        accept(request, geo["nurse_user"])
    assert str(refused.value) == EXPIRED
    assert advance().expired == 1
    request.refresh_from_db()
    assert request.status == RequestStatus.EXPIRED and request.accepted_by is None
    with pytest.raises(PathwayError, match="expiré"):
        accept(request, geo["nurse_user"])


def test_no_taker_escalates_to_the_coordinator_who_widens(geo, mailoutbox):
    request = _standalone(geo, profession_code="60", radius_km=5)
    CareRequestRecipient.objects.filter(request=request).delete()  # as if nobody were in reach
    assert advance(request.respond_by - timedelta(minutes=1)).unanswered == 0
    run_pending()
    mailoutbox.clear()
    outcome = advance(request.respond_by + timedelta(minutes=1))
    assert (outcome.unanswered, outcome.emails) == (1, 1)
    request.refresh_from_db()
    assert request.status == RequestStatus.UNANSWERED and request.escalated_at is not None
    run_pending()
    assert [m.to for m in mailoutbox] == [[geo["coordinator"].email]]
    assert "sans réponse" in mailoutbox[0].body and "Moreau" not in mailoutbox[0].body
    with pytest.raises(PathwayError, match="pas été proposée"):
        accept(request, geo["far_user"])  # out of reach
    with pytest.raises(PathwayError, match="Seule la coordination"):
        widen(request, geo["gp_user"], radius_km=20)
    with pytest.raises(PathwayError, match="Changez le rayon"):
        widen(request, geo["coordinator"], radius_km=5)
    widen(request, geo["coordinator"], radius_km=20)
    request.refresh_from_db()
    assert request.status == RequestStatus.BROADCAST and request.escalated_at is None and request.radius_km == 20
    assert geo["far_nurse"].pk in set(request.recipients.values_list("professional_id", flat=True))
    accept(request, geo["far_user"])


def test_widening_to_another_profession_drops_the_former_recipients(geo):
    request = _standalone(geo)
    widen(request, geo["coordinator"], profession_code="10")
    assert set(request.recipients.values_list("professional_id", flat=True)) == {geo["gp"].pk}
    with pytest.raises(PathwayError, match="pas été proposée"):
        accept(request, geo["nurse_user"])


def test_cancel_by_the_requester_or_the_coordinator_only(geo):
    request = _standalone(geo, actor=geo["gp_user"])
    with pytest.raises(PathwayError, match="Seuls l'auteur"):
        cancel(request, geo["nurse_user"])
    cancel(request, geo["gp_user"], note="Hospitalisé")
    with pytest.raises(PathwayError, match="annulée par son auteur"):
        accept(request, geo["nurse_user"])
    with pytest.raises(PathwayError, match="ne peut plus être annulée"):
        cancel(request, geo["coordinator"])


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"need": "  "}, "Décrivez le besoin"),
        ({"need": "x" * 501}, "trop longue"),
        ({"profession_code": "99"}, "Choisissez la profession"),
        ({"radius_km": 0}, "entre 1 et 100 km"),
        ({"radius_km": 500}, "entre 1 et 100 km"),
        ({"start_on": "demain"}, "à partir de quelle date"),
        ({"need": "Pansement pour Mme Moreau, 3 fois par semaine"}, "contient le nom du patient"),
    ],
)
def test_bad_requests_are_refused_with_nothing_saved(geo, changes, message):
    with pytest.raises(PathwayError, match=message):
        _standalone(geo, **changes)
    assert not CareRequest.objects.exists() and not CareRequestRecipient.objects.exists()
    assert not CareRequestTransition.objects.exists()


def test_a_start_date_in_the_past_and_a_missing_name_are_refused(geo):
    with pytest.raises(PathwayError, match="date de début des soins est passée"):
        _standalone(geo, start_on=timezone.localdate() - timedelta(days=1))
    with pytest.raises(PathwayError, match="Indiquez le nom du patient"):
        create_request(geo["cmv"], geo["coordinator"], _need(geo), _patient(name=" "))
    assert not CareRequest.objects.exists()


def test_who_may_send_and_from_which_pathway(geo, enrolled):
    with pytest.raises(PathwayError, match="ne pouvez pas envoyer"):
        _standalone(geo, actor=geo["regulator"])
    with pytest.raises(PathwayError, match="ne pouvez pas envoyer"):
        _standalone(geo, actor=geo["coordinator_other"])
    # A member off the pathway's team cannot send a request from it (nor learn who is on it).
    with pytest.raises(NotVisible):
        create_request(geo["cmv"], geo["far_user"], _need(geo), PatientContact(), pathway=enrolled)
    with pytest.raises(PathwayError, match="pas de cette CPTS"):
        create_request(geo["paris13"], None, _need(geo), _patient(), pathway=enrolled)
    assert not CareRequest.objects.exists()


def test_only_a_recipient_accepts_and_a_failed_accept_changes_nothing(geo):
    request = _standalone(geo)
    with pytest.raises(PathwayError, match="pas été proposée"):
        accept(request, geo["far_user"])  # out of reach
    with pytest.raises(PathwayError, match="n'est pas lié"):
        accept(request, geo["coordinator"])
    request.refresh_from_db()
    assert request.status == RequestStatus.BROADCAST and request.accepted_by is None
    assert not CareTeamMember.objects.filter(professional=geo["far_nurse"]).exists()


@pytest.fixture
def racing(idf):
    """Eight nurses in Malakoff with accounts, and a request offered to all of them (built without
    the shared pathway templates, which a transactional test's flush removes)."""
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:memorydb"):
        pytest.skip(
            "an in-memory SQLite database is not shared between threads (run it on PostgreSQL with DATABASE_URL)"
        )
    malakoff = idf["communes"]["92046"]
    users = []
    for _ in range(8):
        nurse = ProfessionalFactory(adeli=True)
        ActivityFactory(professional=nurse, commune=malakoff)
        users.append(linked(idf["cmv"], nurse))
    need = _need({"malakoff": malakoff})
    return users, create_request(idf["cmv"], None, need, _patient())


@pytest.mark.django_db(transaction=True)
def test_professionals_racing_to_accept_get_exactly_one_winner(racing):
    users, request = racing
    assert request.recipients.count() == len(users)
    barrier, outcomes = threading.Barrier(len(users)), []

    def attempt(user):
        try:
            barrier.wait()
            accept(CareRequest.objects.get(pk=request.pk), user)
            outcomes.append("won")
        except PathwayError as exc:
            outcomes.append(str(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == sorted(["won"] + [TAKEN] * (len(users) - 1))
    request.refresh_from_db()
    assert request.status == RequestStatus.ACCEPTED
    assert request.transitions.filter(target=RequestStatus.ACCEPTED).count() == 1


# --- The pages ---------------------------------------------------------------------------------


def test_a_member_sends_a_request_from_a_pathway_and_a_nurse_accepts_it_on_the_pages(geo, enrolled, login):
    gp = login(geo["gp_user"])
    page = gp.get(f"/c/cmv/parcours-patients/{enrolled.pk}/").content.decode()
    assert f"/c/cmv/demandes-de-prise-en-charge/nouvelle/?parcours={enrolled.pk}" in page
    form = gp.get(f"/c/cmv/demandes-de-prise-en-charge/nouvelle/?parcours={enrolled.pk}")
    assert form.status_code == 200 and "Jeanne Moreau" in form.content.decode()
    start = (timezone.localdate() + timedelta(days=1)).isoformat()
    sent = gp.post(
        "/c/cmv/demandes-de-prise-en-charge/nouvelle/",
        {"parcours": enrolled.pk, "profession_code": "60", "need": "Pansement complexe, 3 fois par semaine",
         "start_on": start, "radius_km": "5", "patient_address": "12 rue Pierre Larousse"},
    )  # fmt: skip
    request = CareRequest.objects.get()
    assert sent.status_code == 302 and request.pathway == enrolled and request.status == RequestStatus.OPEN
    decline(request, geo["nurse_user"])  # the usual nurse is away: broadcast
    other = login(geo["other_nurse_user"])
    listing = other.get("/c/cmv/demandes-de-prise-en-charge/").content.decode()
    assert "Pansement complexe" in listing and "Moreau" not in listing
    detail = other.get(f"/c/cmv/demandes-de-prise-en-charge/{request.pk}/").content.decode()
    assert "Moreau" not in detail and "0601020304" not in detail and 'data-testid="identity-hidden"' in detail
    accepted = other.post(f"/c/cmv/demandes-de-prise-en-charge/{request.pk}/accepter/", follow=True)
    page = accepted.content.decode()
    assert "Jeanne Moreau" in page and "0601020304" in page and "12 rue Pierre Larousse" in page
    # The usual nurse, who declined, reads that it is taken (she sees the patient: she is on the team).
    nurse = login(geo["nurse_user"])
    again = nurse.post(f"/c/cmv/demandes-de-prise-en-charge/{request.pk}/accepter/", follow=True).content.decode()
    assert "Cette demande a déjà été acceptée par un autre professionnel." in again


def test_bad_form_input_answers_400_in_french(geo, login):
    coordinator = login(geo["coordinator"])
    response = coordinator.post("/c/cmv/demandes-de-prise-en-charge/nouvelle/", {"radius_km": "0"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "La demande n'est pas envoyée" in page and "entre 1 et 100 km" in page
    assert not CareRequest.objects.exists()


def test_the_coordinator_sees_unanswered_requests_first_and_widens_them(geo, login):
    request = _standalone(geo)
    CareRequestRecipient.objects.filter(request=request).delete()
    advance(request.respond_by + timedelta(minutes=1))
    coordinator = login(geo["coordinator"])
    page = coordinator.get("/c/cmv/demandes-de-prise-en-charge/").content.decode()
    assert "Sans réponse : à relancer" in page and request.reference in page
    widened = coordinator.post(
        f"/c/cmv/demandes-de-prise-en-charge/{request.pk}/elargir/", {"radius_km": "20", "profession_code": "60"},
        follow=True,
    )  # fmt: skip
    assert "relancée" in widened.content.decode()
    request.refresh_from_db()
    assert request.status == RequestStatus.BROADCAST and request.radius_km == 20
    # The far nurse, member of no role in this CPTS's policy scope but offered it, reaches the page.
    far = login(geo["far_user"])
    assert far.get(f"/c/cmv/demandes-de-prise-en-charge/{request.pk}/").status_code == 200


# --- Indicators --------------------------------------------------------------------------------


def test_care_request_indicators_and_what_a_regional_reader_sees(geo):
    from maillage.indicators import registry
    from maillage.indicators.periods import Period
    from maillage.indicators.registry import REGISTRY

    today = timezone.localdate()
    period = Period(today - timedelta(days=30), today + timedelta(days=1), "test")
    taken, _other, lost = _standalone(geo), _standalone(geo), _standalone(geo)
    CareRequest.objects.filter(pk=taken.pk).update(created_at=timezone.now() - timedelta(hours=5))
    taken.refresh_from_db()
    accept(taken, geo["nurse_user"])
    advance(lost.respond_by + timedelta(minutes=1))  # the two still broadcast go unanswered
    codes = ["pathways.care_requests_broadcast", "pathways.care_requests_accepted",
             "pathways.care_requests_unanswered", "pathways.care_request_hours_to_acceptance"]  # fmt: skip
    values = registry.compute(geo["cmv"], period, codes)
    assert [values[code] for code in codes] == [3, 1, 2, 5.0]
    shown = [registry.for_region(REGISTRY[code], values, cpts=geo["cmv"], period=period) for code in codes]
    assert shown == ["< 5", "< 5", "< 5", registry.hidden()]  # small counts; a median over one request


def test_the_deadlines_are_a_periodic_job(geo, enrolled):
    from maillage.core import periodic

    job = periodic.get("pathways.care_requests")
    assert job.every_minutes == 15
    request = create_request(geo["cmv"], geo["gp_user"], _need(geo, commune=None), PatientContact(), pathway=enrolled)
    assert job.function(request.priority_until + timedelta(minutes=1)) == (
        "1 demande diffusée, 0 demande sans réponse, 0 demande expirée, 0 courriel"
    )
    CareRequestRecipient.objects.filter(request=request).delete()
    assert job.function(request.respond_by + timedelta(hours=49)).startswith("0 demande diffusée, 1 demande sans")


def test_the_to_do_lists_show_requests_waiting_and_unanswered(geo, login):
    request = _standalone(geo)
    page = login(geo["nurse_user"]).get("/espace/").content.decode()
    assert "1 demande de prise en charge en attente de votre réponse" in page
    CareRequestRecipient.objects.filter(request=request).delete()
    advance(request.respond_by + timedelta(minutes=1))
    dashboard = login(geo["coordinator"]).get("/c/cmv/", follow=True).content.decode()
    assert "1 demande de prise en charge sans réponse, à élargir" in dashboard


def test_the_requester_is_never_offered_their_own_request(geo, enrolled):
    request = create_request(
        geo["cmv"], geo["nurse_user"], _need(geo, commune=None), PatientContact(), pathway=enrolled
    )
    assert request.usual_professional is None and request.status == RequestStatus.BROADCAST
    assert list(request.recipients.values_list("professional_id", flat=True)) == [geo["other_nurse"].pk]
