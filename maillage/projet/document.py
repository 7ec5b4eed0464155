"""The projet de santé as an editable Word document (python-docx), in the structure the ARS expect.

Real heading styles (Heading 1/2/3) so that Word builds the table of contents; a TOC field is
inserted for that, filled in by Word when the reader updates the fields (python-docx cannot
paginate). Tables use the built-in « Table Grid » style, which the coordinator can restyle.
"""

import io

from django.utils import timezone
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from maillage.core.french import plural
from maillage.core.word import add_table
from maillage.indicators.registry import Mission
from maillage.projet.diagnostic import Diagnostic
from maillage.projet.formatting import local_day, number

SECTIONS = [
    "1 Présentation de la CPTS",
    "2 Territoire et diagnostic",
    "3 Gouvernance",
    "4 Missions et fiches-actions",
    "5 Indicateurs",
    "6 Annexes",
]
FICHE_ROWS = [
    ("objective", "Objectif"),
    ("needs", "Besoins identifiés"),
    ("actions", "Actions"),
    ("lead", "Pilote"),
    ("partners", "Partenaires"),
    ("means", "Moyens"),
    ("calendar", "Calendrier"),
]
INDICATOR_HEADER = ["Indicateur", "Unité", "Valeur initiale", "Valeur intermédiaire", "Cible"]
TO_COMPLETE = "À compléter."


def typed_text(document, text: str, empty: str = TO_COMPLETE) -> None:
    """Paragraphs from a text typed in a form: one per line, « - » lines as bullets; `empty` when
    there is none (the RCP minutes use it too)."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if not lines:
        document.add_paragraph(empty)
    for line in lines:
        if line.startswith(("- ", "• ", "* ")):
            document.add_paragraph(line[2:].strip(), style="List Bullet")
        else:
            document.add_paragraph(line)


def _cell(value) -> str:
    return value if isinstance(value, str) else number(value)


def _table(document, header: list[str], rows: list[list]) -> None:
    add_table(document, header, rows, text=_cell)


def _toc(document) -> None:
    paragraph = document.add_paragraph()
    begin, instruction, separate, end = (OxmlElement("w:fldChar"), OxmlElement("w:instrText"),
                                         OxmlElement("w:fldChar"), OxmlElement("w:fldChar"))  # fmt: skip
    begin.set(qn("w:fldCharType"), "begin")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = 'TOC \\o "1-3" \\h \\z \\u'
    separate.set(qn("w:fldCharType"), "separate")
    end.set(qn("w:fldCharType"), "end")
    run = paragraph.add_run()
    run._r.append(begin)
    run._r.append(instruction)
    run._r.append(separate)
    paragraph.add_run("Sommaire : dans Word, clic droit puis « Mettre à jour les champs ».")
    paragraph.add_run()._r.append(end)


def _presentation(document, cpts, projet, diagnostic: Diagnostic) -> None:
    document.add_heading(SECTIONS[0], level=1)
    _table(
        document,
        ["", ""],
        [
            ["Nom", cpts.name],
            ["Statut", cpts.get_status_display()],
            ["FINESS", cpts.finess or "—"],
            ["Population du territoire", diagnostic.population],
            ["Taille ACI", f"{diagnostic.tier.code} — {diagnostic.tier.label}"],
            ["Communes", len(diagnostic.communes)],
        ],
    )
    typed_text(document, projet.presentation)


def _territory(document, projet, diagnostic: Diagnostic) -> None:
    document.add_heading(SECTIONS[1], level=1)
    numbers = iter(range(1, 10))

    def subsection(title):  # numbered as they come: the zoning and mission parts may be absent
        document.add_heading(f"2.{next(numbers)} {title}", level=2)

    subsection("Population et taille")
    document.add_paragraph(
        f"Le territoire compte {number(diagnostic.population)} habitants répartis sur "
        f"{plural(len(diagnostic.communes), 'commune')} : CPTS de {diagnostic.tier.label.lower()}."
    )
    subsection("Professionnels de santé")
    when = f" (import du {local_day(diagnostic.directory_date):%d/%m/%Y})" if diagnostic.directory_date else ""
    document.add_paragraph(
        f"D'après l'annuaire chargé dans Maillage (RPPS et ADELI){when}. Densité pour 10 000 habitants ; "
        "un professionnel exerçant sur plusieurs sites du territoire compte une fois. Les densités des "
        "départements et de la France sont des chiffres de référence publiés, qui comptent les professionnels "
        "libéraux : elles se comparent à la densité des libéraux du territoire."
    )
    areas = [f"Densité {label} ({code}), libéraux" for code, label, _ in diagnostic.departements]
    _table(
        document,
        [
            "Profession",
            "Effectif",
            "Densité territoire",
            "Densité territoire (libéraux)",
            *areas,
            "Densité France, libéraux",
        ],
        [
            [
                row.label,
                row.count,
                row.density,
                row.liberal_density,
                *[_reference(d) for d in row.departements],
                _reference(row.national),
            ]
            for row in diagnostic.professions
        ],
    )
    for source in diagnostic.sources or ["Aucune densité de référence n'est chargée."]:
        document.add_paragraph(f"{source}.")
    if diagnostic.zoning_loaded:
        subsection("Zonage médecins généralistes")
        document.add_paragraph(
            "Zonage de démonstration, fictif : la référence est l'arrêté de zonage de l'ARS."
            if diagnostic.zoning_demo
            else "Zonage importé, à titre indicatif : la référence est l'arrêté de l'ARS."
        )
        _table(
            document,
            ["Zonage", "Communes", "Population", "Part de la population (%)"],
            [[z.label, z.communes, z.population, z.share] for z in diagnostic.zoning],
        )
    if diagnostic.missions:
        subsection(f"Accès aux soins en {diagnostic.year}")
        _table(
            document,
            ["Indicateur", "Valeur", "Unité", "Détail"],
            [[f.label, f.value, f.unit, f.detail] for f in diagnostic.missions],
        )
    subsection("Analyse")
    typed_text(document, projet.diagnostic_comment)


def _reference(area) -> str:
    """A reference cell: the figure, the région's named when it stands in, « — » when none is loaded."""
    if area.density is None:
        return f"— ({area.note})"
    return f"{number(area.density)} — {area.label}" if area.fallback else number(area.density)


