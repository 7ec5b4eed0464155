"""Every URL × every role × own/other CPTS and own/other région → the status a user gets.

The expected statuses are generated from the access policy (`maillage.accounts.policy.RULES`):
each row names the area and action its view asks the policy about, and an actor is let through
when the policy grants its role kind with a scope that reaches the CPTS in the URL (cmv, in
Île-de-France). The completeness test fails when a URL is added without a row here, and another
when an area of the policy is never exercised: the matrix grows with the app.
"""

import copy
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.test.client import ClientHandler
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from maillage.accounts import policy
from maillage.accounts.actions import create_api_token
from maillage.accounts.models import RoleKind
from maillage.accounts.policy import READ, WRITE, Action, Area
from maillage.core.versioning import version_of
from maillage.directory.models import Partner, ProfessionalAccount
from maillage.doctor_access.models import DoctorOffer, Proposal
from maillage.funding.models import RuleSet
from maillage.lifecycle.models import Milestone
from maillage.unscheduled.models import Alternative, Booking, CalendarFeed, CareRequest, SasReport, Slot
from tests.conftest import build_idf
from tests.factories import (
    ActivityFactory,
    DoctorRequestFactory,
    ProfessionalFactory,
    RoleFactory,
    StructureFactory,
    UserFactory,
    with_check_digit,
)

# Who asks: (role kind, whether its CPTS or région is the one of the URL). The "_other" actors hold
# the same role in Paris 13 (same région, another CPTS) or in Occitanie (another région).
ACTORS = {
    "anonymous": (None, None),
    "no_role": (None, None),
    "admin": (RoleKind.ADMIN, None),
    "regional_own": (RoleKind.REGIONAL_VIEWER, True),
    "regional_other": (RoleKind.REGIONAL_VIEWER, False),
    "regional_admin_own": (RoleKind.REGIONAL_ADMIN, True),
    "regional_admin_other": (RoleKind.REGIONAL_ADMIN, False),
    "coordinator": (RoleKind.COORDINATOR, True),
    "coordinator_other": (RoleKind.COORDINATOR, False),
    "member": (RoleKind.MEMBER, True),
    "member_other": (RoleKind.MEMBER, False),
    "regulator": (RoleKind.REGULATOR, True),
    "regulator_other": (RoleKind.REGULATOR, False),
    # Issue 15: a hospital's discharge staff, invited by cmv's coordination (care requests only).
    "structure": (RoleKind.STRUCTURE, True),
    # Issue 16: a member of cmv's association off the CPTS's team (a commune's representative).
    "adherent": (RoleKind.ADHERENT, True),
    # Issue 18: a regulator of the SAS of Île-de-France (books cmv's slots from the SAS's URLs).
    "sas_regulator": (RoleKind.SAS_REGULATOR, True),
}
OWNER = "member"  # the member's account is linked to the GP who owns the slots and proposals
LOGIN = 302  # anonymous users are sent to the login page


def reaches(actor: str, area: Area, action: Action, *, anywhere: bool = False) -> bool:
    """Whether the policy lets `actor` `action` in `area` of cmv (`anywhere`: in some CPTS or région,
    for a page that is not about one, such as the creation of a CPTS)."""
    kind, own = ACTORS[actor]
    scope = policy.grants(area, action).get(kind)
    return scope == policy.ALL or (scope in (policy.OWN, policy.REGION) and (own or anywhere))


def guarded(area, action=READ, success=200, *, owner=False, api=False, anywhere=False):
    """Statuses of a URL whose view asks the policy: `success` for those it lets through (and, for an
    object that is someone's own, only its owner), 404 for every other signed-in person."""

    def expected():
        row = {}
        for actor in ACTORS:
            allowed = reaches(actor, area, action, anywhere=anywhere) and (not owner or actor == OWNER)
            row[actor] = success if allowed else 404
        row["anonymous"] = 401 if api else LOGIN
        return row

    return {"area": area, "action": action, "expected": expected}


def fixed(statuses):
    """Statuses of a URL the policy does not decide (public pages, a key, no such resource)."""
    return {"area": None, "action": None, "expected": lambda: dict(statuses)}


def everyone(status, **special):
    return fixed({**dict.fromkeys(ACTORS, status), **special})


def _not_structure(access):
    """Issue 15: the policy lets a hospital's discharge staff reach the care requests, but they see
    only those they sent (pathways/access.py): 404 on another's."""
    expected = access["expected"]
    return {**access, "expected": lambda: {**expected(), "structure": 404}}


def _adherent_only(success=200, action=READ):
    """Issue 16 — a page of the members' space that needs the person's own member of the
    association (the adherent's account is the member's; the assemblies' pages also need the member
    convened, which it is): the other roles the policy lets into the space get 404."""
    base = guarded(A.ASSOCIATION_SPACE, action, success)

    def expected():
        row = {actor: 404 if status == success else status for actor, status in base["expected"]().items()}
        return {**row, "anonymous": LOGIN, "adherent": success}

    return {**base, "expected": expected}


def _convened_only(area, action=READ, success=200):
    """Issue 16 — a page of the members' space about the assemblies: the policy lets coordinators,
    members and adherents in, but only a member of the association (the adherent, in the matrix)
    gets it; the others 404."""
    return {**guarded(area, action, success), "expected": lambda: {**everyone(404, anonymous=LOGIN)["expected"](),
                                                                   "adherent": success}}  # fmt: skip


PUBLIC = everyone(200)
SIGNED_IN = everyone(200, anonymous=LOGIN)
# Coordinators land on their CPTS's dashboard; the others (regional viewers included) read their to-do list.
LOGGED_IN = everyone(200, anonymous=LOGIN, coordinator=302, coordinator_other=302)
MATRIX_RPPS = with_check_digit("1000345678")  # the professional the `actors` fixture creates
A = Area

