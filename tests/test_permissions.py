"""Every URL × every role × own/other CPTS → the status a user gets.

The completeness test fails when a URL is added without a row here: the matrix grows with the app.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from maillage.core.versioning import version_of
from maillage.directory.models import Partner, ProfessionalAccount
from maillage.doctor_access.models import DoctorOffer, Proposal
from maillage.funding.models import RuleSet
from maillage.lifecycle.models import Milestone
from maillage.unscheduled.models import Booking, CalendarFeed, CareRequest, Slot
from tests.factories import (
    ActivityFactory,
    DoctorRequestFactory,
    ProfessionalFactory,
    RoleFactory,
    UserFactory,
    with_check_digit,
)

# Who asks. "coordinator_other" coordinates another CPTS than the one in the URL (cmv).
ACTORS = [
    "anonymous",
    "no_role",
    "admin",
    "regional_own",
    "regional_other",
    "coordinator",
    "coordinator_other",
    "member",
    "regulator",
]
LOGIN = 302  # anonymous users are sent to the login page
PUBLIC = dict.fromkeys(ACTORS, 200)


def only(allowed, *, other=404, anonymous=LOGIN, **special):
    """Status per actor: `allowed` get 200 (or what `special` says), the others `other`."""
    row = {actor: (200 if actor in allowed else other) for actor in ACTORS}
    row["anonymous"] = anonymous
    row.update(special)
    return row


LOGGED_IN = only(
    ACTORS, coordinator=302, coordinator_other=302, regional_own=302, regional_other=302
)  # they land on their dashboard
COORDINATION = only({"coordinator"})
REGION = only({"admin", "regional_own"})
CPTS_TEAM = only({"coordinator", "member", "regulator"})  # the CPTS's own people read its directory
DESK = only({"coordinator", "regulator"})
FUNDING_READ = only(
    {"coordinator", "admin", "regional_own"}
)  # amounts only, no person's identity  # the waiting list: coordinator and regulator only
DESK_WRITE = {"coordinator": 302, "regulator": 302}
DESK_REFUSED = {"coordinator": 400, "regulator": 400}
TIMELINE_WRITE = {"coordinator": 302, "admin": 302}
INDICATORS = only({"coordinator", "member", "admin"})
INDICATORS_API = only({"coordinator", "member", "admin", "regional_own"}, anonymous=401)
PROJET_READ = only({"admin", "coordinator", "member", "regulator"})  # the projet de santé holds no personal data
MATRIX_RPPS = with_check_digit("1000345678")  # the professional the `actors` fixture creates

# (url name, method, path, expected statuses)
MATRIX = [
    ("www:home", "get", "/", PUBLIC),
    ("www:home_geojson", "get", "/carte.geojson", PUBLIC),
    ("www:cpts_public", "get", "/cpts/cmv/", PUBLIC),
    ("www:cpts_geojson", "get", "/cpts/cmv/carte.geojson", PUBLIC),
    ("www:home_dashboard", "get", "/espace/", LOGGED_IN),
    ("www:switch_role", "post", "/espace/role/", only(ACTORS, **dict.fromkeys(ACTORS, 302))),
    ("www:coord_dashboard", "get", "/c/cmv/", COORDINATION),
    ("www:territory_edit", "get", "/c/cmv/territoire/", COORDINATION),
    ("www:territory_search", "get", "/c/cmv/territoire/recherche/?q=mont", COORDINATION),
    ("www:territory_add", "post", "/c/cmv/territoire/ajouter/", COORDINATION),
    ("www:territory_remove", "post", "/c/cmv/territoire/retirer/", COORDINATION),
    ("www:audit_log", "get", "/c/cmv/journal/", COORDINATION),
    ("www:cpts_indicators", "get", "/c/cmv/indicateurs/?periode=2026-11", INDICATORS),
    ("www:directory_search", "get", "/c/cmv/annuaire/", CPTS_TEAM),
    ("www:directory_export_csv", "get", "/c/cmv/annuaire/export.csv", COORDINATION),
    ("www:directory_export_xlsx", "get", "/c/cmv/annuaire/export.xlsx", COORDINATION),
    ("www:directory_professional", "get", f"/c/cmv/annuaire/pro/8{MATRIX_RPPS}/", CPTS_TEAM),
    # A saved enrichment redirects to the professional's page.
    ("www:directory_entry_edit", "post", f"/c/cmv/annuaire/pro/8{MATRIX_RPPS}/fiche/", only(set(), coordinator=302)),
    ("www:directory_public", "get", "/cpts/cmv/annuaire/", PUBLIC),
    ("www:directory_partners", "get", "/c/cmv/annuaire/partenaires/", CPTS_TEAM),
    ("www:directory_partner_edit", "get", "/c/cmv/annuaire/partenaires/{partner}/", COORDINATION),
    ("www:doctor_request_form", "get", "/cpts/cmv/medecin-traitant/", PUBLIC),
    ("www:doctor_request_sent", "get", "/cpts/cmv/medecin-traitant/envoyee/", PUBLIC),
    ("www:doctor_requests", "get", "/c/cmv/medecin-traitant/", DESK),
    ("www:doctor_request_new", "get", "/c/cmv/medecin-traitant/nouvelle/", DESK),
    ("www:doctor_request", "get", "/c/cmv/medecin-traitant/{mt}/", DESK),
    ("www:doctor_request_qualify", "post", "/c/cmv/medecin-traitant/{mt}/qualifier/", only(set(), **DESK_WRITE)),
    # Without a target state the form is refused (400): reaching the form is what is checked.
    ("www:doctor_request_transition", "post", "/c/cmv/medecin-traitant/{mt}/etat/", only(set(), **DESK_REFUSED)),
    ("www:doctor_request_export", "get", "/c/cmv/medecin-traitant/{mt}/export.json", DESK),
    ("www:doctor_settings", "get", "/c/cmv/medecin-traitant/reglages/", COORDINATION),
    ("www:doctor_matching", "get", "/c/cmv/medecin-traitant/appariement/", COORDINATION),
    (
        "www:doctor_matching_apply",
        "post",
        "/c/cmv/medecin-traitant/appariement/appliquer/",
        only(set(), coordinator=302),
    ),
    ("www:doctor_referral", "get", "/c/cmv/medecin-traitant/orienter/", CPTS_TEAM),
    ("www:doctor_space", "get", "/c/cmv/medecin-traitant/mes-patients/", CPTS_TEAM),
    # Only the doctor the proposal is addressed to (the member, a GP) finds it.
    ("www:doctor_proposal_answer", "post", "/c/cmv/medecin-traitant/propositions/{proposal}/", only(set(), member=302)),
    ("www:snp_desk", "get", "/c/cmv/snp/", DESK),
    ("www:snp_request_new", "get", "/c/cmv/snp/nouvelle/", DESK),
    ("www:snp_request", "get", "/c/cmv/snp/{snp}/", DESK),
    # The first regulator books the slot; the second is told it is taken: both land on the request.
    ("www:snp_book", "post", "/c/cmv/snp/{snp}/reserver/", only(set(), **DESK_WRITE)),
    ("www:snp_unmet", "post", "/c/cmv/snp/{snp}/sans-solution/", only(set(), **DESK_WRITE)),
    ("www:snp_cancel", "post", "/c/cmv/snp/reservations/{booking}/annuler/", only(set(), **DESK_WRITE)),
    ("www:snp_slots", "get", "/c/cmv/mes-creneaux/", CPTS_TEAM),
    # A slot is its professional's (the member, linked to the GP who opened it).
    ("www:snp_slot_edit", "get", "/c/cmv/mes-creneaux/{slot}/", only({"member"})),
    ("www:snp_slot_withdraw", "post", "/c/cmv/mes-creneaux/{slot}/retirer/", only(set(), member=302)),
    ("www:snp_outcome", "post", "/c/cmv/mes-creneaux/reservations/{booking}/", only(set(), member=302)),
    ("www:snp_feed_renew", "post", "/c/cmv/mes-creneaux/agenda/", only(set(), member=302)),
    # The private calendar: its random token is the credential (calendar apps cannot log in).
    ("www:snp_ical", "get", "/agenda/{ical}.ics", PUBLIC),
    ("www:projet_diagnostic", "get", "/c/cmv/diagnostic/", PROJET_READ),
    ("www:projet_diagnostic_xlsx", "get", "/c/cmv/diagnostic.xlsx", PROJET_READ),
    ("www:projet_home", "get", "/c/cmv/projet-de-sante/", PROJET_READ),
    ("www:projet_docx", "get", "/c/cmv/projet-de-sante/projet-de-sante.docx", PROJET_READ),
    ("www:projet_texts", "get", "/c/cmv/projet-de-sante/textes/", COORDINATION),
    # Without a target state (or from a draft), refused with a message on the projet's page.
    ("www:projet_move", "post", "/c/cmv/projet-de-sante/etat/", only(set(), coordinator=302)),
    ("www:projet_new_version", "post", "/c/cmv/projet-de-sante/nouvelle-version/", only(set(), coordinator=302)),
    ("www:projet_fiche_new", "get", "/c/cmv/projet-de-sante/fiches/nouvelle/", COORDINATION),
    ("www:projet_fiche_edit", "get", "/c/cmv/projet-de-sante/fiches/{fiche}/", COORDINATION),
    (
        "www:projet_fiche_delete",
        "post",
        "/c/cmv/projet-de-sante/fiches/{fiche}/supprimer/",
        only(set(), coordinator=302),
    ),
    ("www:coverage_overview", "get", "/couverture/", only(ACTORS)),
    ("www:coverage_region", "get", "/couverture/region/11/", REGION),
    ("www:coverage_region_map", "get", "/couverture/region/11/carte.geojson", REGION),
    ("www:coverage_region_doctor_access", "get", "/couverture/region/11/medecin-traitant/", REGION),
    ("www:coverage_departement", "get", "/couverture/departement/92/", REGION),
    ("www:coverage_departement_map", "get", "/couverture/departement/92/carte.geojson", REGION),
    # The timeline: the coordinator and the admin write, the région's viewer reads (no personal data).
    ("www:lifecycle_timeline", "get", "/c/cmv/parcours/", only({"coordinator", "admin", "regional_own"})),
    ("www:lifecycle_milestone", "post", "/c/cmv/parcours/jalons/letter_of_intent/", only(set(), **TIMELINE_WRITE)),
    # Without a target phase the form is refused (400): reaching the form is what is checked.
    ("www:lifecycle_phase", "post", "/c/cmv/parcours/phase/", only(set(), coordinator=400, admin=400)),
    ("www:lifecycle_document_upload", "post", "/c/cmv/parcours/documents/", only(set(), coordinator=400, admin=400)),
    ("www:lifecycle_document", "get", "/c/cmv/parcours/documents/{document}/", only({"coordinator", "admin"})),
    ("www:coverage_region_cpts", "get", "/couverture/region/11/cpts/", REGION),
    ("www:funding", "get", "/c/cmv/financement/?annee=2025", FUNDING_READ),
    ("www:funding_contract", "get", "/c/cmv/financement/contrat/", only({"coordinator", "admin"})),
    # Without a body the form is refused with a message: reaching it is what is checked.
    ("www:funding_crisis", "post", "/c/cmv/financement/crise/", only(set(), coordinator=302, admin=302)),
    ("www:funding_xlsx", "get", "/c/cmv/financement/rapport.xlsx?annee=2025", FUNDING_READ),
    ("www:funding_docx", "get", "/c/cmv/financement/rapport.docx?annee=2025", FUNDING_READ),
    ("api-1:cpts_funding", "get", "/api/v1/cpts/cmv/funding?year=2025", {**FUNDING_READ, "anonymous": 401}),
    ("api-1:communes", "get", "/api/v1/communes?q=mal", PUBLIC),
    ("api-1:commune", "get", "/api/v1/communes/92046", PUBLIC),
    ("api-1:cpts_list", "get", "/api/v1/cpts/", PUBLIC),
    ("api-1:cpts_detail", "get", "/api/v1/cpts/cmv", PUBLIC),
    ("api-1:coverage_view", "get", "/api/v1/coverage?region=11", PUBLIC),
    ("api-1:openapi-json", "get", "/api/v1/openapi.json", PUBLIC),
    ("api-1:openapi-view", "get", "/api/v1/docs", PUBLIC),
    ("api-1:api-root", "get", "/api/v1/", dict.fromkeys(ACTORS, 404)),
    # FHIR: public open data; reads of ids nobody has answer an OperationOutcome 404 to everyone.
    ("fhir:metadata", "get", "/fhir/metadata", PUBLIC),
    ("fhir:practitioner_search", "get", "/fhir/Practitioner?name=x", PUBLIC),
    ("fhir:practitioner_read", "get", "/fhir/Practitioner/899999999999", dict.fromkeys(ACTORS, 404)),
    ("fhir:practitionerrole_search", "get", "/fhir/PractitionerRole?role=10", PUBLIC),
    ("fhir:practitionerrole_read", "get", "/fhir/PractitionerRole/inconnu", dict.fromkeys(ACTORS, 404)),
    ("fhir:organization_search", "get", "/fhir/Organization?name=x", PUBLIC),
    ("fhir:organization_read", "get", "/fhir/Organization/1000000000", dict.fromkeys(ACTORS, 404)),
    # The SAS interface asks for a consumer's key (a bearer key, not a session): 401 to everyone without it.
    ("fhir:slot_search", "get", "/fhir/Slot?status=free", dict.fromkeys(ACTORS, 401)),
    ("fhir:sas_read", "get", "/fhir/Schedule/1-800000000000-0", dict.fromkeys(ACTORS, 401)),
    ("fhir:unsupported", "get", "/fhir/Patient", dict.fromkeys(ACTORS, 404)),
    # Indicators: the CPTS's coordinators and members read them, admins too; the API also answers
    # the regional viewers of the CPTS's région (small counts hidden); anonymous API clients get 401.
    ("www:indicator_detail", "get", "/c/cmv/indicateurs/cpam.depistage_sein/", INDICATORS),
    ("api-1:cpts_indicators", "get", "/api/v1/cpts/cmv/indicators?year=2025", INDICATORS_API),
]
# Writes that the matrix sends with a valid body, so that "200" means the write really went through.
BODIES = {
    "www:territory_add": {"code": "92049"},
    "www:territory_remove": {"code": "92020"},
    "www:directory_entry_edit": {"is_member": "on", "languages": "anglais"},
    "www:doctor_proposal_answer": {"decision": "accepter"},
    "www:snp_book": {"slot": "{free_slot}"},
    "www:lifecycle_milestone": {"date": "2026-10-05"},
    "www:doctor_request_qualify": {"notes": "Rappeler le matin."},
}
# The version each write's form carries (ADR 0017), read just before the request as a fresh page would.
VERSIONS = {
    "www:territory_add": lambda idf: type(idf["cmv"]).objects.get(pk=idf["cmv"].pk).territory_version,
    "www:territory_remove": lambda idf: type(idf["cmv"]).objects.get(pk=idf["cmv"].pk).territory_version,
    "www:directory_entry_edit": lambda idf: 0,  # no entry yet
    "www:doctor_request_qualify": lambda idf: type(idf["mt"]).objects.get(pk=idf["mt"].pk).version,
    "www:lifecycle_milestone": lambda idf: version_of(
        Milestone.objects.filter(cpts=idf["cmv"], kind="letter_of_intent").first()
    ),
}


@pytest.fixture
def actors(idf):
    other_region = RoleFactory(regional=True, region__code="76", region__name="Occitanie")
    people = {
        "no_role": UserFactory(),
        "admin": RoleFactory(admin=True).user,
        "regional_own": RoleFactory(regional=True, region=idf["region"]).user,
        "regional_other": other_region.user,
        "coordinator": RoleFactory(coordinator=True, cpts=idf["cmv"]).user,
        "coordinator_other": RoleFactory(coordinator=True, cpts=idf["paris13"]).user,
        "member": RoleFactory(cpts=idf["cmv"]).user,
        "regulator": RoleFactory(regulator=True, cpts=idf["cmv"]).user,
    }
    ProfessionalFactory(identifier=MATRIX_RPPS)
    idf.update(_waiting_list(idf, people["member"], ProfessionalFactory()))
    idf["partner"] = Partner.objects.create(cpts=idf["cmv"], kind=Partner.Kind.DAC, name="DAC Hauts-de-Seine Sud")
    idf["other_partner"] = Partner.objects.create(cpts=idf["paris13"], kind=Partner.Kind.CCAS, name="CCAS Paris 13")
    idf["document"] = _lifecycle_document(idf["cmv"])
    idf["contract"] = _funding_contract(idf)
    idf["fiche"] = _fiche_action(idf["cmv"])
    clients = {"anonymous": Client()}
    for name, user in people.items():
        from allauth.mfa.models import Authenticator

        Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
        clients[name] = Client()
        clients[name].force_login(user)
    return clients, idf


def _fiche_action(cpts):
    from maillage.projet.models import FicheAction, ProjetSante

    projet = ProjetSante.objects.create(cpts=cpts)
    return FicheAction.objects.create(projet=projet, mission="crisis", title="Plan de crise", objective="Être prêts.")


def _waiting_list(idf, member, gp):
    """A request of cmv, proposed to the member (a GP linked to their account)."""
    ProfessionalAccount.objects.create(user=member, professional=gp)
    commune = idf["communes"]["92046"]
    offer = DoctorOffer.objects.create(cpts=idf["cmv"], professional=gp, user=member, commune=commune, capacity=3)
    request = DoctorRequestFactory(cpts=idf["cmv"], commune=commune, status="proposed")
    proposal = Proposal.objects.create(request=request, offer=offer, expires_at=timezone.now() + timedelta(days=7))
    return {"mt": request, "proposal": proposal, **_unscheduled(idf, member, gp)}


def _unscheduled(idf, member, gp):
    """Slots of the member's GP in cmv, one booked, a desk request, and the GP's calendar feed."""
    site = ActivityFactory(professional=gp, commune=idf["communes"]["92046"])
    soon = timezone.now() + timedelta(hours=2)

    def slot(start):
        return Slot.objects.create(
            cpts=idf["cmv"], professional=gp, activity=site, commune=site.commune, start=start,
            end=start + timedelta(minutes=20), types=["CPTS"], profession_code="10", profession_label="Médecin",
        )  # fmt: skip

    request = CareRequest.objects.create(cpts=idf["cmv"], last_name="Petit", first_name="Jeanne",
                                         commune=site.commune, reason="fièvre", phone="0600000000")  # fmt: skip
    booked = slot(soon)
    booked.status = "booked"
    booked.save()
    other = CareRequest.objects.create(cpts=idf["cmv"], last_name="Roux", first_name="Paul", commune=site.commune,
                                       reason="entorse", phone="0600000001", status="booked")  # fmt: skip
    booking = Booking.objects.create(slot=booked, request=other)
    feed = CalendarFeed.renew(member, idf["cmv"], gp)
    return {"snp": request, "booking": booking, "slot": slot(soon + timedelta(hours=1)),
            "free_slot": slot(soon + timedelta(hours=2)), "ical": feed.token}  # fmt: skip


def _lifecycle_document(cpts):
    """A PDF attached to cmv's letter of intent (stored under the test's MEDIA_ROOT)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from maillage.lifecycle.actions import attach_document

    return attach_document(cpts, "letter_of_intent", SimpleUploadedFile("lettre.pdf", b"%PDF-1.4\n%%EOF\n"), actor=None)


