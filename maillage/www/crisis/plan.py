"""Issue 17 — the crisis mission's pages, first half: the plan, the declaration of a crisis (by the
CPTS or the ARS), its page (recognition, closing, alerts and the SMS text), the home follow-up and
the retour d'expérience. Access: maillage/accounts/policy.py (CRISIS, CRISIS_DECLARE,
CRISIS_RECOGNISE; the follow-up list is the pathways' own, PATHWAYS and pathways/access.py)."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from maillage.accounts import policy
from maillage.accounts.models import Role, RoleKind
from maillage.core.french import plural
from maillage.core.versioning import StaleEdit, conflict
from maillage.crisis import activation, follow_up, retex
from maillage.crisis import plan as plans
from maillage.crisis.document import docx_bytes
from maillage.crisis.errors import CrisisError
from maillage.crisis.models import Crisis, Retex
from maillage.pathways import access as pathway_access
from maillage.territory.models import Cpts
from maillage.www.crisis import forms_plan as forms
from maillage.www.scoping import READ, WRITE, Area, cpts_for, may

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PART_FORMS = {
    "cellule": forms.CellForm,
    "volontaire": forms.VolunteerForm,
    "partenaire": forms.PartnerForm,
    "exercice": forms.ExerciseForm,
}


def _stale(request, exc: StaleEdit) -> None:
    messages.error(request, conflict(exc.current).message + " Rien n'a été enregistré : relisez la page à jour.")


def _refused(request, exc: CrisisError) -> None:
    messages.error(request, " ".join(exc.messages))


def _form_errors(form) -> str:
    return " ".join(
        f"{form.fields[name].label if name in form.fields else ''} : {e}".strip(" :")
        for name, errors in form.errors.items()
        for e in errors
    )


def crisis_home(request, slug):
    cpts = cpts_for(request, slug, Area.CRISIS)
    plan = plans.plan_of(cpts)
    crises = Crisis.objects.filter(cpts=cpts).exclude(status=Crisis.Status.CANCELLED)[:50]
    context = {
        "cpts": cpts,
        "plan": plan,
        "crises": crises,
        "may_declare": may(request, Area.CRISIS_DECLARE, WRITE, cpts),
        "may_open": may(request, Area.CRISIS_DECLARE, READ, cpts),
        "may_follow": may(request, Area.PATHWAYS, READ, cpts),
    }
    return render(request, "crisis/plan_home.html", context)


def plan_detail(request, slug):
    cpts = cpts_for(request, slug, Area.CRISIS)
    plan = plans.plan_of(cpts)
    can_write = may(request, Area.CRISIS, WRITE, cpts)
    context = {"cpts": cpts, "plan": plan, "can_write": can_write}
    if plan.pk:
        context.update(
            risks=plan.risks.all(),
            cell=plan.cell.all(),
            volunteers=plan.volunteers.select_related("professional"),
            partners=plan.partners.all(),
            exercises=plan.exercises.all(),
        )
    if can_write:
        version = plan.version if plan.pk else 0
        context["part_forms"] = [
            (part, plans.PART_LABELS[part], form(version=version, **({"cpts": cpts} if part == "partenaire" else {})))
            for part, form in PART_FORMS.items()
        ]
        context["adopt_form"] = forms.AdoptForm(version=version, initial={"written_on": plan.written_on})
        context["version"] = version
    return render(request, "crisis/plan_detail.html", context)


def _plan_initial(plan) -> dict:
    """The plan form's values for `plan` as saved."""
    initial = {"organisation": plan.organisation, "fiche": plan.fiche_id}
    if plan.pk:
        for risk in plan.risks.all():
            initial[f"risk_{risk.kind}"], initial[f"notes_{risk.kind}"] = True, risk.notes
    return initial


