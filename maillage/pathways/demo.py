"""Demo of the pathways mission (issue 15, item 11): in each demo CPTS, three active pathways of
fictional patients — a discharge from the demo hospital (a FINESS structure of the demo
directory), a diabetic patient, palliative care at home — with care teams from the demo directory
and some tasks overdue, so the mission can be tried at once. In Châtillon-Malakoff-Vanves the demo
GP (medecin.cmv's professional) is on every team, so the demo member sees them.

Written through the actions (enrolment, tasks), as the system (`actor=None`). A CPTS that already
has pathways is left alone: a second run adds nothing. The patients are fictional and say so:
their last names end in « (fictif) » / « (fictive) », their phones are in the 01 99 range
reserved for fiction."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from maillage.core.french import plural
from maillage.directory.models import Activity, Partner, Professional, ProfessionalAccount, Structure
from maillage.pathways.actions.consent import Information
from maillage.pathways.actions.enrolment import Enrolment, Patient, Referrer, enrol
from maillage.pathways.actions.tasks import move_task
from maillage.pathways.models import Pathway, PathwayTemplate
from maillage.pathways.states import Decision, ReferrerKind, Scope, TaskStatus

TEXT_VERSION = "demo-2026-12"
HOSPITAL_CATEGORY = "355"  # FINESS: centre hospitalier
# (template code, last name, first name, birth date, sex, days since the start, days since the
# discharge or None, referrer kind, team roles, tasks done: how many of the first ones)
PATIENTS = [
    ("sortie-hospitalisation-personne-agee", "Lambert (fictive)", "Georgette", date(1937, 3, 14), "F", 9, 9,
     ReferrerKind.HOSPITAL, ("gp", "nurse", "pharmacist", "physio", "dac"), 1),
    ("diabete-type-2-desequilibre", "Perrin (fictif)", "Mohamed", date(1961, 10, 2), "M", 40, None,
     ReferrerKind.PROFESSIONAL, ("gp", "nurse", "pharmacist"), 1),
    ("soins-palliatifs-domicile", "Fabre (fictive)", "Simone", date(1944, 6, 27), "F", 6, None,
     ReferrerKind.PROFESSIONAL, ("gp", "nurse", "pharmacist", "dac"), 0),
]  # fmt: skip
ROLE_PROFESSION = {"gp": "10", "nurse": "60", "pharmacist": "21", "physio": "70"}


def load(cpts_list, *, log=print) -> None:
    for cpts in cpts_list:
        if Pathway.objects.filter(cpts=cpts).exists():
            _requests_of(cpts, log)  # Issue 15 — care requests
            continue
        # Fictional patients and teams get no email, not even on the console.
        with transaction.atomic(), override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            made, overdue = _pathways(cpts)
            liaison = _liaison(cpts)  # Issue 15 — liaison log
        if made:
            log(
                f"  parcours des patients ({cpts.name}) : {plural(made, 'parcours actif', 'parcours actifs')}, "
                f"{plural(overdue, 'tâche en retard', 'tâches en retard')}, "
                f"{plural(liaison, 'message', 'messages')} dans les journaux de liaison"
            )
        _requests_of(cpts, log)  # Issue 15 — care requests
    # Issue 15 — RCP: a meeting held, with its minutes, and one programmed (demo_meetings.py).
    from maillage.pathways import demo_meetings

    demo_meetings.load(cpts_list, log=log)


def _requests_of(cpts, log) -> None:
    from maillage.pathways.demo_requests import load_requests

    with transaction.atomic(), override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        line = load_requests(cpts)
    if line:
        log(line)


def _demo_gp(cpts):
    from maillage.directory.demo import DEMO_DOCTOR

    if cpts.slug != "chatillon-malakoff-vanves":
        return None
    link = ProfessionalAccount.objects.filter(user__email=DEMO_DOCTOR).select_related("professional").first()
    return link.professional if link is not None else None


def _people(cpts) -> dict:
    """One professional of each profession working on the territory (a linked account first, so
    that a demo person sees the pathway), and the CPTS's DAC."""
    sites = Activity.objects.filter(active=True, commune__cpts_links__cpts=cpts).values("professional_id")
    linked = ProfessionalAccount.objects.values("professional_id")
    people = {}
    for role, code in ROLE_PROFESSION.items():
        found = Professional.objects.filter(active=True, profession_code=code, pk__in=sites).order_by("national_id")
        people[role] = found.filter(pk__in=linked).first() or found.first()
    people["gp"] = _demo_gp(cpts) or people["gp"]
    people["dac"] = Partner.objects.filter(cpts=cpts, kind=Partner.Kind.DAC).order_by("pk").first()
    return people


