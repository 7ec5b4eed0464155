"""Demo of the care requests (issue 15 items 5 and 11): in each demo CPTS with pathways, a request
waiting for a nurse (broadcast around the patient's commune) and one accepted by a
physiotherapist, who joined the discharged patient's care team. In Châtillon-Malakoff-Vanves a
demo nurse account (`DEMO_NURSE`, the demo password) is linked to a nurse of the territory who is
on no care team: logged in, she sees the waiting request without the patient's identity, accepts
it, and then sees who the patient is.

Written through the actions as the system (`actor=None`); a CPTS that already has care requests
is left alone."""

from datetime import timedelta

from django.utils import timezone

from maillage.accounts.models import Role, RoleKind, User
from maillage.core.french import plural
from maillage.directory.models import Activity, Professional, ProfessionalAccount
from maillage.pathways.actions.requests import Need, PatientContact, _take, create_request
from maillage.pathways.models import CareRequest, CareTeamMember
from maillage.pathways.reach import reach
from maillage.pathways.states import Profession

DEMO_NURSE = "infirmiere.cmv@demo.maillage.fr"
CMV = "chatillon-malakoff-vanves"
WAITING = "Pansement complexe d'un ulcère de jambe à domicile, 3 fois par semaine"
ACCEPTED = "Rééducation à la marche après la sortie d'hospitalisation, 2 séances par semaine"


def _demo_nurse(cpts):
    """The demo nurse's account, linked to a nurse of the territory on no care team (CMV only)."""
    if cpts.slug != CMV:
        return None
    user = User.objects.filter(email=DEMO_NURSE).first()
    if user is None:
        from maillage.territory.demo import create_demo_user

        user = create_demo_user(DEMO_NURSE, first_name="Inès", last_name="Marchand")
    Role.objects.get_or_create(user=user, kind=RoleKind.MEMBER, cpts=cpts, region=None)
    if not ProfessionalAccount.objects.filter(user=user).exists():
        on_teams = CareTeamMember.objects.filter(professional__isnull=False).values("professional_id")
        sites = Activity.objects.filter(active=True, commune__cpts_links__cpts=cpts).values("professional_id")
        nurse = (
            Professional.objects.filter(active=True, profession_code=Profession.NURSE, pk__in=sites)
            .exclude(pk__in=on_teams)
            .exclude(pk__in=ProfessionalAccount.objects.values("professional_id"))
            .order_by("national_id")
            .first()
        )
        if nurse is None:
            return None
        ProfessionalAccount.objects.create(user=user, professional=nurse)
    return user


def load_requests(cpts) -> str:
    if CareRequest.objects.filter(cpts=cpts).exists():
        return ""
    pathways = list(cpts.pathways.order_by("created_at", "pk"))
    if not pathways:
        return ""
    _demo_nurse(cpts)
    start = timezone.localdate() + timedelta(days=2)
    discharged = next((p for p in pathways if p.discharge_date), pathways[0])
    others = [p for p in pathways if p.pk != discharged.pk] or pathways
    waiting = create_request(
        cpts, None,
        Need(profession_code=Profession.NURSE, need=WAITING, start_on=start, commune=others[0].commune, radius_km=10),
        PatientContact(name=f"{others[0].first_name} {others[0].last_name}", phone=others[0].phone),
    )  # fmt: skip
    if waiting.status == "open":
        # The team's nurse was asked first; for the demo she declined (others can answer now).
        from maillage.pathways.actions.requests import _broadcast

        waiting.priority_until = timezone.now()
        _broadcast(waiting, None, timezone.now(), note="démonstration : le professionnel habituel est absent")
    accepted = create_request(
        cpts, None,
        Need(profession_code=Profession.PHYSIO, need=ACCEPTED, start_on=start, commune=discharged.commune,
             radius_km=10),
        PatientContact(address="Adresse fictive"), pathway=discharged,
    )  # fmt: skip
    physio = _physio_in_reach(accepted)
    if physio is not None and accepted.is_pending:
        _take(accepted, physio, None)
    offered = waiting.recipients.count()
    taken = "une acceptée" if accepted.accepted_by_id else "aucun kinésithérapeute pour en accepter une"
    return (
        f"  demandes de prise en charge ({cpts.name}) : une en attente (proposée à "
        f"{plural(offered, 'infirmier', 'infirmiers')}), {taken}"
    )


def _physio_in_reach(care_request):
    found = reach(care_request, with_account=False)
    if not found:
        return None
    return Professional.objects.get(pk=found[0].professional_id)