# (url name, method, path, access)
MATRIX = [
    ("www:home", "get", "/", PUBLIC),
    ("www:home_geojson", "get", "/carte.geojson", PUBLIC),
    ("www:public_search", "get", "/recherche/?q=vanves", PUBLIC),
    ("www:background_geojson", "get", "/fond.geojson", PUBLIC),
    # The probe needs no login; with no periodic run yet (`run_periodic` never ran) it says 503.
    ("www:healthz", "get", "/healthz", everyone(503)),
    ("www:cpts_public", "get", "/cpts/cmv/", PUBLIC),
    ("www:cpts_geojson", "get", "/cpts/cmv/carte.geojson", PUBLIC),
    ("www:home_dashboard", "get", "/espace/", LOGGED_IN),
    ("www:switch_role", "post", "/espace/role/", everyone(302)),
    ("www:api_tokens", "get", "/espace/jetons/", SIGNED_IN),
    # A token is its owner's (the member's): anyone else's revocation finds nothing.
    (
        "www:api_token_revoke",
        "post",
        "/espace/jetons/{api_token}/revoquer/",
        everyone(404, anonymous=LOGIN, member=302),
    ),
    ("www:coord_dashboard", "get", "/c/cmv/", guarded(A.COORDINATION)),
    ("www:territory_edit", "get", "/c/cmv/territoire/", guarded(A.TERRITORY)),
    ("www:territory_search", "get", "/c/cmv/territoire/recherche/?q=mont", guarded(A.TERRITORY, WRITE)),
    ("www:territory_add", "post", "/c/cmv/territoire/ajouter/", guarded(A.TERRITORY, WRITE)),
    ("www:territory_remove", "post", "/c/cmv/territoire/retirer/", guarded(A.TERRITORY, WRITE)),
    ("www:territory_contacts", "post", "/c/cmv/territoire/contacts/", guarded(A.TERRITORY, WRITE, 409)),
    ("www:audit_log", "get", "/c/cmv/journal/", guarded(A.AUDIT)),
    # The team: its coordinators only; the writes land back on the team page.
    ("www:team", "get", "/c/cmv/equipe/", guarded(A.ACCOUNTS)),
    ("www:team_invite", "post", "/c/cmv/equipe/inviter/", guarded(A.ACCOUNTS, WRITE, 302)),
    (
        "www:team_invitation_resend",
        "post",
        "/c/cmv/equipe/invitations/{invitation}/renvoyer/",
        guarded(A.ACCOUNTS, WRITE, 302),
    ),
    (
        "www:team_invitation_revoke",
        "post",
        "/c/cmv/equipe/invitations/{invitation}/annuler/",
        guarded(A.ACCOUNTS, WRITE, 302),
    ),
    ("www:team_role_change", "post", "/c/cmv/equipe/roles/{team_role}/", guarded(A.ACCOUNTS, WRITE, 302)),
    ("www:team_role_revoke", "post", "/c/cmv/equipe/roles/{team_role}/retirer/", guarded(A.ACCOUNTS, WRITE, 302)),
    ("www:team_rpps", "post", "/c/cmv/equipe/personnes/{team_person}/rpps/", guarded(A.ACCOUNTS, WRITE, 302)),
    # The link is the credential: anyone holding it reads who is invited (logged-in people to
    # another address are told to log out first).
    ("www:invitation", "get", "/invitation/{token}/", PUBLIC),
    # A new CPTS: the platform admin anywhere, a regional admin on communes of their région (the
    # form itself is open to every regional admin).
    ("www:cpts_create", "get", "/gestion/cpts/nouvelle/", guarded(A.CPTS_CREATION, anywhere=True)),
    # Without a body the form is refused (400) with its messages: reaching it is what is checked.
    ("www:cpts_create", "post", "/gestion/cpts/nouvelle/", guarded(A.CPTS_CREATION, WRITE, 400, anywhere=True)),
    # The background tasks (failed and pending emails): the platform admin only.
    ("www:platform_tasks", "get", "/plateforme/taches/", guarded(A.PLATFORM)),
    ("www:cpts_indicators", "get", "/c/cmv/indicateurs/?periode=2026-11", guarded(A.INDICATORS)),
    # An entry without a value is refused (400) with the form's message: reaching it is what is checked.
    ("www:cpts_indicators", "post", "/c/cmv/indicateurs/", guarded(A.INDICATORS, WRITE, 400)),
    ("www:directory_search", "get", "/c/cmv/annuaire/", guarded(A.DIRECTORY)),
    ("www:directory_export_csv", "get", "/c/cmv/annuaire/export.csv", guarded(A.DIRECTORY_EXPORT)),
    ("www:directory_export_xlsx", "get", "/c/cmv/annuaire/export.xlsx", guarded(A.DIRECTORY_EXPORT)),
    ("www:directory_professional", "get", f"/c/cmv/annuaire/pro/8{MATRIX_RPPS}/", guarded(A.DIRECTORY)),
    # A saved enrichment redirects to the professional's page.
    (
        "www:directory_entry_edit",
        "post",
        f"/c/cmv/annuaire/pro/8{MATRIX_RPPS}/fiche/",
        guarded(A.DIRECTORY, WRITE, 302),
    ),
    ("www:directory_public", "get", "/cpts/cmv/annuaire/", PUBLIC),
    ("www:directory_partners", "get", "/c/cmv/annuaire/partenaires/", guarded(A.DIRECTORY)),
    ("www:directory_partner_edit", "get", "/c/cmv/annuaire/partenaires/{partner}/", guarded(A.DIRECTORY, WRITE)),
    ("www:doctor_request_form", "get", "/cpts/cmv/medecin-traitant/", PUBLIC),
    ("www:doctor_request_sent", "get", "/cpts/cmv/medecin-traitant/envoyee/", PUBLIC),
    ("www:doctor_requests", "get", "/c/cmv/medecin-traitant/", guarded(A.DOCTOR_ACCESS_LIST)),
    ("www:doctor_request_new", "get", "/c/cmv/medecin-traitant/nouvelle/", guarded(A.DOCTOR_ACCESS_LIST)),
    ("www:doctor_request", "get", "/c/cmv/medecin-traitant/{mt}/", guarded(A.DOCTOR_ACCESS_LIST)),
    (
        "www:doctor_request_qualify",
        "post",
        "/c/cmv/medecin-traitant/{mt}/qualifier/",
        guarded(A.DOCTOR_ACCESS_LIST, WRITE, 302),
    ),
    # Without a target state the form is refused (400): reaching the form is what is checked.
    (
        "www:doctor_request_transition",
        "post",
        "/c/cmv/medecin-traitant/{mt}/etat/",
        guarded(A.DOCTOR_ACCESS_LIST, WRITE, 400),
    ),
    ("www:doctor_request_export", "get", "/c/cmv/medecin-traitant/{mt}/export.json", guarded(A.DOCTOR_ACCESS_LIST)),
    ("www:doctor_settings", "get", "/c/cmv/medecin-traitant/reglages/", guarded(A.DOCTOR_ACCESS_MATCHING)),
    ("www:doctor_matching", "get", "/c/cmv/medecin-traitant/appariement/", guarded(A.DOCTOR_ACCESS_MATCHING)),
    (
        "www:doctor_matching_apply",
        "post",
        "/c/cmv/medecin-traitant/appariement/appliquer/",
        guarded(A.DOCTOR_ACCESS_MATCHING, WRITE, 302),
    ),
    ("www:doctor_referral", "get", "/c/cmv/medecin-traitant/orienter/", guarded(A.DOCTOR_ACCESS_OWN)),
    ("www:doctor_space", "get", "/c/cmv/medecin-traitant/mes-patients/", guarded(A.DOCTOR_ACCESS_OWN)),
    # Only the doctor the proposal is addressed to (the member, a GP) finds it.
    (
        "www:doctor_proposal_answer",
        "post",
        "/c/cmv/medecin-traitant/propositions/{proposal}/",
        guarded(A.DOCTOR_ACCESS_OWN, WRITE, 302, owner=True),
    ),
    (
        "www:doctor_proposal_declare",
        "post",
        "/c/cmv/medecin-traitant/propositions/{proposal}/declaration/",
        guarded(A.DOCTOR_ACCESS_OWN, WRITE, 302, owner=True),
    ),
    ("www:snp_desk", "get", "/c/cmv/snp/", guarded(A.UNSCHEDULED_DESK)),
    ("www:snp_request_new", "get", "/c/cmv/snp/nouvelle/", guarded(A.UNSCHEDULED_DESK)),
    ("www:snp_request", "get", "/c/cmv/snp/{snp}/", guarded(A.UNSCHEDULED_DESK)),
    # The first regulator books the slot; the second is told it is taken: both land on the request.
    ("www:snp_book", "post", "/c/cmv/snp/{snp}/reserver/", guarded(A.UNSCHEDULED_DESK, WRITE, 302)),
    ("www:snp_unmet", "post", "/c/cmv/snp/{snp}/sans-solution/", guarded(A.UNSCHEDULED_DESK, WRITE, 302)),
    (
        "www:snp_cancel",
        "post",
        "/c/cmv/snp/reservations/{booking}/annuler/",
        guarded(A.UNSCHEDULED_DESK, WRITE, 302),
    ),
    # Issue 18 — the desk sends again an appointment report the SAS refused.
    ("www:snp_sas_retry", "post", "/c/cmv/snp/sas/{sas_report}/relancer/", guarded(A.UNSCHEDULED_DESK, WRITE, 302)),
    # The territory's alternatives to a slot (permanence des soins…), kept by the desk's team.
    ("www:snp_alternatives", "get", "/c/cmv/snp/recours/", guarded(A.UNSCHEDULED_DESK, WRITE)),
    ("www:snp_alternative_edit", "get", "/c/cmv/snp/recours/{alternative}/", guarded(A.UNSCHEDULED_DESK, WRITE)),
    (
        "www:snp_alternative_remove",
        "post",
        "/c/cmv/snp/recours/{alternative}/supprimer/",
        guarded(A.UNSCHEDULED_DESK, WRITE, 302),
    ),
    ("www:snp_slots", "get", "/c/cmv/mes-creneaux/", guarded(A.OWN_SLOTS)),
    # A slot is its professional's (the member, linked to the GP who opened it).
    ("www:snp_slot_edit", "get", "/c/cmv/mes-creneaux/{slot}/", guarded(A.OWN_SLOTS, owner=True)),
    (
        "www:snp_slot_withdraw",
        "post",
        "/c/cmv/mes-creneaux/{slot}/retirer/",
        guarded(A.OWN_SLOTS, WRITE, 302, owner=True),
    ),
    (
        "www:snp_outcome",
        "post",
        "/c/cmv/mes-creneaux/reservations/{booking}/",
        guarded(A.OWN_SLOTS, WRITE, 302, owner=True),
    ),
    ("www:snp_feed_renew", "post", "/c/cmv/mes-creneaux/agenda/", guarded(A.OWN_SLOTS, WRITE, 302, owner=True)),
    # The private calendar: its random token is the credential (calendar apps cannot log in).
    ("www:snp_ical", "get", "/agenda/{ical}.ics", PUBLIC),
    # Issue 18 — a slot's booking URL from the SAS (with the `origin` the SAS appends): the regulator
    # of the SAS of the région reads the form; a POST without a body is refused with its messages
    # (400); the confirmation sends back to the booking page whoever did not book the slot (302).
    ("www:sas_booking", "get", "/sas/cmv/rdv/{free_slot}/?depuis=sas&origin=sas", guarded(A.SAS_BOOKING)),
    ("www:sas_booking", "post", "/sas/cmv/rdv/{free_slot}/?depuis=sas", guarded(A.SAS_BOOKING, WRITE, 400)),
    ("www:sas_booking_done", "get", "/sas/cmv/rdv/{free_slot}/confirmation/", guarded(A.SAS_BOOKING, READ, 302)),
    ("www:projet_diagnostic", "get", "/c/cmv/diagnostic/", guarded(A.PROJET)),
    ("www:projet_diagnostic_xlsx", "get", "/c/cmv/diagnostic.xlsx", guarded(A.PROJET)),
    ("www:projet_home", "get", "/c/cmv/projet-de-sante/", guarded(A.PROJET)),
    ("www:projet_docx", "get", "/c/cmv/projet-de-sante/projet-de-sante.docx", guarded(A.PROJET)),
    ("www:projet_texts", "get", "/c/cmv/projet-de-sante/textes/", guarded(A.PROJET, WRITE)),
    # Without a target state (or from a draft), refused with a message on the projet's page.
    ("www:projet_move", "post", "/c/cmv/projet-de-sante/etat/", guarded(A.PROJET, WRITE, 302)),
    # The matrix's CPTS already has a projet: starting another is refused with a message (302).
    ("www:projet_start", "post", "/c/cmv/projet-de-sante/commencer/", guarded(A.PROJET, WRITE, 302)),
    ("www:projet_new_version", "post", "/c/cmv/projet-de-sante/nouvelle-version/", guarded(A.PROJET, WRITE, 302)),
    ("www:projet_fiche_new", "get", "/c/cmv/projet-de-sante/fiches/nouvelle/", guarded(A.PROJET, WRITE)),
    ("www:projet_fiche_edit", "get", "/c/cmv/projet-de-sante/fiches/{fiche}/", guarded(A.PROJET, WRITE)),
    (
        "www:projet_fiche_delete",
        "post",
        "/c/cmv/projet-de-sante/fiches/{fiche}/supprimer/",
        guarded(A.PROJET, WRITE, 302),
    ),
    ("www:coverage_overview", "get", "/couverture/", SIGNED_IN),
    ("www:coverage_region", "get", "/couverture/region/11/", guarded(A.COVERAGE)),
    ("www:coverage_region_map", "get", "/couverture/region/11/carte.geojson", guarded(A.COVERAGE)),
    ("www:coverage_region_doctor_access", "get", "/couverture/region/11/medecin-traitant/", guarded(A.COVERAGE)),
    ("www:coverage_departement", "get", "/couverture/departement/92/", guarded(A.COVERAGE)),
    ("www:coverage_departement_map", "get", "/couverture/departement/92/carte.geojson", guarded(A.COVERAGE)),
    ("www:lifecycle_timeline", "get", "/c/cmv/parcours/", guarded(A.LIFECYCLE)),
    # The library of pathway templates: coordinators and members read it; only coordinators copy,
    # edit and publish (pathways/access.py `may_edit_templates`): a member gets 404 there.
    ("www:pathway_library", "get", "/c/cmv/parcours-patients/modeles/", guarded(A.PATHWAYS)),
    ("www:pathway_template", "get", "/c/cmv/parcours-patients/modeles/{template}/", guarded(A.PATHWAYS)),
    (
        "www:pathway_template_copy",
        "post",
        "/c/cmv/parcours-patients/modeles/{library_template}/copier/",
        {
            **guarded(A.PATHWAYS, WRITE, 302),
            "expected": lambda: {**guarded(A.PATHWAYS, WRITE, 302)["expected"](), "member": 404},
        },
    ),
    (
        "www:pathway_template_edit",
        "get",
        "/c/cmv/parcours-patients/modeles/{template}/modifier/",
        {**guarded(A.PATHWAYS, WRITE), "expected": lambda: {**guarded(A.PATHWAYS, WRITE)["expected"](), "member": 404}},
    ),
    (
        "www:pathway_template_publish",
        "post",
        "/c/cmv/parcours-patients/modeles/{template}/publier/",
        {
            **guarded(A.PATHWAYS, WRITE, 302),
            "expected": lambda: {**guarded(A.PATHWAYS, WRITE, 302)["expected"](), "member": 404},
        },
    ),
    # The patients' pathways: coordinators and members reach the page; which pathways it lists is
    # pathways/access.py's (tests/pathways/test_pages.py).
    ("www:pathway_list", "get", "/c/cmv/parcours-patients/", guarded(A.PATHWAYS)),
    # A patient's pathway: the coordinator and the member (`OWNER`, on its care team) reach it and
    # its writes (the forms without a body land back on the page, 302; the confirmations are pages);
    # a professional who LEFT the care team gets 404, as anyone who never was on it.
    ("www:pathway_new", "get", "/c/cmv/parcours-patients/nouveau/", guarded(A.PATHWAYS, WRITE)),
    ("www:pathway_new", "post", "/c/cmv/parcours-patients/nouveau/", guarded(A.PATHWAYS, WRITE, 400)),
    ("www:pathway_detail", "get", "/c/cmv/parcours-patients/{pathway}/", guarded(A.PATHWAYS)),
    (
        "www:pathway_detail",
        "get",
        "/c/cmv/parcours-patients/{pathway_left}/",
        everyone(404, anonymous=LOGIN, coordinator=200),
    ),
    ("www:pathway_team_add", "post", "/c/cmv/parcours-patients/{pathway}/equipe/", guarded(A.PATHWAYS, WRITE, 302)),
    (
        "www:pathway_team_remove",
        "post",
        "/c/cmv/parcours-patients/{pathway}/equipe/{pathway_member}/retirer/",
        guarded(A.PATHWAYS, WRITE),
    ),
    ("www:pathway_task_add", "post", "/c/cmv/parcours-patients/{pathway}/taches/", guarded(A.PATHWAYS, WRITE, 302)),
    (
        "www:pathway_task_move",
        "post",
        "/c/cmv/parcours-patients/{pathway}/taches/{pathway_task}/etat/",
        guarded(A.PATHWAYS, WRITE, 302),
    ),
    (
        "www:pathway_task_assign",
        "post",
        "/c/cmv/parcours-patients/{pathway}/taches/{pathway_task}/affecter/",
        guarded(A.PATHWAYS, WRITE, 302),
    ),
    (
        "www:pathway_information",
        "post",
        "/c/cmv/parcours-patients/{pathway}/information/",
        guarded(A.PATHWAYS, WRITE, 302),
    ),
    (
        "www:pathway_withdraw",
        "post",
        "/c/cmv/parcours-patients/{pathway}/decisions/{pathway_decision}/retirer/",
        guarded(A.PATHWAYS, WRITE),
    ),
    (
        "www:pathway_alert_resolve",
        "post",
        "/c/cmv/parcours-patients/{pathway}/alertes/{pathway_alert}/resoudre/",
        guarded(A.PATHWAYS, WRITE, 302),
    ),
    # A professional who left the care team: the write URLs of that pathway answer 404 too.
    (
        "www:pathway_task_add",
        "post",
        "/c/cmv/parcours-patients/{pathway_left}/taches/",
        everyone(404, anonymous=LOGIN, coordinator=302),
    ),
    # Issue 15 — RCP. The coordinator and the member (`OWNER`, on the care team of the meeting's
    # patient) reach a meeting, its page, form, minutes; the writes without a body are refused (400)
    # or land back on the page (302); a patient's decisions need the patient's consent to sharing
    # with the coordination, which the fixture's patient did not give: the coordinator is sent back
    # to the meeting (302). The participation export is the coordination's: a member gets 404. A
    # professional who LEFT the only patient's care team gets 404, as anyone who never was on it.
    ("www:meeting_list", "get", "/c/cmv/rcp/", guarded(A.PATHWAYS)),
    ("www:meeting_new", "get", "/c/cmv/rcp/nouvelle/", guarded(A.PATHWAYS, WRITE)),
    ("www:meeting_new", "post", "/c/cmv/rcp/nouvelle/", guarded(A.PATHWAYS, WRITE, 400)),
    (
        "www:meeting_participation_csv",
        "get",
        "/c/cmv/rcp/participation.csv",
        {**guarded(A.PATHWAYS), "expected": lambda: {**guarded(A.PATHWAYS)["expected"](), "member": 404}},
    ),
    (
        "www:meeting_participation_xlsx",
        "get",
        "/c/cmv/rcp/participation.xlsx",
        {**guarded(A.PATHWAYS), "expected": lambda: {**guarded(A.PATHWAYS)["expected"](), "member": 404}},
    ),
    ("www:meeting_detail", "get", "/c/cmv/rcp/{meeting}/", guarded(A.PATHWAYS)),
    ("www:meeting_detail", "get", "/c/cmv/rcp/{meeting_left}/", everyone(404, anonymous=LOGIN, coordinator=200)),
    ("www:meeting_edit", "get", "/c/cmv/rcp/{meeting}/modifier/", guarded(A.PATHWAYS, WRITE)),
    ("www:meeting_edit", "post", "/c/cmv/rcp/{meeting}/modifier/", guarded(A.PATHWAYS, WRITE, 400)),
    (
        "www:meeting_edit",
        "get",
        "/c/cmv/rcp/{meeting_left}/modifier/",
        everyone(404, anonymous=LOGIN, coordinator=200),
    ),
    ("www:meeting_held", "get", "/c/cmv/rcp/{meeting}/tenue/", guarded(A.PATHWAYS, WRITE)),
    ("www:meeting_held", "post", "/c/cmv/rcp/{meeting}/tenue/", guarded(A.PATHWAYS, WRITE, 302)),
    ("www:meeting_state", "post", "/c/cmv/rcp/{meeting}/etat/", guarded(A.PATHWAYS, WRITE, 302)),
    (
        "www:meeting_patient",
        "get",
        "/c/cmv/rcp/{meeting}/patients/{meeting_entry}/",
        {
            **guarded(A.PATHWAYS, WRITE),
            "expected": lambda: {**guarded(A.PATHWAYS, WRITE)["expected"](), "coordinator": 302},
        },
    ),
    (
        "www:meeting_patient",
        "post",
        "/c/cmv/rcp/{meeting}/patients/{meeting_entry}/",
        {
            **guarded(A.PATHWAYS, WRITE, 302),
            "expected": lambda: {**guarded(A.PATHWAYS, WRITE, 302)["expected"](), "coordinator": 302},
        },
    ),
    ("www:meeting_minutes", "get", "/c/cmv/rcp/{meeting}/compte-rendu.docx", guarded(A.PATHWAYS)),
    (
        "www:meeting_minutes",
        "get",
        "/c/cmv/rcp/{meeting_left}/compte-rendu.docx",
        everyone(404, anonymous=LOGIN, coordinator=200),
    ),
    # Issue 15 — liaison log, « Mes alertes », pathway states. The log is clinical content: the member
    # on the team reads it; the coordinator reaches the page but, without the patient's consent to
    # sharing with the coordination, is refused it (403, and 404 for a file); a professional who left
    # the care team, or another CPTS's coordinator, gets 404.
    ("www:pathway_alerts", "get", "/c/cmv/parcours-patients/alertes/", guarded(A.PATHWAYS)),
    (
        "www:pathway_liaison",
        "get",
        "/c/cmv/parcours-patients/{pathway}/liaison/",
        {**guarded(A.PATHWAYS), "expected": lambda: {**guarded(A.PATHWAYS)["expected"](), "coordinator": 403}},
    ),
    (
        "www:pathway_liaison",
        "get",
        "/c/cmv/parcours-patients/{pathway_left}/liaison/",
        everyone(404, anonymous=LOGIN, coordinator=403),
    ),
    ("www:pathway_liaison", "post", "/c/cmv/parcours-patients/{pathway}/liaison/", guarded(A.PATHWAYS, WRITE, 400)),
    (
        "www:pathway_liaison",
        "post",
        "/c/cmv/parcours-patients/{pathway_left}/liaison/",
        everyone(404, anonymous=LOGIN, coordinator=400),
    ),
    (
        "www:pathway_liaison_file",
        "get",
        "/c/cmv/parcours-patients/{pathway}/liaison/{liaison_entry}/fichier/",
        {**guarded(A.PATHWAYS), "expected": lambda: {**guarded(A.PATHWAYS)["expected"](), "coordinator": 404}},
    ),
    (
        "www:pathway_rehospitalisation",
        "post",
        "/c/cmv/parcours-patients/{pathway}/rehospitalisation/",
        guarded(A.PATHWAYS, WRITE, 302),
    ),
    ("www:pathway_close", "post", "/c/cmv/parcours-patients/{pathway}/clore/", guarded(A.PATHWAYS, WRITE, 302)),
    ("www:pathway_reopen", "post", "/c/cmv/parcours-patients/{pathway}/rouvrir/", guarded(A.PATHWAYS, WRITE, 302)),
    (
        "www:pathway_close",
        "post",
        "/c/cmv/parcours-patients/{pathway_left}/clore/",
        everyone(404, anonymous=LOGIN, coordinator=302),
    ),
    # Issue 15 — hand-over to another CPTS: asked from the pathway (coordinator, member on the team);
    # the receiving CPTS's coordinator alone reads its requests, answers them and reads the pathways
    # shared with it (a member gets 404, as does a pathway not shared: cmv's own).
    (
        "www:pathway_handover",
        "post",
        "/c/cmv/parcours-patients/{pathway}/transmettre/",
        guarded(A.PATHWAYS, WRITE, 302),
    ),
    (
        "www:pathway_handover",
        "post",
        "/c/cmv/parcours-patients/{pathway_left}/transmettre/",
        everyone(404, anonymous=LOGIN, coordinator=302),
    ),
    (
        "www:pathway_handovers",
        "get",
        "/c/cmv/parcours-patients/transmissions/",
        {**guarded(A.PATHWAYS), "expected": lambda: {**guarded(A.PATHWAYS)["expected"](), "member": 404}},
    ),
    (
        "www:pathway_handover_answer",
        "post",
        "/c/cmv/parcours-patients/transmissions/{handover}/repondre/",
        {
            **guarded(A.PATHWAYS, WRITE, 302),
            "expected": lambda: {**guarded(A.PATHWAYS, WRITE, 302)["expected"](), "member": 404},
        },
    ),
    (
        "www:pathway_shared",
        "get",
        "/c/cmv/parcours-patients/partages/{shared_pathway}/",
        {**guarded(A.PATHWAYS), "expected": lambda: {**guarded(A.PATHWAYS)["expected"](), "member": 404}},
    ),
    ("www:pathway_shared", "get", "/c/cmv/parcours-patients/partages/{pathway}/", everyone(404, anonymous=LOGIN)),
    # Issue 15 — care requests: coordinators and members reach the pages (a member of a
    # neighbouring CPTS only the requests offered to them); which requests a person sees, and with
    # the patient's identity or not, is pathways/access.py's. `care_request` was offered to the
    # member's GP; `care_request_far` asks for a nurse (the member is out of its reach) and
    # `care_request_left` comes from the pathway whose care team the member's GP left.
    ("www:care_request_list", "get", "/c/cmv/demandes-de-prise-en-charge/", guarded(A.CARE_REQUESTS)),
    ("www:care_request_new", "get", "/c/cmv/demandes-de-prise-en-charge/nouvelle/", guarded(A.CARE_REQUESTS, WRITE)),
    (
        "www:care_request_new",
        "post",
        "/c/cmv/demandes-de-prise-en-charge/nouvelle/",
        guarded(A.CARE_REQUESTS, WRITE, 400),
    ),
    (
        "www:care_request_detail",
        "get",
        "/c/cmv/demandes-de-prise-en-charge/{care_request}/",
        _not_structure(guarded(A.CARE_REQUESTS)),
    ),
    # The request a hospital's discharge staff sent: theirs and the coordinator's, nobody else's.
    (
        "www:care_request_detail",
        "get",
        "/c/cmv/demandes-de-prise-en-charge/{care_request_structure}/",
        everyone(404, anonymous=LOGIN, coordinator=200, structure=200),
    ),
    (
        "www:care_request_cancel",
        "post",
        "/c/cmv/demandes-de-prise-en-charge/{care_request_structure}/annuler/",
        everyone(404, anonymous=LOGIN, coordinator=302, structure=302),
    ),
    (
        "www:care_request_detail",
        "get",
        "/c/cmv/demandes-de-prise-en-charge/{care_request_far}/",
        everyone(404, anonymous=LOGIN, coordinator=200),
    ),
    (
        "www:care_request_detail",
        "get",
        "/c/cmv/demandes-de-prise-en-charge/{care_request_left}/",
        everyone(404, anonymous=LOGIN, coordinator=200),
    ),
    # The coordinator is not offered it: the action refuses, and the page says so (302).
    (
        "www:care_request_accept",
        "post",
        "/c/cmv/demandes-de-prise-en-charge/{care_request}/accepter/",
        _not_structure(guarded(A.CARE_REQUESTS, WRITE, 302)),
    ),
    (
        "www:care_request_accept",
        "post",
        "/c/cmv/demandes-de-prise-en-charge/{care_request_far}/accepter/",
        everyone(404, anonymous=LOGIN, coordinator=302),
    ),
    (
        "www:care_request_accept",
        "post",
        "/c/cmv/demandes-de-prise-en-charge/{care_request_left}/accepter/",
        everyone(404, anonymous=LOGIN, coordinator=302),
    ),
    (
        "www:care_request_decline",
        "post",
        "/c/cmv/demandes-de-prise-en-charge/{care_request}/decliner/",
        _not_structure(guarded(A.CARE_REQUESTS, WRITE, 302)),
    ),
    # Widening is the coordinator's; cancelling the requester's (here the system) or the coordinator's.
    (
        "www:care_request_widen",
        "post",
        "/c/cmv/demandes-de-prise-en-charge/{care_request}/elargir/",
        {
            "area": A.CARE_REQUESTS,
            "action": WRITE,
            "expected": lambda: {**guarded(A.CARE_REQUESTS, WRITE, 302)["expected"](), "member": 404, "structure": 404},
        },
    ),
    (
        "www:care_request_cancel",
        "post",
        "/c/cmv/demandes-de-prise-en-charge/{care_request}/annuler/",
        {
            "area": A.CARE_REQUESTS,
            "action": WRITE,
            "expected": lambda: {**guarded(A.CARE_REQUESTS, WRITE, 302)["expected"](), "member": 404, "structure": 404},
        },
    ),
    # The ARS reads the filed projet and answers it; an empty answer is refused (400).
    ("www:lifecycle_ars_decision", "get", "/c/cmv/parcours/avis-ars/", guarded(A.LIFECYCLE_ARS_DECISION)),
    (
        "www:lifecycle_ars_decision",
        "post",
        "/c/cmv/parcours/avis-ars/",
        guarded(A.LIFECYCLE_ARS_DECISION, WRITE, 400),
    ),
    (
        "www:lifecycle_milestone",
        "post",
        "/c/cmv/parcours/jalons/letter_of_intent/",
        guarded(A.LIFECYCLE, WRITE, 302),
    ),
    # Without a target phase (or a file) the form is refused (400): reaching it is what is checked.
    ("www:lifecycle_phase", "post", "/c/cmv/parcours/phase/", guarded(A.LIFECYCLE, WRITE, 400)),
    (
        "www:lifecycle_document_upload",
        "post",
        "/c/cmv/parcours/documents/",
        guarded(A.LIFECYCLE_DOCUMENTS, WRITE, 400),
    ),
    ("www:lifecycle_document", "get", "/c/cmv/parcours/documents/{document}/", guarded(A.LIFECYCLE_DOCUMENTS)),
    ("www:coverage_region_cpts", "get", "/couverture/region/11/cpts/", guarded(A.COVERAGE)),
    ("www:funding", "get", "/c/cmv/financement/?annee=2025", guarded(A.FUNDING)),
    ("www:funding_contract", "get", "/c/cmv/financement/contrat/", guarded(A.FUNDING, WRITE)),
    ("www:funding_recompute", "post", "/c/cmv/financement/recalculer/", guarded(A.FUNDING, WRITE, 302)),
    ("www:funding_xlsx", "get", "/c/cmv/financement/rapport.xlsx?annee=2025", guarded(A.FUNDING)),
    ("www:funding_docx", "get", "/c/cmv/financement/rapport.docx?annee=2025", guarded(A.FUNDING)),
    ("api-1:cpts_funding", "get", "/api/v1/cpts/cmv/funding?year=2025", guarded(A.FUNDING, api=True)),
    ("api-1:communes", "get", "/api/v1/communes?q=mal", PUBLIC),
    ("api-1:commune", "get", "/api/v1/communes/92046", PUBLIC),
    ("api-1:cpts_list", "get", "/api/v1/cpts/", PUBLIC),
    ("api-1:cpts_detail", "get", "/api/v1/cpts/cmv", PUBLIC),
    ("api-1:cpts_territory", "put", "/api/v1/cpts/cmv/territoire", guarded(A.TERRITORY, WRITE, api=True)),
    ("api-1:coverage_view", "get", "/api/v1/coverage?region=11", PUBLIC),
    ("api-1:openapi-json", "get", "/api/v1/openapi.json", PUBLIC),
    ("api-1:openapi-view", "get", "/api/v1/docs", PUBLIC),
    ("api-1:api-root", "get", "/api/v1/", everyone(404)),
    # FHIR: public open data; reads of ids nobody has answer an OperationOutcome 404 to everyone.
    ("fhir:metadata", "get", "/fhir/metadata", PUBLIC),
    ("fhir:practitioner_search", "get", "/fhir/Practitioner?name=x", PUBLIC),
    ("fhir:practitioner_read", "get", "/fhir/Practitioner/899999999999", everyone(404)),
    ("fhir:practitionerrole_search", "get", "/fhir/PractitionerRole?role=10", PUBLIC),
    ("fhir:practitionerrole_read", "get", "/fhir/PractitionerRole/inconnu", everyone(404)),
    ("fhir:organization_search", "get", "/fhir/Organization?name=x", PUBLIC),
    ("fhir:organization_read", "get", "/fhir/Organization/1000000000", everyone(404)),
    # Issue 18 — the national API's POST search, its parameters in a form (read only: no CSRF token).
    ("fhir:practitioner_search_post", "post", "/fhir/Practitioner/_search?name=x", PUBLIC),
    ("fhir:practitionerrole_search_post", "post", "/fhir/PractitionerRole/_search?role=10", PUBLIC),
    ("fhir:organization_search_post", "post", "/fhir/Organization/_search?name=x", PUBLIC),
    # The SAS interface asks for a consumer's key (a bearer key, not a session): 401 to everyone without it.
    ("fhir:slot_search", "get", "/fhir/Slot?status=free", everyone(401)),
    ("fhir:sas_read", "get", "/fhir/Schedule/1-800000000000-0", everyone(401)),
    ("fhir:schedule_search", "get", "/fhir/Schedule?actor=Practitioner/800000000000", everyone(401)),
    ("fhir:unsupported", "get", "/fhir/Patient", everyone(404)),
    # Issue 15 — FHIR read of the pathways: a token or a session (anonymous: 401). A search answers
    # everyone signed in (an empty Bundle to whoever sees no pathway); a read answers what
    # pathways/access.py lets the reader open (the coordinator, the member on the care team), 404
    # otherwise — and 404 to the professional who LEFT the care team.
    ("fhir:careplan_search", "get", "/fhir/CarePlan?patient=PA-{pathway:06d}", everyone(200, anonymous=401)),
    ("fhir:careplan_read", "get", "/fhir/CarePlan/{pathway}", guarded(A.PATHWAYS, api=True)),
    ("fhir:careplan_read", "get", "/fhir/CarePlan/{pathway_left}", everyone(404, anonymous=401, coordinator=200)),
    ("fhir:careteam_search", "get", "/fhir/CareTeam?patient=PA-{pathway:06d}", everyone(200, anonymous=401)),
    ("fhir:careteam_read", "get", "/fhir/CareTeam/{pathway}", guarded(A.PATHWAYS, api=True)),
    ("fhir:careteam_read", "get", "/fhir/CareTeam/{pathway_left}", everyone(404, anonymous=401, coordinator=200)),
    ("fhir:task_search", "get", "/fhir/Task?based-on=CarePlan/{pathway}", everyone(200, anonymous=401)),
    ("fhir:task_read", "get", "/fhir/Task/{pathway_task}", guarded(A.PATHWAYS, api=True)),
    ("fhir:task_read", "get", "/fhir/Task/{pathway_left_task}", everyone(404, anonymous=401, coordinator=200)),
    ("www:indicator_detail", "get", "/c/cmv/indicateurs/cpam.depistage_sein/", guarded(A.INDICATORS)),
    # Issue 16 — the association: members, statutes, the members' space, the request to join.
    ("www:association_home", "get", "/c/cmv/association/", guarded(A.ASSOCIATION)),
    ("www:association_members", "get", "/c/cmv/association/adherents/", guarded(A.ASSOCIATION)),
    ("www:association_member_new", "get", "/c/cmv/association/adherents/nouveau/", guarded(A.ASSOCIATION, WRITE)),
    ("www:association_member", "get", "/c/cmv/association/adherents/{association_member}/", guarded(A.ASSOCIATION)),
    # Without a body the edit is refused (400) and the strike-off says why (302): reaching them is checked.
    (
        "www:association_member",
        "post",
        "/c/cmv/association/adherents/{association_member}/",
        guarded(A.ASSOCIATION, WRITE, 400),
    ),
    (
        "www:association_member_validate",
        "post",
        "/c/cmv/association/adherents/{association_applicant}/valider/",
        guarded(A.ASSOCIATION, WRITE, 302),
    ),
    (
        "www:association_member_cancel",
        "post",
        "/c/cmv/association/adherents/{association_member}/radier/",
        guarded(A.ASSOCIATION, WRITE, 302),
    ),
    ("www:association_statutes", "get", "/c/cmv/association/statuts/", guarded(A.ASSOCIATION)),
    ("www:association_statutes", "post", "/c/cmv/association/statuts/", guarded(A.ASSOCIATION, WRITE, 400)),
    ("www:member_space", "get", "/c/cmv/adherent/", guarded(A.ASSOCIATION_SPACE)),
    ("www:association_join", "get", "/cpts/cmv/adherer/", PUBLIC),
    ("www:association_join", "post", "/cpts/cmv/adherer/", everyone(400)),
    ("www:association_join_sent", "get", "/cpts/cmv/adherer/envoyee/", PUBLIC),
    # Issue 16 — fees. The coordination's pages; a member's own payments and receipts in the members'
    # space: only the adherent acts for a member of cmv (the commune), everyone else is told 404.
    ("www:association_fees", "get", "/c/cmv/association/cotisations/", guarded(A.ASSOCIATION)),
    # An empty body sets no amount for 2030 (nothing due): the write goes through.
    (
        "www:association_fee_rates",
        "post",
        "/c/cmv/association/cotisations/2030/montants/",
        guarded(A.ASSOCIATION, WRITE, 302),
    ),
    ("www:association_fee_ledger", "get", "/c/cmv/association/cotisations/2026/registre.xlsx", guarded(A.ASSOCIATION)),
    (
        "www:association_fee_settings",
        "post",
        "/c/cmv/association/cotisations/reglages/",
        guarded(A.ASSOCIATION, WRITE, 400),
    ),
    (
        "www:association_payment_new",
        "get",
        "/c/cmv/association/adherents/{association_member}/paiement/",
        guarded(A.ASSOCIATION, WRITE),
    ),
    (
        "www:association_payment_new",
        "post",
        "/c/cmv/association/adherents/{association_member}/paiement/",
        guarded(A.ASSOCIATION, WRITE, 400),
    ),
    (
        "www:association_receipt",
        "get",
        "/c/cmv/association/cotisations/paiements/{association_payment}/recu.docx",
        guarded(A.ASSOCIATION),
    ),
    ("www:member_space_fees", "get", "/c/cmv/adherent/cotisations/", everyone(404, anonymous=LOGIN, adherent=200)),
    (
        "www:member_space_receipt",
        "get",
        "/c/cmv/adherent/cotisations/{association_payment}/recu.docx",
        everyone(404, anonymous=LOGIN, adherent=200),
    ),
    # Issue 16 — general assemblies and board meetings: the coordination's pages (ASSOCIATION) on a
    # draft, a convened assembly (online vote open, a document) and a held one (its room votes, PV);
    # writes without a body are refused on the page (400) or land back on it (302). The members'
    # space (ASSOCIATION_SPACE) shows an assembly to the members convened to it: the adherent (its
    # account acts for the convened Commune de Malakoff); a coordinator or a member who is no member
    # of the association gets 404.
    ("www:association_assemblies", "get", "/c/cmv/association/assemblees/", guarded(A.ASSOCIATION)),
    ("www:association_assembly_new", "get", "/c/cmv/association/assemblees/nouvelle/", guarded(A.ASSOCIATION, WRITE)),
    (
        "www:association_assembly_new",
        "post",
        "/c/cmv/association/assemblees/nouvelle/",
        guarded(A.ASSOCIATION, WRITE, 400),
    ),
    ("www:association_assembly", "get", "/c/cmv/association/assemblees/{assembly}/", guarded(A.ASSOCIATION)),
    (
        "www:association_assembly_edit",
        "get",
        "/c/cmv/association/assemblees/{assembly_draft}/modifier/",
        guarded(A.ASSOCIATION, WRITE),
    ),
    (
        "www:association_assembly_edit",
        "post",
        "/c/cmv/association/assemblees/{assembly_draft}/modifier/",
        guarded(A.ASSOCIATION, WRITE, 400),
    ),
    (
        "www:association_assembly_items",
        "post",
        "/c/cmv/association/assemblees/{assembly_draft}/ordre-du-jour/",
        guarded(A.ASSOCIATION, WRITE, 302),
    ),
    (
        "www:association_assembly_document_add",
        "post",
        "/c/cmv/association/assemblees/{assembly}/documents/",
        guarded(A.ASSOCIATION, WRITE, 302),
    ),
    (
        "www:association_assembly_document",
        "get",
        "/c/cmv/association/assemblees/{assembly}/documents/{assembly_document}/",
        guarded(A.ASSOCIATION),
    ),
    (
        "www:association_assembly_convene",
        "post",
        "/c/cmv/association/assemblees/{assembly_draft}/convoquer/",
        guarded(A.ASSOCIATION, WRITE, 302),
    ),
    (
        "www:association_assembly_attendance",
        "get",
        "/c/cmv/association/assemblees/{assembly}/presences/",
        guarded(A.ASSOCIATION, WRITE),
    ),
    (
        "www:association_assembly_attendance",
        "post",
        "/c/cmv/association/assemblees/{assembly}/presences/",
        guarded(A.ASSOCIATION, WRITE, 400),
    ),
    (
        "www:association_assembly_state",
        "post",
        "/c/cmv/association/assemblees/{assembly}/etat/",
        guarded(A.ASSOCIATION, WRITE, 302),
    ),
    (
        "www:association_assembly_votes",
        "get",
        "/c/cmv/association/assemblees/{assembly_held}/resolutions/{assembly_held_resolution}/votes/",
        guarded(A.ASSOCIATION, WRITE),
    ),
    (
        "www:association_assembly_votes",
        "post",
        "/c/cmv/association/assemblees/{assembly_held}/resolutions/{assembly_held_resolution}/votes/",
        guarded(A.ASSOCIATION, WRITE, 400),
    ),
    (
        "www:association_assembly_minutes",
        "get",
        "/c/cmv/association/assemblees/{assembly_held}/proces-verbal.docx",
        guarded(A.ASSOCIATION),
    ),
    ("www:member_space_assemblies", "get", "/c/cmv/adherent/assemblees/", _adherent_only()),
    (
        "www:member_space_assembly",
        "get",
        "/c/cmv/adherent/assemblees/{assembly}/",
        _adherent_only(),
    ),
    (
        "www:member_space_assembly",
        "post",
        "/c/cmv/adherent/assemblees/{assembly}/",
        _adherent_only(400, WRITE),
    ),
    (
        "www:member_space_assembly_document",
        "get",
        "/c/cmv/adherent/assemblees/{assembly}/documents/{assembly_document}/",
        _adherent_only(),
    ),
    # Issue 16 — talking to members. The coordination's messages, agenda and library (Area.ASSOCIATION);
    # the members' space pages need the person's own member of the association (the adherent's; the
    # coordinator and the member roles, reaching the area without one, get 404), and a board
    # document is refused to a member who is not on the board; the public page, the public
    # documents, the feeds and the unsubscribe link need no login (a non-public document: 404).
    ("www:association_mailings", "get", "/c/cmv/association/messages/", guarded(A.ASSOCIATION)),
    ("www:association_mailing_new", "get", "/c/cmv/association/messages/nouveau/", guarded(A.ASSOCIATION, WRITE)),
    (
        "www:association_mailing_new",
        "post",
        "/c/cmv/association/messages/nouveau/",
        guarded(A.ASSOCIATION, WRITE, 400),
    ),
    ("www:association_mailing", "get", "/c/cmv/association/messages/{association_mailing}/", guarded(A.ASSOCIATION)),
    ("www:association_mailing", "get", "/c/cmv/association/messages/{association_draft}/", guarded(A.ASSOCIATION)),
    (
        "www:association_mailing_send",
        "post",
        "/c/cmv/association/messages/{association_draft}/envoyer/",
        guarded(A.ASSOCIATION, WRITE, 302),
    ),
    ("www:association_events", "get", "/c/cmv/association/agenda/", guarded(A.ASSOCIATION)),
    ("www:association_event_new", "get", "/c/cmv/association/agenda/nouveau/", guarded(A.ASSOCIATION, WRITE)),
    ("www:association_event_new", "post", "/c/cmv/association/agenda/nouveau/", guarded(A.ASSOCIATION, WRITE, 400)),
    ("www:association_event", "get", "/c/cmv/association/agenda/{association_event}/", guarded(A.ASSOCIATION)),
    (
        "www:association_event_cancel",
        "post",
        "/c/cmv/association/agenda/{association_event}/annuler/",
        guarded(A.ASSOCIATION, WRITE, 302),
    ),
    ("www:association_documents", "get", "/c/cmv/association/documents/", guarded(A.ASSOCIATION)),
    (
        "www:association_folder_new",
        "post",
        "/c/cmv/association/documents/dossiers/",
        guarded(A.ASSOCIATION, WRITE, 302),
    ),
    (
        "www:association_folder_access",
        "post",
        "/c/cmv/association/documents/dossiers/{association_folder}/lecture/",
        guarded(A.ASSOCIATION, WRITE, 302),
    ),
    (
        "www:association_document_upload",
        "post",
        "/c/cmv/association/documents/deposer/",
        guarded(A.ASSOCIATION, WRITE, 302),
    ),
    (
        "www:association_document",
        "get",
        "/c/cmv/association/documents/{association_doc_board}/fichier/",
        guarded(A.ASSOCIATION),
    ),
    (
        "www:association_document_delete",
        "post",
        "/c/cmv/association/documents/{association_doc_board}/supprimer/",
        guarded(A.ASSOCIATION, WRITE, 302),
    ),
    ("www:member_space_announcements", "get", "/c/cmv/adherent/annonces/", _adherent_only()),
    (
        "www:member_space_announcement",
        "get",
        "/c/cmv/adherent/annonces/{association_mailing}/",
        _adherent_only(),
    ),
    ("www:member_space_newsletter", "post", "/c/cmv/adherent/lettre/", _adherent_only(302, WRITE)),
    ("www:member_space_events", "get", "/c/cmv/adherent/agenda/", _adherent_only()),
    (
        "www:member_space_register",
        "post",
        "/c/cmv/adherent/agenda/{association_event}/inscription/",
        _adherent_only(302, WRITE),
    ),
    ("www:member_space_calendar", "post", "/c/cmv/adherent/agenda/adresse/", _adherent_only(302, WRITE)),
    ("www:member_space_documents", "get", "/c/cmv/adherent/documents/", _adherent_only()),
    (
        "www:member_space_document",
        "get",
        "/c/cmv/adherent/documents/{association_doc_members}/fichier/",
        _adherent_only(),
    ),
    (
        "www:member_space_document",
        "get",
        "/c/cmv/adherent/documents/{association_doc_board}/fichier/",
        everyone(404, anonymous=LOGIN),
    ),
    ("www:association_public", "get", "/cpts/cmv/association/", PUBLIC),
    (
        "www:association_public_document",
        "get",
        "/cpts/cmv/association/documents/{association_doc_public}/fichier/",
        PUBLIC,
    ),
    (
        "www:association_public_document",
        "get",
        "/cpts/cmv/association/documents/{association_doc_members}/fichier/",
        everyone(404),
    ),
    ("www:association_public_ical", "get", "/cpts/cmv/agenda.ics", PUBLIC),
    ("www:association_private_ical", "get", "/adherents/agenda/{association_ical}.ics", PUBLIC),
    ("www:association_unsubscribe", "get", "/adherents/desabonnement/{association_unsubscribe}/", PUBLIC),
    ("www:association_unsubscribe", "post", "/adherents/desabonnement/{association_unsubscribe}/", PUBLIC),
    # Issue 16 — board, representativeness report (the ARS reads it: aggregates), paid time. The
    # members' space pages answer only the person a member is linked to (the adherent), 404 otherwise.
    ("www:association_board", "get", "/c/cmv/association/conseil/", guarded(A.ASSOCIATION)),
    ("www:association_mandate_new", "get", "/c/cmv/association/conseil/nouveau/", guarded(A.ASSOCIATION, WRITE)),
    ("www:association_mandate_new", "post", "/c/cmv/association/conseil/nouveau/", guarded(A.ASSOCIATION, WRITE, 400)),
    (
        "www:association_mandate_end",
        "get",
        "/c/cmv/association/conseil/{association_mandate}/fin/",
        guarded(A.ASSOCIATION, WRITE),
    ),
    ("www:association_report", "get", "/c/cmv/association/representativite/", guarded(A.ASSOCIATION_REPORT)),
    ("www:association_report_xlsx", "get", "/c/cmv/association/representativite.xlsx", guarded(A.ASSOCIATION_REPORT)),
    ("www:association_report_docx", "get", "/c/cmv/association/representativite.docx", guarded(A.ASSOCIATION_REPORT)),
    ("www:association_time", "get", "/c/cmv/association/temps/", guarded(A.ASSOCIATION)),
    ("www:association_rate_set", "post", "/c/cmv/association/temps/tarifs/", guarded(A.ASSOCIATION, WRITE, 302)),
    ("www:association_time_new", "post", "/c/cmv/association/temps/saisir/", guarded(A.ASSOCIATION, WRITE, 400)),
    ("www:association_time_rcp", "post", "/c/cmv/association/temps/rcp/", guarded(A.ASSOCIATION, WRITE, 302)),
    (
        "www:association_time_delete",
        "post",
        "/c/cmv/association/temps/{association_time_entry}/supprimer/",
        guarded(A.ASSOCIATION, WRITE, 302),
    ),
    (
        "www:association_statement_docx",
        "get",
        "/c/cmv/association/temps/releve/{association_member}/2026.docx",
        guarded(A.ASSOCIATION),
    ),
    (
        "www:association_statement_xlsx",
        "get",
        "/c/cmv/association/temps/releve/{association_member}/2026.xlsx",
        guarded(A.ASSOCIATION),
    ),
    ("www:member_space_time", "get", "/c/cmv/adherent/temps/", _convened_only(A.ASSOCIATION_SPACE)),
    (
        "www:member_space_statement_docx",
        "get",
        "/c/cmv/adherent/temps/2026.docx",
        _convened_only(A.ASSOCIATION_SPACE),
    ),
    (
        "www:member_space_statement_xlsx",
        "get",
        "/c/cmv/adherent/temps/2026.xlsx",
        _convened_only(A.ASSOCIATION_SPACE),
    ),
    ("api-1:cpts_indicators", "get", "/api/v1/cpts/cmv/indicators?year=2025", guarded(A.INDICATORS, api=True)),
    # Issue 17 — prévention:
    ("www:prevention_campaigns", "get", "/c/cmv/prevention/", guarded(A.PREVENTION)),
    ("www:prevention_campaign_new", "get", "/c/cmv/prevention/nouvelle/", guarded(A.PREVENTION, WRITE)),
    ("www:prevention_campaign_new", "post", "/c/cmv/prevention/nouvelle/", guarded(A.PREVENTION, WRITE, 400)),
    ("www:prevention_campaign", "get", "/c/cmv/prevention/{prevention_campaign}/", guarded(A.PREVENTION)),
    (
        "www:prevention_campaign_edit",
        "get",
        "/c/cmv/prevention/{prevention_campaign}/modifier/",
        guarded(A.PREVENTION, WRITE),
    ),
    (
        "www:prevention_campaign_edit",
        "post",
        "/c/cmv/prevention/{prevention_campaign}/modifier/",
        guarded(A.PREVENTION, WRITE, 400),
    ),
    (
        "www:prevention_event_new",
        "get",
        "/c/cmv/prevention/{prevention_campaign}/actions/",
        guarded(A.PREVENTION, WRITE),
    ),
    (
        "www:prevention_event_new",
        "post",
        "/c/cmv/prevention/{prevention_campaign}/actions/",
        guarded(A.PREVENTION, WRITE, 400),
    ),
    (
        "www:prevention_campaign_report",
        "get",
        "/c/cmv/prevention/{prevention_campaign}/rapport.docx",
        guarded(A.PREVENTION),
    ),
    (
        "www:prevention_event_results",
        "get",
        "/c/cmv/prevention/actions/{prevention_event}/resultats/",
        guarded(A.PREVENTION, WRITE),
    ),
    (
        "www:prevention_event_results",
        "post",
        "/c/cmv/prevention/actions/{prevention_event}/resultats/",
        guarded(A.PREVENTION, WRITE, 302),
    ),
    ("www:prevention_public_ical", "get", "/cpts/cmv/prevention.ics", PUBLIC),
    # Issue 17 — qualité et pertinence:
    ("www:quality_home", "get", "/c/cmv/qualite/", guarded(A.QUALITY)),
    ("www:quality_groups", "get", "/c/cmv/qualite/groupes/", guarded(A.QUALITY)),
    ("www:quality_group_new", "post", "/c/cmv/qualite/groupes/nouveau/", guarded(A.QUALITY, WRITE, 302)),
    ("www:quality_group", "get", "/c/cmv/qualite/groupes/{quality_group}/", guarded(A.QUALITY)),
    (
        "www:quality_group_member_add",
        "post",
        "/c/cmv/qualite/groupes/{quality_group}/membres/",
        guarded(A.QUALITY, WRITE, 302),
    ),
    (
        "www:quality_group_member_remove",
        "post",
        "/c/cmv/qualite/groupes/membres/{quality_group_member}/retirer/",
        guarded(A.QUALITY, WRITE, 302),
    ),
    (
        "www:quality_session_new",
        "get",
        "/c/cmv/qualite/groupes/{quality_group}/seances/nouvelle/",
        guarded(A.QUALITY, WRITE),
    ),
    (
        "www:quality_session_new",
        "post",
        "/c/cmv/qualite/groupes/{quality_group}/seances/nouvelle/",
        guarded(A.QUALITY, WRITE, 400),
    ),
    ("www:quality_session", "get", "/c/cmv/qualite/seances/{quality_session}/", guarded(A.QUALITY)),
    ("www:quality_attendance", "get", "/c/cmv/qualite/presences/?annee=2026", guarded(A.QUALITY)),
    ("www:quality_protocols", "get", "/c/cmv/qualite/protocoles/", guarded(A.QUALITY)),
    ("www:quality_protocol_new", "get", "/c/cmv/qualite/protocoles/nouveau/", guarded(A.QUALITY, WRITE)),
    ("www:quality_protocol_new", "post", "/c/cmv/qualite/protocoles/nouveau/", guarded(A.QUALITY, WRITE, 400)),
    ("www:quality_protocol", "get", "/c/cmv/qualite/protocoles/{quality_protocol}/", guarded(A.QUALITY)),
    (
        "www:quality_protocol_edit",
        "get",
        "/c/cmv/qualite/protocoles/{quality_protocol_draft}/modifier/",
        guarded(A.QUALITY, WRITE),
    ),
    (
        "www:quality_protocol_edit",
        "post",
        "/c/cmv/qualite/protocoles/{quality_protocol_draft}/modifier/",
        guarded(A.QUALITY, WRITE, 400),
    ),
    (
        "www:quality_protocol_download",
        "get",
        "/c/cmv/qualite/protocoles/{quality_protocol}/fichier/",
        guarded(A.QUALITY),
    ),
    (
        "www:quality_protocol_file",
        "post",
        "/c/cmv/qualite/protocoles/{quality_protocol_draft}/deposer/",
        guarded(A.QUALITY, WRITE, 302),
    ),
    (
        "www:quality_protocol_validate",
        "post",
        "/c/cmv/qualite/protocoles/{quality_protocol_draft}/valider/",
        guarded(A.QUALITY, WRITE, 302),
    ),
    (
        "www:quality_protocol_move",
        "post",
        "/c/cmv/qualite/protocoles/{quality_protocol_draft}/etat/",
        guarded(A.QUALITY, WRITE, 302),
    ),
    (
        "www:quality_protocol_review",
        "post",
        "/c/cmv/qualite/protocoles/{quality_protocol}/revision/",
        guarded(A.QUALITY, WRITE, 302),
    ),
    (
        "www:quality_protocol_version",
        "post",
        "/c/cmv/qualite/protocoles/{quality_protocol}/nouvelle-version/",
        guarded(A.QUALITY, WRITE, 302),
    ),
    ("www:quality_events", "get", "/c/cmv/qualite/eias/", guarded(A.QUALITY)),
    ("www:quality_event", "get", "/c/cmv/qualite/eias/{quality_event}/", guarded(A.QUALITY)),
    (
        "www:quality_event_analyse",
        "post",
        "/c/cmv/qualite/eias/{quality_event}/analyse/",
        guarded(A.QUALITY, WRITE, 302),
    ),
    (
        "www:quality_event_action_new",
        "post",
        "/c/cmv/qualite/eias/{quality_event}/actions/",
        guarded(A.QUALITY, WRITE, 302),
    ),
    (
        "www:quality_event_action_done",
        "post",
        "/c/cmv/qualite/eias/actions/{quality_event_action}/faite/",
        guarded(A.QUALITY, WRITE, 302),
    ),
    # The team's side: protocols in use, the person's own groups (the member's GP is in the group:
    # 404 to everyone else), declaring an adverse event.
    ("www:quality_space", "get", "/c/cmv/qualite/espace/", guarded(A.QUALITY_SPACE)),
    (
        "www:quality_space_protocol",
        "get",
        "/c/cmv/qualite/espace/protocoles/{quality_protocol}/fichier/",
        guarded(A.QUALITY_SPACE),
    ),
    (
        "www:quality_space_group",
        "get",
        "/c/cmv/qualite/espace/groupes/{quality_group}/",
        guarded(A.QUALITY_SPACE, owner=True),
    ),
    ("www:quality_event_declare", "get", "/c/cmv/qualite/espace/eias/declarer/", guarded(A.QUALITY_SPACE, WRITE)),
    (
        "www:quality_event_declare",
        "post",
        "/c/cmv/qualite/espace/eias/declarer/",
        guarded(A.QUALITY_SPACE, WRITE, 400),
    ),
    # Issue 17 — accompagnement des professionnels:
    # The public page « S'installer sur le territoire », its map and a published offer need no login.
    ("www:support_public", "get", "/cpts/cmv/installation/", PUBLIC),
    ("www:support_map", "get", "/cpts/cmv/installation/zonage.geojson", PUBLIC),
    ("www:support_public_offer", "get", "/cpts/cmv/installation/annonces/{support_offer_published}/", PUBLIC),
    # The coordination's pages (Area.SUPPORT); an empty form is refused (400), a move says why (302).
    ("www:support_home", "get", "/c/cmv/accompagnement/", guarded(A.SUPPORT)),
    ("www:support_settings", "get", "/c/cmv/accompagnement/reglages/", guarded(A.SUPPORT)),
    ("www:support_settings", "post", "/c/cmv/accompagnement/reglages/", guarded(A.SUPPORT, WRITE, 302)),
    ("www:support_offers", "get", "/c/cmv/accompagnement/annonces/", guarded(A.SUPPORT)),
    ("www:support_offer_new", "get", "/c/cmv/accompagnement/annonces/nouvelle/", guarded(A.SUPPORT, WRITE)),
    ("www:support_offer_new", "post", "/c/cmv/accompagnement/annonces/nouvelle/", guarded(A.SUPPORT, WRITE, 400)),
    ("www:support_offer", "get", "/c/cmv/accompagnement/annonces/{support_offer}/", guarded(A.SUPPORT)),
    (
        "www:support_offer_move",
        "post",
        "/c/cmv/accompagnement/annonces/{support_offer}/etat/",
        guarded(A.SUPPORT, WRITE, 302),
    ),
    ("www:support_newcomers", "get", "/c/cmv/accompagnement/nouveaux-installes/", guarded(A.SUPPORT)),
    (
        "www:support_detect",
        "post",
        "/c/cmv/accompagnement/nouveaux-installes/rechercher/",
        guarded(A.SUPPORT, WRITE, 302),
    ),
    ("www:support_declare", "get", "/c/cmv/accompagnement/nouveaux-installes/declarer/", guarded(A.SUPPORT, WRITE)),
    (
        "www:support_declare",
        "post",
        "/c/cmv/accompagnement/nouveaux-installes/declarer/",
        guarded(A.SUPPORT, WRITE, 400),
    ),
    (
        "www:support_newcomer",
        "get",
        "/c/cmv/accompagnement/nouveaux-installes/{support_newcomer}/",
        guarded(A.SUPPORT),
    ),
    (
        "www:support_newcomer_welcome",
        "post",
        "/c/cmv/accompagnement/nouveaux-installes/{support_newcomer}/accueil/",
        guarded(A.SUPPORT, WRITE, 302),
    ),
    (
        "www:support_newcomer_move",
        "post",
        "/c/cmv/accompagnement/nouveaux-installes/{support_newcomer}/suivi/",
        guarded(A.SUPPORT, WRITE, 302),
    ),
    # Members' and communes' own offers (Area.SUPPORT_OFFERS): the submitted offer is the commune's
    # (the adherent's member): only the adherent moves it, everyone else is told 404.
    ("www:support_my_offers", "get", "/c/cmv/annonces-installation/", guarded(A.SUPPORT_OFFERS)),
    ("www:support_my_offer_new", "get", "/c/cmv/annonces-installation/nouvelle/", guarded(A.SUPPORT_OFFERS, WRITE)),
    (
        "www:support_my_offer_new",
        "post",
        "/c/cmv/annonces-installation/nouvelle/",
        guarded(A.SUPPORT_OFFERS, WRITE, 400),
    ),
    (
        "www:support_my_offer_move",
        "post",
        "/c/cmv/annonces-installation/{support_offer}/etat/",
        _convened_only(A.SUPPORT_OFFERS, WRITE, 302),
    ),
    # Issue 17 — crise: plan, activation, home follow-up, RETEX:
    ("www:crisis_home", "get", "/c/cmv/crise/", guarded(A.CRISIS)),
    ("www:crisis_plan", "get", "/c/cmv/crise/plan/", guarded(A.CRISIS)),
    ("www:crisis_plan_edit", "get", "/c/cmv/crise/plan/modifier/", guarded(A.CRISIS, WRITE)),
    # Without the version the plan was read at, the save is refused as a stale edit (409).
    ("www:crisis_plan_edit", "post", "/c/cmv/crise/plan/modifier/", guarded(A.CRISIS, WRITE, 409)),
    ("www:crisis_plan_adopt", "post", "/c/cmv/crise/plan/adopter/", guarded(A.CRISIS, WRITE, 302)),
    ("www:crisis_plan_add", "post", "/c/cmv/crise/plan/cellule/ajouter/", guarded(A.CRISIS, WRITE, 302)),
    (
        "www:crisis_plan_remove",
        "post",
        "/c/cmv/crise/plan/cellule/{crisis_cell}/retirer/",
        guarded(A.CRISIS, WRITE, 302),
    ),
    ("www:crisis_plan_docx", "get", "/c/cmv/crise/plan.docx", guarded(A.CRISIS)),
    ("www:crisis_declare", "get", "/c/cmv/crise/declarer/", guarded(A.CRISIS_DECLARE, WRITE)),
    ("www:crisis_declare", "post", "/c/cmv/crise/declarer/", guarded(A.CRISIS_DECLARE, WRITE, 400)),
    ("www:crisis_detail", "get", "/c/cmv/crise/{crisis}/", guarded(A.CRISIS_DECLARE)),
    ("www:crisis_recognise", "post", "/c/cmv/crise/{crisis}/reconnaitre/", guarded(A.CRISIS_RECOGNISE, WRITE, 302)),
    ("www:crisis_close", "post", "/c/cmv/crise/{crisis}/cloturer/", guarded(A.CRISIS_DECLARE, WRITE, 302)),
    ("www:crisis_alert", "post", "/c/cmv/crise/{crisis}/alerter/", guarded(A.CRISIS_DECLARE, WRITE, 302)),
    ("www:crisis_follow_up", "get", "/c/cmv/crise/{crisis}/suivi-a-domicile/", guarded(A.PATHWAYS)),
    ("www:crisis_retex", "get", "/c/cmv/crise/{crisis_closed}/retex/", guarded(A.CRISIS)),
    ("www:crisis_retex", "post", "/c/cmv/crise/{crisis_closed}/retex/", guarded(A.CRISIS, WRITE, 400)),
    (
        "www:crisis_retex_action",
        "post",
        "/c/cmv/crise/{crisis_closed}/retex/actions/",
        guarded(A.CRISIS, WRITE, 302),
    ),
    (
        "www:crisis_retex_done",
        "post",
        "/c/cmv/crise/{crisis_closed}/retex/actions/{crisis_retex_action}/realisee/",
        guarded(A.CRISIS, WRITE, 302),
    ),
    # Issue 17 — crise: centres and shifts, supplies, case map:
    ("www:crisis_volunteer", "get", "/c/cmv/crise/benevolat/", guarded(A.CRISIS_VOLUNTEER)),
    ("www:crisis_response", "get", "/c/cmv/crise/{response_crisis}/centres/", guarded(A.CRISIS_RESPONSE)),
    (
        "www:crisis_centre_new",
        "get",
        "/c/cmv/crise/{response_crisis}/centres/nouveau/",
        guarded(A.CRISIS_RESPONSE, WRITE),
    ),
    (
        "www:crisis_centre_new",
        "post",
        "/c/cmv/crise/{response_crisis}/centres/nouveau/",
        guarded(A.CRISIS_RESPONSE, WRITE, 400),
    ),
    ("www:crisis_hours", "get", "/c/cmv/crise/{response_crisis}/heures/", guarded(A.CRISIS_RESPONSE, WRITE)),
    ("www:crisis_hours_xlsx", "get", "/c/cmv/crise/{response_crisis}/heures.xlsx", guarded(A.CRISIS_RESPONSE, WRITE)),
    ("www:crisis_centre", "get", "/c/cmv/crise/centres/{response_centre}/", guarded(A.CRISIS_RESPONSE)),
    (
        "www:crisis_shift_new",
        "post",
        "/c/cmv/crise/centres/{response_centre}/creneaux/",
        guarded(A.CRISIS_RESPONSE, WRITE, 400),
    ),
    (
        "www:crisis_shift_signup",
        "post",
        "/c/cmv/crise/creneaux/{response_shift}/inscription/",
        guarded(A.CRISIS_VOLUNTEER, WRITE, 302),
    ),
    (
        "www:crisis_shift_enrol",
        "post",
        "/c/cmv/crise/creneaux/{response_shift}/inscrire/",
        guarded(A.CRISIS_RESPONSE, WRITE, 302),
    ),
    # The member's own sign-up (the coordinator withdraws anyone's; another member gets 404).
    (
        "www:crisis_signup_cancel",
        "post",
        "/c/cmv/crise/inscriptions/{response_signup}/retirer/",
        guarded(A.CRISIS_VOLUNTEER, WRITE, 302),
    ),
    ("www:crisis_stock", "get", "/c/cmv/crise/{response_crisis}/stocks/", guarded(A.CRISIS_RESPONSE)),
    (
        "www:crisis_stock_item",
        "post",
        "/c/cmv/crise/{response_crisis}/stocks/articles/",
        guarded(A.CRISIS_RESPONSE, WRITE, 400),
    ),
    (
        "www:crisis_stock_move",
        "post",
        "/c/cmv/crise/{response_crisis}/stocks/mouvements/",
        guarded(A.CRISIS_RESPONSE, WRITE, 400),
    ),
    ("www:crisis_cases", "get", "/c/cmv/crise/{response_crisis}/cas/", guarded(A.CRISIS_CASES)),
    ("www:crisis_cases_geojson", "get", "/c/cmv/crise/{response_crisis}/cas.geojson", guarded(A.CRISIS_CASES)),
    (
        "www:crisis_cases_enter",
        "post",
        "/c/cmv/crise/{response_crisis}/cas/saisir/",
        guarded(A.CRISIS_CASES, WRITE, 400),
    ),
    ("www:crisis_cases_import", "get", "/c/cmv/crise/{response_crisis}/cas/importer/", guarded(A.CRISIS_CASES, WRITE)),
    (
        "www:crisis_cases_import",
        "post",
        "/c/cmv/crise/{response_crisis}/cas/importer/",
        guarded(A.CRISIS_CASES, WRITE, 400),
    ),
]
# Writes that the matrix sends with a valid body, so that "200" means the write really went through.
BODIES = {
    "www:territory_add": {"code": "92049"},
    "www:territory_remove": {"code": "92020"},
    "www:directory_entry_edit": {"is_member": "on", "languages": "anglais"},
    "www:doctor_proposal_answer": {"decision": "accepter"},
    "www:snp_book": {"slot": "{free_slot}", "confirme": "1"},
    "www:snp_cancel": {"confirme": "1"},
    "www:lifecycle_milestone": {"date": "2026-10-05"},
    "www:team_invite": {"email": "nouvelle@exemple.fr", "kind": "member"},
    "www:team_role_change": {"kind": "member"},
    "www:team_rpps": {"rpps": MATRIX_RPPS},
    "www:association_rate_set": {"activity": "formation", "amount": "45,50", "since": "2026-01-01"},  # Issue 16
    "www:association_time_rcp": {"start": "2026-01-01", "end": "2026-12-31"},  # Issue 16
    "www:doctor_request_qualify": {"notes": "Rappeler le matin."},
    "www:prevention_event_results": {"people_reached": "12", "tests_distributed": "0", "vaccinations": "0"},  # Issue 17
    # Issue 17 — accompagnement des professionnels
    "www:support_settings": {"welcome_text": "Bienvenue sur le territoire !"},
    "www:support_offer_move": {"target": "published"},
    "www:support_newcomer_welcome": {"email": "nouvelle.installee@exemple.fr"},
    "www:support_newcomer_move": {"target": "joined"},
    "www:support_my_offer_move": {"target": "withdrawn"},
    "api-1:cpts_territory": {"communes": ["92020", "92046", "92075", "92049"]},
}
# The version each write's form carries (ADR 0017), read just before the request as a fresh page would.
VERSIONS = {
    "www:territory_add": lambda idf: type(idf["cmv"]).objects.get(pk=idf["cmv"].pk).territory_version,
    "www:territory_remove": lambda idf: type(idf["cmv"]).objects.get(pk=idf["cmv"].pk).territory_version,
    "api-1:cpts_territory": lambda idf: type(idf["cmv"]).objects.get(pk=idf["cmv"].pk).territory_version,
    "www:directory_entry_edit": lambda idf: 0,  # no entry yet
    "www:doctor_request_qualify": lambda idf: type(idf["mt"]).objects.get(pk=idf["mt"].pk).version,
    "www:meeting_patient": lambda idf: type(idf["meeting_entry"]).objects.get(pk=idf["meeting_entry"].pk).version,
    # Issue 17 — prévention: the results of an action held.
    "www:prevention_event_results": lambda idf: version_of(
        type(idf["prevention_event"]).objects.get(pk=idf["prevention_event"].pk)
    ),
    "www:lifecycle_milestone": lambda idf: version_of(
        Milestone.objects.filter(cpts=idf["cmv"], kind="letter_of_intent").first()
    ),
}


