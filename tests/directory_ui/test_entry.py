"""The professional's page: national data, activities, the CPTS's enrichment and its edition."""

import pytest

from maillage.core.models import AuditEntry
from maillage.directory import actions
from maillage.directory.models import DirectoryEntry, Professional
from maillage.directory.rpps import ACTIVITY_COLUMNS, PROFESSIONAL_COLUMNS
from maillage.directory.rpps_import import RppsImport
from tests.directory_ui.helpers import text
from tests.factories import RoleFactory, with_check_digit


def page_url(professional, slug="cmv"):
    return f"/c/{slug}/annuaire/pro/{professional.national_id}/"


def edit_url(professional):
    return page_url(professional) + "fiche/"


def test_page_shows_national_data_activities_and_enrichment(directory, coordinator_client):
    page = text(coordinator_client.get(page_url(directory["lefevre"])))
    assert "<h1>Docteur Élodie Lefèvre</h1>" in page
    assert f"<dd>{directory['lefevre'].national_id}</dd>" in page
    assert "<dd>Médecin</dd>" in page and "Médecine générale" in page
    assert "Cabinet de Malakoff" in page and "Libéral" in page and "Téléphone : 0146000001" in page
    assert "<dt>Adhérent de la CPTS</dt><dd>oui <span" in page
    assert "<dd>Pédiatrie</dd>" in page and "<dd>anglais, espagnol</dd>" in page
    assert "<dd>oui (20 au plus)</dd>" in page
    assert "elodie.lefevre@medecin.mssante.fr" in page
    assert "Modifier la fiche de la CPTS" in page


def test_page_shows_only_this_cpts_enrichment(directory, coordinator_client):
    page = text(coordinator_client.get(page_url(directory["dupont"])))
    assert "<dd>arabe</dd>" in page
    assert "breton" not in page  # the other CPTS's entry


def test_page_without_enrichment_and_for_a_professional_gone_from_the_file(directory, coordinator_client):
    page = text(coordinator_client.get(page_url(directory["ancien"])))
    assert "La CPTS n'a encore rien ajouté" in page
    assert "ne figure plus dans la dernière extraction nationale" in page


@pytest.mark.parametrize("kind", ["member", "regulator"])
def test_members_read_but_do_not_edit(directory, login, kind):
    client = login(RoleFactory(cpts=directory["cmv"], kind=kind).user, with_mfa=True)
    page = text(client.get(page_url(directory["lefevre"])))
    assert "Docteur Élodie Lefèvre" in page
    assert "Modifier la fiche" not in page
    assert client.post(edit_url(directory["lefevre"]), {"is_member": ""}).status_code == 404
    assert DirectoryEntry.objects.get(pk=directory["published"].pk).is_member


def test_editing_writes_one_audit_entry_and_shows_the_new_values(directory, coordinator_client, coordinator):
    martin = directory["martin"]
    response = coordinator_client.post(
        edit_url(martin),
        {
            "is_member": "on",
            "skills": ["geriatrie", "soins-palliatifs"],
            "languages": "Anglais,  portugais , anglais",
            "accepts_new_patients": "on",
            "new_patient_capacity": "15",
            "mssante_address": "Anne.Martin@Kine.MSSante.fr",
            "public_listing": "on",
            "version": 0,  # no entry yet
        },
        follow=True,
    )
    page = text(response)
    assert response.redirect_chain == [(page_url(martin), 302)]
    assert "La fiche d&#x27;Anne Martin a été mise à jour." in page
    assert "<dd>Gériatrie, Soins palliatifs</dd>" in page
    assert "<dd>Anglais, portugais</dd>" in page
    assert "<dd>oui (15 au plus)</dd>" in page
    assert "<dd>anne.martin@kine.mssante.fr</dd>" in page
    entry = AuditEntry.objects.get(action="directory.entry.updated")
    assert entry.actor == coordinator and entry.cpts == directory["cmv"]
    assert entry.details["created"] is True
    assert entry.details["changes"]["skills"] == {"before": [], "after": ["geriatrie", "soins-palliatifs"]}
    # « Adhérent » follows the association's membership: a posted value is ignored.
    assert set(entry.details["changes"]) == {
        "skills", "languages", "accepts_new_patients", "new_patient_capacity", "mssante_address", "public_listing",
    }  # fmt: skip

    # A second edit logs only what changed.
    coordinator_client.post(
        edit_url(martin),
        {
            "is_member": "on",
            "skills": ["geriatrie", "soins-palliatifs"],
            "languages": "Anglais, portugais",
            "new_patient_capacity": "",
            "mssante_address": "anne.martin@kine.mssante.fr",
            "public_listing": "on",
            "version": 1,
        },
    )
    last = AuditEntry.objects.filter(action="directory.entry.updated").first()
    assert last.details["changes"] == {
        "accepts_new_patients": {"before": True, "after": False},
        "new_patient_capacity": {"before": 15, "after": None},
    }


