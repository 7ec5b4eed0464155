"""Issue 17 — the « Plan de réponse aux crises sanitaires » as an editable Word document
(python-docx): risks covered, crisis cell, volunteers, partners, exercises, and the crises of the
territory. Professionals' contacts only; no patient."""

import io

from django.utils import timezone
from docx import Document

from maillage.core.french import plural
from maillage.core.word import add_table
from maillage.crisis.models import Crisis
from maillage.projet.document import typed_text

TITLE = "Plan de réponse aux crises sanitaires"


def docx_bytes(plan) -> bytes:
    cpts = plan.cpts
    document = Document()
    document.core_properties.title = f"{TITLE} — {cpts.name}"
    document.add_heading(TITLE, level=0)
    document.add_paragraph(cpts.name)
    if plan.written_on:
        document.add_paragraph(f"Plan adopté le {plan.written_on:%d/%m/%Y}.")
    else:
        document.add_paragraph("Plan en cours de rédaction (non encore adopté).")
    if plan.fiche_id:
        document.add_paragraph(f"Fiche-action du projet de santé : {plan.fiche.title}")
    document.add_paragraph(f"Document édité par Maillage le {timezone.localdate():%d/%m/%Y}.")

    document.add_heading("1 Organisation de la réponse", level=1)
    typed_text(document, plan.organisation)

    risks = list(plan.risks.all()) if plan.pk else []
    document.add_heading("2 Risques couverts", level=1)
    if risks:
        add_table(document, ["Risque", "Dispositions prévues"], [[r.get_kind_display(), r.notes or "—"] for r in risks])
    else:
        document.add_paragraph("À compléter.")

    cell = list(plan.cell.all()) if plan.pk else []
    document.add_heading("3 Cellule de crise", level=1)
    document.add_paragraph("Comment joindre ses membres le jour, la nuit et le week-end.")
    if cell:
        add_table(
            document,
            ["Nom", "Fonction", "Téléphone (jour)", "Téléphone (nuit)", "Courriel"],
            [[m.name, m.function, m.phone_day or "—", m.phone_night or "—", m.email or "—"] for m in cell],
        )
    else:
        document.add_paragraph("À compléter.")

    volunteers = list(plan.volunteers.select_related("professional")) if plan.pk else []
    document.add_heading("4 Professionnels volontaires", level=1)
    document.add_paragraph(plural(len(volunteers), "professionnel volontaire", "professionnels volontaires") + ".")
    if volunteers:
        add_table(
            document,
            ["Professionnel", "Profession", "Volontaire pour"],
            [
                [
                    f"{v.professional.first_name} {v.professional.last_name}".strip(),
                    v.professional.profession_label or "—",
                    ", ".join(v.tasks()),
                ]
                for v in volunteers
            ],
        )

    partners = list(plan.partners.all()) if plan.pk else []
    document.add_heading("5 Partenaires", level=1)
    if partners:
        add_table(
            document,
            ["Type", "Partenaire", "Contact"],
            [[p.get_kind_display(), p.name, p.contact or "—"] for p in partners],
        )
    else:
        document.add_paragraph("À compléter.")

    exercises = list(plan.exercises.all()) if plan.pk else []
    document.add_heading("6 Exercices", level=1)
    if exercises:
        add_table(
            document,
            ["Date", "Scénario", "Enseignements"],
            [[f"{e.held_on:%d/%m/%Y}", e.scenario, e.lessons or "—"] for e in exercises],
        )
    else:
        document.add_paragraph("Aucun exercice tenu à ce jour.")

    crises = list(Crisis.objects.filter(cpts=cpts).exclude(status=Crisis.Status.CANCELLED)[:50])
    document.add_heading("7 Crises sur le territoire", level=1)
    if crises:
        add_table(
            document,
            ["Crise", "Nature", "Période", "Reconnue par l'ARS"],
            [
                [
                    c.title,
                    c.get_kind_display(),
                    f"du {c.starts_on:%d/%m/%Y}" + (f" au {c.ends_on:%d/%m/%Y}" if c.ends_on else " (en cours)"),
                    f"{c.recognised_on:%d/%m/%Y}" if c.recognised_on else "non",
                ]
                for c in crises
            ],
        )
    else:
        document.add_paragraph("Aucune crise déclarée.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
