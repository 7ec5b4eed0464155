"""The demo on the real reference territory, and the figures the foundation issue asks for.

The reference territory and the demo are loaded once for the module (a load is the slow part:
~30 s on SQLite, ~60 s on PostgreSQL), in a transaction rolled back after its last test; each test
runs in a savepoint inside it, so that each sees the demo as `load_demo` leaves it, whatever the
order. tests/test_demo_without_reference.py checks the refusal without the reference."""

import io

import pytest
from django.core.management import call_command
from django.test.utils import override_settings
from django.utils import timezone

from maillage.accounts.models import Role
from maillage.core.models import AuditEntry
from maillage.territory.models import Cpts
from tests.conftest import install_reference, rolled_back

pytestmark = pytest.mark.reference


@pytest.fixture(scope="module")
def _demo_media(tmp_path_factory):
    return tmp_path_factory.mktemp("demo-media")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, _demo_media):
    # The files the demo load stored (milestone documents) stay where the tests look for them.
    settings.MEDIA_ROOT = _demo_media


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker, real_sources, cached_shapes, _background_outlines, _demo_media):
    """What the first `load_demo` printed, the demo loaded once for the module as each test saw it
    when it loaded the demo itself: tests' settings (second factor required, memory cache)."""
    out = io.StringIO()
    cache = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
    with rolled_back(django_db_blocker):
        with (
            django_db_blocker.unblock(),
            pytest.MonkeyPatch.context() as patch,
            override_settings(MEDIA_ROOT=_demo_media, CACHES=cache, DEMO_RELAX_MFA=False),
        ):
            install_reference(real_sources, cached_shapes, _background_outlines, patch)
            call_command("load_demo", stdout=out)
        yield out.getvalue()


@pytest.fixture
def demo(db, demo_output):
    return demo_output


def test_demo_on_the_real_territory(demo, anonymous):
    out = demo
    assert "coordination.cmv@demo.maillage.fr" in out
    assert "Maillage-demo-2026" in out
    # The accounts share one hash of the public password (hashed once per load): a real one.
    from maillage.accounts.models import User

    coordinator = User.objects.get(email="coordination.cmv@demo.maillage.fr")
    assert coordinator.check_password("Maillage-demo-2026") and not coordinator.check_password("Maillage-demo-2025")
    entries = AuditEntry.objects.count()
    call_command("load_demo")  # idempotent
    assert AuditEntry.objects.count() == entries

    assert set(Role.objects.values_list("kind", flat=True)) == {
        "admin",
        "regional_viewer",
        "coordinator",
        "member",
        "regulator",
        "adherent",  # issue 16: a member commune's representative
        "sas_regulator",  # issue 18: books the slots from their booking URLs in the SAS answers
    }
    bergerac = Cpts.objects.with_population().get(slug="bergerac")
    assert 18 <= bergerac.commune_count <= 25
    assert set(bergerac.communes().values_list("departement_id", flat=True)) == {"24"}

    malakoff = anonymous.get("/api/v1/communes/92046").json()
    assert (malakoff["nom"], malakoff["population"]) == ("Malakoff", 30_557)

    listing = {c["slug"]: c for c in anonymous.get("/api/v1/cpts/", {"limit": 1000}).json()["items"]}
    assert set(listing) == {
        "chatillon-malakoff-vanves",
        "paris-13",
        "bergerac",
        "ouest-herault",
        "grand-issy-vanves",
        "montrouge-bagneux",
    }
    assert listing["chatillon-malakoff-vanves"]["taille"] == "T3"
    assert listing["paris-13"]["taille"] == "T4"
    assert all(c["population"] > 0 for c in listing.values())

    coverage = anonymous.get("/api/v1/coverage", {"region": "11"}).json()
    assert coverage["communes"] == 1_265 + 20  # Île-de-France: 1,265 communes, Paris as 20 arrondissements
    assert (
        coverage["population_couverte"]
        == sum(
            c["population"]
            for slug in ("chatillon-malakoff-vanves", "paris-13", "grand-issy-vanves", "montrouge-bagneux")
            for c in [listing[slug]]
        )
        - anonymous.get("/api/v1/communes/92075").json()["population"]
    )
    assert [c["code"] for c in coverage["chevauchements"]["liste"]] == ["92075"]
    assert coverage["zones_blanches"]["communes"] == coverage["communes"] - 7
    _demo_phases()