@pytest.mark.parametrize(("name", "method", "path", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
def test_permission_matrix(actors, name, method, path, expected):
    clients, idf = actors
    keys = ("mt", "proposal", "snp", "booking", "slot", "free_slot", "document", "fiche")
    path = path.format(partner=idf["partner"].pk, ical=idf["ical"], **{key: idf[key].pk for key in keys})
    got = {}
    for actor in ACTORS:
        data = {key: value.format(free_slot=idf["free_slot"].pk) for key, value in BODIES.get(name, {}).items()}
        if name in VERSIONS:
            data["version"] = VERSIONS[name](idf)
        response = getattr(clients[actor], method)(path, data) if method == "post" else clients[actor].get(path)
        got[actor] = response.status_code
        if response.status_code == 200 and name in BODIES and actor == "coordinator":
            assert "message error" not in response.content.decode()
    assert got == expected


def test_other_cpts_objects_answer_404_not_403(actors):
    clients, idf = actors
    for path in (
        f"/c/cmv/annuaire/partenaires/{idf['other_partner'].pk}/",
        f"/c/paris-13/annuaire/partenaires/{idf['other_partner'].pk}/",
        "/c/paris-13/",
        "/c/paris-13/territoire/",
        "/c/paris-13/journal/",
        "/c/paris-13/annuaire/",
        "/c/inexistante/",
    ):
        assert clients["coordinator"].get(path).status_code == 404
    assert "Page introuvable" in clients["coordinator"].get("/c/paris-13/").content.decode()


def _named_urls(resolver, namespace=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            yield from _named_urls(pattern, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_url_of_the_app_is_in_the_matrix():
    ours = {n for n in _named_urls(get_resolver()) if n.startswith(("www:", "api-1:", "fhir:"))}
    assert ours == {row[0] for row in MATRIX}


def _funding_contract(idf):
    from maillage.funding.actions import save_contract
    from maillage.funding.rules import ensure_rule_sets
    from tests.funding.conftest import cmv_draft

    ensure_rule_sets()
    return save_contract(idf["cmv"], cmv_draft(RuleSet.objects.get(code="avenant-2")), None)
