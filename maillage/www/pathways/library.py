"""The library of pathway templates (issue 15, item 1): the shared library and the CPTS's own
templates, read by its coordinators and members; copied, edited and published by its coordinators
(`pathways.access.may_edit_templates`). The rules live in `pathways/actions/templates.py`: the
forms only carry what was typed, and the action's French refusal is shown as is."""

from django import forms
from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from maillage.core.versioning import StaleEdit, VersionedForm
from maillage.pathways import access
from maillage.pathways.actions import PathwayError
from maillage.pathways.actions.templates import (
    MAX_OVERDUE_DAYS,
    MAX_STEPS,
    copy_template,
    edit_template,
    publish_template,
)
from maillage.pathways.models import PathwayTemplate
from maillage.pathways.states import Anchor, CareRole, Profession, TemplateStatus
from maillage.www.scoping import READ, WRITE, Area, cpts_for


class TemplateForm(VersionedForm, forms.Form):
    name = forms.CharField(label="Nom du modèle", required=False, max_length=200)
    description = forms.CharField(
        label="Présentation", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    no_contact_days = forms.IntegerField(
        label="Alerte sans contact avec le patient après (jours)",
        min_value=1,
        max_value=MAX_OVERDUE_DAYS,
        error_messages={
            "required": "Indiquez le délai sans contact avant alerte.",
            "invalid": "Le délai sans contact est un nombre entier de jours.",
            "min_value": "Le délai sans contact est d'au moins 1 jour.",
            "max_value": f"Le délai sans contact ne dépasse pas {MAX_OVERDUE_DAYS} jours.",
        },
    )

    @staticmethod
    def initial_of(template) -> dict:
        return {"name": template.name, "description": template.description, "no_contact_days": template.no_contact_days}


class StepForm(forms.Form):
    """One step as typed: every field is text here, `clean_steps` checks them with messages that
    name the step (a negative delay, an unknown profession…)."""

    title = forms.CharField(label="Étape", required=False, max_length=200)
    profession_code = forms.ChoiceField(
        label="Profession attendue", required=False, choices=[("", "—"), *Profession.choices]
    )
    role = forms.ChoiceField(label="Rôle attendu", required=False, choices=[("", "—"), *CareRole.choices])
    anchor = forms.ChoiceField(label="À compter de", choices=Anchor.choices, initial=Anchor.ENROLMENT)
    offset_days = forms.CharField(label="Délai (jours)", required=False, max_length=6, initial="0")
    overdue_after_days = forms.CharField(label="Alerte après (jours de retard)", required=False, max_length=6,
                                         initial="3")  # fmt: skip
    checklist = forms.CharField(
        label="Liste de vérification (une ligne par point)",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    indicator_codes = forms.CharField(label="Indicateurs alimentés (codes, un par ligne)", required=False,
                                      max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not any(data.get(name) for name in ("title", "profession_code", "role", "checklist", "indicator_codes"))

    def row(self) -> dict:
        data = self.cleaned_data

        def lines(text):
            return [line.strip() for line in (text or "").replace(",", "\n").splitlines() if line.strip()]

        return {
            "title": data.get("title", ""),
            "profession_code": data.get("profession_code", ""),
            "role": data.get("role", ""),
            "anchor": data.get("anchor") or Anchor.ENROLMENT,
            "offset_days": (data.get("offset_days") or "0").strip(),
            "overdue_after_days": (data.get("overdue_after_days") or "3").strip(),
            "checklist": [line.strip() for line in (data.get("checklist") or "").splitlines() if line.strip()],
            "indicator_codes": lines(data.get("indicator_codes")),
        }


class BaseStepFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields[forms.formsets.ORDERING_FIELD_NAME].label = "Ordre"
        form.fields[forms.formsets.ORDERING_FIELD_NAME].error_messages["invalid"] = "L'ordre est un nombre entier."


StepFormSet = forms.formset_factory(
    StepForm, formset=BaseStepFormSet, extra=2, can_delete=True, can_order=True, max_num=MAX_STEPS,
    validate_max=True, absolute_max=MAX_STEPS + 2,
)  # fmt: skip


def step_formset(data=None, template=None):
    initial = []
    if template is not None:
        for step in template.steps.all():
            initial.append(
                {
                    "title": step.title, "profession_code": step.profession_code, "role": step.role,
                    "anchor": step.anchor, "offset_days": str(step.offset_days),
                    "overdue_after_days": str(step.overdue_after_days), "checklist": "\n".join(step.checklist),
                    "indicator_codes": "\n".join(step.indicator_codes),
                }
            )  # fmt: skip
    return StepFormSet(data, initial=initial, prefix="etapes")


def _templates(cpts):
    return PathwayTemplate.objects.filter(Q(cpts=cpts) | Q(cpts__isnull=True, status=TemplateStatus.PUBLISHED))


def _template_of(cpts, pk) -> PathwayTemplate:
    return get_object_or_404(_templates(cpts).select_related("based_on"), pk=pk)


def _own_template(request, slug, pk) -> tuple:
    """For the writes: the CPTS (the policy's WRITE), the coordinator's check, the CPTS's template."""
    cpts = cpts_for(request, slug, Area.PATHWAYS, WRITE)
    if not access.may_edit_templates(request.user, cpts):
        raise Http404
    return cpts, _template_of(cpts, pk)


def library(request, slug):
    cpts = cpts_for(request, slug, Area.PATHWAYS, READ)
    templates = list(
        # Only this CPTS's pathways are counted: a library template is shared with other CPTS.
        _templates(cpts).annotate(
            steps_count=Count("steps", distinct=True),
            in_use=Count("pathways", filter=Q(pathways__cpts=cpts), distinct=True),
        )
    )
    own_codes = {t.code for t in templates if not t.is_library}
    context = {
        "cpts": cpts,
        "shared": [t for t in templates if t.is_library],
        "own": [t for t in templates if not t.is_library],
        "own_codes": own_codes,
        "may_edit": access.may_edit_templates(request.user, cpts),
    }
    return render(request, "pathways/library.html", context)


def template_detail(request, slug, pk):
    cpts = cpts_for(request, slug, Area.PATHWAYS, READ)
    template = _template_of(cpts, pk)
    draft = None
    if not template.is_library and not template.is_draft:
        draft = PathwayTemplate.objects.filter(cpts=cpts, code=template.code, status=TemplateStatus.DRAFT).first()
    copied = template.is_library and PathwayTemplate.objects.filter(cpts=cpts, code=template.code).exists()
    context = {
        "cpts": cpts,
        "template": template,
        "steps": template.steps.all(),
        "in_use": template.pathways.filter(cpts=cpts).count(),
        "draft": draft,
        "copied": copied,
        "may_edit": access.may_edit_templates(request.user, cpts),
    }
    return render(request, "pathways/library_template.html", context)


@require_POST
def template_copy(request, slug, pk):
    cpts, source = _own_template(request, slug, pk)
    try:
        copy = copy_template(source, cpts, request.user)
    except PathwayError as exc:
        messages.error(request, str(exc))
        return redirect("www:pathway_template", slug=cpts.slug, pk=source.pk)
    messages.success(request, f"Modèle « {copy.name} » copié pour la CPTS, en brouillon : adaptez-le puis publiez-le.")
    return redirect("www:pathway_template_edit", slug=cpts.slug, pk=copy.pk)


def template_edit(request, slug, pk):
    cpts, template = _own_template(request, slug, pk)
    if template.is_library:
        raise Http404
    status = 200
    if request.method == "POST":
        form = TemplateForm(request.POST)
        steps = step_formset(request.POST)
        status = 400
        if form.is_valid() and steps.is_valid():
            # In the order typed (a new step numbered 0 goes first), rows without a number after.
            rows = [f.row() for f in steps.ordered_forms if not f.is_blank()]
            try:
                saved = edit_template(
                    template, request.user, expected_version=form.expected_version, name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"], no_contact_days=form.cleaned_data["no_contact_days"],
                    steps=rows,
                )  # fmt: skip
            except StaleEdit as exc:
                form.refuse(exc, TemplateForm.initial_of(exc.current) if exc.current else None)
                status = 409
            except PathwayError as exc:
                messages.error(request, str(exc))
            else:
                if saved.pk != template.pk:
                    messages.success(
                        request,
                        f"Version {saved.number} du modèle « {saved.name} » ouverte en brouillon : "
                        f"la version {template.number} reste en vigueur jusqu'à la publication.",
                    )
                else:
                    messages.success(request, f"Brouillon du modèle « {saved.name} » enregistré.")
                return redirect("www:pathway_template", slug=cpts.slug, pk=saved.pk)
    else:
        form = TemplateForm(initial=TemplateForm.initial_of(template), version=template.version)
        steps = step_formset(None, template)
    draft = None
    if not template.is_draft:
        draft = PathwayTemplate.objects.filter(cpts=cpts, code=template.code, status=TemplateStatus.DRAFT).first()
    context = {
        "cpts": cpts,
        "template": template,
        "form": form,
        "steps": steps,
        "in_use": template.pathways.filter(cpts=cpts).count(),
        "draft": draft,
    }
    return render(request, "pathways/library_edit.html", context, status=status)


@require_POST
def template_publish(request, slug, pk):
    cpts, template = _own_template(request, slug, pk)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    try:
        publish_template(template, request.user, expected_version=version)
    except StaleEdit:
        messages.error(
            request, "Ce modèle a été modifié par une autre personne entre-temps : relisez-le avant de le publier."
        )
    except PathwayError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"Modèle « {template.name} » publié (version {template.number}) : "
            "les nouvelles inscriptions l'utilisent, les parcours en cours gardent leur version.",
        )
    return redirect("www:pathway_template", slug=cpts.slug, pk=template.pk)
