"""Emails of the waiting list, in French, sent once the transaction that caused them commits: a
rolled-back write never tells anyone anything.

Emails cross ordinary SMTP (maillage/core/mail.py). The doctor's says a patient is proposed and
links to their space: no name, no commune, nothing about the patient's health. The patient's own
emails greet them by the first name they gave and tell them what happens next; they never repeat
what the request says about their health (ALD, situation, notes).
"""

from django.urls import reverse
from django.utils import timezone

from maillage.core.mail import send_after_commit as _send_after_commit
from maillage.core.mail import site_link


def _address(activity) -> str:
    street = activity.street
    town = " ".join(p for p in (activity.postal_code, activity.commune_label) if p)
    return ", ".join(p for p in (street, town) if p)


def request_received(request) -> None:
    _send_after_commit(
        request.email,
        "Votre demande de médecin traitant est enregistrée",
        f"Bonjour {request.first_name},\n\n"
        f"La {request.cpts.name} a bien reçu votre demande de médecin traitant "
        f"(référence {request.reference}). Elle sera étudiée par l'équipe de coordination, qui vous "
        "recontactera. Vous n'avez rien d'autre à faire pour le moment.\n\n"
        "Si vous trouvez un médecin traitant d'ici là, merci de nous le signaler.\n",
    )


def proposal_made(proposal) -> None:
    request, doctor = proposal.request, proposal.offer
    _send_after_commit(
        doctor.user.email,
        "Un nouveau patient vous est proposé",
        f"Bonjour Docteur {doctor.professional.last_name},\n\n"
        f"La {request.cpts.name} vous propose un patient en recherche de médecin traitant. "
        f"Merci de répondre avant le {timezone.localtime(proposal.expires_at):%d/%m/%Y} depuis votre espace Maillage, "
        "où vous trouverez sa demande ; sans réponse, le patient sera proposé à un autre médecin.\n\n"
        f"{site_link(reverse('www:doctor_space', args=[request.cpts.slug]))}\n",
    )


def proposal_accepted(proposal) -> None:
    request, doctor = proposal.request, proposal.offer
    activity = doctor.professional.activities.filter(active=True, commune=doctor.commune).first()
    where = f"\nAdresse du cabinet : {_address(activity)}" if activity else ""
    phone = f"\nTéléphone : {activity.phone}" if activity and activity.phone else ""
    _send_after_commit(
        request.email,
        "Un médecin traitant accepte de vous suivre",
        f"Bonjour {request.first_name},\n\n"
        f"Le Dr {doctor.professional.first_name} {doctor.professional.last_name} "
        f"({doctor.commune.name}) accepte de devenir votre médecin traitant.{where}{phone}\n\n"
        "Prenez rendez-vous avec ce cabinet ; lors de la consultation, le médecin déclarera avec vous "
        "le choix du médecin traitant auprès de l'Assurance maladie.\n",
    )