def _demo_phases():
    from datetime import date

    from maillage.lifecycle.timeline import deadlines, phase_of

    phases = {cpts.slug: phase_of(cpts) for cpts in Cpts.objects.all()}
    assert phases == {
        "montrouge-bagneux": "ideation",
        "grand-issy-vanves": "conception",
        "ouest-herault": "conception",
        "bergerac": "contractualisation",
        "chatillon-malakoff-vanves": "fonctionnement",
        "paris-13": "fonctionnement",
    }
    late = {
        cpts.slug: [(d.mission, d.kind) for d in deadlines(cpts, today=date(2026, 11, 23)) if d.late]
        for cpts in Cpts.objects.filter(slug__in=["chatillon-malakoff-vanves", "paris-13"])
    }
    assert late == {"chatillon-malakoff-vanves": [("crisis", "deployment")], "paris-13": [("pathways", "start")]}
    assert set(Cpts.objects.get(slug="montrouge-bagneux").communes().values_list("code", flat=True)) == {
        "92049",
        "92007",
    }


def test_demo_directory_is_loaded_through_the_importers(demo, anonymous):
    from maillage.directory.models import ImportRun, Partner, Structure
    from maillage.directory.search import professionals

    assert set(ImportRun.objects.filter(applied=True).values_list("source", flat=True)) == {"rpps", "finess"}
    for cpts in Cpts.objects.all():
        found = professionals({}, cpts)
        professions = {professional.profession_label for professional in found[: len(found)]}
        assert {"Médecin", "Infirmier", "Pharmacien", "Masseur-Kinésithérapeute"} <= professions, cpts.slug
        structures = set(
            Structure.objects.filter(commune__cpts_links__cpts=cpts).values_list("category_code", flat=True)
        )
        assert {"355", "109", "500", "620"} <= structures, cpts.slug  # hospital, SSR, EHPAD, pharmacies
        kinds = set(Partner.objects.filter(cpts=cpts).values_list("kind", flat=True))
        assert {"municipality", "dac", "ccas"} <= kinds
    practitioner = professionals({"profession": "10"}, Cpts.objects.get(slug="bergerac"))[:1][0]
    bundle = anonymous.get(
        "/fhir/Practitioner", {"identifier": f"urn:oid:1.2.250.1.71.4.2.1|{practitioner.national_id}"}
    ).json()
    assert bundle["total"] == 1
    assert bundle["entry"][0]["resource"]["name"][0]["family"] == practitioner.last_name


def test_demo_missions_can_be_tried_at_once(demo, capsys, login):
    """The done-when of the médecin traitant and the unscheduled-care issues, and of the missions
    after them, on the demo as loaded."""
    capsys.readouterr()
    _waiting_list_is_matched_and_the_demo_doctor_accepts(capsys)
    _demo_gp_is_one_person_whose_directory_answers_follow_the_offer_and_the_slots(login)
    _desk_finds_slots_for_the_next_days()
    _demo_answers_the_sas_query_of_the_guide()
    _demo_contracts_are_computed()
    _demo_pathways_are_active_and_the_demo_gp_sees_them(login)
    _demo_rcp_is_held_and_its_minutes_download(login)
    _demo_liaison_logs_have_one_message_unread_for_the_demo_gp(login)  # Issue 15 — liaison log
    _demo_care_requests_wait_and_the_demo_nurse_accepts(login)  # issue 15 — care requests
    _demo_fee_payment_moves_a_member_from_grace_to_current(login)  # issue 16 — fees
    _demo_members_vote_online_in_the_convened_ag(login)  # issue 16 — assemblies
    _demo_newsletter_reaches_a_college(login)  # issue 16 — talking to members
    _demo_representativeness_report_matches_the_members(login)  # issue 16 — the report
    _demo_support_has_offers_and_a_newcomer_per_cpts()  # issue 17 — accompagnement des professionnels
    _demo_crisis_plans_and_ouest_heraults_past_crisis()  # issue 17 — crise
    _demo_prevention_campaigns_serve_the_projets_fiche()  # issue 17 — prévention


