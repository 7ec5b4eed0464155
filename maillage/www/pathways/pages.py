"""A patient's pathway: the enrolment form and the pathway page with its team, tasks, consent and
alerts. Who may open or change a pathway is maillage/pathways/access.py's decision (a pathway the
user does not see answers 404, as another CPTS's); every write goes through an action, whose French
refusal is shown as is, with nothing saved."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from maillage.core.versioning import StaleEdit
from maillage.pathways import access
from maillage.pathways.actions import NotVisible, PathwayError
from maillage.pathways.actions.consent import record_information, withdraw
from maillage.pathways.actions.enrolment import Enrolment, Patient, Referrer, enrol
from maillage.pathways.actions.reading import read_pathway
from maillage.pathways.actions.ruptures import resolve_alert
from maillage.pathways.actions.tasks import add_task, assign_task, move_task
from maillage.pathways.actions.team import add_member, remove_member
from maillage.pathways.models import CareTeamMember, Pathway, RuptureAlert, SharingDecision, Task
from maillage.pathways.states import ROLE_PROFESSION, TASK_TRANSITIONS, CareRole, PathwayStatus, Sex, TaskStatus
from maillage.www.feedback import form_errors
from maillage.www.pathways.forms import AssignForm, EnrolmentForm, InformationForm, MemberForm, TaskForm
from maillage.www.pathways.handover import handover_context
from maillage.www.pathways.liaison import liaison_summary
from maillage.www.pathways.states import state_forms
from maillage.www.scoping import WRITE, Area, cpts_for

# The buttons of a task's transitions, in the order shown.
MOVES = {
    TaskStatus.IN_PROGRESS: "Commencer",
    TaskStatus.DONE: "Marquer comme faite",
    TaskStatus.TODO: "Remettre à faire",
    TaskStatus.CANCELLED: "Annuler",
}


def _pathway(request, slug, pk, action=WRITE):
    """The pathway `pk` of the CPTS `slug`, if the user sees it (404 otherwise)."""
    cpts = cpts_for(request, slug, Area.PATHWAYS, action)
    pathway = get_object_or_404(Pathway.objects.filter(cpts=cpts).select_related("cpts", "template"), pk=pk)
    if not access.sees(request.user, pathway):
        raise Http404
    return cpts, pathway


def _back(pathway):
    return redirect("www:pathway_detail", slug=pathway.cpts.slug, pk=pathway.pk)


def pathway_new(request, slug):
    cpts = cpts_for(request, slug, Area.PATHWAYS, WRITE)
    if not access.may_enrol(request.user, cpts):
        raise Http404
    initial = {"informed_by_label": request.user.get_full_name()}
    if request.GET.get("modele", "").isdigit():  # issue 17: « inscrire un patient » from a crisis page
        initial["template"] = int(request.GET["modele"][:12])
    own = access.professional_of(request.user)
    if own is not None and not access.is_coordinator(request.user, cpts):
        # A member refers their own patient: they are the referrer and the first on the team.
        role = next((role for role, code in ROLE_PROFESSION.items() if code == own.profession_code), CareRole.OTHER)
        initial.update(referrer_professional=f"p{own.pk}", member_1=f"p{own.pk}", role_1=role)
    form = EnrolmentForm(request.POST or None, cpts=cpts, initial=initial)
    error = None
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            enrolment = Enrolment(
                template=data["template"],
                patient=Patient(
                    last_name=data["last_name"],
                    first_name=data["first_name"],
                    birth_date=data["birth_date"],
                    sex=data["sex"],
                    commune=data["commune"],
                    phone=data["phone"],
                    ins=data["ins"],
                ),
                start_date=data["start_date"],
                discharge_date=data["discharge_date"],
                information=form.information(request.user),
                referrer=Referrer(
                    kind=data["referrer_kind"],
                    professional=data["referrer_professional_obj"],
                    structure=data["referrer_structure"],
                    service=data["referrer_service"],
                ),
                team=data["team_members"],
            )
            try:
                pathway = enrol(cpts, enrolment, request.user)
            except PathwayError as exc:
                error = str(exc)
            else:
                enrolled = "inscrite" if pathway.sex == Sex.FEMALE else "inscrit"
                messages.success(request, f"{pathway.full_name} est {enrolled} dans le parcours ({pathway.reference}).")
                if not access.sees(request.user, pathway):
                    messages.warning(
                        request,
                        "Vous ne faites pas partie de l'équipe de soins de ce patient : son parcours ne vous est "
                        "pas accessible.",
                    )
                    return redirect("www:pathway_list", slug=cpts.slug)
                return _back(pathway)
        context = {"cpts": cpts, "form": form, "error": error}
        return render(request, "pathways/new.html", context, status=400)
    return render(request, "pathways/new.html", {"cpts": cpts, "form": form})


def pathway_detail(request, slug, pk):
    cpts = cpts_for(request, slug, Area.PATHWAYS)
    pathway = get_object_or_404(
        Pathway.objects.filter(cpts=cpts).select_related(
            "cpts", "template", "commune", "referrer_professional", "referrer_structure"
        ),
        pk=pk,
    )
    try:
        reading = read_pathway(request.user, pathway)
    except NotVisible:
        raise Http404 from None
    active = pathway.status == PathwayStatus.ACTIVE
    today = timezone.localdate()
    team = [m for m in reading.team if m.is_active]
    tasks = []
    for task in reading.tasks:
        moves = [(target, MOVES[target]) for target in MOVES if target in TASK_TRANSITIONS[task.status]]
        tasks.append(
            {
                "task": task,
                "moves": moves if active else [],
                "late": task.is_open and task.due_on < today,
                "assign": AssignForm(
                    pathway=pathway,
                    team=team,
                    version=task.version,
                    initial={"assignee": task.assignee_id},
                    prefix=f"t{task.pk}",
                ),
            }
        )
    informations = list(pathway.informations.prefetch_related("decisions").order_by("-informed_at", "-id"))
    context = {
        "cpts": cpts,
        "pathway": pathway,
        "reading": reading,
        "active": active,
        "team": team,
        "former": [m for m in reading.team if not m.is_active],
        "tasks": tasks,
        "alerts": pathway.alerts.open().select_related("task"),
        "in_force": SharingDecision.objects.filter(pathway=pathway).in_force().order_by("scope"),
        "informations": informations,
        "member_form": MemberForm(cpts=cpts),
        "task_form": TaskForm(pathway=pathway, clinical=reading.clinical),
        "information_form": InformationForm(
            initial={"informed_by_label": request.user.get_full_name(), "informed_on": timezone.localdate()}
        ),
        # Issue 15 — liaison log and pathway states
        "liaison": liaison_summary(request.user, pathway),
        **state_forms(pathway),
        **handover_context(request.user, pathway),
    }
    return render(request, "pathways/detail.html", context)


def _attempt(request, write, success) -> None:
    """Runs the action `write`; its refusal, or `success` (a text, or a function of the result),
    becomes the page's message. Only the task actions check a version (StaleEdit)."""
    try:
        result = write()
    except StaleEdit:
        messages.error(request, "Cette tâche vient d'être modifiée par quelqu'un d'autre : voici son état actuel.")
    except PathwayError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success(result) if callable(success) else success)


