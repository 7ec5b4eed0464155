"""Demo assemblies of a CPTS (issue 16 item 3): last year's ordinary general assembly, held, its
votes counted and closed (its PV downloads), and this year's, convened, with its online vote open
now and some members having voted already. The members with a demo account are left to vote
(a visitor logged in as one of them votes in the members' space). Skipped when the CPTS has
assemblies. Written through the actions, as a coordinator would."""

from datetime import timedelta

from django.utils import timezone

from maillage.association.actions import assemblies as actions
from maillage.association.actions.votes import record_attendance, record_room_votes, vote_online
from maillage.association.models.assemblies import Assembly, Presence

PAST_RESOLUTIONS = (
    ("Approbation du rapport moral", False),
    ("Approbation des comptes de l'exercice", False),
    ("Élection des membres du conseil d'administration", True),
)
NEXT_RESOLUTIONS = (
    ("Approbation du rapport d'activité", False),
    ("Montant des cotisations de l'année suivante", False),
    ("Adhésion au dispositif d'appui à la coordination", True),
)
AGENDA = (
    "Rapport moral de la présidence",
    "Rapport financier et approbation des comptes",
    "Bilan des missions du projet de santé",
    "Questions diverses",
)


def _at(day, hour):
    return timezone.make_aware(timezone.datetime(day.year, day.month, day.day, hour, 0))


def _prepare(cpts, actor, *, title, starts_at, place, resolutions, vote=None):
    opens, closes = vote if vote else (None, None)
    draft = actions.AssemblyDraft(kind="ordinary", title=title, starts_at=starts_at, place=place,
                                  vote_opens_at=opens, vote_closes_at=closes)  # fmt: skip
    assembly = actions.create_assembly(cpts, draft, actor)
    for item in AGENDA:
        actions.add_agenda_item(assembly, actor, title=item)
    for text, secret in resolutions:
        actions.add_resolution(assembly, actor, title=text, secret=secret)
    return assembly


def build(cpts, members, coordinator_user) -> None:
    if Assembly.objects.filter(cpts=cpts).exists():
        return
    members = list(members.values() if isinstance(members, dict) else members)
    voters = [m for m in members if m.votes]
    if len(voters) < 4:
        return
    today = timezone.localdate()
    place = f"Salle du conseil — {cpts.name}"
    _past(cpts, voters, coordinator_user, today, place)
    _next(cpts, voters, coordinator_user, today, place)


def _past(cpts, voters, actor, today, place) -> None:
    day = today - timedelta(days=200)
    assembly = _prepare(cpts, actor, title=f"Assemblée générale ordinaire {day.year}", starts_at=_at(day, 18),
                        place=place, resolutions=PAST_RESOLUTIONS)  # fmt: skip
    actions.convene(assembly, actor, today=day - timedelta(days=21), send=False)
    # Two thirds present, two of the others represented by the first present members.
    present = voters[: max(2, len(voters) * 2 // 3)]
    absent = voters[len(present) :]
    changes = {m.pk: (Presence.PRESENT, None) for m in present}
    for n, member in enumerate(absent[:2]):
        changes[member.pk] = (Presence.REPRESENTED, present[n].pk)
    record_attendance(assembly, actor, changes)
    actions.hold(assembly, actor, now=assembly.starts_at)
    room = present + absent[:2]
    for resolution in assembly.resolutions.order_by("order"):
        votes = {}
        for n, member in enumerate(room):
            votes[member.pk] = "against" if n % 7 == 3 else ("abstain" if n % 11 == 5 else "for")
        record_room_votes(resolution, actor, votes)
    actions.close(assembly, actor)


def _next(cpts, voters, actor, today, place) -> None:
    day = today + timedelta(days=10)
    now = timezone.now()
    starts_at = _at(day, 18)
    assembly = _prepare(
        cpts, actor, title=f"Assemblée générale ordinaire {day.year}", starts_at=starts_at, place=place,
        resolutions=NEXT_RESOLUTIONS, vote=(now - timedelta(days=2), starts_at - timedelta(hours=1)),
    )  # fmt: skip
    actions.convene(assembly, actor, today=today - timedelta(days=10), send=False)
    unlinked = [m for m in voters if m.user_id is None]
    resolutions = list(assembly.resolutions.order_by("order"))
    for n, member in enumerate(unlinked[: max(1, len(unlinked) // 3)]):
        choices = {r: ("against" if (n + r.order) % 5 == 0 else "for") for r in resolutions}
        vote_online(assembly, member, None, choices, now=now)
    rest = unlinked[max(1, len(unlinked) // 3) :]
    if len(rest) >= 2:
        record_attendance(assembly, actor, {rest[0].pk: (Presence.REPRESENTED, rest[1].pk)})