def _pathways(cpts) -> tuple[int, int]:
    communes = list(cpts.communes().order_by("-population", "code"))
    people = _people(cpts)
    if not communes or people["gp"] is None or people["nurse"] is None:
        return 0, 0
    hospital = (
        Structure.objects.filter(category_code=HOSPITAL_CATEGORY, commune__cpts_links__cpts=cpts)
        .order_by("finess_et")
        .first()
    )
    today = timezone.localdate()
    made = overdue = 0
    for n, (code, last, first, birth, sex, started, discharged, referrer_kind, roles, done) in enumerate(PATIENTS):
        template = PathwayTemplate.objects.usable_by(cpts).filter(code=code).order_by("cpts", "-number").first()
        if template is None:
            continue
        if referrer_kind == ReferrerKind.HOSPITAL and hospital is None:
            referrer_kind = ReferrerKind.PATIENT
        referrer = Referrer(
            kind=referrer_kind,
            professional=people["gp"] if referrer_kind == ReferrerKind.PROFESSIONAL else None,
            structure=hospital if referrer_kind == ReferrerKind.HOSPITAL else None,
            service="Médecine gériatrique" if referrer_kind == ReferrerKind.HOSPITAL else "",
        )
        start = today - timedelta(days=started)
        informed_at = timezone.make_aware(datetime.combine(start, time(10)))
        gp = people["gp"]
        decisions = {Scope.TEAM: Decision.NON_OPPOSITION, Scope.COORDINATION: Decision.CONSENT}
        pathway = enrol(
            cpts,
            Enrolment(
                template=template,
                patient=Patient(
                    last_name=last,
                    first_name=first,
                    birth_date=birth,
                    sex=sex,
                    commune=communes[n % len(communes)],
                    phone=f"01990000{n:02d}",
                ),
                start_date=start,
                discharge_date=today - timedelta(days=discharged) if discharged is not None else None,
                information=Information(
                    informed_by_label=f"Dr {gp.first_name} {gp.last_name}".strip(),
                    informed_at=informed_at,
                    text_version=TEXT_VERSION,
                    decisions=decisions,
                ),
                referrer=referrer,
                team=[(people[role], role) for role in roles if people.get(role) is not None],
            ),
            None,
        )
        for task in pathway.tasks.order_by("due_on", "id")[:done]:
            move_task(task, TaskStatus.DONE, None, note="Fait (démonstration).")
        made += 1
        overdue += pathway.tasks.open().filter(due_on__lt=today).count()
    return made, overdue


# Issue 15 — liaison log: (days ago, kind, role of the author, text). In one pathway the last one
# stays unread for the demo GP (medecin.cmv).
LIAISON = [
    (5, "hospital_letter", "nurse", "Courrier de sortie reçu par le patient, transmis à l'équipe (démonstration)."),
    (3, "visit", "nurse", "Visite à domicile : pansement refait, patiente autonome pour la toilette (démonstration)."),
    (1, "question", "pharmacist", "Le traitement habituel a-t-il été repris après la sortie ? (démonstration)"),
]


def _liaison(cpts) -> int:
    """A few entries in the liaison log of each demo pathway of `cpts`, written as the demo team
    wrote them. Straight rows, not `post_entry`: fictional entries email nobody. A log that already
    has entries is left alone."""
    from django.contrib.auth import get_user_model

    from maillage.directory.demo import DEMO_DOCTOR
    from maillage.pathways.models import LiaisonEntry, LiaisonRead

    now = timezone.now()
    doctor = get_user_model().objects.filter(email=DEMO_DOCTOR).first()
    unread_left = False
    made = 0
    for pathway in Pathway.objects.filter(cpts=cpts, liaison_entries__isnull=True).order_by("pk"):
        team = {member.role: member for member in pathway.team.active().select_related("professional", "partner")}
        entries = []
        for days, kind, role, text in LIAISON:
            member = team.get(role)
            if member is None:
                continue
            entries.append(
                LiaisonEntry(
                    pathway=pathway, kind=kind, text=text, occurred_on=timezone.localdate(now - timedelta(days=days)),
                    posted_at=now - timedelta(days=days), author_label=f"{member.name} ({member.get_role_display()})",
                )
            )  # fmt: skip
        LiaisonEntry.objects.bulk_create(entries)
        made += len(entries)
        if doctor is None or not entries or not pathway.team.active().filter(professional__accounts__user=doctor):
            continue
        # The demo GP has read every log, but the last message of the first one: one unread.
        read_at = now if unread_left or len(entries) < 2 else entries[-2].posted_at + timedelta(minutes=1)
        unread_left = unread_left or read_at != now
        LiaisonRead.objects.update_or_create(pathway=pathway, user=doctor, defaults={"read_at": read_at})
    return made
