"""The demo projets de santé: realistic, written through the actions, loaded once."""

import io

from docx import Document

from maillage.core.models import AuditEntry
from maillage.projet import actions, demo, diagnostic, document
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
        "  projet de santé (CPTS Châtillon-Malakoff-Vanves) : 7 fiches-actions, validé par l'ARS",
        "  projet de santé (CPTS Grand Issy-Vanves) : 2 fiches-actions, déposé à l'ARS",
        "  projet de santé (CPTS Paris 13) : 2 fiches-actions, validé par l'ARS",
    ]
    entries = AuditEntry.objects.count()
    demo.load([cmv, issy, idf["paris13"]], log=lines.append)  # a second run adds nothing
    assert AuditEntry.objects.count() == entries and len(lines) == 3

    built = Document(io.BytesIO(document.build(cmv, projet, diagnostic.compute(cmv))))
    fiches = [p.text for p in built.paragraphs if p.style.name == "Heading 3"]
    assert len(fiches) == 7 and "Fiche 3.2 — Plaies complexes" in fiches
