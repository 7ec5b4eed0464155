"""Reading a pathway: visibility checked (access.py), the read audited with the health-data flag."""

from dataclasses import dataclass

from maillage.core import audit
from maillage.pathways import access
from maillage.pathways.actions import NotVisible, PathwayError
from maillage.pathways.states import Scope


@dataclass
class Reading:
    pathway: object
    team: list
    tasks: list
    clinical: bool  # whether the clinical content (task notes…) may be shown to this reader


def read_pathway(user, pathway, *, clinical: bool = False) -> Reading:
    """The pathway as `user` may read it. `clinical=True` asks for its clinical content: refused
    (French message, nothing recorded) to a coordinator without the patient's consent to sharing
    with the coordination. A person who may not open it at all gets `NotVisible` (a 404)."""
    if not access.sees(user, pathway):
        raise NotVisible()
    shows_clinical = access.sees_clinical(user, pathway)
    if clinical and not shows_clinical:
        raise PathwayError(
            "Le patient n'a pas consenti au partage de ses informations avec la coordination de la CPTS : "
            "seuls l'avancement du parcours et ses tâches vous sont accessibles."
        )
    team = list(pathway.team.select_related("professional", "partner"))
    tasks = list(pathway.tasks.select_related("assignee__professional", "assignee__partner", "step"))
    audit.record_health_read(
        "pathways.pathway.viewed", actor=user, cpts=pathway.cpts, obj=pathway,
        details={"contenu_clinique": "oui" if shows_clinical else "non"},
    )  # fmt: skip
    return Reading(pathway=pathway, team=team, tasks=tasks, clinical=shows_clinical)


def require_sharing(pathway, scope: str) -> None:
    """For an action that shares the patient beyond the care team (a care request to other
    professionals, a hand-over to another CPTS): refused unless the patient's consent is in force."""
    if not access.sharing_in_force(pathway, scope):
        raise PathwayError(
            f"Le patient n'a pas donné son consentement au {Scope(scope).label} : "
            "rien ne peut être partagé au-delà de son équipe de soins."
        )


LIST_LIMIT = 200


def list_pathways(user, cpts):
    """The pathways of `cpts` the user may open (most recent first, at most `LIST_LIMIT`), each with
    its open and overdue tasks counted; the read of their identities is audited."""
    from django.db.models import Count, Q
    from django.utils import timezone

    from maillage.pathways.states import OPEN_TASKS

    open_tasks = Q(tasks__status__in=sorted(OPEN_TASKS))
    pathways = list(
        access.visible_to(user, cpts)
        .select_related("template", "commune")
        .annotate(
            open_tasks=Count("tasks", filter=open_tasks),
            overdue_tasks=Count("tasks", filter=open_tasks & Q(tasks__due_on__lt=timezone.localdate())),
        )
        .order_by("-created_at", "-id")[:LIST_LIMIT]
    )
    audit.record_health_read(
        "pathways.list.viewed", actor=user, cpts=cpts, obj=None,
        details={"parcours": [pathway.reference for pathway in pathways]},
    )  # fmt: skip
    return pathways
