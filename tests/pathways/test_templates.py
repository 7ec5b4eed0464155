"""The library and the templates' life: copy, edit while a draft, publish, new version when published."""

import pytest
from django.db import IntegrityError, transaction

from maillage.core.models import AuditEntry
from maillage.core.versioning import StaleEdit
from maillage.pathways.actions import PathwayError
from maillage.pathways.actions.templates import copy_template, edit_template, publish_template
from maillage.pathways.models import PathwayTemplate, TemplateStep
from maillage.pathways.states import TemplateStatus

LIBRARY = {
    "sortie-hospitalisation-personne-agee", "insuffisance-cardiaque", "diabete-type-2-desequilibre",
    "plaies-chroniques", "soins-palliatifs-domicile", "obesite-enfant", "chute-maintien-domicile",
    "suivi-domicile-crise",  # issue 17: home follow-up during a health crisis (crisis migration 0004)
}  # fmt: skip


def _rows(template):
    return [
        {"title": s.title, "profession_code": s.profession_code, "role": s.role, "anchor": s.anchor,
         "offset_days": s.offset_days, "checklist": s.checklist, "indicator_codes": s.indicator_codes,
         "overdue_after_days": s.overdue_after_days}
        for s in template.steps.all()
    ]  # fmt: skip


def _counts():
    return PathwayTemplate.objects.count(), TemplateStep.objects.count(), AuditEntry.objects.count()


@pytest.mark.django_db
def test_the_shared_library_holds_the_seven_templates_of_the_mission():
    library = PathwayTemplate.objects.library()
    assert set(library.values_list("code", flat=True)) == LIBRARY
    for template in library:
        assert template.status == TemplateStatus.PUBLISHED and template.number == 1
        steps = list(template.steps.all())
        assert 3 <= len(steps) <= 6, template.code
        assert all(step.offset_days >= 0 and step.checklist and step.expected for step in steps)
    discharge = library.get(code="sortie-hospitalisation-personne-agee")
    assert {step.anchor for step in discharge.steps.all()} == {"discharge"}


def test_a_negative_offset_is_refused_by_the_database_too(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        TemplateStep.objects.create(template=world["discharge"], title="Avant", profession_code="60", offset_days=-3)


def test_a_coordinator_copies_edits_and_publishes_a_template(world):
    cmv, coordinator = world["cmv"], world["coordinator"]
    copy = copy_template(world["discharge"], cmv, coordinator)
    assert copy.is_draft and copy.based_on == world["discharge"] and copy.steps.count() == 5
    rows = _rows(copy)
    rows[0]["offset_days"] = 2
    edited = edit_template(copy, coordinator, expected_version=copy.version, name="Sortie d'hôpital", steps=rows)
    assert edited == copy and edited.name == "Sortie d'hôpital" and edited.steps.first().offset_days == 2
    published = publish_template(edited, coordinator, expected_version=1)
    assert published.status == TemplateStatus.PUBLISHED and published.published_at
    codes = list(AuditEntry.objects.filter(cpts=cmv).values_list("action", flat=True))
    assert {"pathways.template.copied", "pathways.template.edited", "pathways.template.published"} <= set(codes)
    with pytest.raises(PathwayError, match="déjà son modèle"):
        copy_template(world["discharge"], cmv, coordinator)


def test_editing_a_published_template_makes_its_next_version_and_retires_the_old_on_publication(world):
    coordinator = world["coordinator"]
    first = publish_template(copy_template(world["discharge"], world["cmv"], coordinator), coordinator)
    rows = _rows(first)[:3]
    draft = edit_template(first, coordinator, steps=rows)
    first.refresh_from_db()
    assert draft != first and draft.number == 2 and draft.based_on == first and draft.is_draft
    assert first.status == TemplateStatus.PUBLISHED and first.steps.count() == 5  # untouched
    with pytest.raises(PathwayError, match="déjà en brouillon"):
        edit_template(first, coordinator, steps=rows)
    publish_template(draft, coordinator)
    first.refresh_from_db()
    assert first.status == TemplateStatus.RETIRED


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"offset_days": -3}, "Étape 2 : le délai ne peut pas être négatif"),
        ({"offset_days": "trois"}, "Étape 2 : le délai doit être un nombre entier de jours."),
        ({"title": " "}, "Étape 2 : indiquez son intitulé."),
        ({"profession_code": "", "role": ""}, "Étape 2 : indiquez la profession ou le rôle attendu."),
        ({"indicator_codes": ["Taux !"]}, "n'est pas un code d'indicateur"),
        ({"overdue_after_days": 0}, "le retard avant alerte doit être d'au moins 1 jour."),
    ],
)
def test_a_bad_step_is_refused_in_french_and_nothing_is_saved(world, change, message):
    coordinator = world["coordinator"]
    copy = copy_template(world["discharge"], world["cmv"], coordinator)
    rows = _rows(copy)
    rows[1].update(change)
    before = _counts()
    with pytest.raises(PathwayError, match=message):
        edit_template(copy, coordinator, steps=rows)
    assert _counts() == before
    assert [s.offset_days for s in copy.steps.all()] == [1, 3, 7, 7, 15]


def test_the_library_is_read_only_and_only_the_coordination_edits(world):
    with pytest.raises(PathwayError, match="bibliothèque commune ne se modifient pas"):
        edit_template(world["discharge"], world["coordinator"], name="Autre")
    with pytest.raises(PathwayError, match="Seule la coordination"):
        copy_template(world["discharge"], world["cmv"], world["nurse_user"])
    copy = copy_template(world["discharge"], world["cmv"], world["coordinator"])
    with pytest.raises(PathwayError, match="Seule la coordination"):
        edit_template(copy, world["coordinator_other"], name="Autre")


def test_a_stale_edit_is_refused(world):
    coordinator = world["coordinator"]
    copy = copy_template(world["discharge"], world["cmv"], coordinator)
    edit_template(copy, coordinator, expected_version=0, name="Première")
    with pytest.raises(StaleEdit):
        edit_template(copy, coordinator, expected_version=0, name="Seconde")
    copy.refresh_from_db()
    assert copy.name == "Première"


def test_a_template_without_steps_is_not_published(world):
    coordinator = world["coordinator"]
    copy = copy_template(world["discharge"], world["cmv"], coordinator)
    copy.steps.all().delete()
    with pytest.raises(PathwayError, match="sans étape"):
        publish_template(copy, coordinator)
    copy.refresh_from_db()
    assert copy.is_draft
