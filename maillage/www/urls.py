from django.urls import include, path

from maillage.www import health
from maillage.www.account import tokens as account_tokens
from maillage.www.account import views as account
from maillage.www.accounts_admin import cpts as cpts_admin
from maillage.www.accounts_admin import invitation as invitation_views
from maillage.www.accounts_admin import team
from maillage.www.association import assemblies as association_assemblies
from maillage.www.association import assembly_space as association_assembly_space
from maillage.www.association import board as association_board
from maillage.www.association import comms as assoc_comms
from maillage.www.association import comms_events as assoc_events
from maillage.www.association import comms_library as assoc_library
from maillage.www.association import fees as association_fees
from maillage.www.association import members as association_members
from maillage.www.association import paid_time as association_time
from maillage.www.association import public as association_public
from maillage.www.association import report as association_report
from maillage.www.association import space as association_space
from maillage.www.coordination import views as coordination
from maillage.www.directory import partners
from maillage.www.directory import public as public_directory
from maillage.www.directory import views as directory
from maillage.www.doctor_access import coordinator as mt_coordinator
from maillage.www.doctor_access import desk as mt_desk
from maillage.www.doctor_access import doctor as mt_doctor
from maillage.www.doctor_access import public as mt_public
from maillage.www.funding import views as funding
from maillage.www.indicators import views as indicators
from maillage.www.lifecycle import ars as lifecycle_ars
from maillage.www.lifecycle import region as region_lifecycle
from maillage.www.lifecycle import views as lifecycle
from maillage.www.pathways import handover as pathway_handover
from maillage.www.pathways import liaison as pathway_liaison
from maillage.www.pathways import library as pathway_library
from maillage.www.pathways import meetings as pathway_meetings
from maillage.www.pathways import pages as pathway_pages
from maillage.www.pathways import requests as care_requests
from maillage.www.pathways import states as pathway_states
from maillage.www.pathways import views as pathways
from maillage.www.platform import tasks as platform_tasks
from maillage.www.projet import views as projet
from maillage.www.public import views as public
from maillage.www.region import doctor_access as region_mt
from maillage.www.region import views as region
from maillage.www.unscheduled import alternatives as snp_alternatives
from maillage.www.unscheduled import desk as snp_desk
from maillage.www.unscheduled import sas_booking
from maillage.www.unscheduled import slots as snp_slots

app_name = "www"

