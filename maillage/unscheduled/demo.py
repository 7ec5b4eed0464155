"""Demo of unscheduled care: a week of slots for some professionals of each demo CPTS, and a few
requests at the desk (one booked, one unmet), so the desk can be tried at once. Written through
the actions from a fixed seed. Run again later, it opens a new week only when no slot is left to
come, so the demo never runs dry."""

import random
from datetime import time, timedelta

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from maillage.core.french import plural
from maillage.directory.models import Activity, Professional, ProfessionalAccount
from maillage.unscheduled import search
from maillage.unscheduled.actions.alternatives import add_alternative
from maillage.unscheduled.actions.desk import book, mark_unmet, take_request
from maillage.unscheduled.actions.slots import open_from_template, save_template
from maillage.unscheduled.enums import Kind, SlotType
from maillage.unscheduled.models import Alternative, CareRequest, Slot

# (profession code, how many, weekly pattern: (weekday, start hour, end hour, minutes, kind))
OPENINGS = [
    ("10", 4, [(0, 18, 20, 20, Kind.PRACTICE), (2, 18, 20, 20, Kind.PRACTICE), (5, 9, 12, 20, Kind.PRACTICE)]),
    ("10", 1, [(1, 14, 17, 30, Kind.HOME), (3, 14, 17, 30, Kind.TELE)]),
    ("60", 2, [(0, 12, 14, 30, Kind.HOME), (4, 12, 14, 30, Kind.HOME)]),
    ("70", 1, [(2, 17, 19, 30, Kind.PRACTICE)]),
]
# Where the desk sends a patient when no slot fits (evenings, weekends): the national numbers.
ALTERNATIVES = [
    {"kind": "pdsa", "name": "Permanence des soins (médecin de garde)", "phone": "116 117",
     "hours": "soirs de 20 h à minuit, samedi à partir de 12 h, dimanche et jours fériés", "order": 1},
    {"kind": "sos", "name": "SOS Médecins", "phone": "3624", "hours": "24 h/24, visites à domicile", "order": 2},
]  # fmt: skip
CALLS = [
    ("Garnier", "Lucie", "fièvre et toux depuis trois jours", False),
    ("Morel", "Henri", "plaie à la main à recoudre, pas d'urgence vitale", False),
    ("Roussel", "Odette", "douleur lombaire, ne peut pas se déplacer", True),
    ("Bonnet", "Sami", "otite chez un enfant de 6 ans", False),
]


def load(cpts_list, *, log=print) -> None:
    for cpts in cpts_list:
        if Slot.objects.filter(cpts=cpts, start__gte=timezone.now()).exists():
            continue
        rng = random.Random(f"unscheduled:{cpts.slug}")
        with transaction.atomic(), override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            opened = _slots(cpts, rng)
            calls = _calls(cpts, rng) if not CareRequest.objects.filter(cpts=cpts).exists() else 0
            if not Alternative.objects.filter(cpts=cpts).exists():
                for alternative in ALTERNATIVES:
                    add_alternative(cpts, alternative, None)
        log(
            f"  soins non programmés ({cpts.name}) : {plural(opened, 'créneau', 'créneaux')} sur une semaine, "
            f"{plural(calls, 'demande')}"
        )


def _professionals(cpts, code, count):
    # A semi-join on the activities rather than a join and DISTINCT: PostgreSQL, on tables just
    # loaded, plans the latter badly (seconds per query).
    sites = Activity.objects.filter(active=True, commune__cpts_links__cpts=cpts).values("professional_id")
    found = Professional.objects.filter(active=True, profession_code=code, pk__in=sites).order_by("national_id")
    linked = list(found.filter(pk__in=ProfessionalAccount.objects.values("professional_id"))[:count])
    return linked + [p for p in found[: count * 2] if p not in linked][: count - len(linked)]


def _slots(cpts, rng) -> int:
    opened = 0
    tomorrow = timezone.localdate() + timedelta(days=1)
    for code, count, pattern in OPENINGS:
        for professional in _professionals(cpts, code, count):
            account = ProfessionalAccount.objects.filter(professional=professional).select_related("user").first()
            actor = account.user if account else None
            for weekday, start, end, minutes, kind in pattern:
                types = [SlotType.CPTS, SlotType.SNP] + ([SlotType.PUBLIC] if rng.random() < 0.3 else [])
                template = save_template(
                    cpts,
                    professional,
                    actor,
                    {"weekday": weekday, "start_time": time(start), "end_time": time(end), "length": minutes,
                     "kind": kind, "types": types},
                )  # fmt: skip
                opened += open_from_template(template, actor, weeks=1, today=tomorrow)[0]
    return opened


def _calls(cpts, rng) -> int:
    communes = list(cpts.communes().order_by("code"))
    if not communes:
        return 0
    taken = []
    for last, first, reason, cannot_travel in CALLS:
        phone = f"06{rng.randint(0, 99_999_999):08d}"
        data = {"last_name": last, "first_name": first, "phone": phone, "commune": rng.choice(communes),
                "reason": reason, "urgency": "24h", "cannot_travel": cannot_travel}  # fmt: skip
        taken.append(take_request(cpts, data, None))
    found = search.search(taken[0], horizon_hours=7 * 24)
    if found:
        book(taken[0], found[0].slot, None, confirm_beyond_window=True)
    mark_unmet(taken[1], "emergency", None, note="Orienté vers les urgences de la main.")
    return len(taken)