def plan_edit(request, slug):
    cpts = cpts_for(request, slug, Area.CRISIS, WRITE)
    plan = plans.plan_of(cpts)
    initial = _plan_initial(plan)
    form = forms.PlanForm(
        request.POST if request.method == "POST" else None,
        cpts=cpts,
        initial=initial,
        version=plan.version if plan.pk else 0,
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            draft = plans.PlanDraft(form.cleaned_data["organisation"], form.cleaned_data["fiche"], form.risks())
            try:
                plans.save_plan(cpts, draft, request.user, expected_version=form.expected_version)
            except StaleEdit as exc:
                form.refuse(exc, _plan_initial(exc.current) if exc.current else None)
                status = 409
            except CrisisError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, "Plan de réponse aux crises enregistré.")
                return redirect("www:crisis_plan", slug=cpts.slug)
    return render(request, "crisis/plan_edit.html", {"cpts": cpts, "form": form}, status=status)


@require_POST
def plan_add(request, slug, part):
    cpts = cpts_for(request, slug, Area.CRISIS, WRITE)
    if part not in PART_FORMS:
        messages.error(request, "Cette liste n'existe pas dans le plan.")
        return redirect("www:crisis_plan", slug=cpts.slug)
    form = PART_FORMS[part](request.POST, **({"cpts": cpts} if part == "partenaire" else {}))
    if not form.is_valid():
        messages.error(request, f"Rien n'a été ajouté : {_form_errors(form)}")
        return redirect("www:crisis_plan", slug=cpts.slug)
    data = {key: value for key, value in form.cleaned_data.items() if key != "version"}
    try:
        row = plans.add_part(cpts, part, data, request.user, expected_version=form.expected_version)
    except StaleEdit as exc:
        _stale(request, exc)
    except CrisisError as exc:
        _refused(request, exc)
    else:
        messages.success(request, f"Ajouté au plan ({plans.PART_LABELS[part]}) : {row}.")
    return redirect("www:crisis_plan", slug=cpts.slug)


@require_POST
def plan_remove(request, slug, part, pk):
    cpts = cpts_for(request, slug, Area.CRISIS, WRITE)
    form = forms.AdoptForm(request.POST)  # only its version is read
    try:
        plans.remove_part(cpts, part, pk, request.user, expected_version=form.expected_version)
    except StaleEdit as exc:
        _stale(request, exc)
    except CrisisError as exc:
        _refused(request, exc)
    else:
        messages.success(request, "Retiré du plan.")
    return redirect("www:crisis_plan", slug=cpts.slug)


@require_POST
def plan_adopt(request, slug):
    cpts = cpts_for(request, slug, Area.CRISIS, WRITE)
    form = forms.AdoptForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Plan non adopté : {_form_errors(form)}")
        return redirect("www:crisis_plan", slug=cpts.slug)
    try:
        plan = plans.adopt(cpts, form.cleaned_data["written_on"], request.user, expected_version=form.expected_version)
    except StaleEdit as exc:
        _stale(request, exc)
    except CrisisError as exc:
        _refused(request, exc)
    else:
        messages.success(request, f"Plan adopté le {plan.written_on:%d/%m/%Y}.")
    return redirect("www:crisis_plan", slug=cpts.slug)