@pytest.fixture(scope="module")
def _matrix_media(tmp_path_factory):
    return tmp_path_factory.mktemp("matrix-media")


@pytest.fixture
def _media_in_tmp(settings, _matrix_media):
    """The module's world (its lifecycle document) lives in one media folder for the whole module."""
    settings.MEDIA_ROOT = _matrix_media


@pytest.fixture(scope="module")
def _matrix_world(django_db_setup, django_db_blocker, _matrix_media):
    """The matrix's people, objects and sessions, built once per module in a transaction of its own,
    rolled back after the module's last test. Each test (pytest-django's `db`) runs in a savepoint
    inside it, rolled back after the test: a write of one row never reaches the next."""
    outer = transaction.atomic()
    with django_db_blocker.unblock():
        outer.__enter__()
        try:
            cache = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
            with override_settings(MEDIA_ROOT=_matrix_media, CACHES=cache, DEMO_RELAX_MFA=False):
                sessions, idf = _build_world(build_idf())
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield sessions, idf, ClientHandler(enforce_csrf_checks=False)  # as Client() makes it
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def idf(db, _matrix_world):
    """In these modules, tests that ask for `idf` get the module's world (its Île-de-France in it)."""
    return dict(_matrix_world[1])


@pytest.fixture
def actors(db, _matrix_world):
    """Fresh clients on the module's sessions (no cookie, message or setting of a previous test).

    They share one request handler: a client loads the middleware at its first request, and
    WhiteNoise's then walks every static folder (about 0.1 s, for each of the 13 clients)."""
    sessions, idf, handler = _matrix_world
    return _clients(sessions, handler), dict(idf)


