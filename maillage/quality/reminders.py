"""Review reminders (the periodic job `quality.review_reminders`, daily): when a protocol in use
reaches its review date, the CPTS's coordinators and the protocol's authors who have an account get
one email per CPTS — how many protocols, and a link. No title, nothing clinical: ordinary email
(maillage/core/mail.py). One reminder per protocol and review date (`Protocol.reminded_for`)."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from maillage.accounts.models import Role, RoleKind
from maillage.core import audit, mail
from maillage.core.french import agree, plural
from maillage.directory.models import ProfessionalAccount
from maillage.quality.models import Protocol
from maillage.quality.states import ProtocolStatus


@dataclass
class Sent:
    protocols: int = 0
    emails: int = 0


def send_reminders(today=None) -> Sent:
    today = today or timezone.localdate()
    outcome = Sent()
    due = Protocol.objects.filter(status=ProtocolStatus.IN_USE, next_review_on__lte=today).exclude(
        reminded_for=F("next_review_on")
    )
    for cpts_id in sorted(set(due.values_list("cpts_id", flat=True))):
        with transaction.atomic(), mail.batch():
            _remind(cpts_id, due.filter(cpts_id=cpts_id), outcome)
    return outcome


def _remind(cpts_id, due, outcome: Sent) -> None:
    protocols = list(due.select_for_update().select_related("cpts"))
    if not protocols:
        return
    cpts = protocols[0].cpts
    coordinators = Role.objects.filter(cpts=cpts, kind=RoleKind.COORDINATOR).values_list("user__email", flat=True)
    authors = ProfessionalAccount.objects.filter(
        professional__in=Protocol.authors.through.objects.filter(protocol__in=protocols).values("professional_id")
    ).values_list("user__email", flat=True)
    to = sorted({address for address in [*coordinators, *authors] if address})
    n = len(protocols)
    link = mail.site_link(reverse("www:quality_protocols", args=[cpts.slug]))
    subject = f"{plural(n, 'protocole')} à réviser — {cpts.name}"
    body = (
        f"Bonjour,\n\n{plural(n, 'protocole pluriprofessionnel', 'protocoles pluriprofessionnels')} de la "
        f"{cpts.name} {agree(n, 'arrive à sa', 'arrivent à leur')} date de révision.\n"
        f"La bibliothèque des protocoles dit lesquels et permet d'enregistrer leur révision : {link}\n"
    )
    for address in to:
        mail.send_after_commit(address, subject, body)
    for protocol in protocols:
        protocol.reminded_for = protocol.next_review_on
    Protocol.objects.bulk_update(protocols, ["reminded_for"])
    audit.record("quality.review_reminders_sent", cpts=cpts, details={"protocoles": n, "destinataires": len(to)})
    outcome.protocols += n
    outcome.emails += len(to)
