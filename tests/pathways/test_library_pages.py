"""The library of pathway templates: read by the CPTS's coordinators and members, copied, edited
and published by its coordinators; bad input is refused in French with nothing saved."""

import html

import pytest

from maillage.core.models import AuditEntry
from maillage.pathways.actions.templates import copy_template, publish_template
from maillage.pathways.models import PathwayTemplate, TemplateStep
from tests.pathways.conftest import DISCHARGE

LIBRARY = "/c/cmv/parcours-patients/modeles/"


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def page_url(template) -> str:
    return f"{LIBRARY}{template.pk}/"


def form_data(template, **changes) -> dict:
    """The edit form as the page sends it, its steps as saved, with `changes` on top."""
    steps = list(template.steps.all())
    data = {
        "version": template.version,
        "name": template.name,
        "description": template.description,
        "no_contact_days": template.no_contact_days,
        "etapes-TOTAL_FORMS": len(steps),
        "etapes-INITIAL_FORMS": len(steps),
        "etapes-MIN_NUM_FORMS": 0,
        "etapes-MAX_NUM_FORMS": 30,
    }
    for n, step in enumerate(steps):
        data.update(
            {
                f"etapes-{n}-title": step.title, f"etapes-{n}-profession_code": step.profession_code,
                f"etapes-{n}-role": step.role, f"etapes-{n}-anchor": step.anchor,
                f"etapes-{n}-offset_days": step.offset_days, f"etapes-{n}-overdue_after_days": step.overdue_after_days,
                f"etapes-{n}-checklist": "\n".join(step.checklist),
                f"etapes-{n}-indicator_codes": "\n".join(step.indicator_codes),
            }
        )  # fmt: skip
    data.update(changes)
    return data


@pytest.fixture
def draft(world):
    return copy_template(world["discharge"], world["cmv"], None)


def test_the_library_lists_the_shared_templates_and_the_cpts_own(world, draft, login):
    page = login(world["coordinator"]).get(LIBRARY)
    assert page.status_code == 200
    text = text_of(page)
    assert "Modèles de parcours" in text and "Diabète de type 2" in text
    assert "Copier pour ma CPTS" in text and "Déjà copié" in text  # the discharge template is copied already
    assert "1 modèle de la CPTS" in text and "brouillon" in text
    member = text_of(login(world["nurse_user"]).get(LIBRARY))
    assert "Sortie d'hospitalisation" in member and "Copier pour ma CPTS" not in member


def test_the_template_page_shows_its_steps(world, login):
    text = text_of(login(world["nurse_user"]).get(page_url(world["discharge"])))
    step = world["discharge"].steps.first()
    assert step.title in text and f"J+{step.offset_days}" in text and "Bibliothèque commune" in text
    assert "Copier pour ma CPTS" not in text


def test_people_without_the_pathways_get_404_and_a_member_cannot_edit(world, draft, login):
    for who in ("regulator", "regional", "coordinator_other"):
        assert login(world[who]).get(LIBRARY).status_code == 404
        assert login(world[who]).get(page_url(draft)).status_code == 404
    member = login(world["nurse_user"])
    assert member.get(page_url(draft) + "modifier/").status_code == 404
    assert member.post(page_url(draft) + "publier/", {"version": draft.version}).status_code == 404
    assert member.post(page_url(world["discharge"]) + "copier/").status_code == 404
    draft.refresh_from_db()
    assert draft.is_draft


def test_another_cpts_template_answers_404(world, login):
    theirs = copy_template(world["discharge"], world["paris13"], None)
    assert login(world["coordinator"]).get(page_url(theirs)).status_code == 404


