"""The minutes of an RCP as an editable Word document (python-docx, as the projet de santé's:
real heading styles, tables in the built-in « Table Grid » style).

Written from a `MeetingReading`, so it holds exactly what its reader may see: only the patients
whose pathway they see, and a patient's questions and decisions only where the reader may read
the clinical content (the coordination, with the patient's consent to sharing with it)."""

import io

from django.utils import timezone
from docx import Document

from maillage.core.french import plural
from maillage.core.word import add_table
from maillage.projet.document import typed_text

NOT_SHARED = (
    "Questions et décisions non reproduites : le patient n'a pas consenti au partage de ses informations "
    "avec la coordination de la CPTS."
)
CONFIDENTIAL = (
    "Document contenant des données de santé, destiné aux membres des équipes de soins des patients "
    "concernés (articles L1110-4 et L1110-12 du Code de la santé publique) : ne le transmettez pas au-delà."
)


def filename(meeting) -> str:
    """ASCII only: rcp-2026-12-04.docx."""
    return f"rcp-{timezone.localtime(meeting.starts_at):%Y-%m-%d}.docx"


def minutes_time(minutes) -> str:
    if minutes is None:
        return "non renseigné"
    hours, rest = divmod(minutes, 60)
    if not hours:
        return plural(rest, "minute")
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


def docx_bytes(reading) -> bytes:
    meeting = reading.meeting
    start = timezone.localtime(meeting.starts_at)
    document = Document()
    document.core_properties.title = f"Compte rendu de RCP du {start:%d/%m/%Y}"
    document.add_heading("Compte rendu de réunion de concertation pluriprofessionnelle", level=0)
    facts = [
        ("CPTS", meeting.cpts.name),
        ("RCP", f"{meeting.title} ({meeting.reference})"),
        ("Date", f"{start:%d/%m/%Y} à {start:%H:%M}"),
        ("Lieu", meeting.where),
        ("État", meeting.get_status_display()),
    ]
    for label, value in facts:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label} : ").bold = True
        paragraph.add_run(value)
    document.add_paragraph().add_run(CONFIDENTIAL).italic = True

    document.add_heading("Participants", level=1)
    total = sum(p.minutes or 0 for p in reading.participants)
    add_table(
        document,
        ["Participant", "Fonction", "Temps passé"],
        [[p.name, p.function, minutes_time(p.minutes)] for p in reading.participants],
    )
    document.add_paragraph(f"{plural(len(reading.participants), 'participant')}, temps total : {minutes_time(total)}.")

    document.add_heading("Patients", level=1)
    if not reading.patients:
        document.add_paragraph("Aucun patient de cette RCP ne vous est accessible.")
    for patient in reading.patients:
        pathway = patient.entry.pathway
        document.add_heading(f"{pathway.last_name} {pathway.first_name} — {pathway.reference}", level=2)
        born = "Née" if pathway.sex == "F" else "Né"
        document.add_paragraph(
            f"{born} le {pathway.birth_date:%d/%m/%Y} · parcours « {pathway.template.name} » "
            f"depuis le {pathway.start_date:%d/%m/%Y}"
        )
        if patient.clinical:
            document.add_heading("Questions posées", level=3)
            typed_text(document, patient.entry.questions, "Aucune question enregistrée.")
            document.add_heading("Décisions", level=3)
            typed_text(document, patient.entry.decisions, "Aucune décision enregistrée.")
        else:
            document.add_paragraph(NOT_SHARED)
        document.add_heading("Suites", level=3)
        if patient.next_steps:
            add_table(
                document,
                ["Tâche", "Échéance", "Confiée à", "État"],
                [
                    [
                        task.title,
                        f"{task.due_on:%d/%m/%Y}",
                        task.assignee.name if task.assignee_id else "à affecter",
                        task.get_status_display(),
                    ]
                    for task in patient.next_steps
                ],
            )
        else:
            document.add_paragraph("Aucune suite enregistrée.")
    document.add_paragraph(f"Document produit par Maillage le {timezone.localtime():%d/%m/%Y à %H:%M}.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
