"""Templates: a CPTS copies one of the library, edits its draft, publishes it. A published
template is frozen: editing it makes the next version as a draft (`based_on` it)."""

import re

from django.db import IntegrityError, transaction
from django.utils import timezone

from maillage.core import audit, versioning
from maillage.core.french import plural
from maillage.pathways import access
from maillage.pathways.actions import PathwayError, require
from maillage.pathways.models import PathwayTemplate, TemplateStep
from maillage.pathways.states import Anchor, CareRole, Profession, TemplateStatus

STEP_FIELDS = (
    "title", "profession_code", "role", "anchor", "offset_days", "checklist", "indicator_codes", "overdue_after_days",
)  # fmt: skip
MAX_STEPS, MAX_CHECKLIST, MAX_OFFSET_DAYS, MAX_OVERDUE_DAYS = 30, 20, 730, 365
INDICATOR_CODE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")


def _integer(value, label: str, n: int, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise PathwayError(f"Étape {n} : {label} doit être un nombre entier de jours.") from None
    if number < low:
        if label == "le délai":
            raise PathwayError(
                f"Étape {n} : le délai ne peut pas être négatif (J+0 est le jour de l'inscription ou de la sortie)."
            )
        raise PathwayError(f"Étape {n} : {label} doit être d'au moins {plural(low, 'jour')}.")
    if number > high:
        raise PathwayError(f"Étape {n} : {label} ne peut pas dépasser {plural(high, 'jour')}.")
    return number


def _texts(value, n: int, what: str, limit: int, max_length: int) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str) or not all(isinstance(item, str) for item in value):
        raise PathwayError(f"Étape {n} : {what} doit être une liste de textes.")
    items = [item.strip() for item in value if item.strip()]
    require(len(items) <= limit, f"Étape {n} : {what} compte au plus {limit} lignes.")
    require(all(len(item) <= max_length for item in items), f"Étape {n} : une ligne de {what} est trop longue.")
    return items


def clean_steps(rows) -> list[dict]:
    """The steps as typed, checked: a French refusal names the step (counted from 1)."""
    rows = list(rows)
    require(rows, "Un modèle de parcours compte au moins une étape.")
    require(len(rows) <= MAX_STEPS, f"Un modèle de parcours compte au plus {MAX_STEPS} étapes.")
    cleaned = []
    for n, row in enumerate(rows, start=1):
        title = (row.get("title") or "").strip()
        require(title, f"Étape {n} : indiquez son intitulé.")
        require(len(title) <= 200, f"Étape {n} : l'intitulé est trop long (200 caractères au plus).")
        profession, role = row.get("profession_code") or "", row.get("role") or ""
        require(profession in Profession.values or not profession, f"Étape {n} : profession inconnue.")
        require(role in CareRole.values or not role, f"Étape {n} : rôle inconnu.")
        require(profession or role, f"Étape {n} : indiquez la profession ou le rôle attendu.")
        anchor = row.get("anchor") or Anchor.ENROLMENT
        require(anchor in Anchor.values, f"Étape {n} : le point de départ du délai est inconnu.")
        cleaned.append(
            {
                "title": title,
                "profession_code": profession,
                "role": role,
                "anchor": anchor,
                "offset_days": _integer(row.get("offset_days", 0), "le délai", n, 0, MAX_OFFSET_DAYS),
                "overdue_after_days": _integer(
                    row.get("overdue_after_days", 3), "le retard avant alerte", n, 1, MAX_OVERDUE_DAYS
                ),
                "checklist": _texts(row.get("checklist"), n, "la liste de vérification", MAX_CHECKLIST, 200),
                "indicator_codes": _indicators(row.get("indicator_codes"), n),
            }
        )
    return cleaned


def _indicators(value, n: int) -> list[str]:
    codes = _texts(value, n, "la liste des indicateurs", 10, 100)
    for code in codes:
        require(INDICATOR_CODE.match(code), f"Étape {n} : « {code} » n'est pas un code d'indicateur.")
    return codes


def _write_steps(template, steps) -> None:
    TemplateStep.objects.filter(template=template).delete()
    TemplateStep.objects.bulk_create(
        TemplateStep(template=template, position=position, **step) for position, step in enumerate(steps, start=1)
    )


def _steps_of(template) -> list[dict]:
    return [{name: getattr(step, name) for name in STEP_FIELDS} for step in template.steps.all()]