urlpatterns = [
    path("", public.home, name="home"),
    path("carte.geojson", public.all_cpts_geojson, name="home_geojson"),
    path("recherche/", public.search, name="public_search"),
    path("fond.geojson", public.background_geojson, name="background_geojson"),
    path("healthz", health.healthz, name="healthz"),
    path("cpts/<slug:slug>/", public.cpts_public, name="cpts_public"),
    path("cpts/<slug:slug>/carte.geojson", public.cpts_geojson, name="cpts_geojson"),
    path("cpts/<slug:slug>/annuaire/", public_directory.directory, name="directory_public"),
    path("cpts/<slug:slug>/medecin-traitant/", mt_public.request_form, name="doctor_request_form"),
    path("cpts/<slug:slug>/medecin-traitant/envoyee/", mt_public.request_sent, name="doctor_request_sent"),
    path("espace/", account.dashboard, name="home_dashboard"),
    path("espace/role/", account.switch_role, name="switch_role"),
    path("espace/jetons/", account_tokens.tokens, name="api_tokens"),
    path("espace/jetons/<int:pk>/revoquer/", account_tokens.revoke_token, name="api_token_revoke"),
    path("c/<slug:slug>/", coordination.dashboard, name="coord_dashboard"),
    path("c/<slug:slug>/territoire/", coordination.territory_edit, name="territory_edit"),
    path("c/<slug:slug>/territoire/recherche/", coordination.territory_search, name="territory_search"),
    path("c/<slug:slug>/territoire/ajouter/", coordination.territory_add, name="territory_add"),
    path("c/<slug:slug>/territoire/retirer/", coordination.territory_remove, name="territory_remove"),
    path("c/<slug:slug>/territoire/contacts/", coordination.territory_contacts, name="territory_contacts"),
    path("c/<slug:slug>/journal/", coordination.audit_log, name="audit_log"),
    path("c/<slug:slug>/equipe/", team.team, name="team"),
    path("c/<slug:slug>/equipe/inviter/", team.invite, name="team_invite"),
    path("c/<slug:slug>/equipe/invitations/<int:pk>/renvoyer/", team.invitation_resend, name="team_invitation_resend"),
    path("c/<slug:slug>/equipe/invitations/<int:pk>/annuler/", team.invitation_revoke, name="team_invitation_revoke"),
    path("c/<slug:slug>/equipe/roles/<int:pk>/", team.role_change, name="team_role_change"),
    path("c/<slug:slug>/equipe/roles/<int:pk>/retirer/", team.role_revoke, name="team_role_revoke"),
    path("c/<slug:slug>/equipe/personnes/<int:pk>/rpps/", team.professional_link, name="team_rpps"),
    path("invitation/<str:token>/", invitation_views.invitation, name="invitation"),
    path("gestion/cpts/nouvelle/", cpts_admin.cpts_create, name="cpts_create"),
    path("plateforme/taches/", platform_tasks.tasks, name="platform_tasks"),
    path("c/<slug:slug>/indicateurs/", indicators.cpts_indicators, name="cpts_indicators"),
    path("c/<slug:slug>/annuaire/", directory.search_page, name="directory_search"),
    path("c/<slug:slug>/annuaire/export.csv", directory.export, {"file_format": "csv"}, name="directory_export_csv"),
    path("c/<slug:slug>/annuaire/export.xlsx", directory.export, {"file_format": "xlsx"}, name="directory_export_xlsx"),
    path("c/<slug:slug>/annuaire/pro/<str:national_id>/", directory.professional_page, name="directory_professional"),
    path("c/<slug:slug>/annuaire/pro/<str:national_id>/fiche/", directory.entry_edit, name="directory_entry_edit"),
    path("c/<slug:slug>/annuaire/partenaires/", partners.partner_list, name="directory_partners"),
    path("c/<slug:slug>/annuaire/partenaires/<int:pk>/", partners.partner_edit, name="directory_partner_edit"),
    path("c/<slug:slug>/medecin-traitant/", mt_desk.request_list, name="doctor_requests"),
    path("c/<slug:slug>/medecin-traitant/nouvelle/", mt_desk.request_new, name="doctor_request_new"),
    path("c/<slug:slug>/medecin-traitant/<int:pk>/", mt_desk.request_detail, name="doctor_request"),
    path("c/<slug:slug>/medecin-traitant/<int:pk>/qualifier/", mt_desk.request_qualify, name="doctor_request_qualify"),
    path("c/<slug:slug>/medecin-traitant/<int:pk>/etat/", mt_desk.request_transition, name="doctor_request_transition"),
    path("c/<slug:slug>/medecin-traitant/<int:pk>/export.json", mt_desk.request_export, name="doctor_request_export"),
    path("c/<slug:slug>/medecin-traitant/reglages/", mt_coordinator.settings_page, name="doctor_settings"),
    path("c/<slug:slug>/medecin-traitant/appariement/", mt_coordinator.matching_page, name="doctor_matching"),
    path(
        "c/<slug:slug>/medecin-traitant/appariement/appliquer/",
        mt_coordinator.matching_apply,
        name="doctor_matching_apply",
    ),
    path("c/<slug:slug>/medecin-traitant/orienter/", mt_doctor.referral, name="doctor_referral"),
    path("c/<slug:slug>/medecin-traitant/mes-patients/", mt_doctor.doctor_space, name="doctor_space"),
    path(
        "c/<slug:slug>/medecin-traitant/propositions/<int:pk>/",
        mt_doctor.proposal_answer,
        name="doctor_proposal_answer",
    ),
    path(
        "c/<slug:slug>/medecin-traitant/propositions/<int:pk>/declaration/",
        mt_doctor.proposal_declare,
        name="doctor_proposal_declare",
    ),
    path("c/<slug:slug>/snp/", snp_desk.desk_home, name="snp_desk"),
    path("c/<slug:slug>/snp/nouvelle/", snp_desk.request_new, name="snp_request_new"),
    path("c/<slug:slug>/snp/<int:pk>/", snp_desk.request_page, name="snp_request"),
    path("c/<slug:slug>/snp/<int:pk>/reserver/", snp_desk.book, name="snp_book"),
    path("c/<slug:slug>/snp/<int:pk>/sans-solution/", snp_desk.unmet, name="snp_unmet"),
    path("c/<slug:slug>/snp/reservations/<int:pk>/annuler/", snp_desk.cancel, name="snp_cancel"),
    # Issue 18 — send a refused or failed appointment report to the SAS again.
    path("c/<slug:slug>/snp/sas/<int:pk>/relancer/", snp_desk.sas_retry, name="snp_sas_retry"),
    path("c/<slug:slug>/snp/recours/", snp_alternatives.alternatives, name="snp_alternatives"),
    path("c/<slug:slug>/snp/recours/<int:pk>/", snp_alternatives.alternative_edit, name="snp_alternative_edit"),
    path(
        "c/<slug:slug>/snp/recours/<int:pk>/supprimer/",
        snp_alternatives.alternative_remove,
        name="snp_alternative_remove",
    ),
    path("c/<slug:slug>/mes-creneaux/", snp_slots.my_slots, name="snp_slots"),
    path("c/<slug:slug>/mes-creneaux/<int:pk>/", snp_slots.slot_edit, name="snp_slot_edit"),
    path("c/<slug:slug>/mes-creneaux/<int:pk>/retirer/", snp_slots.slot_withdraw, name="snp_slot_withdraw"),
    path("c/<slug:slug>/mes-creneaux/reservations/<int:pk>/", snp_slots.booking_outcome, name="snp_outcome"),
    path("c/<slug:slug>/mes-creneaux/agenda/", snp_slots.feed_renew, name="snp_feed_renew"),
    path("agenda/<str:token>.ics", snp_slots.ical, name="snp_ical"),
    # Issue 18 — a slot's booking URL in the SAS answers (Slot.comment), and its confirmation.
    path("sas/<slug:slug>/rdv/<int:pk>/", sas_booking.booking, name="sas_booking"),
    path("sas/<slug:slug>/rdv/<int:pk>/confirmation/", sas_booking.done, name="sas_booking_done"),
    path("c/<slug:slug>/diagnostic/", projet.diagnostic_page, name="projet_diagnostic"),
    path("c/<slug:slug>/diagnostic.xlsx", projet.diagnostic_xlsx, name="projet_diagnostic_xlsx"),
    path("c/<slug:slug>/projet-de-sante/", projet.projet_home, name="projet_home"),
    path("c/<slug:slug>/projet-de-sante/projet-de-sante.docx", projet.projet_docx, name="projet_docx"),
    path("c/<slug:slug>/projet-de-sante/textes/", projet.texts_edit, name="projet_texts"),
    path("c/<slug:slug>/projet-de-sante/etat/", projet.projet_move, name="projet_move"),
    path("c/<slug:slug>/projet-de-sante/commencer/", projet.projet_start, name="projet_start"),
    path("c/<slug:slug>/projet-de-sante/nouvelle-version/", projet.projet_new_version, name="projet_new_version"),
    path("c/<slug:slug>/projet-de-sante/fiches/nouvelle/", projet.fiche_new, name="projet_fiche_new"),
    path("c/<slug:slug>/projet-de-sante/fiches/<int:pk>/", projet.fiche_edit, name="projet_fiche_edit"),
    path("c/<slug:slug>/projet-de-sante/fiches/<int:pk>/supprimer/", projet.fiche_delete, name="projet_fiche_delete"),
    path("couverture/", region.overview, name="coverage_overview"),
    path("couverture/region/<str:code>/", region.region_coverage, name="coverage_region"),
    path("couverture/region/<str:code>/carte.geojson", region.region_map, name="coverage_region_map"),
    path("couverture/region/<str:code>/medecin-traitant/", region_mt.indicators, name="coverage_region_doctor_access"),
    path("couverture/departement/<str:code>/", region.departement_coverage, name="coverage_departement"),
    path("couverture/departement/<str:code>/carte.geojson", region.departement_map, name="coverage_departement_map"),
    path("c/<slug:slug>/parcours/", lifecycle.timeline, name="lifecycle_timeline"),
    # Issue 15: the library of pathway templates (members read, coordinators copy, edit, publish).
    path("c/<slug:slug>/parcours-patients/modeles/", pathway_library.library, name="pathway_library"),
    path("c/<slug:slug>/parcours-patients/modeles/<int:pk>/", pathway_library.template_detail, name="pathway_template"),
    path(
        "c/<slug:slug>/parcours-patients/modeles/<int:pk>/copier/",
        pathway_library.template_copy,
        name="pathway_template_copy",
    ),
    path(
        "c/<slug:slug>/parcours-patients/modeles/<int:pk>/modifier/",
        pathway_library.template_edit,
        name="pathway_template_edit",
    ),
    path(
        "c/<slug:slug>/parcours-patients/modeles/<int:pk>/publier/",
        pathway_library.template_publish,
        name="pathway_template_publish",
    ),
    # Issue 15: the patients' pathways (the CPTS's own steps keep /parcours/ above).
    path("c/<slug:slug>/parcours-patients/", pathways.pathway_list, name="pathway_list"),
    # Issue 15: enrolment and a patient's pathway page (team, tasks, consent, alerts).
    path("c/<slug:slug>/parcours-patients/nouveau/", pathway_pages.pathway_new, name="pathway_new"),
    path("c/<slug:slug>/parcours-patients/<int:pk>/", pathway_pages.pathway_detail, name="pathway_detail"),
    path("c/<slug:slug>/parcours-patients/<int:pk>/equipe/", pathway_pages.team_add, name="pathway_team_add"),
    path(
        "c/<slug:slug>/parcours-patients/<int:pk>/equipe/<int:member>/retirer/",
        pathway_pages.team_remove,
        name="pathway_team_remove",
    ),
    path("c/<slug:slug>/parcours-patients/<int:pk>/taches/", pathway_pages.task_add, name="pathway_task_add"),
    path(
        "c/<slug:slug>/parcours-patients/<int:pk>/taches/<int:task>/etat/",
        pathway_pages.task_move,
        name="pathway_task_move",
    ),
    path(
        "c/<slug:slug>/parcours-patients/<int:pk>/taches/<int:task>/affecter/",
        pathway_pages.task_assign,
        name="pathway_task_assign",
    ),
    path(
        "c/<slug:slug>/parcours-patients/<int:pk>/information/", pathway_pages.information, name="pathway_information"
    ),
    path(
        "c/<slug:slug>/parcours-patients/<int:pk>/decisions/<int:decision>/retirer/",
        pathway_pages.decision_withdraw,
        name="pathway_withdraw",
    ),
    path(
        "c/<slug:slug>/parcours-patients/<int:pk>/alertes/<int:alert>/resoudre/",
        pathway_pages.alert_resolve,
        name="pathway_alert_resolve",
    ),
    # Issue 15 — RCP: réunions de concertation pluriprofessionnelle (maillage/www/pathways/meetings.py).
    path("c/<slug:slug>/rcp/", pathway_meetings.meeting_list, name="meeting_list"),
    path("c/<slug:slug>/rcp/nouvelle/", pathway_meetings.meeting_new, name="meeting_new"),
    path("c/<slug:slug>/rcp/participation.csv", pathway_meetings.participation_csv, name="meeting_participation_csv"),
    path(
        "c/<slug:slug>/rcp/participation.xlsx", pathway_meetings.participation_xlsx, name="meeting_participation_xlsx"
    ),
    path("c/<slug:slug>/rcp/<int:pk>/", pathway_meetings.meeting_detail, name="meeting_detail"),
    path("c/<slug:slug>/rcp/<int:pk>/modifier/", pathway_meetings.meeting_edit, name="meeting_edit"),
    path("c/<slug:slug>/rcp/<int:pk>/tenue/", pathway_meetings.meeting_held, name="meeting_held"),
    path("c/<slug:slug>/rcp/<int:pk>/etat/", pathway_meetings.meeting_state, name="meeting_state"),
    path("c/<slug:slug>/rcp/<int:pk>/patients/<int:entry>/", pathway_meetings.meeting_patient, name="meeting_patient"),
    path("c/<slug:slug>/rcp/<int:pk>/compte-rendu.docx", pathway_meetings.meeting_minutes, name="meeting_minutes"),
    # Issue 15 — liaison log, « Mes alertes », pathway states.
    path("c/<slug:slug>/parcours-patients/alertes/", pathway_liaison.my_alerts, name="pathway_alerts"),
    path("c/<slug:slug>/parcours-patients/<int:pk>/liaison/", pathway_liaison.liaison, name="pathway_liaison"),
    path(
        "c/<slug:slug>/parcours-patients/<int:pk>/liaison/<int:entry>/fichier/",
        pathway_liaison.liaison_file,
        name="pathway_liaison_file",
    ),
    path(
        "c/<slug:slug>/parcours-patients/<int:pk>/rehospitalisation/",
        pathway_states.rehospitalisation,
        name="pathway_rehospitalisation",
    ),
    path(
        "c/<slug:slug>/parcours-patients/<int:pk>/transmettre/",
        pathway_handover.handover_request,
        name="pathway_handover",
    ),
    path("c/<slug:slug>/parcours-patients/transmissions/", pathway_handover.handovers, name="pathway_handovers"),
    path(
        "c/<slug:slug>/parcours-patients/transmissions/<int:handover>/repondre/",
        pathway_handover.handover_answer,
        name="pathway_handover_answer",
    ),
    path("c/<slug:slug>/parcours-patients/partages/<int:pk>/", pathway_handover.shared, name="pathway_shared"),
    path("c/<slug:slug>/parcours-patients/<int:pk>/clore/", pathway_states.close, name="pathway_close"),
    path("c/<slug:slug>/parcours-patients/<int:pk>/rouvrir/", pathway_states.reopen, name="pathway_reopen"),
    # Issue 15 — care requests (finding a professional for a patient).
    path("c/<slug:slug>/demandes-de-prise-en-charge/", care_requests.request_list, name="care_request_list"),
    path("c/<slug:slug>/demandes-de-prise-en-charge/nouvelle/", care_requests.request_new, name="care_request_new"),
    path(
        "c/<slug:slug>/demandes-de-prise-en-charge/<int:pk>/", care_requests.request_detail, name="care_request_detail"
    ),
    path(
        "c/<slug:slug>/demandes-de-prise-en-charge/<int:pk>/accepter/",
        care_requests.request_accept,
        name="care_request_accept",
    ),
    path(
        "c/<slug:slug>/demandes-de-prise-en-charge/<int:pk>/decliner/",
        care_requests.request_decline,
        name="care_request_decline",
    ),
    path(
        "c/<slug:slug>/demandes-de-prise-en-charge/<int:pk>/elargir/",
        care_requests.request_widen,
        name="care_request_widen",
    ),
    path(
        "c/<slug:slug>/demandes-de-prise-en-charge/<int:pk>/annuler/",
        care_requests.request_cancel,
        name="care_request_cancel",
    ),
    path("c/<slug:slug>/parcours/avis-ars/", lifecycle_ars.decision, name="lifecycle_ars_decision"),
    path("c/<slug:slug>/parcours/jalons/<str:kind>/", lifecycle.milestone, name="lifecycle_milestone"),
    path("c/<slug:slug>/parcours/phase/", lifecycle.phase, name="lifecycle_phase"),
    path("c/<slug:slug>/parcours/documents/", lifecycle.document_upload, name="lifecycle_document_upload"),
    path("c/<slug:slug>/parcours/documents/<int:pk>/", lifecycle.document, name="lifecycle_document"),
    path("couverture/region/<str:code>/cpts/", region_lifecycle.funnel, name="coverage_region_cpts"),
    path("c/<slug:slug>/indicateurs/<str:code>/", indicators.indicator_detail, name="indicator_detail"),
    path("c/<slug:slug>/financement/", funding.funding_page, name="funding"),
    path("c/<slug:slug>/financement/contrat/", funding.contract_edit, name="funding_contract"),
    path("c/<slug:slug>/financement/recalculer/", funding.recompute, name="funding_recompute"),
    path("c/<slug:slug>/financement/rapport.xlsx", funding.report_xlsx, name="funding_xlsx"),
    path("c/<slug:slug>/financement/rapport.docx", funding.report_docx, name="funding_docx"),
    # Issue 16 — the association: members, statutes, the members' space, the request to join.
    path("c/<slug:slug>/association/", association_members.home, name="association_home"),
    path("c/<slug:slug>/association/adherents/", association_members.member_list, name="association_members"),
    path("c/<slug:slug>/association/adherents/nouveau/", association_members.member_new, name="association_member_new"),
    path("c/<slug:slug>/association/adherents/<int:pk>/", association_members.member_detail, name="association_member"),
    path(
        "c/<slug:slug>/association/adherents/<int:pk>/valider/",
        association_members.member_validate,
        name="association_member_validate",
    ),
    path(
        "c/<slug:slug>/association/adherents/<int:pk>/radier/",
        association_members.member_cancel,
        name="association_member_cancel",
    ),
    path("c/<slug:slug>/association/statuts/", association_members.statutes, name="association_statutes"),
    path("c/<slug:slug>/adherent/", association_space.home, name="member_space"),
    path("cpts/<slug:slug>/adherer/", association_public.join, name="association_join"),
    path("cpts/<slug:slug>/adherer/envoyee/", association_public.join_sent, name="association_join_sent"),
    # Issue 16 — fees: the coordination's page of a year, rates, settings, payments, receipts, the
    # ledger; the member's own payments and receipts in the members' space.
    path("c/<slug:slug>/association/cotisations/", association_fees.fees_home, name="association_fees"),
    path(
        "c/<slug:slug>/association/cotisations/<int:year>/montants/",
        association_fees.fee_rates,
        name="association_fee_rates",
    ),
    path(
        "c/<slug:slug>/association/cotisations/<int:year>/registre.xlsx",
        association_fees.ledger,
        name="association_fee_ledger",
    ),
    path(
        "c/<slug:slug>/association/cotisations/reglages/",
        association_fees.fee_settings,
        name="association_fee_settings",
    ),
    path(
        "c/<slug:slug>/association/adherents/<int:pk>/paiement/",
        association_fees.payment_new,
        name="association_payment_new",
    ),
    path(
        "c/<slug:slug>/association/cotisations/paiements/<int:pk>/recu.docx",
        association_fees.receipt,
        name="association_receipt",
    ),
    path("c/<slug:slug>/adherent/cotisations/", association_fees.space_fees, name="member_space_fees"),
    path(
        "c/<slug:slug>/adherent/cotisations/<int:pk>/recu.docx",
        association_fees.space_receipt,
        name="member_space_receipt",
    ),
    # Issue 16 — general assemblies and board meetings (maillage/www/association/assemblies.py, assembly_space.py).
    path("c/<slug:slug>/association/assemblees/", association_assemblies.assembly_list, name="association_assemblies"),
    path(
        "c/<slug:slug>/association/assemblees/nouvelle/",
        association_assemblies.assembly_new,
        name="association_assembly_new",
    ),
    path(
        "c/<slug:slug>/association/assemblees/<int:pk>/",
        association_assemblies.assembly_detail,
        name="association_assembly",
    ),
    path(
        "c/<slug:slug>/association/assemblees/<int:pk>/modifier/",
        association_assemblies.assembly_edit,
        name="association_assembly_edit",
    ),
    path(
        "c/<slug:slug>/association/assemblees/<int:pk>/ordre-du-jour/",
        association_assemblies.assembly_items,
        name="association_assembly_items",
    ),
    path(
        "c/<slug:slug>/association/assemblees/<int:pk>/documents/",
        association_assemblies.document_add,
        name="association_assembly_document_add",
    ),
    path(
        "c/<slug:slug>/association/assemblees/<int:pk>/documents/<int:doc>/",
        association_assemblies.document,
        name="association_assembly_document",
    ),
    path(
        "c/<slug:slug>/association/assemblees/<int:pk>/convoquer/",
        association_assemblies.convene,
        name="association_assembly_convene",
    ),
    path(
        "c/<slug:slug>/association/assemblees/<int:pk>/presences/",
        association_assemblies.attendance,
        name="association_assembly_attendance",
    ),
    path(
        "c/<slug:slug>/association/assemblees/<int:pk>/etat/",
        association_assemblies.state,
        name="association_assembly_state",
    ),
    path(
        "c/<slug:slug>/association/assemblees/<int:pk>/resolutions/<int:resolution>/votes/",
        association_assemblies.room_votes,
        name="association_assembly_votes",
    ),
    path(
        "c/<slug:slug>/association/assemblees/<int:pk>/proces-verbal.docx",
        association_assemblies.minutes,
        name="association_assembly_minutes",
    ),
    path("c/<slug:slug>/adherent/assemblees/", association_assembly_space.assemblies, name="member_space_assemblies"),
    path(
        "c/<slug:slug>/adherent/assemblees/<int:pk>/", association_assembly_space.assembly, name="member_space_assembly"
    ),
    path(
        "c/<slug:slug>/adherent/assemblees/<int:pk>/documents/<int:doc>/",
        association_assembly_space.document,
        name="member_space_assembly_document",
    ),
    # Issue 16 — talking to members: messages, agenda, documents (coordination, members' space, public).
    path("c/<slug:slug>/association/messages/", assoc_comms.mailing_list, name="association_mailings"),
    path("c/<slug:slug>/association/messages/nouveau/", assoc_comms.mailing_new, name="association_mailing_new"),
    path("c/<slug:slug>/association/messages/<int:pk>/", assoc_comms.mailing_detail, name="association_mailing"),
    path(
        "c/<slug:slug>/association/messages/<int:pk>/envoyer/",
        assoc_comms.mailing_send,
        name="association_mailing_send",
    ),
    path("c/<slug:slug>/association/agenda/", assoc_events.event_list, name="association_events"),
    path("c/<slug:slug>/association/agenda/nouveau/", assoc_events.event_new, name="association_event_new"),
    path("c/<slug:slug>/association/agenda/<int:pk>/", assoc_events.event_detail, name="association_event"),
    path(
        "c/<slug:slug>/association/agenda/<int:pk>/annuler/",
        assoc_events.event_cancel,
        name="association_event_cancel",
    ),
    path("c/<slug:slug>/association/documents/", assoc_library.documents, name="association_documents"),
    path("c/<slug:slug>/association/documents/dossiers/", assoc_library.folder_new, name="association_folder_new"),
    path(
        "c/<slug:slug>/association/documents/dossiers/<int:pk>/lecture/",
        assoc_library.folder_access,
        name="association_folder_access",
    ),
    path(
        "c/<slug:slug>/association/documents/deposer/",
        assoc_library.document_upload,
        name="association_document_upload",
    ),
    path("c/<slug:slug>/association/documents/<int:pk>/fichier/", assoc_library.document, name="association_document"),
    path(
        "c/<slug:slug>/association/documents/<int:pk>/supprimer/",
        assoc_library.document_delete,
        name="association_document_delete",
    ),
    path("c/<slug:slug>/adherent/annonces/", assoc_comms.space_announcements, name="member_space_announcements"),
    path("c/<slug:slug>/adherent/annonces/<int:pk>/", assoc_comms.space_announcement, name="member_space_announcement"),
    path("c/<slug:slug>/adherent/lettre/", assoc_comms.space_newsletter, name="member_space_newsletter"),
    path("c/<slug:slug>/adherent/agenda/", assoc_events.space_events, name="member_space_events"),
    path(
        "c/<slug:slug>/adherent/agenda/<int:pk>/inscription/", assoc_events.space_register, name="member_space_register"
    ),
    path("c/<slug:slug>/adherent/agenda/adresse/", assoc_events.space_calendar, name="member_space_calendar"),
    path("c/<slug:slug>/adherent/documents/", assoc_library.space_documents, name="member_space_documents"),
    path(
        "c/<slug:slug>/adherent/documents/<int:pk>/fichier/", assoc_library.space_document, name="member_space_document"
    ),
    path("cpts/<slug:slug>/association/", assoc_library.public_page, name="association_public"),
    path(
        "cpts/<slug:slug>/association/documents/<int:pk>/fichier/",
        assoc_library.public_document,
        name="association_public_document",
    ),
    path("cpts/<slug:slug>/agenda.ics", assoc_events.public_ical, name="association_public_ical"),
    path("adherents/agenda/<str:token>.ics", assoc_events.private_ical, name="association_private_ical"),
    path("adherents/desabonnement/<str:token>/", assoc_comms.unsubscribe, name="association_unsubscribe"),
    # Issue 16 — board, representativeness report, paid time.
    path("c/<slug:slug>/association/conseil/", association_board.board_page, name="association_board"),
    path("c/<slug:slug>/association/conseil/nouveau/", association_board.mandate_new, name="association_mandate_new"),
    path(
        "c/<slug:slug>/association/conseil/<int:pk>/fin/", association_board.mandate_end, name="association_mandate_end"
    ),
    path("c/<slug:slug>/association/representativite/", association_report.report_page, name="association_report"),
    path(
        "c/<slug:slug>/association/representativite.xlsx",
        association_report.report_xlsx,
        name="association_report_xlsx",
    ),
    path(
        "c/<slug:slug>/association/representativite.docx",
        association_report.report_docx,
        name="association_report_docx",
    ),
    path("c/<slug:slug>/association/temps/", association_time.time_page, name="association_time"),
    path("c/<slug:slug>/association/temps/tarifs/", association_time.rate_set, name="association_rate_set"),
    path("c/<slug:slug>/association/temps/saisir/", association_time.time_new, name="association_time_new"),
    path("c/<slug:slug>/association/temps/rcp/", association_time.rcp_import, name="association_time_rcp"),
    path(
        "c/<slug:slug>/association/temps/<int:pk>/supprimer/",
        association_time.time_delete,
        name="association_time_delete",
    ),
    path(
        "c/<slug:slug>/association/temps/releve/<int:member>/<int:year>.docx",
        association_time.statement_docx,
        name="association_statement_docx",
    ),
    path(
        "c/<slug:slug>/association/temps/releve/<int:member>/<int:year>.xlsx",
        association_time.statement_xlsx,
        name="association_statement_xlsx",
    ),
    path("c/<slug:slug>/adherent/temps/", association_time.space_time, name="member_space_time"),
    path(
        "c/<slug:slug>/adherent/temps/<int:year>.docx",
        association_time.space_statement_docx,
        name="member_space_statement_docx",
    ),
    path(
        "c/<slug:slug>/adherent/temps/<int:year>.xlsx",
        association_time.space_statement_xlsx,
        name="member_space_statement_xlsx",
    ),
    # Issue 17 — the other ACI missions: each app's pages in its own module.
    path("", include("maillage.www.prevention.urls")),
    path("", include("maillage.www.quality.urls")),
    path("", include("maillage.www.support.urls")),
    path("", include("maillage.www.crisis.urls")),
]
