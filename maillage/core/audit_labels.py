"""The audit log in French: a sentence per action code, the details as words.

Every code passed to `audit.record` / `audit.record_health_read` has its sentence here
(tests/core/test_audit_labels.py reads the source and fails on a code without one). The log
keeps the codes; only what people read is translated."""

import re
from collections.abc import Mapping
from datetime import date, datetime

from django.utils import timezone

LABELS: dict[str, str] = {
    # Issue 17 — prévention
    "prevention.campaign.created": "a créé une campagne de prévention",
    "prevention.campaign.edited": "a modifié une campagne de prévention",
    "prevention.event.planned": "a ajouté une action à une campagne de prévention",
    "prevention.event.results_recorded": "a saisi les résultats d'une action de prévention",
    # Issue 17 — qualité et pertinence
    "quality.event.action_added": "a décidé une action après un événement indésirable",
    "quality.event.action_done": "a marqué faite une action d'amélioration",
    "quality.event.analysed": "a enregistré l'analyse d'un événement indésirable",
    "quality.event.declared": "a déclaré un événement indésirable associé aux soins",
    "quality.group.created": "a créé un groupe d'analyse de pratiques",
    "quality.group.member_added": "a ajouté un membre à un groupe d'analyse de pratiques",
    "quality.group.member_left": "a retiré un membre d'un groupe d'analyse de pratiques",
    "quality.protocol.created": "a créé un protocole pluriprofessionnel",
    "quality.protocol.downloaded": "a téléchargé un protocole pluriprofessionnel",
    "quality.protocol.edited": "a modifié un protocole pluriprofessionnel",
    "quality.protocol.file_attached": "a déposé le fichier d'un protocole pluriprofessionnel",
    "quality.protocol.moved": "a changé l'état d'un protocole pluriprofessionnel",
    "quality.protocol.reviewed": "a enregistré la révision d'un protocole pluriprofessionnel",
    "quality.protocol.validated": "a enregistré la validation d'un protocole pluriprofessionnel",
    "quality.review_reminders_sent": "a envoyé les rappels de révision des protocoles",
    "quality.session.recorded": "a enregistré une séance de groupe d'analyse de pratiques",
    # Issue 17 — accompagnement des professionnels
    "support.newcomer.contacted": "a noté un nouvel installé comme contacté",
    "support.newcomer.declared": "a déclaré un nouvel installé sur le territoire",
    "support.newcomer.declined": "a noté qu'un nouvel installé ne souhaite pas adhérer",
    "support.newcomer.dismissed": "a écarté un professionnel des nouveaux installés",
    "support.newcomer.joined": "a noté l'adhésion d'un nouvel installé",
    "support.newcomer.reopened": "a repris le suivi d'un nouvel installé",
    "support.newcomer.welcomed": "a envoyé l'accueil de la CPTS à un nouvel installé",
    "support.newcomers.detected": "a repéré de nouveaux installés dans l'annuaire",
    "support.offer.filled": "a marqué une annonce d'installation comme pourvue",
    "support.offer.posted": "a déposé une annonce d'installation",
    "support.offer.published": "a publié une annonce d'installation",
    "support.offer.refused": "a refusé une annonce d'installation",
    "support.offer.withdrawn": "a retiré une annonce d'installation",
    "support.settings.saved": "a modifié les réglages de l'accompagnement des professionnels",
    # Issue 17 — crise: plan, activation, home follow-up, RETEX
    "crisis.plan.saved": "a enregistré le plan de réponse aux crises sanitaires",
    "crisis.plan.part_added": "a complété le plan de réponse aux crises sanitaires",
    "crisis.plan.part_removed": "a retiré une ligne du plan de réponse aux crises sanitaires",
    "crisis.plan.adopted": "a adopté le plan de réponse aux crises sanitaires",
    "crisis.declared": "a déclaré une crise sanitaire",
    "crisis.recognised": "a reconnu une crise sanitaire (ARS)",
    "crisis.closed": "a clôturé une crise sanitaire",
    "crisis.alerted": "a alerté les adhérents d'une crise sanitaire",
    "crisis.follow_up.viewed": "a consulté les patients suivis à domicile pendant une crise",
    "crisis.retex.saved": "a enregistré le retour d'expérience d'une crise",
    "crisis.retex.action_added": "a ajouté une action au retour d'expérience d'une crise",
    "crisis.retex.action_done": "a marqué réalisée une action du retour d'expérience d'une crise",
    # Issue 17 — crise: centres and shifts, supplies, case map
    "crisis.centre.opened": "a ouvert un centre de crise",
    "crisis.shift.added": "a ajouté un créneau à un centre de crise",
    "crisis.shift.signed_up": "a inscrit un bénévole sur un créneau d'un centre de crise",
    "crisis.shift.signup_cancelled": "a retiré l'inscription d'un bénévole sur un créneau",
    "crisis.hours.exported": "a téléchargé les heures des bénévoles d'une crise",
    "crisis.supply.item_added": "a ajouté un article au stock de crise",
    "crisis.supply.moved": "a enregistré un mouvement du stock de crise",
    "crisis.cases.entered": "a saisi un nombre de cas d'une commune",
    "crisis.cases.imported": "a importé un fichier de nombres de cas par commune",
    # Issue 16 — talking to members
    "association.calendar.renewed": "a créé une nouvelle adresse de son agenda de l'association",
    "association.calendar.revoked": "a supprimé l'adresse de son agenda de l'association",
    "association.document.deleted": "a supprimé un document de l'association",
    "association.document.downloaded": "a téléchargé un document de l'association",
    "association.document.uploaded": "a déposé un document de l'association",
    "association.event.cancelled": "a annulé un événement de l'association",
    "association.event.planned": "a ajouté un événement à l'agenda de l'association",
    "association.event.registered": "a inscrit un adhérent à un événement",
    "association.event.unregistered": "a retiré l'inscription d'un adhérent à un événement",
    "association.folder.access_changed": "a changé qui peut lire un dossier de documents de l'association",
    "association.folder.created": "a créé un dossier de documents de l'association",
    "association.mailing.sent": "a envoyé un message aux adhérents",
    "association.mailing.written": "a écrit un message aux adhérents",
    "association.newsletter.resubscribed": "s'est réabonné à la lettre d'information",
    "association.newsletter.unsubscribed": "a désabonné un adhérent de la lettre d'information",
    "accounts.api_token.created": "a créé un jeton d'API",
    "accounts.api_token.revoked": "a révoqué un jeton d'API",
    "accounts.cpts.created": "a créé la CPTS et invité sa coordination",
    "accounts.invitation.accepted": "a accepté une invitation",
    "accounts.invitation.resent": "a renvoyé une invitation",
    "accounts.invitation.revoked": "a annulé une invitation",
    "accounts.invitation.sent": "a envoyé une invitation",
    "accounts.login": "s'est connecté",
    "accounts.login_failed": "a échoué à se connecter",
    "accounts.professional.linked": "a lié un compte à un professionnel du répertoire",
    "accounts.role.changed": "a changé un rôle",
    "accounts.role.granted": "a attribué un rôle",
    "accounts.role.revoked": "a retiré un rôle",
    "accounts.second_factor_reset": "a réinitialisé une double authentification",
    "accounts.user.admin_changed": "a modifié un compte depuis l'administration",
    "accounts.user.admin_created": "a créé un compte depuis l'administration",
    "core.audit.purged": "a purgé les entrées anciennes du journal",
    "directory.demo.loaded": "a chargé l'annuaire de démonstration",
    "directory.entry.updated": "a modifié une fiche de l'annuaire",
    "directory.export": "a exporté l'annuaire",
    "directory.partner.created": "a ajouté un partenaire",
    "directory.partner.updated": "a modifié un partenaire",
    "doctor_access.list.viewed": "a consulté la liste des patients en recherche de médecin traitant",
    "doctor_access.matching.applied": "a lancé l'appariement patients — médecins",
    "doctor_access.offer.saved": "a enregistré son offre de nouveaux patients",
    "doctor_access.proposal.answered": "a répondu à une proposition de patient",
    "doctor_access.proposal.expired": "a constaté l'expiration d'une proposition",
    "doctor_access.request.created": "a enregistré une demande de médecin traitant",
    "doctor_access.request.declared": "a indiqué qu'il est désormais le médecin traitant déclaré du patient",
    "doctor_access.request.exported": "a exporté la demande d'un patient",
    "doctor_access.request.qualified": "a qualifié une demande de médecin traitant",
    "doctor_access.request.transition": "a changé l'état d'une demande de médecin traitant",
    "doctor_access.request.viewed": "a consulté la demande d'un patient",
    "doctor_access.requests.anonymised": "a anonymisé les demandes closes anciennes",
    "doctor_access.settings.updated": "a modifié les réglages du médecin traitant",
    "doctor_access.weights.updated": "a modifié les priorités des patients",
    "funding.contract.created": "a enregistré le contrat ACI",
    "funding.contract.updated": "a modifié le contrat ACI",
    "funding.crisis.recorded": "a enregistré une crise sanitaire reconnue",
    "indicators.value.corrected": "a corrigé la valeur d'un indicateur",
    "indicators.value.entered": "a saisi la valeur d'un indicateur",
    "indicators.values.recorded": "a enregistré les valeurs calculées des indicateurs",
    "lifecycle.ars.decided": "a enregistré la réponse de l'ARS au projet de santé",
    "lifecycle.document.downloaded": "a téléchargé un document des étapes de la CPTS",
    "lifecycle.document.uploaded": "a déposé un document des étapes de la CPTS",
    "lifecycle.milestone.dated": "a daté une étape de la CPTS",
    "lifecycle.phase.moved": "a changé la phase de la CPTS",
    # Issue 15 — liaison log, alerts list, hand-over
    "pathways.alerts.viewed": "a consulté sa liste d'alertes des parcours des patients",
    "pathways.handover.requested": "a proposé de transmettre le parcours d'un patient à une autre CPTS",
    "pathways.handover.accepted": "a accepté la transmission du parcours d'un patient entre deux CPTS",
    "pathways.handover.declined": "a refusé la transmission du parcours d'un patient entre deux CPTS",
    "pathways.handover.ended": "a mis fin au partage du parcours d'un patient avec une autre CPTS",
    "pathways.handover.shared_viewed": "a consulté le parcours d'un patient partagé par une autre CPTS",
    "pathways.liaison.posted": "a écrit dans le journal de liaison du parcours d'un patient",
    "pathways.liaison.viewed": "a consulté le journal de liaison du parcours d'un patient",
    "pathways.liaison.file_downloaded": "a téléchargé une pièce jointe du journal de liaison d'un patient",
    # Issue 15 — care requests
    "pathways.care_request.accepted": "a accepté une demande de prise en charge d'un patient",
    "pathways.care_request.cancelled": "a annulé une demande de prise en charge",
    "pathways.care_request.created": "a envoyé une demande de prise en charge d'un patient",
    "pathways.care_request.declined": "a décliné une demande de prise en charge",
    "pathways.care_request.viewed": "a consulté une demande de prise en charge avec l'identité du patient",
    "pathways.care_request.widened": "a élargi une demande de prise en charge restée sans réponse",
    "pathways.alert.resolved": "a résolu une alerte de rupture de parcours",
    "pathways.rehospitalisation.declared": "a signalé la réhospitalisation d'un patient suivi dans un parcours",
    "pathways.information.recorded": "a enregistré l'information et les décisions de partage d'un patient",
    "pathways.pathway.enrolled": "a inscrit un patient dans un parcours",
    "pathways.pathway.transition": "a changé l'état du parcours d'un patient",
    "pathways.pathway.viewed": "a consulté le parcours d'un patient",
    # Issue 15 — FHIR read of the pathways
    "pathways.fhir.read": "a lu le parcours d'un patient par l'interface FHIR",
    "pathways.fhir.searched": "a recherché les parcours d'un patient par l'interface FHIR",
    "pathways.list.viewed": "a consulté la liste des parcours des patients",
    "pathways.sharing.withdrawn": "a enregistré le retrait d'une décision de partage d'un patient",
    "pathways.task.added": "a ajouté une tâche au parcours d'un patient",
    "pathways.task.assigned": "a confié une tâche du parcours d'un patient",
    "pathways.task.transition": "a changé l'état d'une tâche du parcours d'un patient",
    "pathways.team.added": "a ajouté un membre à l'équipe de soins d'un patient",
    "pathways.team.removed": "a retiré un membre de l'équipe de soins d'un patient",
    "pathways.template.copied": "a copié un modèle de parcours de la bibliothèque commune",
    "pathways.template.edited": "a modifié un modèle de parcours en brouillon",
    "pathways.template.published": "a publié un modèle de parcours",
    "pathways.template.version_created": "a ouvert une nouvelle version d'un modèle de parcours",
    # Issue 15 — RCP
    "pathways.meeting.cancelled": "a annulé une réunion de concertation pluriprofessionnelle",
    "pathways.meeting.edited": "a modifié une réunion de concertation pluriprofessionnelle",
    "pathways.meeting.held": "a déclaré tenue une réunion de concertation pluriprofessionnelle",
    "pathways.meeting.list_viewed": "a consulté la liste des réunions de concertation pluriprofessionnelle",
    "pathways.meeting.minutes_downloaded": "a téléchargé le compte rendu d'une réunion de concertation",
    "pathways.meeting.minutes_recorded": "a enregistré le temps passé par les participants à une RCP",
    "pathways.meeting.outcome_recorded": "a enregistré les questions ou décisions d'une RCP pour un patient",
    "pathways.meeting.participation_exported": "a exporté la participation aux RCP",
    "pathways.meeting.rescheduled": "a reprogrammé une réunion de concertation pluriprofessionnelle",
    "pathways.meeting.scheduled": "a programmé une réunion de concertation pluriprofessionnelle",
    "pathways.meeting.viewed": "a consulté une réunion de concertation pluriprofessionnelle",
    # Issue 16 — board, representativeness report, paid time
    "association.mandate.created": "a enregistré un mandat au conseil d'administration ou au bureau",
    "association.mandate.ended": "a mis fin à un mandat avant son terme",
    "association.report.downloaded": "a téléchargé le rapport de représentativité de la gouvernance",
    "association.rate.set": "a fixé un tarif horaire de rétribution",
    "association.time.recorded": "a saisi du temps rétribué d'un adhérent",
    "association.time.deleted": "a supprimé une saisie de temps rétribué",
    "association.time.rcp_imported": "a importé le temps de participation aux RCP comme temps rétribué",
    "association.time.statement": "a téléchargé un relevé annuel de temps rétribué",
    "projet.fiche.deleted": "a supprimé une fiche-action",
    "projet.fiche.saved": "a enregistré une fiche-action",
    "projet.started": "a commencé le projet de santé pré-rempli",
    "projet.status.changed": "a changé l'état du projet de santé",
    "projet.reference_densities.imported": "a importé les densités de référence",
    "projet.texts.saved": "a enregistré les textes du projet de santé",
    "projet.version.created": "a ouvert une nouvelle version du projet de santé",
    "projet.zoning.imported": "a importé le zonage",
    "territory.commune.added": "a ajouté une commune au territoire",
    "territory.commune.removed": "a retiré une commune du territoire",
    "territory.cpts.contacts_changed": "a modifié les contacts publics de la CPTS",
    "territory.cpts.created": "a créé la CPTS",
    "territory.reference.installed": "a installé les données de référence",
    "territory.set": "a défini le territoire",
    "unscheduled.alternative.added": "a ajouté un recours du territoire (garde, 15, SOS Médecins…)",
    "unscheduled.alternative.removed": "a retiré un recours du territoire",
    "unscheduled.alternative.updated": "a modifié un recours du territoire",
    "unscheduled.booking.cancelled": "a annulé un rendez-vous de soins non programmés",
    "unscheduled.booking.outcome": "a indiqué si un rendez-vous a été honoré",
    "unscheduled.bookings.viewed": "a consulté ses rendez-vous de soins non programmés",
    "unscheduled.calendar.read": "a synchronisé son agenda",
    "unscheduled.calendar.renewed": "a renouvelé l'adresse de son agenda",
    "unscheduled.list.viewed": "a consulté la liste des demandes de soins non programmés",
    "unscheduled.request.created": "a enregistré une demande de soins non programmés",
    "unscheduled.request.unmet": "a clos une demande sans solution",
    "unscheduled.request.viewed": "a consulté une demande de soins non programmés",
    "unscheduled.sas_key.created": "a créé une clé d'accès du SAS",
    "unscheduled.sas_key.reactivated": "a réactivé une clé d'accès du SAS",
    "unscheduled.sas_key.revoked": "a révoqué une clé d'accès du SAS",
    "unscheduled.sas_consumer.created": "a ajouté un client de l'interface SAS (certificat)",
    "unscheduled.sas_certificate.changed": "a modifié le certificat d'un client de l'interface SAS",
    # Issue 18 — appointment feedback to the SAS: the worker's sending (« système »), the desk's retry.
    "unscheduled.sas_report.failed": "n'a pas pu transmettre un rendez-vous au SAS",
    "unscheduled.sas_report.retried": "a relancé la transmission d'un rendez-vous au SAS",
    "unscheduled.sas_report.sent": "a transmis un rendez-vous au SAS",
    "unscheduled.slot.booked": "a réservé un créneau",
    "unscheduled.slot.opened": "a ouvert un créneau",
    "unscheduled.slot.updated": "a modifié un créneau",
    "unscheduled.slot.withdrawn": "a retiré un créneau",
    "unscheduled.template.applied": "a appliqué sa semaine type",
    "unscheduled.template.saved": "a enregistré sa semaine type",
    # Issue 16 — the association: members
    "association.member_account": "a relié un compte à un adhérent",
    "association.member_applied": "a demandé à adhérer à l'association",
    "association.member_cancelled": "a radié un adhérent",
    "association.member_created": "a enregistré un adhérent",
    "association.member_updated": "a modifié la fiche d'un adhérent",
    "association.member_validated": "a validé une demande d'adhésion",
    "association.statutes_updated": "a modifié les règles des statuts de l'association",
    "association.statuses_recomputed": "a recalculé l'état des adhésions",
    # Issue 16 — the association: fees
    "association.fee_rates_set": "a fixé les cotisations des collèges",
    "association.fee_settings_saved": "a modifié les réglages des cotisations",
    "association.payment_recorded": "a enregistré le paiement d'une cotisation",
    "association.fee_reminders_sent": "a envoyé des rappels de cotisation",
    # Issue 16 — general assemblies and board meetings
    "association.assembly.created": "a préparé une assemblée",
    "association.assembly.edited": "a modifié une assemblée",
    "association.assembly.agenda_added": "a ajouté un point à l'ordre du jour d'une assemblée",
    "association.assembly.resolution_added": "a ajouté une résolution à une assemblée",
    "association.assembly.item_removed": "a retiré un point ou une résolution d'une assemblée",
    "association.assembly.document_added": "a joint un document à une assemblée",
    "association.assembly.document_downloaded": "a téléchargé un document d'une assemblée",
    "association.assembly.convened": "a convoqué une assemblée",
    "association.assembly.attendance_recorded": "a enregistré les présences et pouvoirs d'une assemblée",
    "association.assembly.held": "a ouvert la séance d'une assemblée (quorum atteint)",
    "association.assembly.lacking": "a constaté la carence d'une assemblée (quorum non atteint)",
    "association.assembly.voted_online": "a voté en ligne",
    "association.assembly.votes_recorded": "a enregistré des votes en séance",
    "association.assembly.closed": "a clos une assemblée",
    "association.assembly.cancelled": "a annulé une assemblée",
}

