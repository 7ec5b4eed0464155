"""Emails about pathways. They cross ordinary SMTP: no patient's name, commune or health data, only
how many alerts of which kind, in which CPTS, and a link to Maillage (ADR 0028)."""

from collections import Counter, defaultdict

from django.urls import reverse

from maillage.accounts.models import Role, RoleKind
from maillage.core.french import plural
from maillage.core.mail import send_after_commit, site_link
from maillage.directory.models import ProfessionalAccount
from maillage.pathways.models import AlertKind, CareTeamMember, RuptureAlert

# Alerts about a pathway as a whole go to its whole active team; those about a task to its assignee.
PATHWAY_WIDE = (AlertKind.NO_CONTACT, AlertKind.REHOSPITALISED)


def _team_professionals(alerts) -> dict[int, set[int]]:
    """pathway id → the professionals of its active team (one query)."""
    pathway_ids = {alert.pathway_id for alert in alerts if alert.kind in PATHWAY_WIDE}
    members = CareTeamMember.objects.active().filter(pathway_id__in=pathway_ids, professional__isnull=False)
    team: dict[int, set[int]] = defaultdict(set)
    for pathway_id, professional_id in members.values_list("pathway_id", "professional_id"):
        team[pathway_id].add(professional_id)
    return team


def new_alerts(now) -> int:
    """Emails the open alerts not yet signalled, one email per person and CPTS, and marks them
    signalled. Inside the detection's transaction and `mail.batch()`. Returns the emails enqueued."""
    alerts = list(
        RuptureAlert.objects.open().filter(notified_at__isnull=True).select_related("pathway__cpts", "task__assignee")
    )
    if not alerts:
        return 0
    team = _team_professionals(alerts)
    # (email, cpts) → Counter of kinds
    counts: dict[tuple, Counter] = defaultdict(Counter)
    coordinators: dict[int, list[str]] = defaultdict(list)
    cpts_ids = {alert.pathway.cpts_id for alert in alerts}
    for cpts_id, email in Role.objects.filter(
        cpts_id__in=cpts_ids, kind=RoleKind.COORDINATOR, user__is_active=True
    ).values_list("cpts_id", "user__email"):
        coordinators[cpts_id].append(email)
    professionals = set().union(*team.values()) if team else set()
    professionals |= {
        alert.task.assignee.professional_id
        for alert in alerts
        if alert.task_id and alert.task.assignee_id and alert.task.assignee.professional_id
    }
    accounts: dict[int, list[str]] = defaultdict(list)
    for professional_id, email in ProfessionalAccount.objects.filter(
        professional_id__in=professionals, user__is_active=True
    ).values_list("professional_id", "user__email"):
        accounts[professional_id].append(email)
    for alert in alerts:
        cpts = alert.pathway.cpts
        people = set(coordinators[cpts.pk])
        if alert.kind in PATHWAY_WIDE:
            concerned = team.get(alert.pathway_id, set())
        elif alert.task.assignee_id and alert.task.assignee.professional_id:
            concerned = {alert.task.assignee.professional_id}
        else:
            concerned = set()
        for professional_id in concerned:
            people.update(accounts[professional_id])
        for email in people:
            counts[(email, cpts)][alert.kind] += 1
    for (email, cpts), kinds in sorted(counts.items(), key=lambda item: (item[0][0], item[0][1].pk)):
        total = sum(kinds.values())
        lines = "\n".join(f"- {AlertKind(kind).label} : {count}" for kind, count in sorted(kinds.items()))
        send_after_commit(
            email,
            "Alertes de rupture de parcours",
            f"Bonjour,\n\n{plural(total, 'nouvelle alerte', 'nouvelles alertes')} de rupture de parcours "
            f"dans la {cpts.name} :\n{lines}\n\n"
            f"Consultez-les dans Maillage : {site_link(reverse('www:pathway_alerts', args=[cpts.slug]))}\n",
        )
    RuptureAlert.objects.filter(pk__in=[alert.pk for alert in alerts]).update(notified_at=now)
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
