"""Fiches-actions and their indicators: validation, one transaction and one audit entry per write,
states of the projet."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from maillage.core.models import AuditEntry
from maillage.projet import actions, fiches
from maillage.projet.models import FicheAction, FicheIndicator, ProjetSante, ProjetTransition

FICHE = {"mission": "prevention", "title": "Dépistage du cancer du sein", "objective": "Augmenter la participation."}
ROW = {"code": "", "label": "Femmes de 50 à 74 ans dépistées", "unit": "%", "baseline": "48,5", "target": "60"}


def _errors(row):
    with pytest.raises(ValidationError) as refused:
        fiches.clean_indicator(row)
    return refused.value.message_dict


def test_an_indicator_with_a_registry_code_takes_its_label_and_unit(db):
    cleaned = fiches.clean_indicator({"code": "unscheduled.requests", "target": "1200"})
    assert (cleaned["label"], cleaned["unit"], cleaned["target"]) == (
        "Demandes de soins non programmés reçues",
        "demandes",
        Decimal("1200"),
    )


def test_a_code_not_registered_yet_is_kept_as_typed(db):
    cleaned = fiches.clean_indicator({**ROW, "code": "cpam.depistage_sein"})
    assert (cleaned["code"], cleaned["label"], cleaned["baseline"]) == (
        "cpam.depistage_sein",
        "Femmes de 50 à 74 ans dépistées",
        Decimal("48.5"),
    )


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"target": "120"}, "target", "Un pourcentage est compris entre 0 et 100 : cible 120 refusée."),
        ({"baseline": "-3"}, "baseline", "La valeur initiale ne peut pas être négative."),
        ({"intermediate": "beaucoup"}, "intermediate", "La valeur intermédiaire doit être un nombre"),
        ({"intermediate": "NaN"}, "intermediate", "La valeur intermédiaire doit être un nombre"),
        ({"target": ""}, "target", "Indiquez la valeur cible de l'indicateur."),
        ({"target": "12,345"}, "target", "La cible a au plus deux décimales."),
        ({"label": ""}, "label", "Donnez l'intitulé de l'indicateur"),
        ({"code": "Taux de dépistage"}, "code", "n'est pas un code d'indicateur"),
    ],
)
def test_bad_indicators_are_explained(db, change, field, message):
    errors = _errors({**ROW, **change})
    assert message in errors[field][0]


def test_a_count_may_exceed_100(db):
    assert fiches.clean_indicator({**ROW, "unit": "patients", "target": "350"})["target"] == Decimal("350")


def test_saving_a_fiche_creates_the_draft_with_one_audit_entry(idf, coordinator):
    cpts = idf["cmv"]
    fiche = actions.save_fiche(cpts, FICHE, [ROW, {**ROW, "label": "Ateliers", "unit": "ateliers"}], coordinator)
    projet = ProjetSante.objects.get(cpts=cpts)
    assert (projet.version, projet.status, fiche.projet_id, fiche.position) == (1, "brouillon", projet.pk, 1)
    assert list(fiche.indicators.values_list("label", "target")) == [
        ("Femmes de 50 à 74 ans dépistées", Decimal("60")),
        ("Ateliers", Decimal("60")),
    ]
    entry = AuditEntry.objects.get(action="projet.fiche.saved")
    assert (entry.cpts, entry.actor, entry.details["indicateurs"]) == (cpts, coordinator, 2)
    second = actions.save_fiche(cpts, {**FICHE, "title": "Vaccination"}, [], coordinator)
    assert second.position == 2


def test_a_bad_indicator_saves_nothing(idf, coordinator):
    with pytest.raises(actions.ProjetError, match="Indicateur 2 : Un pourcentage est compris entre 0 et 100"):
        actions.save_fiche(idf["cmv"], FICHE, [ROW, {**ROW, "target": "140"}], coordinator)
    assert not ProjetSante.objects.exists() and not FicheAction.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="projet.").exists()


def test_editing_replaces_the_indicators(idf, coordinator):
    fiche = actions.save_fiche(idf["cmv"], FICHE, [ROW], coordinator)
    actions.save_fiche(idf["cmv"], {**FICHE, "title": "Dépistage organisé"}, [], coordinator, fiche=fiche)
    fiche.refresh_from_db()
    assert fiche.title == "Dépistage organisé" and not FicheIndicator.objects.exists()


def test_states_file_validate_and_a_new_version(idf, coordinator):
    cpts = idf["cmv"]
    with pytest.raises(actions.ProjetError, match="pas encore de projet de santé"):
        actions.move(cpts, "depose", coordinator)
    actions.save_texts(cpts, {"presentation": "Une CPTS de trois communes."}, coordinator)
    with pytest.raises(actions.ProjetError, match="sans fiche-action ne peut pas être déposé"):
        actions.move(cpts, "depose", coordinator)
    fiche = actions.save_fiche(cpts, FICHE, [ROW], coordinator)
    with pytest.raises(actions.ProjetError, match="ce changement d'état n'est pas possible"):
        actions.move(cpts, "valide", coordinator)  # a draft is filed before it is validated
    actions.move(cpts, "depose", coordinator)
    with pytest.raises(actions.ProjetError, match="n'est plus modifiable"):
        actions.save_fiche(cpts, FICHE, [], coordinator, fiche=fiche)
    with pytest.raises(actions.ProjetError, match="enregistrée par l'ARS elle-même"):
        actions.move(cpts, "valide", coordinator)  # the ARS's answer is the ARS's (maillage/lifecycle/ars.py)
    with pytest.raises(actions.ProjetError, match="enregistrée par l'ARS elle-même"):
        actions.move(cpts, "brouillon", coordinator)
    actions.move(cpts, "valide", None, history=True)  # as the demo loads a past answer
    assert list(ProjetTransition.objects.values_list("source", "target")) == [
        ("brouillon", "depose"),
        ("depose", "valide"),
    ]
    draft = actions.new_version(cpts, coordinator)
    assert (draft.version, draft.status, draft.presentation) == (2, "brouillon", "Une CPTS de trois communes.")
    copied = draft.fiches.get()
    assert copied.pk != fiche.pk and copied.indicators.get().label == ROW["label"]
    assert actions.current(cpts) == draft
    assert fiche.indicators.count() == 1  # the validated version is untouched


def test_another_cpts_fiche_cannot_be_edited_through_this_one(idf, coordinator):
    fiche = actions.save_fiche(idf["paris13"], FICHE, [], coordinator)
    with pytest.raises(actions.ProjetError, match="autre version"):
        actions.save_fiche(idf["cmv"], FICHE, [], coordinator, fiche=fiche)
