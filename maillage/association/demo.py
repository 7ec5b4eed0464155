"""Demo of the association (issue 16, item 8): in each demo CPTS, members in every collège — the
territory's liberal professionals of the demo directory, its hospital and EHPAD (FINESS structures
of the demo directory), its municipalities, an association of users and two patients — then each
part of the association adds its own (fees, assemblies and votes, the board, announcements and
events: the modules named in `PARTS`).

Written through the actions, as the system (`actor=None`). A CPTS whose association has members is
left alone: a second run adds nothing. People are fictional and say so (« (fictif) »); their
addresses are on the reserved exemple.fr domain, except the demo accounts' (the doctor of
Châtillon-Malakoff-Vanves, the representative of the commune of Malakoff)."""

from datetime import timedelta
from importlib import import_module

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from maillage.accounts.models import RoleKind, User
from maillage.association import statutes as statutes_of
from maillage.association.actions.members import create_member
from maillage.association.models import College, Member
from maillage.core.french import plural
from maillage.directory.models import Professional, ProfessionalAccount, Structure

# Each part of the association: a module with `build(cpts, members, coordinator_user)`.
PARTS: list[str] = [
    "maillage.association.demo_fees",  # issue 16 — fees
    "maillage.association.demo_assemblies",  # Issue 16 item 3 — assemblies
    "maillage.association.demo_comms",  # item 5 — talking to members
    "maillage.association.demo_board",  # Issue 16 items 4, 6 — board, paid time
]
LIBERAL_MEMBERS = 24
HOSPITAL, EHPAD = "355", "500"  # FINESS categories
DEMO_MAYOR = "mairie.cmv@demo.maillage.fr"
USERS = [
    ("Association des usagers du territoire (fictive)", "association"),
]
PATIENTS = [("Roy (fictive)", "Martine"), ("Girard (fictif)", "Bernard")]


def load(cpts_list, *, log=print) -> None:
    for cpts in cpts_list:
        if Member.objects.filter(cpts=cpts).exists():
            continue
        # Fictional members get no email, not even on the console.
        with transaction.atomic(), override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            members = _members(cpts)
            coordinator = User.objects.filter(roles__cpts=cpts, roles__kind=RoleKind.COORDINATOR).first()
            for part in PARTS:
                import_module(part).build(cpts, members, coordinator)
        colleges = len({m.college_id for m in members})
        log(f"  association ({cpts.name}) : {plural(len(members), 'adhérent')} dans {plural(colleges, 'collège')}")


def _members(cpts) -> list[Member]:
    statutes_of.of(cpts)
    colleges = {c.code: c for c in College.objects.filter(cpts=cpts)}
    communes = list(cpts.communes().order_by("-population")[:6])
    made = []

    def add(college, joined_days_ago, **data):
        member = create_member(cpts, {"college": colleges[college], **data}, actor=None)
        # Joined over the past years: the history says when.
        Member.objects.filter(pk=member.pk).update(validated_on=timezone.localdate() - timedelta(days=joined_days_ago))
        member.refresh_from_db()
        made.append(member)
        return member

    # Liberal professionals of the territory (the demo accounts' first).
    professionals = list(
        Professional.objects.filter(active=True, activities__active=True, activities__commune__cpts_links__cpts=cpts)
        .exclude(profession_code="")
        .distinct()
        .order_by("pk")[:LIBERAL_MEMBERS]
    )
    for account in ProfessionalAccount.objects.filter(
        user__roles__cpts=cpts, user__roles__kind=RoleKind.MEMBER
    ).select_related("professional", "user"):
        if account.professional not in professionals:
            professionals.insert(0, account.professional)
    accounts = dict(
        ProfessionalAccount.objects.filter(professional__in=professionals).values_list("professional_id", "user__email")
    )
    for n, professional in enumerate(professionals):
        activity = professional.activities.filter(active=True).select_related("commune").first()
        add("liberaux", 30 + 37 * n, kind="person", professional=professional, commune=activity and activity.commune,
            email=accounts.get(professional.pk) or f"adherent.{professional.pk}@exemple.fr")  # fmt: skip
    # Its hospital and EHPAD.
    territory = Structure.objects.filter(commune__cpts_links__cpts=cpts)
    for category, college, title in ((HOSPITAL, "sanitaire", "Directrice (fictive)"),
                                     (EHPAD, "medico_social", "Directeur (fictif)")):  # fmt: skip
        for structure in territory.filter(category_code=category).order_by("pk")[:2]:
            add(college, 400, kind="legal", legal_kind="structure", structure=structure, commune=structure.commune,
                representative_name=f"{title}, {structure.long_name or structure.short_name}",
                representative_email=f"direction.{structure.finess_et}@exemple.fr")  # fmt: skip
    # Its municipalities.
    for n, commune in enumerate(communes):
        mayor = DEMO_MAYOR if commune.code == "92046" else f"mairie.{commune.code}@exemple.fr"
        member = add("collectivites", 500 + n, kind="legal", legal_kind="commune", name=f"Commune de {commune.name}",
                     represented_commune=commune, commune=commune,
                     representative_name="Adjointe au maire chargée de la santé (fictive)",
                     representative_email=mayor)  # fmt: skip
        user = User.objects.filter(email=mayor, roles__cpts=cpts, roles__kind=RoleKind.ADHERENT).first()
        if user is not None:
            Member.objects.filter(pk=member.pk).update(user=user)
            member.user = user
    # Users: an association and two patients.
    for name, legal_kind in USERS:
        add("usagers", 200, kind="legal", legal_kind=legal_kind, name=name, commune=communes[0] if communes else None,
            representative_name="Président (fictif)", representative_email="usagers@exemple.fr")  # fmt: skip
    for n, (last, first) in enumerate(PATIENTS):
        add("usagers", 100 + n, kind="person", last_name=last, first_name=first,
            email=f"{first.lower()}.usager@exemple.fr", commune=communes[-1] if communes else None)  # fmt: skip
    return made
