"""The public directory of a CPTS: open data of the territory and published enrichment only."""

from tests.directory_ui.helpers import pro, text

URL = "/cpts/cmv/annuaire/"


def test_public_directory_without_login(directory, anonymous):
    response = anonymous.get(URL)
    page = text(response)
    assert response.status_code == 200
    assert "<h1>Annuaire des professionnels de santé — CPTS Châtillon-Malakoff-Vanves</h1>" in page
    assert "2 professionnels" in page
    assert "Élodie Lefèvre" in page and "Jean Dupont" in page
    for elsewhere in ("Anne Martin", "Paul Étienne", "Zoé Ancien", "Lucie Partie"):
        assert elsewhere not in page  # outside the territory, gone from the file, or no current site
    assert "Cabinet de Malakoff, 3 Avenue PIERRE LAROUSSE, 92000 Malakoff — tél. 0146000001" in page
    assert "Médecin — Médecine générale" in page


def test_only_what_members_chose_to_publish(directory, anonymous):
    page = text(anonymous.get(URL))
    assert "Pédiatrie" in page and "Langues parlées : anglais, espagnol" in page
    assert page.count("accepte de nouveaux patients") == 1  # Lefèvre published it, Dupont did not
    assert "Plaies complexes" not in page and "arabe" not in page and "breton" not in page
    assert "mssante" not in page.lower()
    assert ">adhérent<" not in page
    assert "au plus" not in page  # the capacity stays private


def test_a_professional_gone_from_the_file_is_unlisted_even_if_published(directory, anonymous):
    directory["lefevre"].active = False
    directory["lefevre"].save()
    page = text(anonymous.get(URL))
    assert "Élodie Lefèvre" not in page and "Pédiatrie" not in page


def test_structures_of_the_territory(directory, anonymous):
    page = text(anonymous.get(URL))
    assert "2 établissements" in page
    assert "PHARMACIE DU MARCHE" in page and "Pharmacie d&#x27;Officine" in page
    assert "12 R DES LILAS, 92170 VANVES" in page
    assert "HOPITAL LOINTAIN" not in page and "CENTRE FERME" not in page


def test_search_by_name_and_profession(directory, anonymous):
    by_name = text(anonymous.get(URL, {"name": "dup"}))
    assert "Jean Dupont" in by_name and "Élodie Lefèvre" not in by_name
    by_profession = text(anonymous.get(URL, {"profession": "10"}))
    assert "Élodie Lefèvre" in by_profession and "Jean Dupont" not in by_profession
    structure = text(anonymous.get(URL, {"name": "pharmacie"}))
    assert "1 établissement" in structure and "PHARMACIE DU MARCHE" in structure


def test_pagination(directory, anonymous):
    for n in range(26):
        pro(directory["communes"]["92020"], last_name=f"Zorro{n:02d}", first_name="Ana")
    page = text(anonymous.get(URL, {"name": "zorro"}))
    assert "26 professionnels" in page and "Page 1 sur 2" in page
    assert 'href="/cpts/cmv/annuaire/?name=zorro&amp;page=2"' in page
    assert "hx-get" not in page
    assert "Zorro25" in text(anonymous.get(URL, {"name": "zorro", "page": "2"}))


def test_public_cpts_page_links_to_its_directory(directory, anonymous):
    assert 'href="/cpts/cmv/annuaire/"' in text(anonymous.get("/cpts/cmv/"))


def test_another_cpts_public_directory_lists_its_own_territory(directory, anonymous):
    page = text(anonymous.get("/cpts/issy/annuaire/"))
    assert "Jean Dupont" in page  # Vanves is shared
    assert "Élodie Lefèvre" not in page
    assert "breton" not in page  # issy's entry for him is not published
    assert anonymous.get("/cpts/inexistante/annuaire/").status_code == 404
