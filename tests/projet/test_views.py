"""The pages as their users see them: the coordinator writes, the CPTS's team reads, others get 404."""

from maillage.projet import actions
from maillage.projet.models import FicheAction, ProjetSante
from tests.factories import RoleFactory

FICHE = {"mission": "pathways", "title": "Plaies complexes", "objective": "Un parcours ville-hôpital."}


def _post_data(**fiche):
    data = {
        "indicateurs-TOTAL_FORMS": "2",
        "indicateurs-INITIAL_FORMS": "0",
        "indicateurs-MIN_NUM_FORMS": "0",
        "indicateurs-MAX_NUM_FORMS": "20",
        **FICHE,
        **fiche,
    }
    return data


def _indicator(data, n, **row):
    data.update({f"indicateurs-{n}-{key}": value for key, value in row.items()})
    return data


def test_the_diagnostic_page(dordogne, bergerac_coordinator):
    page = bergerac_coordinator.get("/c/bergerac/diagnostic/").content.decode()
    assert "D'après l'annuaire chargé dans Maillage" in page
    assert "20\u202f000 habitants" in page and "T1" in page
    assert '<th scope="row">Médecin généraliste</th><td>3</td><td>1,5</td>\n        <td>3</td><td>1,5</td>' in page
    assert "Densité Dordogne (24), libéraux" in page and "Densité France, libéraux" in page
    # France's density is the shipped reference with its year, the Dordogne's is not loaded.
    assert '<td>7,7<br><span class="muted small">2021</span></td>' in page
    assert '<td>—<br><span class="muted small">pas de référence chargée</span></td>' in page
    assert "Source : Cnam, Data ameli professionnels de santé libéraux, 2021 (libéraux)." in page
    assert "Le zonage médecins de ces communes n'est pas chargé dans Maillage" in page
    assert "import_zonage" not in page and "commande" not in page


def test_the_coordinator_adds_a_fiche_with_indicators(dordogne, bergerac_coordinator):
    data = _indicator(_post_data(), 0, label="Patients suivis", unit="patients", baseline="0", target="40")
    response = bergerac_coordinator.post("/c/bergerac/projet-de-sante/fiches/nouvelle/", data)
    assert response.status_code == 302
    page = bergerac_coordinator.get(response["Location"]).content.decode()
    assert "Fiche-action « Plaies complexes » enregistrée." in page
    assert "Patients suivis" in page and "Version 1" in page and "brouillon" in page
    fiche = FicheAction.objects.get()
    assert fiche.indicators.get().target == 40