def test_saving_an_untouched_form_writes_nothing(directory, coordinator_client):
    response = coordinator_client.post(edit_url(directory["martin"]), {"version": 0}, follow=True)
    assert "Aucune modification" in text(response)
    assert not DirectoryEntry.objects.filter(professional=directory["martin"]).exists()
    assert not AuditEntry.objects.filter(action="directory.entry.updated").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"mssante_address": "jean@gmail.com"}, "Ce n&#x27;est pas une adresse MSSanté"),
        (
            {"new_patient_capacity": "10"},
            "Indiquez un nombre de nouveaux patients seulement si le professionnel en accepte.",
        ),
        ({"skills": ["inconnue"]}, "Sélectionnez un choix valide."),
        ({"languages": ",".join(f"langue{n}" for n in range(13))}, "12 langues au plus."),
    ],
)
def test_refused_edits_keep_the_entry(directory, coordinator_client, data, message):
    response = coordinator_client.post(edit_url(directory["dupont"]), data)
    assert response.status_code == 400
    assert message in text(response)
    assert "La fiche n'a pas été enregistrée" in text(response)
    assert DirectoryEntry.objects.get(pk=directory["hidden"].pk).mssante_address == "jean.dupont@infirmier.mssante.fr"
    assert not AuditEntry.objects.filter(action="directory.entry.updated").exists()


def test_another_cpts_coordinator_cannot_edit(directory, login):
    other = login(RoleFactory(coordinator=True, cpts=directory["paris13"]).user, with_mfa=True)
    assert other.get(page_url(directory["lefevre"])).status_code == 404
    assert other.post(edit_url(directory["lefevre"]), {"is_member": "on"}).status_code == 404
    assert (
        other.post(f"/c/paris-13/annuaire/pro/{directory['lefevre'].national_id}/fiche/", {"version": 0}).status_code
        == 302
    )
    assert not AuditEntry.objects.filter(action="directory.entry.updated").exists()


def test_update_entry_action_keeps_untouched_fields(directory, coordinator):
    entry, changes = actions.update_entry(
        directory["cmv"], directory["lefevre"], {"languages": ["anglais"]}, coordinator
    )
    assert changes == {"languages": {"before": ["anglais", "espagnol"], "after": ["anglais"]}}
    assert entry.is_member and list(entry.skills.values_list("code", flat=True)) == ["pediatrie"]
    assert AuditEntry.objects.filter(action="directory.entry.updated").count() == 1


def _rpps_file(tmp_path, rows):
    titles = [title for title, _ in PROFESSIONAL_COLUMNS + ACTIVITY_COLUMNS]
    lines = ["|".join(titles) + "|"]
    for row in rows:
        lines.append("|".join(row.get(name, "") for _, name in PROFESSIONAL_COLUMNS + ACTIVITY_COLUMNS) + "|")
    path = tmp_path / "PS_LibreAcces_Personne_activite.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_enrichment_survives_reimports(directory, coordinator, tmp_path):
    rpps = with_check_digit("1000000042")
    row = {
        "id_type": "8", "identifier": rpps, "national_id": "8" + rpps, "last_name": "IMPORTE", "first_name": "Inès",
        "profession_code": "10", "profession_label": "Médecin", "mode_code": "L", "mode_label": "Libéral",
        "structure_id": "S1", "company_name": "CABINET IMPORTE", "commune_code": "92046", "commune_label": "Malakoff",
    }  # fmt: skip
    RppsImport(_rpps_file(tmp_path, [row]), apply=True, allow_mass_removal=True).execute()
    professional = Professional.objects.get(national_id="8" + rpps)
    actions.update_entry(directory["cmv"], professional, {"languages": ["italien"]}, coordinator)

    RppsImport(_rpps_file(tmp_path, [{**row, "last_name": "IMPORTEE"}]), apply=True, allow_mass_removal=True).execute()
    professional.refresh_from_db()
    assert professional.last_name == "IMPORTEE"
    entry = DirectoryEntry.objects.get(cpts=directory["cmv"], professional=professional)
    assert entry.languages == ["italien"]

    other = {**row, "identifier": with_check_digit("1000000043"), "national_id": ""}
    RppsImport(
        _rpps_file(tmp_path, [other]), apply=True, allow_mass_removal=True
    ).execute()  # our professional is gone from the file
    professional.refresh_from_db()
    assert not professional.active
    assert DirectoryEntry.objects.get(pk=entry.pk).languages == ["italien"]


def test_a_member_edits_their_own_entry_but_not_their_membership(directory, login):
    from maillage.core.models import AuditEntry
    from maillage.directory.models import ProfessionalAccount

    user = RoleFactory(cpts=directory["cmv"]).user
    ProfessionalAccount.objects.create(user=user, professional=directory["lefevre"])
    client = login(user)
    assert "Ma fiche dans l'annuaire" in text(client.get("/espace/"))
    page = text(client.get(page_url(directory["lefevre"])))
    assert "Modifier ma fiche" in page
    assert 'name="is_member"' not in page
    client.post(
        edit_url(directory["lefevre"]),
        {
            "is_member": "",
            "languages": "anglais, portugais",
            "accepts_new_patients": "on",
            "new_patient_capacity": "12",
            "version": 0,
        },
    )
    entry = DirectoryEntry.objects.get(pk=directory["published"].pk)
    assert entry.languages == ["anglais", "portugais"]
    assert entry.new_patient_capacity == 12
    assert entry.is_member  # a member cannot resign through their entry: the coordination records it
    assert AuditEntry.objects.get(action="directory.entry.updated").actor == user
    # Someone else's entry stays read-only for them.
    assert client.post(edit_url(directory["dupont"]), {"languages": "grec"}).status_code == 404