@pytest.fixture
def committed_actors(idf):
    """`actors` for the tests whose data a live server reads (tests/browser): the world is built
    for the test, in its own committed data, on its `idf`."""
    sessions, idf = _build_world(idf)
    return _clients(sessions), idf


def _clients(sessions, handler=None):
    clients = {"anonymous": Client()}
    for name, cookies in sessions.items():
        clients[name] = Client()
        clients[name].cookies = copy.deepcopy(cookies)
    for client in clients.values():
        client.handler = handler or client.handler
    return clients


def _build_world(idf):
    """The people (their sessions: each one's cookies) and the objects of the matrix, added to `idf`."""
    other_region = RoleFactory(regional=True, region__code="76", region__name="Occitanie")
    people = {
        "no_role": UserFactory(),
        "admin": RoleFactory(admin=True).user,
        "regional_own": RoleFactory(regional=True, region=idf["region"]).user,
        "regional_other": other_region.user,
        "regional_admin_own": RoleFactory(regional=True, kind=RoleKind.REGIONAL_ADMIN, region=idf["region"]).user,
        "regional_admin_other": RoleFactory(
            regional=True, kind=RoleKind.REGIONAL_ADMIN, region=other_region.region
        ).user,
        "coordinator": RoleFactory(coordinator=True, cpts=idf["cmv"]).user,
        "coordinator_other": RoleFactory(coordinator=True, cpts=idf["paris13"]).user,
        "member": RoleFactory(cpts=idf["cmv"]).user,
        "member_other": RoleFactory(cpts=idf["paris13"]).user,
        "regulator": RoleFactory(regulator=True, cpts=idf["cmv"]).user,
        "regulator_other": RoleFactory(regulator=True, cpts=idf["paris13"]).user,
        "structure": RoleFactory(kind=RoleKind.STRUCTURE, cpts=idf["cmv"], structure=StructureFactory()).user,
        "adherent": RoleFactory(kind=RoleKind.ADHERENT, cpts=idf["cmv"]).user,
        "sas_regulator": RoleFactory(kind=RoleKind.SAS_REGULATOR, cpts=None, region=idf["region"]).user,  # issue 18
    }
    ProfessionalFactory(identifier=MATRIX_RPPS)
    idf.update(_waiting_list(idf, people["member"], ProfessionalFactory()))
    idf["partner"] = Partner.objects.create(cpts=idf["cmv"], kind=Partner.Kind.DAC, name="DAC Hauts-de-Seine Sud")
    idf["other_partner"] = Partner.objects.create(cpts=idf["paris13"], kind=Partner.Kind.CCAS, name="CCAS Paris 13")
    idf["document"] = _lifecycle_document(idf["cmv"])
    idf["contract"] = _funding_contract(idf)
    idf["fiche"] = _fiche_action(idf["cmv"])
    idf.update(_team(idf, people))
    idf.update(_pathways(idf, people["member"]))
    idf.update(_pathway_templates(idf))
    idf.update(_meetings(idf, people["member"]))
    idf.update(_handovers(idf))  # Issue 15 — hand-over
    idf.update(_care_requests(idf, people["structure"]))
    idf.update(_association(idf, people))  # Issue 16 — the association
    idf.update(_association_fees(idf))  # Issue 16 — fees
    idf.update(_association_assemblies(idf, people))  # Issue 16 — assemblies
    idf.update(_association_comms(idf, people))  # Issue 16 — talking to members
    idf.update(_association_board(idf))  # Issue 16 — board, paid time
    # Issue 17 — prévention:
    idf.update(_prevention(idf))
    # Issue 17 — qualité et pertinence:
    idf.update(_quality(idf, people))
    # Issue 17 — accompagnement des professionnels:
    idf.update(_support(idf, people))  # Issue 17 — accompagnement des professionnels
    # Issue 17 — crise: plan, activation, home follow-up, RETEX:
    idf.update(_crisis_plan(idf))
    # Issue 17 — crise: centres and shifts, supplies, case map:
    idf.update(_crisis_response(idf, people))
    # Issue 18 — the free slot is open to the SAS regulation too (its booking page shows the form).
    Slot.objects.filter(pk=idf["free_slot"].pk).update(types=["CPTS", "SNP"])
    idf["api_token"], _ = create_api_token(
        people["member"], name="Script", scope="write", lifetime="30", second_factor=True
    )
    sessions = {}
    for name, user in people.items():
        from allauth.mfa.models import Authenticator

        Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
        client = Client()
        client.force_login(user)
        sessions[name] = client.cookies
    return sessions, idf


