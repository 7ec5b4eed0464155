"""Issue 17 — the crisis response's demo: for « ouest-herault » (the seeds' Covid story around
Béziers), its past crisis gets a testing drive with its shifts (most of them staffed by member
volunteers), a stock ledger of protective equipment and test kits, and a case map over ten weeks.
Written through the actions, as the system; a second run adds nothing."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from maillage.accounts.models import Role, RoleKind, User
from maillage.crisis import activation
from maillage.crisis.models import Crisis
from maillage.crisis.response_cases import enter, monday
from maillage.crisis.response_centres import CentreDraft, add_shift, open_centre, sign_up
from maillage.crisis.response_supplies import MovementDraft, add_item, move

SLUG = "ouest-herault"
START = date(2020, 3, 16)  # a Monday: the first lockdown, when the plan's demo has not run
VOLUNTEERS = [
    ("benevole.infirmiere.ouest-herault@demo.maillage.fr", "Élodie", "Marty"),
    ("benevole.pharmacien.ouest-herault@demo.maillage.fr", "Thomas", "Bonnet"),
    ("benevole.medecin.ouest-herault@demo.maillage.fr", "Nathalie", "Cros"),
    ("benevole.kine.ouest-herault@demo.maillage.fr", "Julien", "Fabre"),
]
# (item, threshold, received, [distributed to, units])
SUPPLIES = [
    ("Masques FFP2", 200, 2000, [("Infirmiers libéraux du secteur", 600), ("EHPAD Les Oliviers", 400)]),
    ("Masques chirurgicaux", 500, 5000, [("Pharmacies du territoire", 2500), ("Cabinets médicaux", 1200)]),
    ("Surblouses", 50, 400, [("Infirmiers libéraux du secteur", 180)]),
    ("Tests antigéniques", 100, 1500, [("Drive de dépistage", 1100)]),
    ("Autotests", 100, 1000, [("Pharmacies du territoire", 700)]),
]
# Cases per week of the wave (the territory's total, spread over its first communes).
WAVE = [6, 14, 31, 58, 72, 64, 41, 22, 9, 3]


def _past_crisis(cpts) -> Crisis:
    """The crisis the plan's demo declared (Covid-19, 2020–2021); one of our own if it did not run."""
    from maillage.crisis.demo_plan import past_crisis

    crisis = past_crisis(cpts)
    if crisis is None:  # declared by the ARS and closed, through the actions like the plan's demo
        declared = activation.Declaration(kind="epidemic", title="Épidémie de Covid-19", starts_on=START, alert=False)
        (crisis,) = activation.declare([cpts], declared, None, by_ars=True, today=START)
        ends_on = START + timedelta(weeks=len(WAVE))
        crisis = activation.close(crisis, ends_on, None, today=ends_on + timedelta(days=1))
    return crisis


def _volunteers(cpts) -> list:
    people = []
    for email, first, last in VOLUNTEERS:
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email, None, first_name=first, last_name=last
        )
        Role.objects.get_or_create(user=user, kind=RoleKind.MEMBER, cpts=cpts)
        people.append(user)
    return people


def _at(day: date, hour: int):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def build(cpts, coordinator, *, log=print) -> None:
    if cpts.slug != SLUG:
        return
    crisis = _past_crisis(cpts)
    if crisis.centres.exists():
        return
    communes = list(cpts.communes().order_by("-population", "code")[:6])
    people = _volunteers(cpts)
    opened = monday(crisis.starts_on) + timedelta(weeks=1)  # the drive opened a week into the crisis
    drive = open_centre(crisis, CentreDraft(
        "drive", "Drive de dépistage du stade", "Parking du stade municipal", opened,
        communes[0] if communes else None, "Du lundi au samedi, 8 h – 13 h",
    ), None)  # fmt: skip
    shifts = 0
    for week in range(4):
        for weekday, role in ((0, "test"), (2, "test"), (4, "reception")):
            day = opened + timedelta(weeks=week, days=weekday)
            shift = add_shift(drive, None, starts_at=_at(day, 8), ends_at=_at(day, 13), capacity=2, role=role)
            shifts += 1
            taken = 2 if (week + weekday) % 3 else 1  # some shifts short of one volunteer
            for n in range(taken):
                sign_up(shift, people[(week + weekday + n) % len(people)], None)
    for name, threshold, received, given in SUPPLIES:
        item = add_item(crisis, None, name=name, threshold=threshold)
        move(item, MovementDraft("received", received, opened), None)
        for n, (recipient, units) in enumerate(given):
            move(
                item,
                MovementDraft("distributed", units, opened + timedelta(days=7 * (n + 1)), recipient=recipient),
                None,
            )
    weeks = 0
    for offset, total in enumerate(WAVE):
        week = monday(crisis.starts_on) + timedelta(weeks=offset)
        if week > timezone.localdate() or not communes:
            break
        weights = [5, 3, 2, 1, 1, 1][: len(communes)]
        for commune, weight in zip(communes, weights, strict=False):
            enter(crisis, None, commune_code=commune.code, week=week, count=total * weight // sum(weights))
        weeks += 1
    log(f"  {cpts.name} : crise « {crisis.title} », 1 centre, {shifts} créneaux, {len(SUPPLIES)} articles en stock, "
        f"{weeks} semaines de cas")  # fmt: skip