@require_POST
def team_add(request, slug, pk):
    cpts, pathway = _pathway(request, slug, pk)
    form = MemberForm(request.POST, cpts=cpts)
    if not form.is_valid():
        form_errors(request, form)
        return _back(pathway)
    _attempt(
        request,
        lambda: add_member(pathway, form.cleaned_data["person"], form.cleaned_data["role"], request.user),
        lambda member: f"{member.name} fait maintenant partie de l'équipe de soins.",
    )
    return _back(pathway)


@require_POST
def team_remove(request, slug, pk, member):
    cpts, pathway = _pathway(request, slug, pk)
    member = get_object_or_404(CareTeamMember.objects.filter(pathway=pathway), pk=member)
    if request.POST.get("confirme") != "1":
        context = {"cpts": cpts, "pathway": pathway, "member": member}
        return render(request, "pathways/team_remove_confirm.html", context)
    _attempt(
        request,
        lambda: remove_member(member, request.user, note=request.POST.get("motif", "")[:255]),
        f"{member.name} ne fait plus partie de l'équipe de soins.",
    )
    return _back(pathway)


@require_POST
def task_add(request, slug, pk):
    _cpts, pathway = _pathway(request, slug, pk)
    form = TaskForm(request.POST, pathway=pathway, clinical=access.sees_clinical(request.user, pathway))
    if not form.is_valid():
        form_errors(request, form)
        return _back(pathway)
    data = form.cleaned_data
    _attempt(
        request,
        lambda: add_task(
            pathway,
            request.user,
            title=data["title"],
            due_on=data["due_on"],
            assignee=data["assignee"],
            note=data.get("note", ""),
        ),
        f"Tâche « {data['title']} » ajoutée.",
    )
    return _back(pathway)