def _association(idf, people):
    """Issue 16: cmv's association — a current member whose account is the adherent's, and an
    application waiting for validation."""
    from maillage.association import statutes
    from maillage.association.actions.members import apply, create_member

    college = statutes.colleges(idf["cmv"]).get(code="collectivites")
    member = create_member(idf["cmv"], {
        "college": college, "kind": "legal", "legal_kind": "commune", "name": "Commune de Malakoff",
        "representative_name": "Adjointe à la santé", "representative_email": people["adherent"].email,
    }, actor=None)  # fmt: skip
    applicant = apply(idf["cmv"], {"college": college, "kind": "person", "last_name": "Blanc", "email": "b@exemple.fr"})
    return {"association_member": member, "association_applicant": applicant}


def _association_fees(idf):
    """Issue 16 — fees: the commune (the adherent's member) paid this year's fee; its receipt."""
    from maillage.association import statutes
    from maillage.association.actions.fees import PaymentDraft, current_year, record_payment, set_rates

    member = idf["association_member"]
    year = current_year(statutes.of(idf["cmv"]))
    set_rates(idf["cmv"], None, year, {member.college_id: 15000})
    draft = PaymentDraft(year=year, amount_cents=15000, paid_on=timezone.localdate(), method="transfer")
    return {"association_payment": record_payment(idf["cmv"], member, None, draft)}