def test_the_coordinator_copies_a_template_then_publishes_it(world, login):
    client = login(world["coordinator"])
    response = client.post(page_url(world["discharge"]) + "copier/")
    copy = PathwayTemplate.objects.get(cpts=world["cmv"], code=DISCHARGE)
    assert response.status_code == 302 and response["Location"] == page_url(copy) + "modifier/"
    assert copy.is_draft and copy.steps.count() == world["discharge"].steps.count()
    again = client.post(page_url(world["discharge"]) + "copier/", follow=True)
    assert "La CPTS a déjà son modèle" in text_of(again)
    assert PathwayTemplate.objects.filter(cpts=world["cmv"]).count() == 1
    done = client.post(page_url(copy) + "publier/", {"version": copy.version}, follow=True)
    assert "publié (version 1)" in text_of(done)
    copy.refresh_from_db()
    assert copy.status == "published"
    assert AuditEntry.objects.filter(action="pathways.template.published").count() == 1


def test_editing_a_draft_changes_its_steps_in_place(world, draft, login):
    client = login(world["coordinator"])
    assert "Enregistrer le brouillon" in text_of(client.get(page_url(draft) + "modifier/"))
    data = form_data(draft, **{"name": "Sortie d'hôpital (CMV)", "etapes-0-offset_days": "2", "etapes-1-DELETE": "on"})
    count = draft.steps.count()
    response = client.post(page_url(draft) + "modifier/", data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.name == "Sortie d'hôpital (CMV)" and draft.steps.count() == count - 1
    assert draft.steps.first().offset_days == 2
    assert PathwayTemplate.objects.filter(cpts=world["cmv"]).count() == 1


def test_a_new_step_is_added_from_an_empty_row(world, draft, login):
    count = draft.steps.count()
    data = form_data(draft)
    data.update({"etapes-TOTAL_FORMS": count + 1, f"etapes-{count}-title": "Appel du pharmacien",
                 f"etapes-{count}-role": "pharmacist", f"etapes-{count}-anchor": "discharge",
                 f"etapes-{count}-offset_days": "5", f"etapes-{count}-checklist": "Conciliation\nObservance",
                 f"etapes-{count}-indicator_codes": "pathways.tasks_on_time"})  # fmt: skip
    assert login(world["coordinator"]).post(page_url(draft) + "modifier/", data).status_code == 302
    last = draft.steps.last()
    assert last.title == "Appel du pharmacien" and last.checklist == ["Conciliation", "Observance"]
    assert last.indicator_codes == ["pathways.tasks_on_time"]


def test_editing_a_published_template_in_use_opens_a_new_version(world, draft, login, enrolled):
    publish_template(draft, None)
    type(enrolled).objects.filter(pk=enrolled.pk).update(template=draft)  # enrolled with the CPTS's version
    client = login(world["coordinator"])
    page = text_of(client.get(page_url(draft) + "modifier/"))
    assert "n'est pas modifié sur place" in page and "version 2 en brouillon" in page
    assert "1 parcours l'utilise" in page
    draft.refresh_from_db()
    response = client.post(page_url(draft) + "modifier/", form_data(draft, **{"etapes-0-offset_days": "4"}))
    assert response.status_code == 302
    draft.refresh_from_db()
    new = PathwayTemplate.objects.get(cpts=world["cmv"], code=DISCHARGE, number=2)
    assert new.is_draft and new.based_on == draft and draft.status == "published"
    assert new.steps.first().offset_days == 4 and draft.steps.first().offset_days != 4


def _refused(client, template, data, status=400):
    before = list(template.steps.values_list("title", "offset_days"))
    response = client.post(page_url(template) + "modifier/", data)
    assert response.status_code == status
    template.refresh_from_db()
    assert list(template.steps.values_list("title", "offset_days")) == before
    return text_of(response)


def test_a_negative_offset_is_refused_in_french_and_nothing_is_saved(world, draft, login):
    client = login(world["coordinator"])
    text = _refused(client, draft, form_data(draft, **{"etapes-0-offset_days": "-3", "name": "Autre nom"}))
    assert "Étape 1 : le délai ne peut pas être négatif" in text
    assert draft.name != "Autre nom"
    assert TemplateStep.objects.filter(offset_days__lt=0).count() == 0


def test_an_empty_title_is_refused_in_french(world, draft, login):
    client = login(world["coordinator"])
    assert "Indiquez le nom du modèle" in _refused(client, draft, form_data(draft, name="  "))
    text = _refused(client, draft, form_data(draft, **{"etapes-1-title": ""}))
    assert "Étape 2 : indiquez son intitulé." in text
    assert "Un modèle de parcours compte au moins une étape." in _refused(
        client, draft, form_data(draft, **{f"etapes-{n}-DELETE": "on" for n in range(draft.steps.count())})
    )


def test_a_bad_number_of_days_is_refused_in_french(world, draft, login):
    client = login(world["coordinator"])
    text = _refused(client, draft, form_data(draft, **{"etapes-0-offset_days": "trois"}))
    assert "Étape 1 : le délai doit être un nombre entier de jours." in text
    assert "Le délai sans contact est d'au moins 1 jour." in _refused(
        client, draft, form_data(draft, no_contact_days=0)
    )


def test_a_stale_save_is_refused_and_nothing_is_saved(world, draft, login):
    client = login(world["coordinator"])
    stale = form_data(draft, **{"etapes-0-offset_days": "9"})
    fresh = form_data(draft, name="Sortie (relue par Claire)")
    assert client.post(page_url(draft) + "modifier/", fresh).status_code == 302
    text = _refused(client, draft, stale, status=409)
    assert "a modifié cette fiche le" in text and "Nom du modèle → Sortie (relue par Claire)" in text
    draft.refresh_from_db()
    assert draft.name == "Sortie (relue par Claire)" and draft.steps.first().offset_days != 9


def test_a_stale_publish_is_refused(world, draft, login):
    client = login(world["coordinator"])
    response = client.post(page_url(draft) + "publier/", {"version": draft.version + 1}, follow=True)
    assert "modifié par une autre personne" in text_of(response)
    draft.refresh_from_db()
    assert draft.is_draft


def test_a_library_template_is_not_edited(world, login):
    client = login(world["coordinator"])
    assert client.get(page_url(world["discharge"]) + "modifier/").status_code == 404
    response = client.post(page_url(world["discharge"]) + "publier/", {"version": 0}, follow=True)
    assert "bibliothèque commune sont déjà publiés" in text_of(response)


def test_the_pathways_of_another_cpts_are_not_counted(world, enrolled, login):
    """A library template is shared: its page counts only the CPTS's own pathways on it."""
    path = f"parcours-patients/modeles/{world['discharge'].pk}/"
    assert "1 parcours l'utilise" in text_of(login(world["coordinator"]).get(f"/c/cmv/{path}"))
    theirs = text_of(login(world["coordinator_other"]).get(f"/c/paris-13/{path}"))
    assert "1 parcours" not in theirs and "Sortie d'hospitalisation" in theirs
    listing = login(world["coordinator_other"]).get("/c/paris-13/parcours-patients/modeles/")
    assert '<td data-label="Parcours" class="num">1</td>' not in listing.content.decode()
    listing = login(world["coordinator"]).get(LIBRARY)
    assert '<td data-label="Parcours" class="num">1</td>' in listing.content.decode()


def test_steps_are_reordered_by_their_order_numbers(world, draft, login):
    titles = list(draft.steps.values_list("title", flat=True))
    data = form_data(draft, **{f"etapes-{n}-ORDER": n + 1 for n in range(len(titles))})
    data["etapes-2-ORDER"] = 0  # the third step first
    assert login(world["coordinator"]).post(page_url(draft) + "modifier/", data).status_code == 302
    assert list(draft.steps.values_list("title", flat=True)) == [titles[2], *titles[:2], *titles[3:]]
    page = text_of(login(world["coordinator"]).get(page_url(draft) + "modifier/"))
    assert "Ordre (étape 1)" in page