def plan_docx(request, slug):
    cpts = cpts_for(request, slug, Area.CRISIS)
    response = HttpResponse(docx_bytes(plans.plan_of(cpts)), content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="plan-crises-sanitaires-{cpts.slug}.docx"'
    return response


# ---- activation ----


def _declarable(request, cpts):
    """The CPTS the user may declare a crisis in, among those of the régions `cpts` lies in: the coordinator's
    own, or every CPTS of the région for the ARS."""
    regions = cpts.communes().values("region")
    return policy.cpts(request.user, Area.CRISIS_DECLARE, WRITE).filter(pk__in=Cpts.objects.of_regions(regions))


def _by_ars(user, cpts) -> bool:
    """A coordinator declares for the CPTS; anyone else allowed to (ARS, platform admin) as the ARS."""
    return not Role.objects.filter(user=user, kind=RoleKind.COORDINATOR, cpts=cpts).exists()


def crisis_declare(request, slug):
    cpts = cpts_for(request, slug, Area.CRISIS_DECLARE, WRITE)
    choices = _declarable(request, cpts).order_by("name")
    form = forms.DeclareForm(
        request.POST if request.method == "POST" else None, choices=choices, initial={"cpts": [cpts.pk]}
    )
    by_ars = _by_ars(request.user, cpts)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            declaration = activation.Declaration(
                kind=data["kind"],
                title=data["title"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                alert=data["alert"],
                audience=data["audience"],
                profession_code=data["profession"],
            )
            try:
                created = activation.declare(data["cpts"], declaration, request.user, by_ars=by_ars)
            except CrisisError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                alerted = sum(alert.recipients for c in created for alert in c.alerts.all())
                told = f" {plural(alerted, 'courriel')} d'alerte en cours d'envoi." if declaration.alert else ""
                names = ", ".join(c.cpts.name for c in created)
                messages.success(request, f"Crise déclarée ({names}).{told}")
                first = next((c for c in created if c.cpts_id == cpts.pk), created[0])
                return redirect("www:crisis_detail", slug=first.cpts.slug, pk=first.pk)
    context = {"cpts": cpts, "form": form, "by_ars": by_ars}
    return render(request, "crisis/plan_declare.html", context, status=status)


def _crisis(request, slug, pk, area, action=READ):
    cpts = cpts_for(request, slug, area, action)
    return cpts, get_object_or_404(Crisis.objects.select_related("cpts"), cpts=cpts, pk=pk)


def crisis_detail(request, slug, pk):
    cpts, crisis = _crisis(request, slug, pk, Area.CRISIS_DECLARE)
    can_declare = may(request, Area.CRISIS_DECLARE, WRITE, cpts)
    context = {
        "cpts": cpts,
        "crisis": crisis,
        "transitions": crisis.transitions.all(),
        "alerts": crisis.alerts.all(),
        "retex": Retex.objects.filter(crisis=crisis).first(),
        "may_recognise": may(request, Area.CRISIS_RECOGNISE, WRITE, cpts) and crisis.recognised_on is None,
        "may_close": can_declare and crisis.status == Crisis.Status.ACTIVE,
        "may_follow": may(request, Area.PATHWAYS, READ, cpts),
        "may_retex": may(request, Area.CRISIS, READ, cpts),
        # The response's pages (centres and shifts, the stock ledger, the case map).
        "may_respond": may(request, Area.CRISIS_RESPONSE, READ, cpts),
        "may_cases": may(request, Area.CRISIS_CASES, READ, cpts),
        "version_form": forms.AdoptForm(version=crisis.version),
        "close_form": forms.CloseForm(version=crisis.version),
        "alert_form": forms.AlertForm() if can_declare and crisis.status == Crisis.Status.ACTIVE else None,
    }
    return render(request, "crisis/plan_crisis.html", context)


@require_POST
def crisis_recognise(request, slug, pk):
    cpts, crisis = _crisis(request, slug, pk, Area.CRISIS_RECOGNISE, WRITE)
    form = forms.AdoptForm(request.POST)
    try:
        activation.recognise(crisis, request.user, expected_version=form.expected_version)
    except StaleEdit as exc:
        _stale(request, exc)
    except CrisisError as exc:
        _refused(request, exc)
    else:
        messages.success(request, "Crise reconnue par l'ARS : la part variable de la mission crise est due.")
    return redirect("www:crisis_detail", slug=cpts.slug, pk=crisis.pk)


@require_POST
def crisis_close(request, slug, pk):
    cpts, crisis = _crisis(request, slug, pk, Area.CRISIS_DECLARE, WRITE)
    form = forms.CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Crise non clôturée : {_form_errors(form)}")
        return redirect("www:crisis_detail", slug=cpts.slug, pk=crisis.pk)
    try:
        activation.close(crisis, form.cleaned_data["ends_on"], request.user, expected_version=form.expected_version)
    except StaleEdit as exc:
        _stale(request, exc)
    except CrisisError as exc:
        _refused(request, exc)
    else:
        messages.success(request, "Crise clôturée : préparez son retour d'expérience.")
    return redirect("www:crisis_detail", slug=cpts.slug, pk=crisis.pk)


@require_POST
def crisis_alert(request, slug, pk):
    cpts, crisis = _crisis(request, slug, pk, Area.CRISIS_DECLARE, WRITE)
    form = forms.AlertForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Aucune alerte envoyée : {_form_errors(form)}")
        return redirect("www:crisis_detail", slug=cpts.slug, pk=crisis.pk)
    data = form.cleaned_data
    try:
        alert = activation.alert_members(crisis, data["audience"], request.user, profession_code=data["profession"])
    except CrisisError as exc:
        _refused(request, exc)
    else:
        messages.success(request, f"{plural(alert.recipients, 'courriel')} d'alerte en cours d'envoi.")
    return redirect("www:crisis_detail", slug=cpts.slug, pk=crisis.pk)


# ---- home follow-up ----


def crisis_follow_up(request, slug, pk):
    cpts, crisis = _crisis(request, slug, pk, Area.PATHWAYS)
    template = follow_up.template_for(cpts)
    context = {
        "cpts": cpts,
        "crisis": crisis,
        "template": template,
        "pathways": follow_up.pathways_of(request.user, crisis),
        "may_enrol": template is not None
        and crisis.status == Crisis.Status.ACTIVE
        and pathway_access.may_enrol(request.user, cpts),
        "limit": follow_up.LIMIT,
    }
    return render(request, "crisis/plan_follow_up.html", context)


# ---- retour d'expérience ----


def _retex_initial(review) -> dict:
    return {"held_on": review.held_on, "worked": review.worked, "did_not_work": review.did_not_work}


def crisis_retex(request, slug, pk):
    action = WRITE if request.method == "POST" else READ
    cpts, crisis = _crisis(request, slug, pk, Area.CRISIS, action)
    current = Retex.objects.filter(crisis=crisis).first()
    initial = _retex_initial(current) if current else {}
    form = forms.RetexForm(
        request.POST if request.method == "POST" else None, initial=initial, version=current.version if current else 0
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                retex.save_retex(
                    crisis,
                    held_on=data["held_on"],
                    worked=data["worked"],
                    did_not_work=data["did_not_work"],
                    actor=request.user,
                    expected_version=form.expected_version,
                )
            except StaleEdit as exc:
                form.refuse(exc, _retex_initial(exc.current) if exc.current else None)
                status = 409
            except CrisisError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, "Retour d'expérience enregistré.")
                return redirect("www:crisis_retex", slug=cpts.slug, pk=crisis.pk)
    context = {
        "cpts": cpts,
        "crisis": crisis,
        "retex": current,
        "actions": current.actions.all() if current else [],
        "form": form,
        "action_form": forms.RetexActionForm(),
        "can_write": may(request, Area.CRISIS, WRITE, cpts),
    }
    return render(request, "crisis/plan_retex.html", context, status=status)


@require_POST
def crisis_retex_action(request, slug, pk):
    cpts, crisis = _crisis(request, slug, pk, Area.CRISIS, WRITE)
    form = forms.RetexActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Action non enregistrée : {_form_errors(form)}")
    else:
        try:
            retex.add_action(crisis, actor=request.user, **form.cleaned_data)
        except CrisisError as exc:
            _refused(request, exc)
        else:
            messages.success(request, "Action ajoutée au retour d'expérience.")
    return redirect("www:crisis_retex", slug=cpts.slug, pk=crisis.pk)


@require_POST
def crisis_retex_done(request, slug, pk, action_pk):
    cpts, crisis = _crisis(request, slug, pk, Area.CRISIS, WRITE)
    try:
        retex.mark_done(crisis, action_pk, request.user)
    except CrisisError as exc:
        _refused(request, exc)
    else:
        messages.success(request, "Action marquée comme réalisée.")
    return redirect("www:crisis_retex", slug=cpts.slug, pk=crisis.pk)