def copy_template(source: PathwayTemplate, cpts, actor) -> PathwayTemplate:
    """A draft copy of a library template (or of another version of the CPTS's own) for `cpts`."""
    require(access.may_edit_templates(actor, cpts), "Seule la coordination de la CPTS modifie ses modèles.")
    require(source.is_library, "Seul un modèle de la bibliothèque commune se copie.")
    require(source.status == TemplateStatus.PUBLISHED, "Seul un modèle publié peut être copié.")
    already = f"La CPTS a déjà son modèle « {source.name} » : modifiez-le plutôt que d'en faire une autre copie."
    require(not PathwayTemplate.objects.filter(cpts=cpts, code=source.code).exists(), already)
    try:
        with transaction.atomic():
            copy = PathwayTemplate.objects.create(
                cpts=cpts,
                code=source.code,
                name=source.name,
                description=source.description,
                based_on=source,
                no_contact_days=source.no_contact_days,
            )
            _write_steps(copy, _steps_of(source))
            audit.record("pathways.template.copied", actor=actor, cpts=cpts, obj=copy, details={"modèle": source.name})
    except IntegrityError:  # two coordinators copying at the same moment: the second is told
        raise PathwayError(already) from None
    return copy


def edit_template(template: PathwayTemplate, actor, *, expected_version=None, name=None, description=None,
                  steps=None, no_contact_days=None) -> PathwayTemplate:  # fmt: skip
    """Changes a draft in place; a published template is never edited in place: the change makes
    its next version, a draft `based_on` it, which is returned. `steps`: the whole list, in order."""
    require(not template.is_library, "Les modèles de la bibliothèque commune ne se modifient pas : copiez-le.")
    require(access.may_edit_templates(actor, template.cpts), "Seule la coordination de la CPTS modifie ses modèles.")
    require(template.status != TemplateStatus.RETIRED, "Ce modèle est retiré : modifiez sa dernière version.")
    cleaned = clean_steps(steps) if steps is not None else None
    if name is not None:
        name = name.strip()
        require(name and len(name) <= 200, "Indiquez le nom du modèle (200 caractères au plus).")
    if no_contact_days is not None:
        require(
            isinstance(no_contact_days, int) and 1 <= no_contact_days <= MAX_OVERDUE_DAYS,
            f"Le délai sans contact avant alerte est compris entre 1 et {MAX_OVERDUE_DAYS} jours.",
        )
    try:
        with transaction.atomic():
            if template.is_draft:
                versioning.check_and_bump(template, expected_version)
                target, code = template, "pathways.template.edited"
            else:
                versioning.lock_and_check(template, expected_version)
                if PathwayTemplate.objects.filter(cpts=template.cpts, code=template.code, status="draft").exists():
                    raise PathwayError(
                        "Une nouvelle version de ce modèle est déjà en brouillon : c'est elle qu'il faut modifier."
                    )
                versions = PathwayTemplate.objects.filter(cpts=template.cpts, code=template.code)
                last = versions.order_by("-number").first()
                target = PathwayTemplate.objects.create(
                    cpts=template.cpts, code=template.code, name=template.name, description=template.description,
                    number=last.number + 1, based_on=template, no_contact_days=template.no_contact_days,
                )  # fmt: skip
                _write_steps(target, _steps_of(template))
                code = "pathways.template.version_created"
            if name is not None:
                target.name = name
            if description is not None:
                target.description = description.strip()
            if no_contact_days is not None:
                target.no_contact_days = no_contact_days
            target.save(update_fields=["name", "description", "no_contact_days"])
            if cleaned is not None:
                _write_steps(target, cleaned)
            audit.record(
                code, actor=actor, cpts=target.cpts, obj=target,
                details={"version": target.number, "étapes": len(cleaned) if cleaned is not None else None},
            )  # fmt: skip
    except IntegrityError:  # another coordinator opened the next version at the same moment
        raise PathwayError(
            "Une nouvelle version de ce modèle vient d'être ouverte par quelqu'un d'autre : rechargez la page."
        ) from None
    return target


def publish_template(template: PathwayTemplate, actor, *, expected_version=None) -> PathwayTemplate:
    """Freezes a draft; the version it replaces is retired (its pathways keep it)."""
    require(not template.is_library, "Les modèles de la bibliothèque commune sont déjà publiés.")
    require(access.may_edit_templates(actor, template.cpts), "Seule la coordination de la CPTS modifie ses modèles.")
    with transaction.atomic():
        versioning.check_and_bump(template, expected_version)
        template.refresh_from_db(fields=["status"])
        require(template.is_draft, f"Ce modèle est « {template.get_status_display()} » : seul un brouillon se publie.")
        require(template.steps.exists(), "Un modèle sans étape ne peut pas être publié.")
        retired = (
            PathwayTemplate.objects.filter(cpts=template.cpts, code=template.code, status=TemplateStatus.PUBLISHED)
            .exclude(pk=template.pk)
            .update(status=TemplateStatus.RETIRED)
        )
        template.status, template.published_at = TemplateStatus.PUBLISHED, timezone.now()
        template.save(update_fields=["status", "published_at"])
        audit.record(
            "pathways.template.published", actor=actor, cpts=template.cpts, obj=template,
            details={"version": template.number, "versions_retirées": retired},
        )  # fmt: skip
    return template