def _task(pathway, pk):
    return get_object_or_404(Task.objects.filter(pathway=pathway).select_related("pathway__template"), pk=pk)


@require_POST
def task_move(request, slug, pk, task):
    _cpts, pathway = _pathway(request, slug, pk)
    task = _task(pathway, task)
    note = request.POST.get("note") if access.sees_clinical(request.user, pathway) else None
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1  # missing or unreadable: refused as stale
    target = request.POST.get("etat", "")
    _attempt(
        request,
        lambda: move_task(task, target, request.user, note=note, expected_version=version),
        lambda _: f"Tâche « {task.title} » : {task.get_status_display()}.",
    )
    return _back(pathway)


@require_POST
def task_assign(request, slug, pk, task):
    _cpts, pathway = _pathway(request, slug, pk)
    task = _task(pathway, task)
    form = AssignForm(request.POST, pathway=pathway, prefix=f"t{task.pk}")
    if not form.is_valid():
        form_errors(request, form)
        return _back(pathway)
    assignee = form.cleaned_data["assignee"]
    who = assignee.name if assignee else "« à affecter »"
    _attempt(
        request,
        lambda: assign_task(task, assignee, request.user, expected_version=form.expected_version),
        f"Tâche « {task.title} » confiée à {who}.",
    )
    return _back(pathway)


@require_POST
def information(request, slug, pk):
    cpts, pathway = _pathway(request, slug, pk)
    form = InformationForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return _back(pathway)
    _attempt(
        request,
        lambda: record_information(pathway, form.information(request.user), request.user),
        "L'information du patient et ses décisions sont enregistrées.",
    )
    if not access.sees(request.user, pathway):  # the patient objected: the team no longer sees it
        return redirect("www:pathway_list", slug=cpts.slug)
    return _back(pathway)


@require_POST
def decision_withdraw(request, slug, pk, decision):
    cpts, pathway = _pathway(request, slug, pk)
    decision = get_object_or_404(SharingDecision.objects.filter(pathway=pathway), pk=decision)
    if request.POST.get("confirme") != "1":
        context = {"cpts": cpts, "pathway": pathway, "decision": decision}
        return render(request, "pathways/withdraw_confirm.html", context)
    _attempt(
        request,
        lambda: withdraw(decision, request.user, note=request.POST.get("motif", "")[:255]),
        f"Retrait enregistré : « {decision.get_scope_display()} » a pris fin.",
    )
    if not access.sees(request.user, pathway):
        return redirect("www:pathway_list", slug=cpts.slug)
    return _back(pathway)


@require_POST
def alert_resolve(request, slug, pk, alert):
    _cpts, pathway = _pathway(request, slug, pk)
    alert = get_object_or_404(RuptureAlert.objects.filter(pathway=pathway), pk=alert)
    _attempt(
        request,
        lambda: resolve_alert(alert, request.user, note=request.POST.get("motif", "")[:255]),
        f"Alerte « {alert.get_kind_display()} » résolue.",
    )
    return _back(pathway)
