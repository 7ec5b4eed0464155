"""Issue 17 — the mission's demo (see the issue's « Demo »): written through the actions, as the
system (`actor=None`); a CPTS that already has the mission's records is left alone.

Each demo CPTS gets a pluriprofessional GAP of its directory's professionals (a linked account
first, so that the demo doctor finds it in their space) with three sessions, three protocols — one
in use whose review is due within the month, one in use, one draft — and an adverse event analysed
in the last session with its actions."""

import io
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from maillage.core.french import plural
from maillage.directory.models import Activity, Professional, ProfessionalAccount
from maillage.quality.actions import events, groups, protocols
from maillage.quality.models import PeerGroup

PROFESSIONS = ("10", "60", "21", "70", "50")  # médecin, infirmier, pharmacien, kiné, sage-femme
SESSIONS = [
    (120, "Antibiothérapie des infections urinaires", "2", "Trois situations de cystite récidivante chez des "
     "femmes de 30 à 70 ans ; une résistance documentée.", "Rédiger un protocole pharmacien – médecin."),
    (60, "Sorties d'hospitalisation des personnes âgées", "2.5", "Deux retours à domicile sans transmission du "
     "compte rendu ; une chute dans la semaine.", "Proposer un circuit de transmission avec l'hôpital."),
    (14, "Plaies chroniques au domicile", "2", "Ulcère de jambe chez un homme de 82 ans, pansements changés "
     "par trois intervenants.", "Un protocole infirmier – médecin sur les plaies, à écrire."),
]  # fmt: skip
PROTOCOLS = [
    # title, professions, validated days ago, review in days from today (None: draft)
    ("Cystite simple de la femme : délivrance d'antibiotique par le pharmacien", ["10", "21"], 350, 15),
    ("Renouvellement et adaptation des traitements chroniques", ["10", "21", "60"], 90, 640),
    ("Prise en charge des plaies chroniques au domicile", ["10", "60"], None, None),
]


def load(cpts_list, *, log=print) -> None:
    for cpts in cpts_list:
        if PeerGroup.objects.filter(cpts=cpts).exists():
            continue
        people = _people(cpts)
        if len(people) < 2:
            continue
        with transaction.atomic(), override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            sessions = _group(cpts, people)
            made = _protocols(cpts, people)
            _event(cpts, sessions[-1])
        log(
            f"  qualité ({cpts.name}) : 1 groupe d'analyse de pratiques, {plural(len(sessions), 'séance')}, "
            f"{plural(made, 'protocole')}, 1 événement indésirable analysé"
        )


def _people(cpts) -> list:
    sites = Activity.objects.filter(active=True, commune__cpts_links__cpts=cpts).values("professional_id")
    linked = ProfessionalAccount.objects.values("professional_id")
    people = []
    for code in PROFESSIONS:
        found = Professional.objects.filter(active=True, profession_code=code, pk__in=sites).order_by("national_id")
        person = found.filter(pk__in=linked).first() or found.first()
        if person is not None:
            people.append(person)
    return people


def _group(cpts, people) -> list:
    group = groups.create_group(cpts, kind="gap", name="GAP pluriprofessionnel du territoire")
    for person in people:
        groups.add_member(group, person)
    today = timezone.localdate()
    made = []
    for n, (days, theme, hours, cases, conclusions) in enumerate(SESSIONS):
        present = [p for i, p in enumerate(people) if (i + n) % 4 != 3]  # one or two absent each time
        draft = groups.SessionDraft(today - timedelta(days=days), theme, Decimal(hours), present, cases, conclusions)
        made.append(groups.record_session(group, draft))
    return made


def _document(title: str) -> SimpleUploadedFile:
    from docx import Document

    document = Document()
    document.add_heading(title, level=1)
    document.add_paragraph("Protocole pluriprofessionnel de démonstration : objet, professionnels concernés, "
                           "critères d'inclusion et d'exclusion, conduite à tenir, orientation.")  # fmt: skip
    buffer = io.BytesIO()
    document.save(buffer)
    return SimpleUploadedFile("protocole.docx", buffer.getvalue())


def _protocols(cpts, people) -> int:
    today = timezone.localdate()
    for title, professions, validated_ago, review_in in PROTOCOLS:
        draft = protocols.ProtocolDraft(title, summary="", professions=professions, authors=people[:2])
        protocol = protocols.create_protocol(cpts, draft)
        if validated_ago is None:
            continue
        protocols.attach_file(protocol, _document(title))
        protocols.validate(
            protocol, validators=people[:3], validated_on=today - timedelta(days=validated_ago),
            next_review_on=today + timedelta(days=review_in), group=PeerGroup.objects.get(cpts=cpts),
        )  # fmt: skip
        protocols.move(protocol, "in_use")
    return len(PROTOCOLS)


def _event(cpts, session) -> None:
    occurred = session.held_on - timedelta(days=10)
    draft = events.EventDraft(
        occurred, "transmission", "temporary",
        "Retour à domicile d'une patiente de 84 ans sans transmission du traitement de sortie ; "
        "double prise d'un antihypertenseur pendant deux jours, malaise sans gravité.",
    )  # fmt: skip
    event = events.declare_event(cpts, draft)
    events.analyse_event(event, session=session, analysis="Pas de circuit entre le service et l'officine ; "
                         "le compte rendu est arrivé chez le médecin traitant cinq jours plus tard.")  # fmt: skip
    events.add_action(event, title="Convenir d'un circuit de transmission avec l'hôpital", owner="La coordination",
                      due_on=timezone.localdate() + timedelta(days=45))  # fmt: skip
    done = events.add_action(event, title="Présenter l'événement à l'assemblée des professionnels",
                             owner="Le groupe d'analyse de pratiques", due_on=timezone.localdate())  # fmt: skip
    events.mark_done(done)
