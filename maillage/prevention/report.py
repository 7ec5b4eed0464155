"""A campaign's report (DOCX, python-docx): what it aimed at, its actions and their figures, a bar
chart of the people reached per action, and the CPAM's rates entered for its theme and period.
Counts only, and the professionals counted, not named.

No charting or imaging library is in the lock: the chart is drawn with the document itself, a
table whose bars are runs of full blocks (« █ ») in the CPTS's colour, their length proportional to
the value, each row giving its figure in words too."""

import io
from decimal import Decimal

from django.utils import timezone
from docx import Document
from docx.shared import Pt, RGBColor

from maillage.core.french import grouped, plural
from maillage.core.word import add_table
from maillage.prevention.models import Campaign
from maillage.prevention.results import figure_rows, rates

BAR_WIDTH = 30  # blocks of the longest bar
BAR_COLOUR = RGBColor(0x1F, 0x5F, 0x8B)


def number(value) -> str:
    if isinstance(value, Decimal):
        text = f"{value.normalize():f}" if value != value.to_integral() else str(int(value))
        return text.replace(".", ",")
    return grouped(value) if isinstance(value, int) else str(value)


def _date(day) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


def filename(campaign: Campaign) -> str:
    return f"campagne-prevention-{campaign.pk}-{campaign.starts_on:%Y%m%d}.docx"


def add_bar_chart(document, title: str, rows: list[tuple[str, int]]) -> None:
    """A horizontal bar chart as a two-column table: the label, then the bar and its figure."""
    document.add_paragraph().add_run(title).bold = True
    top = max((value for _label, value in rows), default=0)
    table = document.add_table(rows=0, cols=2)
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].text = label
        paragraph = cells[1].paragraphs[0]
        blocks = round(BAR_WIDTH * value / top) if top else 0
        if blocks:
            bar = paragraph.add_run("█" * blocks)
            bar.font.color.rgb = BAR_COLOUR
            bar.font.size = Pt(9)
        paragraph.add_run(f" {number(value)}")
    document.add_paragraph()


def docx_bytes(campaign: Campaign) -> bytes:
    document = Document()
    title = f"Campagne de prévention : {campaign.title}"
    document.core_properties.title = f"{title} — {campaign.cpts.name}"
    document.add_heading(title, level=0)
    facts = [
        ("CPTS", campaign.cpts.name),
        ("Thème", campaign.get_theme_display()),
        ("Période", f"du {_date(campaign.starts_on)} au {_date(campaign.ends_on)}"),
        ("Population cible", campaign.target or "toute la population du territoire"),
        ("Taille de la population cible", _target(campaign)),
        ("Objectif", campaign.objective),
        ("Fiche-action", campaign.fiche.title if campaign.fiche else "aucune"),
        ("Partenaires", _partners(campaign) or "aucun"),
        ("Budget", f"{number(campaign.budget)} €" if campaign.budget is not None else "non indiqué"),
    ]
    for label, value in facts:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label} : ").bold = True
        paragraph.add_run(str(value))

    document.add_heading("Résultats", level=1)
    add_table(document, ["Indicateur", "Valeur"], figure_rows(campaign), text=number)

    events = list(campaign.events.order_by("day", "starts_at", "pk").prefetch_related("participations"))
    document.add_heading("Actions", level=1)
    if not events:
        document.add_paragraph("Aucune action enregistrée.")
    else:
        rows = [
            [
                _date(e.day),
                e.get_kind_display(),
                e.place,
                e.people_reached if e.results_at else "à saisir",
                e.tests_distributed,
                e.vaccinations,
                len(e.participations.all()),
                sum((p.hours for p in e.participations.all()), Decimal(0)),
            ]
            for e in events
        ]
        header = ["Date", "Type", "Lieu", "Personnes", "Tests", "Vaccinations", "Professionnels", "Heures"]
        add_table(document, header, rows, text=number)
        chart = [(f"{_date(e.day)} — {e.get_kind_display()}", e.people_reached) for e in events if e.results_at]
        if chart:
            add_bar_chart(document, "Personnes touchées par action", chart)

    document.add_heading("Taux de l'Assurance maladie", level=1)
    found = rates(campaign)
    if not found:
        document.add_paragraph("Aucun taux saisi pour le thème et la période de la campagne.")
    else:
        rows = [
            [r.label, r.period, f"{number(r.value)} {r.unit}" if r.value is not None else "—",
             f"{r.source} ({_date(r.source_date)})" if r.source_date else r.source]
            for r in found
        ]  # fmt: skip
        add_table(document, ["Indicateur", "Période", "Valeur", "Source"], rows)
    document.add_paragraph(f"Document produit par Maillage le {timezone.localtime():%d/%m/%Y à %H:%M}.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _target(campaign: Campaign) -> str:
    if campaign.target_size is None:
        return f"{plural(campaign.cpts.population(), 'habitant')} (communes du territoire)"
    note = f" ({campaign.target_note})" if campaign.target_note else ""
    return f"{plural(campaign.target_size, 'personne')}{note}"


def _partners(campaign: Campaign) -> str:
    names = [p.name for p in campaign.partners.all()]
    names += [s.long_name or s.short_name or s.finess_et for s in campaign.structures.all()]
    return ", ".join(names)