def _waiting_list_is_matched_and_the_demo_doctor_accepts(capsys):
    """The done-when of the médecin traitant issue, on the demo: the matching lists proposals, the
    doctors see them once applied, an acceptance moves the patient and the indicators."""
    from maillage.doctor_access.actions.doctors import answer
    from maillage.doctor_access.models import Proposal
    from maillage.indicators.periods import Period
    from maillage.indicators.registry import compute

    call_command("match_doctors", "--cpts", "chatillon-malakoff-vanves")
    listed = capsys.readouterr().out
    assert "Simulation : rien n'a été enregistré" in listed and " → Dr " in listed
    assert not Proposal.objects.exists()
    call_command("match_doctors", "--cpts", "chatillon-malakoff-vanves", "--apply")
    mine = Proposal.objects.filter(offer__user__email="medecin.cmv@demo.maillage.fr", status="pending")
    assert mine.exists()
    cmv = Cpts.objects.get(slug="chatillon-malakoff-vanves")
    before = compute(cmv, Period.current_month(), ["doctor_access.found_doctor"])["doctor_access.found_doctor"]
    proposal = mine.first()
    answer(proposal, accept=True, actor=proposal.offer.user)
    proposal.request.refresh_from_db()
    assert proposal.request.status == "accepted"
    after = compute(cmv, Period.current_month(), ["doctor_access.found_doctor"])["doctor_access.found_doctor"]
    assert after == before + 1


def _demo_gp_is_one_person_whose_directory_answers_follow_the_offer_and_the_slots(login):
    """Issue 14: the demo GP bears one name on every page (the team list, their directory entry,
    their proposals, slots and bookings, the projet's fiche), and their entry's answers are those
    of their offer and slots."""
    from maillage.accounts.models import Role, User
    from maillage.directory.demo import DEMO_DOCTOR
    from maillage.directory.models import DirectoryEntry
    from maillage.doctor_access.models import DoctorOffer
    from maillage.projet.models import FicheAction
    from maillage.unscheduled.models import Slot

    user = User.objects.get(email=DEMO_DOCTOR)
    professional = user.professional_account.professional
    name = professional.full_name
    assert user.get_full_name() == name
    cmv = Cpts.objects.get(slug="chatillon-malakoff-vanves")
    coordinator = Role.objects.filter(cpts=cmv, kind="coordinator").first().user
    team = login(coordinator).get(f"/c/{cmv.slug}/equipe/").content.decode()
    assert f">{name}</h3>" in team and f"Fiche RPPS : {name}" in team
    doctor = login(user)
    pages = [
        f"/c/{cmv.slug}/annuaire/pro/{professional.national_id}/",
        f"/c/{cmv.slug}/medecin-traitant/mes-patients/",
        f"/c/{cmv.slug}/mes-creneaux/",
        "/espace/",
    ]
    for path in pages:
        response = doctor.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert "Julien Perrin" not in html, path
    fiche = doctor.get(pages[0]).content.decode()
    assert name in fiche
    assert FicheAction.objects.filter(projet__cpts=cmv, lead=f"Dr {name}").exists()
    entry = DirectoryEntry.objects.get(cpts=cmv, professional=professional)
    offer = DoctorOffer.objects.get(cpts=cmv, professional=professional)
    assert entry.accepts_new_patients == (not offer.paused and offer.capacity > 0)
    assert entry.takes_part_in_snp == Slot.objects.filter(cpts=cmv, professional=professional).exists()
    assert "Accepte de nouveaux patients</dt><dd>oui" in fiche and "<dd>participe" in fiche


def _desk_finds_slots_for_the_next_days():
    from maillage.unscheduled import search
    from maillage.unscheduled.models import CareRequest

    for cpts in Cpts.objects.all():
        open_request = CareRequest.objects.filter(cpts=cpts, status="open").first()
        assert open_request is not None, cpts.slug
        assert search.search(open_request, horizon_hours=8 * 24), cpts.slug