def _association_assemblies(idf, people):
    """Issue 16 — assemblies of cmv's association: a draft, one convened with its online vote open
    and a PDF, one held; the adherent's member (Commune de Malakoff) is convened to them."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from maillage.association.actions import assemblies as actions
    from maillage.association.actions.votes import record_attendance
    from maillage.association.models import Member

    cmv, member = idf["cmv"], idf["association_member"]
    Member.objects.filter(pk=member.pk).update(status=Member.Status.CURRENT)
    now = timezone.now()

    def prepared(starts_at, **vote):
        draft = actions.AssemblyDraft(kind="ordinary", title="AG", starts_at=starts_at, place="Mairie", **vote)
        assembly = actions.create_assembly(cmv, draft, None)
        actions.add_agenda_item(assembly, None, title="Rapport moral")
        actions.add_resolution(assembly, None, title="Approbation des comptes")
        return assembly

    draft = actions.create_assembly(
        cmv, actions.AssemblyDraft("ordinary", "AG", now + timedelta(days=30), "Mairie"), None
    )
    convened = prepared(now + timedelta(days=20), vote_opens_at=now - timedelta(hours=1),
                        vote_closes_at=now + timedelta(days=19))  # fmt: skip
    actions.convene(convened, None)
    document = actions.attach_document(convened, None, SimpleUploadedFile("rapport.pdf", b"%PDF-1.4\n%%EOF\n"))
    held = prepared(now - timedelta(hours=1))
    actions.convene(held, None, today=timezone.localdate() - timedelta(days=20))
    record_attendance(held, None, {member.pk: ("present", None)})
    actions.hold(held, None, now=now)
    return {"assembly_draft": draft, "assembly": convened, "assembly_document": document, "assembly_held": held,
            "assembly_held_resolution": held.resolutions.get()}  # fmt: skip


def _association_comms(idf, people):
    """Issue 16 — talking to members: an announcement sent to every member, a draft, an event to
    come, a document in a public, a members' and a board folder, the adherent's calendar address
    and unsubscribe link."""
    from datetime import datetime, time

    from django.core.files.uploadedfile import SimpleUploadedFile

    from maillage.association import mailing
    from maillage.association.actions import events, library
    from maillage.association.actions.comms import MailingDraft, send_mailing, write_mailing

    cmv, member = idf["cmv"], idf["association_member"]
    sent = write_mailing(cmv, MailingDraft(kind="announcement", subject="Convocation", body="L'AG a lieu."), None)
    send_mailing(sent, None)
    draft = write_mailing(cmv, MailingDraft(kind="newsletter", subject="Lettre", body="Bonjour."), None)
    start = timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=20), time(19)))
    event = events.plan_event(cmv, events.EventDraft(kind="training", title="Formation", starts_at=start,
                                                     ends_at=start + timedelta(hours=2), place="Malakoff"), None)  # fmt: skip
    docs = {}
    for access in ("public", "members", "board"):
        folder = library.create_folder(cmv, f"Dossier {access}", access, None)
        pdf = SimpleUploadedFile(f"{access}.pdf", b"%PDF-1.4\n%%EOF\n")
        docs[f"association_doc_{access}"] = library.upload(folder, access, pdf, None)
    return {
        "association_mailing": sent,
        "association_draft": draft,
        "association_event": event,
        "association_folder": docs["association_doc_public"].folder,
        **docs,
        "association_ical": events.renew_calendar(member, None).token,
        "association_unsubscribe": mailing.unsubscribe_token(member.pk),
    }


def _association_board(idf):
    """Issue 16 — board, paid time: a member of cmv (not the adherent's: the library's « board »
    folders stay closed to the adherent) sits on the board and has time paid."""
    from datetime import date

    from maillage.association import statutes
    from maillage.association.actions.board import MandateDraft, create_mandate
    from maillage.association.actions.members import create_member
    from maillage.association.actions.time import TimeDraft, record_time, set_rate

    cmv = idf["cmv"]
    college = statutes.colleges(cmv).get(code="liberaux")
    member = create_member(cmv, {"college": college, "kind": "person", "last_name": "Garnier", "first_name": "Lise",
                                 "email": "l.garnier@exemple.fr"}, actor=None)  # fmt: skip
    today = timezone.localdate()
    draft = MandateDraft(member, "ca", "administrateur", today - timedelta(days=30), today + timedelta(days=700))
    set_rate(cmv, None, activity="rcp", amount_cents=8000, since=date(2026, 1, 1))
    entry = record_time(cmv, TimeDraft(member, "rcp", date(2026, 3, 2), 90), None)
    return {"association_mandate": create_mandate(cmv, draft, None), "association_time_entry": entry}


def _team(idf, people):
    """A pending invitation of cmv (with its link's token) and the regulator's role and account."""
    from maillage.accounts import invitations
    from maillage.accounts.models import Invitation

    token, digest = invitations.new_token()
    now = timezone.now()
    invitation = Invitation.objects.create(cpts=idf["cmv"], email="invitee@exemple.fr", kind="member",
                                           token_digest=digest, sent_at=now, expires_at=now + invitations.VALIDITY)  # fmt: skip
    regulator = people["regulator"]
    return {"invitation": invitation, "token": token, "team_role": regulator.roles.get(), "team_person": regulator}


def _pathways(idf, member):
    """Two pathways of cmv: one with the member's GP on its care team (with a task, the patient's
    decision and an alert), one whose care team the GP has left."""
    from maillage.pathways.actions.enrolment import Enrolment, Patient, enrol
    from maillage.pathways.actions.ruptures import declare_rehospitalisation
    from maillage.pathways.actions.team import remove_member
    from maillage.pathways.models import PathwayTemplate
    from tests.pathways.conftest import information

    gp = member.professional_account.professional
    today = timezone.localdate()

    def enrolled(name):
        patient = Patient(last_name=name, first_name="Jeanne", birth_date=today.replace(year=1940), sex="F",
                          commune=idf["communes"]["92046"])  # fmt: skip
        template = PathwayTemplate.objects.get(cpts=None, code="sortie-hospitalisation-personne-agee")
        return enrol(idf["cmv"], Enrolment(template=template, patient=patient, start_date=today, discharge_date=today,
                                           information=information(), team=[(gp, "gp"), (idf["partner"], "dac")]),
                     None)  # fmt: skip

    pathway, left = enrolled("Moreau"), enrolled("Lefort")
    remove_member(left.team.get(professional=gp), None)
    return {
        "pathway": pathway, "pathway_left": left, "pathway_member": pathway.team.get(partner=idf["partner"]),
        "pathway_left_task": left.tasks.first(),
        "pathway_task": pathway.tasks.first(), "pathway_decision": pathway.sharing_decisions.get(),
        "pathway_alert": declare_rehospitalisation(pathway, None, on=today),
        "liaison_entry": _liaison_entry(pathway),  # Issue 15 — liaison log
    }  # fmt: skip


def _liaison_entry(pathway):
    """An entry of the pathway's liaison log with a PDF (stored under the test's MEDIA_ROOT)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from maillage.pathways.actions.liaison import Draft, post_entry

    upload = SimpleUploadedFile("courrier.pdf", b"%PDF-1.4\n%%EOF\n")
    draft = Draft(kind="hospital_letter", occurred_on=timezone.localdate(), text="Courrier reçu.", upload=upload)
    return post_entry(pathway, None, draft)