# Detail keys as words (keys already in French and without underscore are shown as they are).
KEYS = {
    "added": "ajoutées",
    "removed": "retirées",
    "doublon_probable": "doublon probable de la demande",
    "doublon_confirmé": "seconde demande confirmée malgré un doublon",
    "hors_délai": "au-delà du délai demandé",
    "délai_mois": "délai (mois)",
    "en_attente": "en attente",
    "priorités_recalculées": "priorités recalculées",
    "coordinator_invited": "coordination invitée",
    "email": "adresse",
    "kind": "rôle",
    "new_account": "nouveau compte",
    "login": "identifiant",
    "name": "nom",
    "scope": "droits",
    "expires": "expire le",
    "national_id": "identifiant national",
    "created": "créé",
    "changes": "modifications",
    "user": "personne",
    "from": "de",
    "to": "vers",
    "previous": "précédent",
    "status": "état",
    "format": "format",
    "table": "table",
    "filters": "filtres",
    "rows": "lignes",
    "via": "par",
    "what": "quoi",
}

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def label(action: str) -> str:
    """The sentence of a code (« a qualifié une demande de médecin traitant »); an unknown code
    (an entry older than its label) reads as itself."""
    return LABELS.get(action, action)


def _value_words(value) -> str:
    from maillage.accounts.models import RoleKind

    if value is True:
        return "oui"
    if value is False:
        return "non"
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, str):
        if _ISO_DATETIME.match(value):
            try:
                parsed = datetime.fromisoformat(value)
            except ValueError:
                return value
            return _value_words(parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed))
        if _ISO_DATE.match(value):
            try:
                return date.fromisoformat(value).strftime("%d/%m/%Y")
            except ValueError:
                return value
        return RoleKind(value).label if value in RoleKind.values else value
    if isinstance(value, list | tuple | set):
        return ", ".join(_value_words(v) for v in value) if value else "aucune"
    if isinstance(value, Mapping):
        return describe_details(value) or "rien"
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return str(value)