def _demo_answers_the_sas_query_of_the_guide():
    """The done-when of the unscheduled-care issue: the SAS query on the demo returns a Bundle
    with the free slots and everything the guide includes, each resource valid FHIR R4."""
    from datetime import timedelta

    from django.utils import timezone

    from maillage.fhir import systems
    from maillage.unscheduled.models import SasConsumer, Slot
    from tests.fhir.helpers import validate
    from tests.fhir.test_sas import INCLUDES, SasClient

    cmv = Cpts.objects.get(slug="chatillon-malakoff-vanves")
    free = Slot.objects.filter(cpts=cmv, status="free", start__gte=timezone.now()).select_related("professional")
    practitioners = sorted({slot.professional.national_id for slot in free})[:25]
    start = timezone.localtime().replace(microsecond=0)
    params = {
        "start": [f"ge{start.isoformat()}", f"le{(start + timedelta(days=8)).isoformat()}"],
        "schedule.actor:Practitioner.identifier": ",".join(f"{systems.IDNPS}|{n}" for n in practitioners),
        "status": "free",
        **INCLUDES,
    }
    bundle = SasClient(SasConsumer.create_with_key("SAS")[1]).search(params)
    validate(bundle)
    slots = [e for e in bundle["entry"] if e["resource"]["resourceType"] == "Slot"]
    assert bundle["total"] == len(slots) == free.filter(professional__national_id__in=practitioners).count()
    assert all(e["search"]["mode"] == "match" and e["fullUrl"] for e in slots)
    kinds = {e["resource"]["resourceType"] for e in bundle["entry"] if e["search"]["mode"] == "include"}
    assert kinds == {"Schedule", "Practitioner", "PractitionerRole", "HealthcareService", "Organization"}
    [organization] = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Organization"]
    assert organization["identifier"][0]["value"] == f"1{cmv.finess}"
    # Issue 18 — the numéro unique to call, and a booking URL per slot that the demo's regulator of the
    # SAS opens.
    assert organization["telecom"] == [{"system": "phone", "value": "+33199001234"}]
    from maillage.accounts.models import User
    from tests.conftest import _login

    regulator = _login(User.objects.get(email="regulation.sas@demo.maillage.fr"))  # with a second factor
    path = "/" + slots[0]["resource"]["comment"].split("/", 3)[3]
    assert path.startswith("/sas/chatillon-malakoff-vanves/rdv/")
    assert "Réserver ce créneau" in regulator.get(path + "&origin=sas").content.decode()


def _demo_contracts_are_computed():
    from maillage.funding import report
    from maillage.funding.models import Contract

    contracts = {c.cpts.slug: c for c in Contract.objects.select_related("cpts", "rule_set")}
    assert set(contracts) == {"chatillon-malakoff-vanves", "paris-13"}
    cmv = contracts["chatillon-malakoff-vanves"]
    assert (cmv.rule_set.code, cmv.signed_on.isoformat(), cmv.tier) == ("avenant-2", "2023-03-15", "T3")
    assert report.build(cmv, 2025).result.running == 131_250


def _demo_pathways_are_active_and_the_demo_gp_sees_them(login):
    """Issue 15: each demo CPTS has active pathways of fictional patients (a discharge from the demo
    hospital, a diabetic patient, palliative care at home), some tasks overdue; in cmv the demo GP
    is on every team and finds the patients on their list. A second load adds nothing."""
    from django.utils import timezone

    from maillage.accounts.models import User
    from maillage.pathways.models import Pathway, Task

    codes = {"sortie-hospitalisation-personne-agee", "diabete-type-2-desequilibre", "soins-palliatifs-domicile"}
    for cpts in Cpts.objects.all():
        pathways = Pathway.objects.filter(cpts=cpts, status="active")
        assert set(pathways.values_list("template__code", flat=True)) == codes, cpts.slug
        assert all("(fictif)" in p.last_name or "(fictive)" in p.last_name for p in pathways)
        discharge = pathways.get(template__code="sortie-hospitalisation-personne-agee")
        assert discharge.referrer_structure.category_code == "355" and discharge.discharge_date
    overdue = Task.objects.filter(status="todo", due_on__lt=timezone.localdate())
    assert overdue.filter(pathway__cpts__slug="chatillon-malakoff-vanves").exists()
    gp = User.objects.get(email="medecin.cmv@demo.maillage.fr")
    cmv = Pathway.objects.filter(cpts__slug="chatillon-malakoff-vanves")
    assert cmv.filter(team__professional=gp.professional_account.professional, team__left_at=None).count() == 3
    page = login(gp).get("/c/chatillon-malakoff-vanves/parcours-patients/").content.decode()
    assert "Lambert (fictive)" in page and "Fabre (fictive)" in page
    count = Pathway.objects.count()
    call_command("load_demo")
    assert Pathway.objects.count() == count


