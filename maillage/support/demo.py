"""Issue 17 — the mission's demo (see the issue's « Demo »): written through the actions, as the
system (`actor=None`); a CPTS that already has the mission's records is left alone.

Each demo CPTS gets two installation offers (a cabinet the coordination published for a commune of
its association when there is one, a replacement a member submitted, waiting for validation) and a
newcomer: a professional of the demo directory with a site on the territory who is not a member of
the association (found as the directory scan would find them), or a declared one without directory.
No welcome is sent: the demo's coordinator sends it."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from maillage.association.models import Member
from maillage.core import audit
from maillage.core.models import log_transition
from maillage.directory.models import Activity
from maillage.support import newcomers, offers
from maillage.support.models import Newcomer, NewcomerStatus, NewcomerTransition, Offer


def load(cpts_list, *, log=print) -> None:
    for cpts in cpts_list:
        if Offer.objects.filter(cpts=cpts).exists() or Newcomer.objects.filter(cpts=cpts).exists():
            continue
        communes = list(cpts.communes().order_by("name")[:2])
        if not communes:
            continue
        _offers(cpts, communes)
        newcomer = _newcomer(cpts, communes[0])
        log(f"  accompagnement ({cpts.name}) : 2 annonces d'installation, 1 nouvel installé ({newcomer.profession})")


def _offers(cpts, communes) -> None:
    today = timezone.localdate()
    commune_member = (
        Member.objects.of_cpts(cpts).filter(legal_kind=Member.LegalKind.COMMUNE).exclude(status="cancelled").first()
    )
    cabinet = offers.OfferDraft(
        kind="cabinet",
        title="Cabinet médical à louer en maison de santé",
        description=(
            "Cabinet de 18 m² dans une maison de santé pluriprofessionnelle (deux médecins généralistes, "
            "trois infirmières, un masseur-kinésithérapeute). Secrétariat partagé, accessible aux personnes "
            "à mobilité réduite, parking. Loyer modéré la première année."
        ),
        profession="10-MG",
        commune_code=communes[0].code,
        expires_on=today + timedelta(days=120),
        contact_name=commune_member.display_name if commune_member else "Coordination de la CPTS",
        contact_email=cpts.contact_email or f"installation.{cpts.slug}@demo.maillage.fr",
        contact_phone=cpts.phone,
    )
    offers.post_offer(cpts, cabinet, None, on_behalf_of=commune_member, by_coordination=True)
    internship = offers.OfferDraft(
        kind="internship",
        title="Stage de médecine générale (SASPAS) chez un maître de stage",
        description=(
            "Cabinet de groupe accueillant un interne en stage autonome en soins primaires ambulatoires "
            "supervisé ; visites à domicile, participation aux soins non programmés de la CPTS."
        ),
        profession="10-MG",
        commune_code=communes[-1].code,
        expires_on=today + timedelta(days=200),
        starts_on=today + timedelta(days=60),
        contact_name="Cabinet médical de démonstration",
        contact_email=f"stage.{cpts.slug}@demo.maillage.fr",
        positions=1,
    )
    offers.post_offer(cpts, internship, None)


def _newcomer(cpts, commune) -> Newcomer:
    codes = list(cpts.communes().values_list("code", flat=True))
    members = Member.objects.of_cpts(cpts).exclude(professional__isnull=True).values("professional_id")
    activity = (
        Activity.objects.active()
        .filter(commune_id__in=codes, professional__active=True)
        .exclude(professional_id__in=members)
        .select_related("professional")
        .order_by("-created_at", "-pk")
        .first()
    )
    if activity is None:
        draft = newcomers.Declared(
            last_name="Garnier", first_name="Inès", profession="Orthophoniste", commune_code=commune.code
        )
        return newcomers.declare(cpts, draft, None)
    with transaction.atomic():
        newcomer = newcomers.from_activity(cpts, activity, timezone.localdate())
        newcomer.installed_on = timezone.localdate() - timedelta(days=20)
        newcomer.save()
        log_transition(NewcomerTransition, actor=None, source="", target=NewcomerStatus.DETECTED, newcomer=newcomer)
        audit.record("support.newcomers.detected", cpts=cpts, details={"nouveaux": 1, "demonstration": True})
    return newcomer
