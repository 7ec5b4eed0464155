"""The to-do list of each role: what it says, where each line leads, how many queries it costs."""

import html
from datetime import timedelta

from django.utils import timezone

from maillage.accounts.models import RoleKind
from maillage.directory.models import ProfessionalAccount
from maillage.doctor_access.models import Proposal
from maillage.lifecycle.models import Milestone
from maillage.unscheduled.models import Booking
from maillage.www.dashboard import todo
from tests.dashboard.conftest import care_request as _care_request
from tests.dashboard.conftest import slot as _slot
from tests.factories import DoctorOfferFactory, DoctorRequestFactory, ProfessionalFactory, RoleFactory


def _texts(lines):
    return [line.text for line in lines]


def test_the_coordinators_list_says_what_to_do_and_where(busy_cmv):
    lines = {line.text: line for line in todo.coordinator(busy_cmv)}
    texts = list(lines)
    assert "2 demandes de médecin traitant à qualifier" in texts
    assert lines["2 demandes de médecin traitant à qualifier"].url == "/c/cmv/medecin-traitant/?etat=received"
    assert "1 proposition aux médecins expire dans les 48 heures" in texts
    assert "Le patient qui attend depuis le plus longtemps attend depuis 40 jours" in texts
    blocked = next(line for line in lines.values() if line.text.startswith("Appariement bloqué"))
    assert blocked.url == "/c/cmv/medecin-traitant/appariement/"
    assert blocked.names == ["Anne Roux", "Paul Morel"]
    assert lines["1 appel en attente d'un rendez-vous non programmé"].url == "/c/cmv/snp/"
    late = next(line for line in lines.values() if "échéances de mission en retard" in line.text)
    assert late.url == "/c/cmv/parcours/"
    assert any(t.startswith("Démarrage : accès aux soins (prévue le") for t in late.names)
    entered = next(line for line in lines.values() if "d'indicateur à saisir pour" in line.text)
    assert entered.url == "/c/cmv/indicateurs/"
    documents = lines["2 documents à déposer pour les étapes franchies"]
    assert documents.names == ["Lettre d'intention", "Signature de l'ACI"]
    assert not any("(s)" in text for text in texts)


def test_an_idle_cpts_has_nothing_to_do_but_its_indicators(idf):
    texts = _texts(todo.coordinator(idf["paris13"]))
    assert len(texts) == 1 and "à saisir pour" in texts[0]


def test_matching_is_not_blocked_while_a_doctor_has_places(busy_cmv, idf):
    DoctorOfferFactory(cpts=busy_cmv, commune=idf["communes"]["92046"], capacity=3)
    assert not any(t.startswith("Appariement bloqué") for t in _texts(todo.coordinator(busy_cmv)))