def _demo_rcp_is_held_and_its_minutes_download(login):
    """Issue 15 — RCP: each demo CPTS has an RCP held three days ago with decisions and next steps
    (tasks of the pathways); in cmv the demo GP downloads its minutes as DOCX."""
    import io

    from docx import Document

    from maillage.accounts.models import User
    from maillage.pathways.models import Meeting

    for cpts in Cpts.objects.all():
        meeting = Meeting.objects.get(cpts=cpts, status="held")
        assert meeting.patients.exclude(decisions="").count() == 2, cpts.slug
        assert meeting.patients.filter(next_steps__isnull=False).distinct().count() == 2, cpts.slug
        assert meeting.participants.filter(minutes__isnull=False).count() >= 2, cpts.slug
    gp = User.objects.get(email="medecin.cmv@demo.maillage.fr")
    meeting = Meeting.objects.get(cpts__slug="chatillon-malakoff-vanves", status="held")
    response = login(gp).get(f"/c/chatillon-malakoff-vanves/rcp/{meeting.pk}/compte-rendu.docx")
    assert response.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "Maintien à domicile validé." in text and "Lambert (fictive)" in text


def _demo_liaison_logs_have_one_message_unread_for_the_demo_gp(login):
    """Issue 15, item 8: the demo pathways have liaison entries; the demo GP has one unread, found
    in « Mes alertes »."""
    from maillage.accounts.models import User
    from maillage.pathways.actions.liaison import unread_entries
    from maillage.pathways.models import LiaisonEntry

    assert LiaisonEntry.objects.filter(pathway__cpts__slug="paris-13").exists()
    gp = User.objects.get(email="medecin.cmv@demo.maillage.fr")
    cmv = Cpts.objects.get(slug="chatillon-malakoff-vanves")
    assert unread_entries(gp, cmv).count() == 1
    page = login(gp).get("/c/chatillon-malakoff-vanves/parcours-patients/alertes/").content.decode()
    assert 'data-testid="unread-entry"' in page


def _demo_care_requests_wait_and_the_demo_nurse_accepts(login):
    """Issue 15 — care requests: each demo CPTS has one waiting and one accepted (its winner on the
    discharged patient's team); in cmv the demo nurse is offered the waiting one without the
    patient's identity, accepts it, then sees who the patient is."""
    from maillage.accounts.models import User
    from maillage.pathways.demo_requests import DEMO_NURSE
    from maillage.pathways.models import CareRequest

    for cpts in Cpts.objects.all():
        requests = CareRequest.objects.filter(cpts=cpts)
        assert set(requests.values_list("status", flat=True)) == {"broadcast", "accepted"}, cpts.slug
        accepted = requests.get(status="accepted")
        assert accepted.pathway.team.filter(professional=accepted.accepted_by, left_at=None).exists()
    nurse = login(User.objects.get(email=DEMO_NURSE))
    waiting = CareRequest.objects.get(cpts__slug="chatillon-malakoff-vanves", status="broadcast")
    path = f"/c/chatillon-malakoff-vanves/demandes-de-prise-en-charge/{waiting.pk}/"
    page = nurse.get(path).content.decode()
    assert "ulcère" in page and waiting.patient_name not in page
    page = nurse.post(path + "accepter/", follow=True).content.decode()
    assert waiting.patient_name in page
    count = CareRequest.objects.count()
    call_command("load_demo")
    assert CareRequest.objects.count() == count