def _coded_values() -> dict[str, dict[str, str]]:
    """Detail keys whose values are codes of a list of choices, with the French of each code."""
    from maillage.doctor_access.models import Proposal
    from maillage.doctor_access.models.requests import Channel
    from maillage.doctor_access.states import CloseReason, Status
    from maillage.indicators.registry import Mission as IndicatorMission
    from maillage.lifecycle.milestones import Kind, Mission
    from maillage.unscheduled.enums import UnmetReason

    statuses = dict(Status.choices)
    return {
        "canal": dict(Channel.choices),
        "vers": statuses,
        "status": statuses,
        "motif": {**dict(CloseReason.choices), **dict(Proposal.DeclineReason.choices), **dict(UnmetReason.choices)},
        "jalon": dict(Kind.choices),
        "mission": {**dict(IndicatorMission.choices), **dict(Mission.choices)},
    }


def describe_details(details) -> str:
    """The details as words: « canal : formulaire public ; priorité : 3 ». Empty values (None, an
    empty text) are left out rather than shown as « None »."""
    if not isinstance(details, Mapping):
        return _value_words(details) if details not in (None, "") else ""
    parts = []
    coded = _coded_values()
    for key, value in details.items():
        if value is None or value == "":
            continue
        word = KEYS.get(key, key.replace("_", " "))
        if isinstance(value, str) and value in coded.get(key, {}):
            parts.append(f"{word} : {coded[key][value]}")
        else:
            parts.append(f"{word} : {_value_words(value)}")
    return " ; ".join(parts)
