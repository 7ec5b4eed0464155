"""The demo projets de santé: realistic, written through the actions, loaded once."""

import io

from docx import Document

from maillage.core.models import AuditEntry
from maillage.projet import actions, demo, diagnostic, document, zoning
from maillage.projet.models import CommuneZoning, ProjetSante
from maillage.territory.models import Cpts


def test_demo_projets(idf):
    cmv, issy = idf["cmv"], idf["issy"]
    Cpts.objects.filter(pk=cmv.pk).update(slug="chatillon-malakoff-vanves")
    Cpts.objects.filter(pk=issy.pk).update(slug="grand-issy-vanves")
    cmv.refresh_from_db()
    issy.refresh_from_db()
    lines = []
    demo.load([cmv, issy, idf["paris13"]], log=lines.append)
    projet = actions.current(cmv)
    assert (projet.status, projet.fiches.count()) == ("valide", 7)
    assert set(projet.fiches.values_list("mission", flat=True)) == {
        "doctor_access", "unscheduled", "pathways", "prevention", "crisis",
    }  # fmt: skip
    codes = set(projet.fiches.values_list("indicators__code", flat=True))
    assert {"cpam.ald_sans_mt", "cpam.depistage_sein"} <= codes
    assert all(i.target is not None for f in projet.fiches.all() for i in f.indicators.all())
    filed = actions.current(issy)
    assert (filed.status, filed.fiches.count()) == ("depose", 2)
    from maillage.lifecycle import ars

    waiting = ars.pending(issy)  # filed the day the demo is loaded: the ARS's demo account has it to answer
    assert waiting is not None and not waiting.tacit(waiting.submitted_on)
    assert actions.current(idf["paris13"]).status == "valide"
    assert lines == [
        "  zonage médecins de démonstration (fictif) : 5 communes",
        "  projet de santé (CPTS Châtillon-Malakoff-Vanves) : 7 fiches-actions, validé par l'ARS",
        "  projet de santé (CPTS Grand Issy-Vanves) : 2 fiches-actions, déposé à l'ARS",
        "  projet de santé (CPTS Paris 13) : 2 fiches-actions, validé par l'ARS",
    ]
    entries = AuditEntry.objects.count()
    demo.load([cmv, issy, idf["paris13"]], log=lines.append)  # a second run adds nothing
    assert AuditEntry.objects.count() == entries and len(lines) == 4

    built = Document(io.BytesIO(document.build(cmv, projet, diagnostic.compute(cmv))))
    fiches = [p.text for p in built.paragraphs if p.style.name == "Heading 3"]
    assert len(fiches) == 7 and "Fiche 3.2 — Plaies complexes" in fiches


def test_the_demo_zoning_is_marked_as_demonstration_and_never_replaces_an_imported_one(idf):
    CommuneZoning.objects.create(commune=idf["communes"]["92040"], zone="ZAR", file_name="zonage-ars.csv")
    zoning.load_demo([idf["cmv"], idf["issy"]], log=lambda line: None)
    zones = dict(CommuneZoning.objects.values_list("commune_id", "zone"))
    assert zones == {"92020": "ZIP", "92046": "ZIP", "92075": "ZAC", "92040": "ZAR"}
    assert set(CommuneZoning.objects.exclude(commune_id="92040").values_list("file_name", flat=True)) == {
        "démonstration"
    }
    result = diagnostic.compute(idf["cmv"])
    assert result.zoning_loaded and result.zoning_demo
    built = Document(io.BytesIO(document.build(idf["cmv"], ProjetSante(cpts=idf["cmv"]), result)))
    texts = [p.text for p in built.paragraphs]
    assert "2.3 Zonage médecins généralistes" in texts
    assert "Zonage de démonstration, fictif : la référence est l'arrêté de zonage de l'ARS." in texts
    # No figure shipped for the Hauts-de-Seine: the région's, named, and France's, with their source.
    professions = next(
        [[cell.text for cell in row.cells] for row in table.rows]
        for table in built.tables
        if table.rows[0].cells[0].text == "Profession"
    )
    assert professions[0][-2:] == ["Densité Hauts-de-Seine (92), libéraux", "Densité France, libéraux"]
    gp = next(row for row in professions if row[0] == "Médecin généraliste")
    assert gp[-2:] == ["5,8 — Île-de-France (région)", "7,7"]
    assert "Source : Cnam, Data ameli professionnels de santé libéraux, 2021 (libéraux)." in texts
    assert not any("import_zonage" in text for text in texts)