def _demo_fee_payment_moves_a_member_from_grace_to_current(login):
    """Issue 16 — fees, on the demo: members up to date, in grace (the demo commune among them) and
    one expired, with their receipts; the commune's representative downloads hers; the coordination
    records a payment for a member in grace, who becomes « à jour »."""
    from maillage.accounts.models import User
    from maillage.association.models import Member, Payment

    cmv = Cpts.objects.get(slug="chatillon-malakoff-vanves")
    members = Member.objects.filter(cpts=cmv)
    statuses = set(members.values_list("status", flat=True))
    assert {"current", "grace", "expired"} <= statuses and Payment.objects.filter(cpts=cmv).exists()
    mayor = login(User.objects.get(email="mairie.cmv@demo.maillage.fr"))
    page = mayor.get("/c/chatillon-malakoff-vanves/adherent/cotisations/").content.decode()
    assert "en période de grâce" in page and "Payer en ligne" in page
    receipt = Payment.objects.filter(member__user__email="mairie.cmv@demo.maillage.fr").first()
    assert receipt is not None
    assert mayor.get(f"/c/chatillon-malakoff-vanves/adherent/cotisations/{receipt.pk}/recu.docx").status_code == 200
    coordinator = login(User.objects.get(email="coordination.cmv@demo.maillage.fr"))
    late = members.filter(status="grace").exclude(user__email="mairie.cmv@demo.maillage.fr").first()
    form = coordinator.get(f"/c/chatillon-malakoff-vanves/association/adherents/{late.pk}/paiement/")
    initial = {name: form.context["form"][name].initial for name in ("year", "amount", "paid_on")}
    response = coordinator.post(
        f"/c/chatillon-malakoff-vanves/association/adherents/{late.pk}/paiement/",
        {"year": initial["year"], "amount": initial["amount"], "paid_on": initial["paid_on"].isoformat(),
         "method": "transfer", "reference": "VIR démo"},
    )  # fmt: skip
    assert response.status_code == 302
    late.refresh_from_db()
    assert late.status == "current"


def _demo_members_vote_online_in_the_convened_ag(login):
    """Issue 16 — the demo AG is convened with its online vote open: the demo GP votes in the
    members' space, a second vote is refused, the count moves by one per resolution."""
    from maillage.accounts.models import User
    from maillage.association.models import Assembly, Participation

    assembly = Assembly.objects.get(cpts__slug="chatillon-malakoff-vanves", status="convened")
    assert assembly.has_online_vote and assembly.vote_opens_at <= timezone.now() < assembly.vote_closes_at
    before = Participation.objects.filter(resolution__assembly=assembly).count()
    gp = login(User.objects.get(email="medecin.cmv@demo.maillage.fr"))
    path = f"/c/chatillon-malakoff-vanves/adherent/assemblees/{assembly.pk}/"
    assert "Voter" in gp.get(path).content.decode()
    choices = {f"choix-{r.pk}": "for" for r in assembly.resolutions.all()}
    assert gp.post(path, choices).status_code == 302
    assert Participation.objects.filter(resolution__assembly=assembly).count() == before + len(choices)
    page = gp.post(path, choices, follow=True).content.decode()
    assert "déjà voté" in page
    assert Participation.objects.filter(resolution__assembly=assembly).count() == before + len(choices)


def _demo_newsletter_reaches_a_college(login):
    """Issue 16 — a newsletter to the demo collège of the collectivités reaches each commune's
    representative, through the worker."""
    from django.core import mail

    from maillage.accounts.models import User
    from maillage.association.models import College, Delivery, Mailing, Member
    from maillage.core.jobs import run_pending

    coordinator = login(User.objects.get(email="coordination.cmv@demo.maillage.fr"))
    college = College.objects.get(cpts__slug="chatillon-malakoff-vanves", code="collectivites")
    response = coordinator.post(
        "/c/chatillon-malakoff-vanves/association/messages/nouveau/",
        {"kind": "newsletter", "subject": "Lettre des communes", "body": "La prochaine réunion des élus.",
         "audience": "college", "college": college.pk},
    )  # fmt: skip
    assert response.status_code == 302
    mailing = Mailing.objects.get(subject="Lettre des communes")
    assert (
        coordinator.post(f"/c/chatillon-malakoff-vanves/association/messages/{mailing.pk}/envoyer/").status_code == 302
    )
    mail.outbox.clear()
    run_pending()
    expected = {m.contact_email for m in Member.objects.filter(college=college).voting()}
    sent = {to for m in mail.outbox if "Lettre des communes" in m.subject for to in m.to}
    assert expected and sent == expected
    assert set(Delivery.objects.filter(mailing=mailing).values_list("status", flat=True)) == {"sent"}


