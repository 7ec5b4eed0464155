"""Attendance and votes of an assembly.

Attendance (before the session, while convened): present, represented by a proxy to another
member convened (not to oneself, not to someone who has given their own proxy, at most the
assembly's `max_proxies` per holder), absent. A member who voted online stays counted
(« a voté à distance ») and cannot give a proxy any more.

Votes: online, by the member themselves in the members' space, between the opening and the close
of the online vote; in the room, recorded by the coordination once the assembly is held, for the
members present and for the proxies they hold. Each vote writes a `Participation` (a unique
constraint per member and resolution: a second vote is refused, even from two requests at once)
and a `Ballot` (without the member for a secret ballot)."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from maillage.association.actions import AssociationError, require
from maillage.association.actions.assemblies import STALE, require_not_closed
from maillage.association.assembly_rules import when
from maillage.association.models.assemblies import (
    AssemblyStatus,
    Attendance,
    Ballot,
    Channel,
    Choice,
    Participation,
    Presence,
)
from maillage.core import audit, versioning
from maillage.core.french import plural

MAX_VOTES_AT_ONCE = 5000


def _names(assembly) -> dict:
    return {a.member_id: a for a in assembly.attendances.select_related("member")}


def record_attendance(assembly, actor, changes: dict, *, expected_version=None) -> int:
    """`changes`: {member id: (presence, proxy member id or None)} for members convened. Checked as
    a whole against the attendance after the changes (a holder's proxies, chains of proxies).
    Returns the number of rows changed."""
    require(
        assembly.status == AssemblyStatus.CONVENED,
        f"Cette assemblée est « {assembly.get_status_display()} » : les présences s'enregistrent avant "
        "l'ouverture de la séance.",
    )
    require(len(changes) <= MAX_VOTES_AT_ONCE, "Trop de lignes à la fois.")
    with transaction.atomic():
        versioning.check_and_bump(assembly, expected_version)
        assembly.refresh_from_db(fields=["status", "max_proxies"])
        require(assembly.status == AssemblyStatus.CONVENED, STALE)
        rows = {a.member_id: a for a in assembly.attendances.select_related("member").select_for_update(of=("self",))}
        voted_online = set(
            Participation.objects.filter(resolution__assembly=assembly, channel=Channel.ONLINE)
            .values_list("member_id", flat=True)
            .distinct()
        )
        wanted = {pk: (a.presence, a.proxy_id) for pk, a in rows.items()}
        for member_id, (presence, proxy_id) in changes.items():
            row = rows.get(member_id)
            require(row is not None, "Cet adhérent n'est pas convoqué à cette assemblée.")
            require(presence in Presence.values, f"{row.member} : présence inconnue.")
            name = row.member.display_name
            if presence == Presence.REPRESENTED:
                require(proxy_id, f"{name} est représenté : choisissez l'adhérent qui détient son pouvoir.")
                require(member_id not in voted_online, f"{name} a déjà voté en ligne : un pouvoir n'est plus possible.")
                require(proxy_id != member_id, f"{name} ne peut pas se donner pouvoir à lui-même.")
                require(
                    proxy_id in rows,
                    f"Le pouvoir de {name} ne peut être donné qu'à un adhérent convoqué à cette assemblée "
                    "(à jour de sa cotisation).",
                )
            else:
                proxy_id = None
                if presence == Presence.ABSENT and member_id in voted_online:
                    presence = Presence.REMOTE  # their online votes stand: counted for the quorum
            wanted[member_id] = (presence, proxy_id)
        _check_proxies(rows, wanted, assembly.max_proxies or 0)
        changed = 0
        for member_id, (presence, proxy_id) in wanted.items():
            row = rows[member_id]
            if (row.presence, row.proxy_id) != (presence, proxy_id):
                Attendance.objects.filter(pk=row.pk).update(presence=presence, proxy_id=proxy_id)
                changed += 1
        audit.record(
            "association.assembly.attendance_recorded", actor=actor, cpts=assembly.cpts, obj=assembly,
            details={"lignes": changed,
                     "présents": sum(1 for p, _ in wanted.values() if p == Presence.PRESENT),
                     "représentés": sum(1 for p, _ in wanted.values() if p == Presence.REPRESENTED)},
        )  # fmt: skip
    return changed


def _check_proxies(rows, wanted, maximum) -> None:
    held: dict[int, list[int]] = {}
    for member_id, (presence, proxy_id) in wanted.items():
        if presence == Presence.REPRESENTED:
            held.setdefault(proxy_id, []).append(member_id)
    for holder_id, given in held.items():
        holder = rows[holder_id].member.display_name
        require(
            wanted[holder_id][0] != Presence.REPRESENTED,
            f"{holder} a lui-même donné pouvoir à un autre adhérent : il ne peut pas en recevoir "
            f"(pouvoir de {rows[given[0]].member.display_name}).",
        )
        require(
            len(given) <= maximum,
            f"{holder} recevrait {plural(len(given), 'pouvoir')} : les statuts en permettent "
            f"{maximum} au plus par adhérent.",
        )


def _cast(resolution, member, college_id, choice, channel, actor, proxy=None) -> None:
    """One vote, in the caller's transaction. A second vote of the same member breaks the unique
    constraint: refused (inside a savepoint, so the caller's transaction stays usable)."""
    require(choice in Choice.values, "Choisissez pour, contre ou abstention.")
    try:
        with transaction.atomic():
            Participation.objects.create(
                resolution=resolution, member=member, proxy=proxy, channel=channel,
                recorded_by=audit.user_or_none(actor),
            )  # fmt: skip
    except IntegrityError:
        raise AssociationError(
            f"{member.display_name} a déjà voté sur la résolution {resolution.order} : un adhérent ne vote qu'une fois."
        ) from None
    Ballot.objects.create(
        resolution=resolution, college_id=college_id, choice=choice, member=None if resolution.secret else member
    )


def _require_voter(member) -> None:
    require(
        member.votes,
        f"{member.display_name} n'est pas à jour de sa cotisation (adhésion « {member.get_status_display()} ») : "
        "seuls les adhérents à jour votent.",
    )


def vote_online(assembly, member, actor, choices: dict, *, now=None) -> int:
    """The member's own votes, `choices` = {resolution: choice}, in the online vote's window.
    All or nothing. Returns the number of votes."""
    now = now or timezone.now()
    require(member is not None, "Vous n'êtes pas adhérent de cette association.")
    require(assembly.has_online_vote, "Cette assemblée n'a pas de vote en ligne : votez en séance.")
    require_not_closed(assembly)
    require(
        assembly.status == AssemblyStatus.CONVENED and now < assembly.vote_closes_at,
        f"Le vote en ligne est clos depuis le {when(assembly.vote_closes_at)}.",
    )
    require(now >= assembly.vote_opens_at, f"Le vote en ligne ouvre le {when(assembly.vote_opens_at)}.")
    require(choices, "Choisissez votre vote sur au moins une résolution.")
    with transaction.atomic():
        row = assembly.attendances.select_for_update(of=("self",)).filter(member=member).first()
        require(row is not None, "Vous n'êtes pas convoqué à cette assemblée : vous ne pouvez pas y voter.")
        _require_voter(member)
        require(
            row.presence != Presence.REPRESENTED,
            f"Vous avez donné pouvoir à {row.proxy.display_name if row.proxy_id else 'un autre adhérent'} : "
            "c'est lui qui vote pour vous.",
        )
        for resolution, choice in choices.items():
            require(resolution.assembly_id == assembly.pk, "Cette résolution n'est pas de cette assemblée.")
            _cast(resolution, member, row.college_id, choice, Channel.ONLINE, actor)
        if row.presence == Presence.ABSENT:
            Attendance.objects.filter(pk=row.pk).update(presence=Presence.REMOTE)
        audit.record(
            "association.assembly.voted_online", actor=actor, cpts=assembly.cpts, obj=assembly,
            details={"adhérent": member.reference, "résolutions": sorted(r.order for r in choices)},
        )  # fmt: skip
    return len(choices)


def room_voters(assembly) -> list:
    """Who votes in the room: each member present, then the members whose proxy they hold (the
    attendance rows, `holder` set on the represented ones)."""
    rows = list(assembly.attendances.select_related("member", "proxy").order_by("member__last_name", "member__name"))
    given: dict[int, list] = {}
    for other in rows:
        if other.presence == Presence.REPRESENTED:
            given.setdefault(other.proxy_id, []).append(other)
    voters = []
    for attendance in rows:
        if attendance.presence != Presence.PRESENT:
            continue
        attendance.holder = None
        voters.append(attendance)
        for other in given.get(attendance.member_id, ()):
            other.holder = attendance.member
            voters.append(other)
    return voters


def record_room_votes(resolution, actor, votes: dict) -> int:
    """The votes cast in the room on `resolution`, `votes` = {member id: choice}: members present,
    and members represented by a holder present. All or nothing. Returns the number of votes."""
    assembly = resolution.assembly
    require_not_closed(assembly)
    require(
        assembly.status == AssemblyStatus.HELD,
        f"Cette assemblée est « {assembly.get_status_display()} » : les votes en séance s'enregistrent une fois "
        "la séance ouverte et le quorum atteint.",
    )
    require(votes, "Aucun vote à enregistrer.")
    require(len(votes) <= MAX_VOTES_AT_ONCE, "Trop de votes à la fois.")
    with transaction.atomic():
        versioning.lock_and_check(assembly, None)
        assembly.refresh_from_db(fields=["status"])
        require_not_closed(assembly)
        require(assembly.status == AssemblyStatus.HELD, STALE)
        voters = {a.member_id: a for a in room_voters(assembly)}
        for member_id, choice in votes.items():
            row = voters.get(member_id)
            require(
                row is not None,
                "Seuls les adhérents présents, et ceux dont ils détiennent le pouvoir, votent en séance.",
            )
            _require_voter(row.member)
            _cast(resolution, row.member, row.college_id, choice, Channel.ROOM, actor, proxy=row.holder)
        audit.record(
            "association.assembly.votes_recorded", actor=actor, cpts=assembly.cpts, obj=assembly,
            details={"résolution": resolution.order, "votes": len(votes),
                     "par pouvoir": sum(1 for pk in votes if voters[pk].holder is not None)},
        )  # fmt: skip
    return len(votes)