def test_bad_input_is_explained_and_nothing_is_saved(dordogne, bergerac_coordinator):
    data = _indicator(_post_data(title="", mission="inconnue"), 0, label="Taux", unit="%", target="140")
    response = bergerac_coordinator.post("/c/bergerac/projet-de-sante/fiches/nouvelle/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "La fiche-action n'est pas enregistrée" in page
    assert "Donnez un intitulé à la fiche-action." in page
    assert "Choisissez la mission de la fiche-action dans la liste." in page
    assert "Indicateur 1 : Un pourcentage est compris entre 0 et 100 : cible 140 refusée." in page
    assert not ProjetSante.objects.exists()


def test_editing_a_fiche_shows_its_indicators_and_a_cleared_row_removes_one(dordogne, bergerac_coordinator):
    cpts = dordogne["cpts"]
    user = cpts.roles.get().user
    row = {"label": "Patients suivis", "unit": "patients", "baseline": "12.5", "target": "40"}
    fiche = actions.save_fiche(cpts, FICHE, [row], user)
    page = bergerac_coordinator.get(f"/c/bergerac/projet-de-sante/fiches/{fiche.pk}/").content.decode()
    assert 'value="12,5"' in page and 'value="Patients suivis"' in page
    data = _post_data(title="Plaies chroniques", version="0")
    data["indicateurs-TOTAL_FORMS"], data["indicateurs-INITIAL_FORMS"] = "3", "1"
    response = bergerac_coordinator.post(f"/c/bergerac/projet-de-sante/fiches/{fiche.pk}/", data)
    assert response.status_code == 302
    fiche.refresh_from_db()
    assert fiche.title == "Plaies chroniques" and not fiche.indicators.exists()


def test_filing_the_projet_locks_it(dordogne, bergerac_coordinator):
    cpts = dordogne["cpts"]
    actions.save_fiche(cpts, FICHE, [], cpts.roles.get().user)
    response = bergerac_coordinator.post("/c/bergerac/projet-de-sante/etat/", {"etat": "depose"}, follow=True)
    page = response.content.decode()
    assert "Projet de santé : déposé à l&#x27;ARS." in page
    assert "Ajouter une fiche-action" not in page and "Marquer comme validé par l&#x27;ARS" not in page
    response = bergerac_coordinator.post("/c/bergerac/projet-de-sante/fiches/nouvelle/", _post_data())
    assert "n&#x27;est plus modifiable" in response.content.decode()
    assert FicheAction.objects.count() == 1


def test_members_read_without_edit_buttons_and_others_get_404(dordogne, login, idf):
    cpts = dordogne["cpts"]
    coordinator = RoleFactory(coordinator=True, cpts=cpts).user
    actions.save_fiche(cpts, FICHE, [], coordinator)
    member = login(RoleFactory(cpts=cpts).user)
    page = member.get("/c/bergerac/projet-de-sante/").content.decode()
    assert "Plaies complexes" in page and "Télécharger le projet (Word)" in page
    assert "Ajouter une fiche-action" not in page and "Modifier « Plaies complexes »" not in page
    assert member.get("/c/bergerac/diagnostic/").status_code == 200
    assert member.get("/c/bergerac/projet-de-sante/fiches/nouvelle/").status_code == 404
    other = login(RoleFactory(coordinator=True, cpts=idf["cmv"]).user, with_mfa=True)
    for path in ("/c/bergerac/diagnostic/", "/c/bergerac/projet-de-sante/", "/c/bergerac/diagnostic.xlsx"):
        assert other.get(path).status_code == 404
    fiche = FicheAction.objects.get()
    assert other.get(f"/c/cmv/projet-de-sante/fiches/{fiche.pk}/").status_code == 404  # not cmv's fiche
    assert other.post(f"/c/cmv/projet-de-sante/fiches/{fiche.pk}/supprimer/").status_code == 404
    assert FicheAction.objects.exists()


def test_the_year_of_the_mission_figures(dordogne, bergerac_coordinator):
    from django.utils import timezone

    from maillage.unscheduled.models import CareRequest

    this_year = timezone.localdate().year
    CareRequest.objects.create(
        cpts=dordogne["cpts"], last_name="Petit", first_name="Jeanne", commune=dordogne["communes"]["24037"]
    )
    page = bergerac_coordinator.get("/c/bergerac/diagnostic/").content.decode()
    assert f"Accès aux soins en {this_year}" in page and "Demandes de soins non programmés reçues" in page
    page = bergerac_coordinator.get(f"/c/bergerac/diagnostic/?annee={this_year - 1}").content.decode()
    assert "n'ont pas encore de données sur la plateforme" in page
    refused = bergerac_coordinator.get("/c/bergerac/diagnostic.xlsx?annee=1900")
    assert refused.status_code == 400
    assert (
        f"Année « 1900 » non disponible : choisissez entre {this_year - 5} et {this_year}." in refused.content.decode()
    )


def test_a_filed_projet_says_so_on_the_fiche_form(dordogne, bergerac_coordinator):
    cpts = dordogne["cpts"]
    actions.save_fiche(cpts, FICHE, [], cpts.roles.get().user)
    actions.move(cpts, "depose", None)
    page = bergerac_coordinator.get("/c/bergerac/projet-de-sante/fiches/nouvelle/").content.decode()
    assert "Le projet de santé est « déposé à l&#x27;ARS » : il n'est plus modifiable." in page