def test_the_dashboard_costs_the_same_queries_whatever_the_data(
    busy_cmv, login, coordinator, idf, django_assert_max_num_queries
):
    client = login(coordinator)
    for _ in range(15):
        DoctorRequestFactory(cpts=busy_cmv, commune=idf["communes"]["92020"], status="received")
        DoctorOfferFactory(cpts=busy_cmv, commune=idf["communes"]["92020"], capacity=0)
        _care_request(busy_cmv)
    # Issue 17 added a query for each mission's line (prevention results, quality reviews, support, stock).
    with django_assert_max_num_queries(34):
        response = client.get("/c/cmv/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "17 demandes de médecin traitant à qualifier" in body
    assert 'href="/c/cmv/medecin-traitant/appariement/"' in body


def test_a_gp_sees_proposals_bookings_of_today_and_slots_of_the_week(idf, login):
    cmv, now = idf["cmv"], timezone.now()
    role = RoleFactory(cpts=cmv, kind=RoleKind.MEMBER)
    professional = ProfessionalFactory(first_name="Julien", last_name="Perrin")
    ProfessionalAccount.objects.create(user=role.user, professional=professional)
    offer = DoctorOfferFactory(cpts=cmv, user=role.user, professional=professional, commune=idf["communes"]["92046"])
    for _ in range(2):
        request = DoctorRequestFactory(cpts=cmv, commune=idf["communes"]["92046"], status="proposed")
        Proposal.objects.create(request=request, offer=offer, expires_at=now + timedelta(days=5))
    local = timezone.localtime(now)
    booked = _slot(cmv, professional, local.replace(hour=0, minute=1), status="booked")
    Booking.objects.create(slot=booked, request=_care_request(cmv, status="booked"))
    _slot(cmv, professional, now + timedelta(minutes=2))
    lines = todo.member(cmv, role.user, professional, now=now)
    assert _texts(lines) == [
        "2 propositions de patient à accepter ou refuser",
        "1 rendez-vous non programmé aujourd'hui",
        "1 créneau libre d'ici dimanche",
    ]
    assert [line.url for line in lines] == [
        "/c/cmv/medecin-traitant/mes-patients/",
        "/c/cmv/mes-creneaux/",
        "/c/cmv/mes-creneaux/",
    ]
    body = login(role.user).get("/espace/").content.decode()
    assert "2 propositions de patient à accepter ou refuser" in body


def test_the_regulator_sees_open_calls_by_urgency_with_their_age(idf, login):
    cmv, now = idf["cmv"], timezone.now()
    _care_request(cmv, urgency="today", received_at=now - timedelta(hours=3))
    _care_request(cmv, urgency="today", received_at=now - timedelta(minutes=30))
    _care_request(cmv, urgency="48h", received_at=now - timedelta(days=1, hours=2))
    _care_request(cmv, urgency="24h", status="booked")
    lines = todo.regulator(cmv, now=now)
    assert [(line.text, line.detail) for line in lines] == [
        ("2 appels « dans la journée » en attente d'un rendez-vous", "La plus ancienne attend depuis 3 heures."),
        ("1 appel « sous 48 heures » en attente d'un rendez-vous", "La plus ancienne attend depuis 1 jour."),
    ]
    assert {line.url for line in lines} == {"/c/cmv/snp/"}
    regulator = RoleFactory(cpts=cmv, kind=RoleKind.REGULATOR).user
    assert "2 appels « dans la journée » en attente" in login(regulator).get("/espace/").content.decode()


def test_the_regional_viewer_sees_cpts_and_communes_never_patients(idf, login):
    today = timezone.localdate()
    Milestone.objects.create(cpts=idf["cmv"], kind="aci_signed", date=today - timedelta(days=800))
    Milestone.objects.create(cpts=idf["issy"], kind="project_submitted", date=today - timedelta(days=10))
    DoctorRequestFactory(cpts=idf["cmv"], commune=idf["communes"]["92046"], status="received")
    lines = todo.regional(idf["region"], today=today)
    texts = _texts(lines)
    assert texts[0] == "1 CPTS avec des échéances en retard"
    assert lines[0].names[0].startswith("CPTS Châtillon-Malakoff-Vanves (")
    assert texts[1] == "1 projet de santé en attente de la réponse de l'ARS"
    submitted = (today - timedelta(days=10)).strftime("%d/%m/%Y")
    assert lines[1].names == [
        f"CPTS Grand Issy-Vanves : déposé le {submitted}, validation réputée acquise le "
        f"{lines[1].names[0].rsplit('le ', 1)[1]}"
    ]
    assert lines[1].url == "/couverture/region/11/cpts/"
    # Montrouge is the only commune of the région in no CPTS (Paris is not a unit).
    assert texts[2] == "1 commune de la région n'est couverte par aucune CPTS (zones blanches)"
    assert lines[2].url == "/couverture/region/11/"
    assert not any("demande" in text or "patient" in text for text in texts)
    viewer = RoleFactory(regional=True, region=idf["region"]).user
    response = login(viewer, with_mfa=False).get("/espace/")
    assert response.status_code == 200
    assert "1 CPTS avec des échéances en retard" in response.content.decode()


def test_no_list_for_a_role_the_policy_no_longer_grants(idf):
    role = RoleFactory(cpts=idf["cmv"], kind=RoleKind.MEMBER)
    role.kind = "unknown"
    assert todo.for_role(role, role.user) == []
    assert todo.for_role(None, role.user) == []


def test_ages_read_in_the_largest_unit():
    now = timezone.now()
    assert todo._age(now - timedelta(minutes=1), now) == "1 minute"
    assert todo._age(now - timedelta(hours=2, minutes=5), now) == "2 heures"
    assert todo._age(now - timedelta(days=1), now) == "1 jour"


def test_the_regional_list_costs_the_same_queries_whatever_the_number_of_cpts(
    idf, login, django_assert_max_num_queries
):
    from tests.factories import CptsFactory

    today = timezone.localdate()
    for n in range(12):
        cpts = CptsFactory(communes=[idf["communes"]["92049"]])
        Milestone.objects.create(cpts=cpts, kind="project_submitted", date=today - timedelta(days=n + 1))
    viewer = login(RoleFactory(regional=True, region=idf["region"]).user, with_mfa=False)
    with django_assert_max_num_queries(15):
        body = html.unescape(viewer.get("/espace/").content.decode())
    assert "12 projets de santé en attente de la réponse de l'ARS" in body
    assert "0 commune de la région n'est couverte par aucune CPTS (zones blanches)" in body