def _handovers(idf):
    """Two pathways of Paris 13 with the patient's consent to sharing outside the team: one shared
    with cmv (accepted), one whose transfer to cmv waits for cmv's answer."""
    from maillage.pathways.actions.enrolment import Enrolment, Patient, enrol
    from maillage.pathways.actions.handover import answer_handover, request_handover
    from maillage.pathways.models import PathwayTemplate
    from maillage.pathways.states import Decision, Scope
    from tests.pathways.conftest import information

    today = timezone.localdate()
    template = PathwayTemplate.objects.get(cpts=None, code="sortie-hospitalisation-personne-agee")
    consent = {Scope.TEAM: Decision.NON_OPPOSITION, Scope.OUTSIDE: Decision.CONSENT}

    def enrolled(name):
        patient = Patient(last_name=name, first_name="Paul", birth_date=today.replace(year=1945), sex="M",
                          commune=idf["communes"]["75113"])  # fmt: skip
        enrolment = Enrolment(template=template, patient=patient, start_date=today, discharge_date=today,
                              information=information(**consent), team=[(idf["other_partner"], "dac")])  # fmt: skip
        return enrol(idf["paris13"], enrolment, None)

    shared = enrolled("Girard")
    answer_handover(request_handover(shared, None, to_cpts=idf["cmv"], kind="share"), None, accept=True)
    handover = request_handover(enrolled("Blanc"), None, to_cpts=idf["cmv"], kind="transfer")
    return {"shared_pathway": shared, "handover": handover}


def _care_requests(idf, structure_user):
    """Issue 15 — care requests of cmv: one for a GP offered to the member's GP (5 km around
    Malakoff), one for a nurse (the member is out of its reach), one from the pathway whose care
    team the member's GP left, one sent by a hospital's discharge staff."""
    from maillage.pathways.actions.requests import Need, PatientContact, create_request

    def sent(profession, pathway=None):
        need = Need(profession_code=profession, need="Visite à domicile", commune=idf["communes"]["92046"],
                    start_on=timezone.localdate() + timedelta(days=1), radius_km=5)  # fmt: skip
        return create_request(idf["cmv"], None, need, PatientContact(name="Jeanne Petit"), pathway=pathway)

    need = Need(profession_code="60", need="Soins de sortie", commune=idf["communes"]["92046"],
                start_on=timezone.localdate() + timedelta(days=1), radius_km=5)  # fmt: skip
    return {
        "care_request": sent("10"),
        "care_request_far": sent("60"),
        "care_request_left": sent("60", idf["pathway_left"]),
        "care_request_structure": create_request(idf["cmv"], structure_user, need, PatientContact(name="Paul Martin")),
    }


def _pathway_templates(idf):
    """A library template and cmv's draft copy of another one."""
    from maillage.pathways.actions.templates import copy_template
    from maillage.pathways.models import PathwayTemplate

    shared = PathwayTemplate.objects.filter(cpts=None).order_by("code")
    return {"library_template": shared[0], "template": copy_template(shared[1], idf["cmv"], None)}