def _fiches(document, fiches) -> None:
    document.add_heading(SECTIONS[3], level=1)
    for number_, (code, label) in enumerate(Mission.choices, start=1):
        document.add_heading(f"4.{number_} {label[:1].upper()}{label[1:]}", level=2)
        of_mission = [fiche for fiche in fiches if fiche.mission == code]
        if not of_mission:
            document.add_paragraph("Aucune fiche-action pour cette mission.")
        for n, fiche in enumerate(of_mission, start=1):
            document.add_heading(f"Fiche {number_}.{n} — {fiche.title}", level=3)
            _table(
                document, ["Rubrique", "Contenu"], [[title, getattr(fiche, name) or "—"] for name, title in FICHE_ROWS]
            )
            indicators = list(fiche.indicators.all())
            if indicators:
                _table(
                    document,
                    INDICATOR_HEADER,
                    [[i.label, i.unit, i.baseline, i.intermediate, i.target] for i in indicators],
                )


def _summary(document, fiches) -> None:
    document.add_heading(SECTIONS[4], level=1)
    rows = [
        [fiche.title, i.label, i.code or "—", i.unit, i.baseline, i.intermediate, i.target]
        for fiche in fiches
        for i in fiche.indicators.all()
    ]
    if not rows:
        document.add_paragraph("Aucun indicateur n'est encore défini.")
        return
    _table(document, ["Fiche-action", *INDICATOR_HEADER[:1], "Code", *INDICATOR_HEADER[1:]], rows)


def _annexes(document, diagnostic: Diagnostic) -> None:
    document.add_heading(SECTIONS[5], level=1)
    document.add_heading("6.1 Communes du territoire", level=2)
    rows = [[c.code, c.name, c.departement, c.population] for c in diagnostic.communes]
    rows.append(["", "Total", "", diagnostic.population])
    _table(document, ["Code INSEE", "Commune", "Département", "Population"], rows)


def build(cpts, projet, diagnostic: Diagnostic) -> bytes:
    order = [code for code, _ in Mission.choices]
    # An unsaved projet (nothing written yet) gives the skeleton: the diagnostic and empty sections.
    found = projet.fiches.prefetch_related("indicators") if projet.pk else []
    fiches = sorted(found, key=lambda f: (order.index(f.mission), f.position, f.pk))
    document = Document()
    document.core_properties.title = f"Projet de santé — {cpts.name}"
    document.core_properties.language = "fr-FR"
    document.add_heading(f"Projet de santé — {cpts.name}", level=0)
    document.add_paragraph(
        f"Version {projet.version} ({projet.get_status_display()}), document généré le "
        f"{timezone.localdate():%d/%m/%Y} par Maillage."
    )
    _toc(document)
    _presentation(document, cpts, projet, diagnostic)
    _territory(document, projet, diagnostic)
    document.add_heading(SECTIONS[2], level=1)
    typed_text(document, projet.governance)
    _fiches(document, fiches)
    _summary(document, fiches)
    _annexes(document, diagnostic)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
