"""The minutes (procès-verbal) of an assembly as an editable Word document (python-docx, as the
RCP's): the members convened, present, represented and having voted online, the quorum reached or
the « carence », each resolution's result by head (and weighted, when the statutes weigh votes by
collège), the attendance list with the proxies. No health data in it."""

import io

from django.utils import timezone
from docx import Document

from maillage.association import assembly_rules as rules
from maillage.association.models.assemblies import AssemblyStatus, Choice, Presence
from maillage.association.tally import attendance_figures, resolution_results
from maillage.core.french import agree, plural
from maillage.core.word import add_table
from maillage.projet.document import typed_text

CARENCE = (
    "Le quorum n'étant pas atteint, l'assemblée n'a pas pu valablement délibérer : procès-verbal de carence. "
    "Aucune résolution n'a été mise au vote."
)


def filename(assembly) -> str:
    """ASCII only: pv-ag-2026-06-18.docx."""
    prefix = "ca" if assembly.is_board else "ag"
    return f"pv-{prefix}-{timezone.localtime(assembly.starts_at):%Y-%m-%d}.docx"


def _fact(document, label, value) -> None:
    paragraph = document.add_paragraph()
    paragraph.add_run(f"{label} : ").bold = True
    paragraph.add_run(value)


def _counted(figures) -> str:
    n = figures.counted
    return (
        f"{plural(n, 'membre')} {agree(n, 'présent')}, {agree(n, 'représenté')} ou ayant voté en ligne "
        f"pour un quorum de {figures.needed}"
    )


def docx_bytes(assembly) -> bytes:
    figures = attendance_figures(assembly)
    lacking = assembly.status == AssemblyStatus.LACKING or assembly.quorum_reached is False
    document = Document()
    document.core_properties.title = f"Procès-verbal — {assembly.title}"
    heading = "Procès-verbal de carence" if lacking else "Procès-verbal"
    document.add_heading(f"{heading} — {assembly.get_kind_display()}", level=0)
    _fact(document, "Association", assembly.cpts.name)
    _fact(document, "Assemblée", f"{assembly.title} ({assembly.reference})")
    _fact(document, "Date", rules.when(assembly.starts_at))
    _fact(document, "Lieu", assembly.place)
    _fact(document, "État", assembly.get_status_display())

    document.add_heading("Présences et quorum", level=1)
    convened = "administrateurs convoqués" if assembly.is_board else "adhérents convoqués (à jour de leur cotisation)"
    add_table(
        document,
        ["", "Nombre"],
        [
            [convened, figures.electorate],
            ["présents", figures.present],
            ["représentés (pouvoirs)", figures.represented],
            ["ayant voté en ligne", figures.remote],
            ["absents", figures.absent],
            ["quorum requis", f"{figures.needed} ({figures.quorum_percent} % des convoqués)"],
        ],
    )
    if assembly.quorum_reached is None:
        document.add_paragraph("La séance n'est pas encore ouverte : le quorum n'a pas été constaté.")
    elif lacking:
        document.add_paragraph(f"Quorum non atteint : {_counted(figures)}.")
        document.add_paragraph(CARENCE)
    else:
        document.add_paragraph(f"Quorum atteint : {_counted(figures)}.")

    document.add_heading("Ordre du jour", level=1)
    for n, item in enumerate(assembly.agenda.order_by("order", "id"), start=1):
        document.add_paragraph(f"{n}. {item.title}")
        if item.description:
            typed_text(document, item.description, "")

    document.add_heading("Résolutions", level=1)
    results = resolution_results(assembly)
    if not results:
        document.add_paragraph("Aucune résolution soumise au vote.")
    for result in results:
        resolution = result.resolution
        document.add_heading(f"Résolution {resolution.order} : {resolution.title}", level=2)
        if resolution.text:
            typed_text(document, resolution.text, "")
        if lacking:
            document.add_paragraph("Non mise au vote (carence).")
            continue
        mode = "à bulletin secret" if resolution.secret else "à main levée"
        heads = result.heads
        rows = [
            ["pour", heads[Choice.FOR]],
            ["contre", heads[Choice.AGAINST]],
            ["abstention", heads[Choice.ABSTAIN]],
        ]
        header = ["Vote", "Voix (par tête)"]
        if result.weighted_used:
            header.append("Voix pondérées par collège")
            for row, choice in zip(rows, (Choice.FOR, Choice.AGAINST, Choice.ABSTAIN), strict=True):
                row.append(result.share(choice))
        add_table(document, header, rows)
        verdict = "adoptée" if result.adopted else "rejetée"
        document.add_paragraph(
            f"Vote {mode}, {plural(result.ballots, 'votant')}. Majorité requise : {result.rule}. "
            f"La résolution est {verdict}."
        ).runs[0].bold = True

    document.add_heading("Liste d'émargement", level=1)
    attendances = assembly.attendances.select_related("member", "proxy").order_by(
        "member__last_name", "member__name", "member__first_name"
    )
    add_table(
        document,
        ["Membre", "Présence", "Pouvoir donné à"],
        [
            [a.member.display_name, a.get_presence_display(), a.proxy.display_name if a.proxy_id else ""]
            for a in attendances
            if a.presence != Presence.ABSENT
        ]
        or [["Aucun membre présent ou représenté.", "", ""]],
    )
    document.add_paragraph(f"Document produit par Maillage le {timezone.localtime():%d/%m/%Y à %H:%M}.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