def _meetings(idf, member):
    """Issue 15 — RCP: a held meeting about the member's patient (the member's GP and the DAC took
    part), and one about the patient whose care team the GP left."""
    from maillage.pathways.actions.meetings import MeetingDraft, mark_held, schedule

    gp = member.professional_account.professional
    past = timezone.now() - timedelta(hours=1)

    def meeting(pathway, people):
        return schedule(idf["cmv"], MeetingDraft(title="RCP", starts_at=past, pathways=[pathway], participants=people,
                                                 remote=True), None)  # fmt: skip

    held = mark_held(meeting(idf["pathway"], [gp, idf["partner"]]), None)
    left = meeting(idf["pathway_left"], [idf["partner"]])
    return {"meeting": held, "meeting_left": left, "meeting_entry": held.patients.get()}


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
    alternative = Alternative.objects.create(cpts=idf["cmv"], name="SOS Médecins 92", phone="3624", kind="sos")
    # Issue 18 — a report the SAS refused, which the desk may send again.
    sas_report = SasReport.objects.create(booking=booking, kind="create", status="failed", last_error="HTTP 400",
                                          appointment_system="urn:test", appointment_value="rdv-1")  # fmt: skip
    return {"alternative": alternative, "snp": request, "booking": booking, "slot": slot(soon + timedelta(hours=1)),
            "free_slot": slot(soon + timedelta(hours=2)), "ical": feed.token, "sas_report": sas_report}  # fmt: skip


def _lifecycle_document(cpts):
    """A PDF attached to cmv's letter of intent (stored under the test's MEDIA_ROOT)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from maillage.lifecycle.actions import attach_document

    return attach_document(cpts, "letter_of_intent", SimpleUploadedFile("lettre.pdf", b"%PDF-1.4\n%%EOF\n"), actor=None)


OBJECTS = ("mt", "proposal", "snp", "booking", "slot", "free_slot", "document", "fiche", "partner", "alternative")
OBJECTS += ("invitation", "team_role", "team_person")  # the team pages
OBJECTS += ("sas_report",)  # issue 18 — a refused appointment report to the SAS
OBJECTS += ("api_token",)  # the member's personal API token
OBJECTS += ("pathway", "pathway_left", "pathway_member", "pathway_task", "pathway_decision", "pathway_alert")
OBJECTS += ("pathway_left_task",)  # issue 15, FHIR read: a task of the pathway the member left
OBJECTS += ("template", "library_template")  # the pathway templates
OBJECTS += ("meeting", "meeting_left", "meeting_entry")  # issue 15 — RCP
OBJECTS += ("liaison_entry", "shared_pathway", "handover")  # Issue 15 — liaison log, hand-over
OBJECTS += ("care_request", "care_request_far", "care_request_left", "care_request_structure")  # issue 15
OBJECTS += ("association_member", "association_applicant")  # issue 16 — the association
OBJECTS += ("association_payment",)  # issue 16 — fees
OBJECTS += ("assembly", "assembly_draft", "assembly_document", "assembly_held", "assembly_held_resolution")  # issue 16
OBJECTS += ("association_mailing", "association_draft", "association_event", "association_folder")  # issue 16
OBJECTS += ("association_doc_public", "association_doc_members", "association_doc_board")  # issue 16
TEXTS = ("association_ical", "association_unsubscribe")  # issue 16: tokens in paths
OBJECTS += ("association_mandate", "association_time_entry")  # issue 16 — board, paid time
# Issue 17 — prévention:
OBJECTS += ("prevention_campaign", "prevention_event")
# Issue 17 — qualité et pertinence:
OBJECTS += ("quality_group", "quality_group_member", "quality_session", "quality_protocol", "quality_protocol_draft")
OBJECTS += ("quality_event", "quality_event_action")
# Issue 17 — accompagnement des professionnels:
OBJECTS += ("support_offer", "support_offer_published", "support_newcomer")
# Issue 17 — crise: plan, activation, home follow-up, RETEX:
OBJECTS += ("crisis", "crisis_closed", "crisis_cell", "crisis_retex_action")
# Issue 17 — crise: centres and shifts, supplies, case map:
OBJECTS += ("response_crisis", "response_centre", "response_shift", "response_signup")


def fill(path: str, idf, number=None) -> str:
    """The matrix's path with the fixture's objects in it (or `number` for every object id)."""
    # An int either way: some paths format an id (`PA-{pathway:06d}`, the FHIR patient reference).
    ids = {key: int(number) if number is not None else idf[key].pk for key in OBJECTS}
    return path.format(ical=idf["ical"], token=idf["token"], **{key: idf[key] for key in TEXTS}, **ids)


@pytest.mark.parametrize(("name", "method", "path", "access"), MATRIX, ids=[row[0] for row in MATRIX])
def test_permission_matrix(actors, name, method, path, access):
    clients, idf = actors
    path = fill(path, idf)
    got = {}
    for actor in ACTORS:
        data = {
            key: value.format(free_slot=idf["free_slot"].pk) if isinstance(value, str) else value
            for key, value in BODIES.get(name, {}).items()
        }
        if name in VERSIONS:
            data["version"] = VERSIONS[name](idf)
        if method == "put":  # the API's writes take JSON
            response = clients[actor].put(path, json.dumps(data), content_type="application/json")
        else:
            response = getattr(clients[actor], method)(path, data) if method == "post" else clients[actor].get(path)
        got[actor] = response.status_code
        if response.status_code == 200 and name in BODIES and actor == "coordinator":
            assert "message error" not in response.content.decode()
    assert got == access["expected"]()


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


def test_every_rule_of_the_policy_is_exercised_by_a_url():
    """A rule no URL asks about is either dead or a view that decides access by itself."""
    declared = {(area, action) for area, actions in policy.RULES.items() for action in actions}
    asked = {(row[3]["area"], row[3]["action"]) for row in MATRIX if row[3]["area"] is not None}
    assert declared - asked == set()


def test_a_role_of_the_policy_that_nobody_holds_is_refused():
    """The generator itself: a kind the policy grants nothing to reaches no area."""
    assert not any(reaches("no_role", area, action) for area in Area for action in Action)
    assert reaches("admin", Area.FUNDING, READ) and not reaches("admin", Area.UNSCHEDULED_DESK, READ)
    assert reaches("regional_own", Area.PROJET, READ) and not reaches("regional_other", Area.PROJET, READ)
    assert not reaches("coordinator_other", Area.PROJET, READ)


def _funding_contract(idf):
    from maillage.funding.actions import save_contract
    from maillage.funding.rules import ensure_rule_sets
    from tests.funding.conftest import cmv_draft

    ensure_rule_sets()
    return save_contract(idf["cmv"], cmv_draft(RuleSet.objects.get(code="avenant-2")), None)


# Issue 17 — prévention.
def _prevention(idf):
    """cmv's campaign running today, with an action held yesterday (its results still to record)."""
    from maillage.prevention import actions

    today = timezone.localdate()
    draft = actions.CampaignDraft(
        theme="colorectal", title="Mars bleu", objective="Dépister.",
        starts_on=today - timedelta(days=10), ends_on=today + timedelta(days=10),
    )  # fmt: skip
    campaign = actions.create_campaign(idf["cmv"], draft, None)
    event = actions.plan_event(
        campaign, actions.EventDraft(kind="stand", day=today - timedelta(days=1), place="Marché"), None
    )
    return {"prevention_campaign": campaign, "prevention_event": event}


# Issue 17 — accompagnement des professionnels
def _support(idf, people):
    """Issue 17 — accompagnement: an offer the commune (the adherent's member) submitted, one the
    coordination published, a newcomer the coordination declared."""
    from maillage.support.newcomers import Declared, declare
    from maillage.support.offers import OfferDraft, post_offer

    def draft(title, kind="cabinet"):
        return OfferDraft(kind=kind, title=title, description="Cabinet de 20 m² dans une maison de santé.",
                          profession="10-MG", commune_code="92046", contact_name="Mairie de Malakoff",
                          contact_email="sante@exemple.fr", expires_on=timezone.localdate() + timedelta(days=60))  # fmt: skip

    submitted = post_offer(idf["cmv"], draft("Cabinet médical à louer"), people["adherent"],
                           on_behalf_of=idf["association_member"])  # fmt: skip
    published = post_offer(idf["cmv"], draft("Remplacement d'été", "replacement"), None, by_coordination=True)
    newcomer = declare(idf["cmv"], Declared(last_name="Moreau", first_name="Léa", profession="Infirmière",
                                            commune_code="92020"), None)  # fmt: skip
    return {"support_offer": submitted, "support_offer_published": published, "support_newcomer": newcomer}


# Issue 17 — crise: plan, activation, home follow-up, RETEX.
def _crisis_plan(idf):
    """cmv's crisis plan with a member of its crisis cell, a crisis the CPTS declared (active, not
    recognised: the ARS's « reconnaître » is exercised) and a closed one with its RETEX and an action."""
    from datetime import date

    from maillage.crisis import activation, plan, retex

    cmv = idf["cmv"]
    cell = plan.add_part(cmv, "cellule", {"name": "Dr Martin", "function": "Médecin", "phone_day": "0102030405"}, None)
    declared = activation.Declaration(kind="epidemic", title="Grippe", starts_on=timezone.localdate(), alert=False)
    (crisis,) = activation.declare([cmv], declared, None, by_ars=False)
    past = activation.Declaration(
        kind="heatwave", title="Canicule", starts_on=date(2024, 7, 1), ends_on=date(2024, 7, 20), alert=False
    )
    (closed,) = activation.declare([cmv], past, None, by_ars=True)
    retex.save_retex(closed, held_on=date(2024, 9, 1), worked="La cellule.", did_not_work="", actor=None)
    action = retex.add_action(closed, action="Mettre à jour les numéros", owner="Coordination", due_on=None, actor=None)
    return {"crisis": crisis, "crisis_closed": closed, "crisis_cell": cell, "crisis_retex_action": action}


# Issue 17 — crise: centres and shifts, supplies, case map.
def _crisis_response(idf, people):
    """A crisis of cmv in progress with a centre, a shift to come and a past one the member signed up
    for, a stock item with a reception, a week's case counts."""
    from datetime import datetime, time

    from maillage.crisis.models import Crisis
    from maillage.crisis.response_cases import enter
    from maillage.crisis.response_centres import CentreDraft, add_shift, open_centre, sign_up
    from maillage.crisis.response_supplies import MovementDraft, add_item, move

    today = timezone.localdate()
    crisis = Crisis.objects.create(cpts=idf["cmv"], kind="epidemic", title="Épidémie", starts_on=today - timedelta(days=7),
                                   declared_by="ars", recognised_on=today - timedelta(days=7))  # fmt: skip
    centre = open_centre(
        crisis, CentreDraft("testing", "Centre de dépistage", "Mairie", today - timedelta(days=2)), None
    )
    start = timezone.make_aware(datetime.combine(today + timedelta(days=2), time(9)))
    shift = add_shift(centre, None, starts_at=start, ends_at=start + timedelta(hours=3), capacity=4, role="test")
    sign_up(shift, people["member"], None)
    # The path's sign-up is on a shift already started: withdrawing it is refused (a message and a
    # redirect, nothing deleted), so every actor of the row meets it as the first did.
    yesterday = start - timedelta(days=3)
    past = add_shift(centre, None, starts_at=yesterday, ends_at=yesterday + timedelta(hours=2), capacity=2, role="test")
    signup = sign_up(past, people["member"], None)
    item = add_item(crisis, None, name="Autotests", threshold=5)
    move(item, MovementDraft("received", 50, today), None)
    enter(crisis, None, commune_code="92046", week=today - timedelta(days=7), count=3)
    return {"response_crisis": crisis, "response_centre": centre, "response_shift": shift, "response_signup": signup}


# Issue 17 — qualité et pertinence: a GAP of cmv with the member's GP and another professional, a
# session, a protocol in use (with its file) and a draft, an adverse event with an action.
def _quality(idf, people):
    from datetime import date

    from django.core.files.uploadedfile import SimpleUploadedFile

    from maillage.quality.actions import events, groups, protocols

    cmv = idf["cmv"]
    gp = ProfessionalAccount.objects.get(user=people["member"]).professional
    nurse = ProfessionalFactory(adeli=True, profession_code="60", profession_label="Infirmier")
    ActivityFactory(professional=nurse, commune=idf["communes"]["92046"])
    group = groups.create_group(cmv, kind="gap", name="GAP Malakoff", actor=None)
    groups.add_member(group, gp)
    member = groups.add_member(group, nurse)
    today = timezone.localdate()
    session = groups.record_session(
        group, groups.SessionDraft(today, "Antibiothérapie", Decimal(2), [gp, nurse], "Une cystite récidivante."), None
    )
    draft = protocols.ProtocolDraft("Cystite simple", professions=["10", "21"], authors=[gp])
    in_use = protocols.create_protocol(cmv, draft)
    protocols.attach_file(in_use, SimpleUploadedFile("cystite.pdf", b"%PDF-1.4\n%%EOF\n"))
    protocols.validate(in_use, validators=[gp], validated_on=today, next_review_on=today + timedelta(days=700))
    protocols.move(in_use, "in_use")
    event = events.declare_event(cmv, events.EventDraft(today, "medication", "none", "Une erreur de dosage."), None)
    action = events.add_action(event, title="Relire la fiche", owner="La coordination", due_on=date(2027, 1, 31))
    return {
        "quality_group": group,
        "quality_group_member": member,
        "quality_session": session,
        "quality_protocol": in_use,
        "quality_protocol_draft": protocols.create_protocol(cmv, draft),
        "quality_event": event,
        "quality_event_action": action,
    }
