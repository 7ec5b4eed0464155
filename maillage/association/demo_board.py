"""Issue 16 — the demo's board and paid time (called by maillage/association/demo.py's PARTS):
a bureau (président, trésorier, secrétaire), administrators from several collèges, one mandate
due for renewal and one in the history; hourly rates; time entries of this year and the last."""

from datetime import date, timedelta

from django.utils import timezone

from maillage.association.actions.board import MandateDraft, create_mandate, end_mandate
from maillage.association.actions.time import TimeDraft, record_time, set_rate
from maillage.association.models import Mandate, Member
from maillage.association.models.board import BoardRole, Body, TimeActivity

RATES = {  # cents an hour
    TimeActivity.RCP: 8000,
    TimeActivity.WORKING_GROUP: 6000,
    TimeActivity.BOARD: 5000,
    TimeActivity.BUREAU: 5000,
    TimeActivity.TRAINING: 4000,
    TimeActivity.PROJECT: 6000,
    TimeActivity.ASSEMBLY: 0,  # volunteer time
    TimeActivity.OTHER: 5000,
}


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def build(cpts, members, coordinator_user):
    if Mandate.objects.filter(cpts=cpts).exists():
        return
    today = timezone.localdate()
    voting = [m for m in members if isinstance(m, Member) and m.cpts_id == cpts.pk and m.votes]
    if len(voting) < 3:
        return
    people = [m for m in voting if m.kind == Member.Kind.PERSON] or voting
    elected = today - timedelta(days=700)
    term = _years_later(elected, 3)

    def seat(member, body, role, start=elected, end=term):
        return create_mandate(cpts, MandateDraft(member, body, role, start, end), coordinator_user)

    bureau = [(BoardRole.PRESIDENT, people[0]), (BoardRole.TREASURER, people[1 % len(people)]),
              (BoardRole.SECRETARY, people[2 % len(people)])]  # fmt: skip
    for role, member in bureau:
        seat(member, Body.BUREAU, role)
        seat(member, Body.BOARD, BoardRole.DIRECTOR)
    chosen = {member.pk for _, member in bureau}
    by_college: dict = {}
    for member in voting:
        if member.pk not in chosen:
            by_college.setdefault(member.college_id, member)
    directors = list(by_college.values())[:5]
    for n, member in enumerate(directors):
        # The first administrator's term ends within the notice: « renouvellement à prévoir ».
        seat(member, Body.BOARD, BoardRole.DIRECTOR, end=today + timedelta(days=45) if n == 0 else term)
    # The history: a vice-president who resigned last year.
    spare = next((m for m in people if m.pk not in chosen and m not in directors), None)
    if spare is not None:
        former = seat(spare, Body.BUREAU, BoardRole.VICE_PRESIDENT)
        end_mandate(former, coordinator_user, on=today - timedelta(days=200), note="Démission (départ du territoire)")

    since = date(today.year - 2, 1, 1)
    for activity, cents in RATES.items():
        set_rate(cpts, coordinator_user, activity=activity, amount_cents=cents, since=since)
    _time(cpts, people, today, coordinator_user)


def _time(cpts, people, today, actor):
    plan = [
        (TimeActivity.RCP, 90, "RCP sortie d'hospitalisation"),
        (TimeActivity.WORKING_GROUP, 120, "Groupe de travail soins non programmés"),
        (TimeActivity.BOARD, 150, "Conseil d'administration"),
        (TimeActivity.TRAINING, 180, "Formation gestes d'urgence"),
        (TimeActivity.PROJECT, 60, "Fiche-action prévention"),
    ]
    for n, member in enumerate(people[:6]):
        for k, (activity, minutes, note) in enumerate(plan[: 2 + n % 4]):
            for back in (10 + 17 * k + 3 * n, 380 + 11 * k + n):  # this year (or late last year) and last year
                day = today - timedelta(days=back)
                record_time(cpts, TimeDraft(member, activity, day, minutes, note), actor, today=today)
