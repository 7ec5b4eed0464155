"""Emails about pathways. They cross ordinary SMTP: no patient's name, commune or health data, only
how many alerts of which kind, in which CPTS, and a link to Maillage (ADR 0028)."""

from collections import Counter, defaultdict

from django.db.models import Q
from django.urls import reverse

from maillage.accounts.models import Role, RoleKind
from maillage.core.french import plural
from maillage.core.mail import send_after_commit, site_link
from maillage.directory.models import ProfessionalAccount
from maillage.pathways.models import AlertKind, CareTeamMember, RuptureAlert
from maillage.territory.models import Cpts

# Alerts about a pathway as a whole go to its whole active team; those about a task to its assignee.
PATHWAY_WIDE = (AlertKind.NO_CONTACT, AlertKind.REHOSPITALISED)


BATCH = 2000  # keys per UPDATE (SQLite bounds the variables of a statement)


def new_alerts(now) -> int:
    """Emails the open alerts not yet signalled, one email per person and CPTS, and marks them
    signalled. Inside the detection's transaction and `mail.batch()`. Returns the emails enqueued.

    The first run over a région signals tens of thousands of alerts: they are read as tuples and
    the people concerned by subqueries, never one model instance per alert."""
    unsignalled = RuptureAlert.objects.open().filter(notified_at__isnull=True)
    alerts = list(
        unsignalled.values_list("pk", "kind", "pathway_id", "pathway__cpts_id", "task__assignee__professional_id")
    )
    if not alerts:
        return 0
    wide = unsignalled.filter(kind__in=PATHWAY_WIDE).values("pathway_id")
    # pathway id → the professionals of its active team, for the alerts about a whole pathway.
    team: dict[int, set[int]] = defaultdict(set)
    members = CareTeamMember.objects.active().filter(professional__isnull=False, pathway_id__in=wide)
    for pathway_id, professional_id in members.values_list("pathway_id", "professional_id"):
        team[pathway_id].add(professional_id)
    assignees = unsignalled.filter(task__assignee__professional__isnull=False).values("task__assignee__professional_id")
    accounts: dict[int, list[str]] = defaultdict(list)
    for professional_id, email in (
        ProfessionalAccount.objects.filter(user__is_active=True)
        .filter(Q(professional_id__in=members.values("professional_id")) | Q(professional_id__in=assignees))
        .values_list("professional_id", "user__email")
    ):
        accounts[professional_id].append(email)
    cpts_ids = {row[3] for row in alerts}
    coordinators: dict[int, list[str]] = defaultdict(list)
    for cpts_id, email in Role.objects.filter(
        cpts_id__in=cpts_ids, kind=RoleKind.COORDINATOR, user__is_active=True
    ).values_list("cpts_id", "user__email"):
        coordinators[cpts_id].append(email)
    # (email, cpts id) → Counter of kinds
    counts: dict[tuple, Counter] = defaultdict(Counter)
    for _pk, kind, pathway_id, cpts_id, assignee in alerts:
        people = set(coordinators[cpts_id])
        concerned = team.get(pathway_id, set()) if kind in PATHWAY_WIDE else {assignee} if assignee else set()
        for professional_id in concerned:
            people.update(accounts[professional_id])
        for email in people:
            counts[(email, cpts_id)][kind] += 1
    cpts = {c.pk: c for c in Cpts.objects.filter(pk__in=cpts_ids).only("name", "slug")}
    links = {pk: site_link(reverse("www:pathway_alerts", args=[c.slug])) for pk, c in cpts.items()}
    for (email, cpts_id), kinds in sorted(counts.items()):
        total = sum(kinds.values())
        lines = "\n".join(f"- {AlertKind(kind).label} : {count}" for kind, count in sorted(kinds.items()))
        send_after_commit(
            email,
            "Alertes de rupture de parcours",
            f"Bonjour,\n\n{plural(total, 'nouvelle alerte', 'nouvelles alertes')} de rupture de parcours "
            f"dans la {cpts[cpts_id].name} :\n{lines}\n\n"
            f"Consultez-les dans Maillage : {links[cpts_id]}\n",
        )
    keys = [row[0] for row in alerts]
    for start in range(0, len(keys), BATCH):
        RuptureAlert.objects.filter(pk__in=keys[start : start + BATCH]).update(notified_at=now)
    return len(counts)


# Issue 15 — liaison log: a new entry is told to the rest of the active team.
def liaison_entry(entry, author) -> int:
    """Emails the other active members of the team who have an account, inside the entry's
    transaction (sent by the worker once it commits). The email names the pathway by its reference
    only: no patient identity, no content of the message. Returns the emails enqueued."""
    pathway = entry.pathway
    professionals = CareTeamMember.objects.active().filter(pathway=pathway, professional__isnull=False)
    emails = set(
        ProfessionalAccount.objects.filter(
            professional_id__in=professionals.values("professional_id"), user__is_active=True
        )
        .exclude(user_id=getattr(author, "pk", None))
        .values_list("user__email", flat=True)
    )
    link = site_link(reverse("www:pathway_liaison", args=[pathway.cpts.slug, pathway.pk]))
    for email in sorted(emails):
        send_after_commit(
            email,
            f"Nouveau message dans un parcours — {pathway.reference}",
            f"Bonjour,\n\nUn nouveau message a été ajouté au journal de liaison du parcours {pathway.reference} "
            f"dans la {pathway.cpts.name}.\n\nLisez-le dans Maillage : {link}\n",
        )
    return len(emails)