def _demo_representativeness_report_matches_the_members(login):
    """Issue 16 — the report of a demo CPTS downloads, and its figures are the members'."""
    import io

    from openpyxl import load_workbook

    from maillage.accounts.models import User
    from maillage.association.models import College, Member

    coordinator = login(User.objects.get(email="coordination.cmv@demo.maillage.fr"))
    response = coordinator.get("/c/chatillon-malakoff-vanves/association/representativite.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))["Collèges"]
    rows = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]}
    voting = Member.objects.filter(cpts__slug="chatillon-malakoff-vanves").voting()
    for college in College.objects.filter(cpts__slug="chatillon-malakoff-vanves"):
        assert rows[college.name] == voting.filter(college=college).count(), college.name
    assert sum(v for v in rows.values() if isinstance(v, int)) == voting.count() > 20


def _demo_support_has_offers_and_a_newcomer_per_cpts():
    """Issue 17 — accompagnement: each demo CPTS has two installation offers (one public) and a
    newcomer to welcome; the public page lists the published one."""
    from django.test import Client

    from maillage.support.models import Newcomer, Offer
    from maillage.territory import demo

    for cpts in Cpts.objects.filter(slug__in=[spec.slug for spec in demo.CPTS]):
        assert Offer.objects.filter(cpts=cpts).count() == 2, cpts.slug
        assert Newcomer.objects.filter(cpts=cpts, status="detected").count() == 1, cpts.slug
    page = Client().get("/cpts/chatillon-malakoff-vanves/installation/").content.decode()
    assert "Cabinet médical à louer en maison de santé" in page


def _demo_crisis_plans_and_ouest_heraults_past_crisis():
    """Issue 17 — crise: every demo CPTS has an adopted plan (the lifecycle's crisis start agrees with
    its adoption); « ouest-herault » has a past crisis declared by the ARS, closed, with its RETEX,
    its testing drive, its stock ledger and its case map."""
    from maillage.crisis.demo_plan import past_crisis
    from maillage.crisis.models import CrisisPlan
    from maillage.lifecycle.models import Milestone

    plans = CrisisPlan.objects.select_related("cpts")
    assert plans.count() == Cpts.objects.count() and all(p.written_on for p in plans)
    assert all(p.cell.count() == 4 and p.risks.count() == 5 for p in plans)
    cmv = plans.get(cpts__slug="chatillon-malakoff-vanves")
    assert cmv.volunteers.count() == 5
    assert Milestone.objects.get(cpts=cmv.cpts, kind="start_crisis").date == cmv.written_on
    crisis = past_crisis(Cpts.objects.get(slug="ouest-herault"))
    assert (crisis.title, crisis.declared_by, crisis.status) == ("Épidémie de Covid-19", "ars", "closed")
    assert crisis.retex.actions.count() == 2
    assert crisis.centres.get().shifts.count() == 12 and crisis.supply_items.count() == 5
    assert crisis.case_counts.exists() and past_crisis(cmv.cpts) is None


def _demo_prevention_campaigns_serve_the_projets_fiche():
    """Issue 17 — prévention: the missions load after the projets, so a demo campaign names the
    projet's prevention fiche-action when the CPTS has one."""
    from maillage.prevention.models import Campaign

    with_fiche = Campaign.objects.filter(fiche__isnull=False)
    assert with_fiche.exists()
    assert all(c.fiche.mission == "prevention" and c.fiche.projet.cpts_id == c.cpts_id for c in with_fiche)
