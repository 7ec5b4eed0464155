"""Demo of the fees (issue 16, item 2), called by maillage/association/demo.py for each demo CPTS:
the amounts of the running and previous membership years, payments with their receipts — most
members up to date, some in the grace period (the previous year paid, not this one: the
commune whose representative has the demo account among them), one expired — and the CPTS's
online payment page.

A member in grace needs a membership year that ended less than the grace period ago: with years
following the calendar, that is only true from January to March. Outside that window the demo
CPTS's membership year starts on the first day of the current month (statutes running, say, from
December to November), so that the grace period exists on whatever day the demo is loaded."""

from datetime import date, timedelta

from django.utils import timezone

from maillage.association import status
from maillage.association import statutes as statutes_of
from maillage.association.actions.fees import PaymentDraft, record_payment, save_settings, set_rates, year_bounds
from maillage.association.models import College, Member, Statutes
from maillage.association.models.fees import PaymentMethod

# Yearly fee per collège code, in cents (0: free — the users' collège).
RATES = {"liberaux": 30_00, "sanitaire": 200_00, "medico_social": 100_00, "collectivites": 150_00, "usagers": 0}
METHODS = [PaymentMethod.CHEQUE, PaymentMethod.TRANSFER, PaymentMethod.CARD, PaymentMethod.TRANSFER]
DEMO_MAYOR = "mairie.cmv@demo.maillage.fr"  # maillage/association/demo.py: the adherent demo account


def build(cpts, members, coordinator_user, today: date | None = None) -> None:
    today = today or timezone.localdate()
    statutes = _statutes_with_grace(cpts, today)
    start, _ = status.membership_year(statutes, today)
    now = start.year
    colleges = {c.code: c.pk for c in College.objects.filter(cpts=cpts)}
    for year in (now - 2, now - 1, now):
        set_rates(cpts, coordinator_user, year, {pk: RATES.get(code) for code, pk in colleges.items()})
    save_settings(cpts, coordinator_user, payment_url=f"https://paiement.exemple.fr/{cpts.slug}/cotisation",
                  reminder_days=30)  # fmt: skip
    paying = [m for m in members if RATES.get(_code(colleges, m.college_id)) and m.cancelled_on is None]
    # Paid up to this year: most; the previous year only (in grace): every fifth and the demo
    # account's commune; nothing since two years ago (expired): the last one.
    payments = []
    for n, member in enumerate(paying):
        expired = n == len(paying) - 1 and n > 0
        in_grace = not expired and (n % 5 == 3 or _demo_account(member))
        years = [now - 2] if expired else [now - 1] if in_grace else [now - 1, now]
        for k, year in enumerate(years):
            start, _ = year_bounds(statutes, year)
            paid_on = min(start + timedelta(days=10 + member.pk % 40), today)
            payments.append((paid_on, member.pk, year, member, METHODS[(n + k) % len(METHODS)]))
    # In the order they arrived: receipt numbers follow the days they were issued.
    for paid_on, _pk, year, member, method in sorted(payments, key=lambda p: p[:3]):
        _pay(cpts, member, coordinator_user, year, method, paid_on)
    status.recompute_all(today=today, cpts=cpts)


def _code(colleges: dict, college_id: int) -> str:
    return next((code for code, pk in colleges.items() if pk == college_id), "")


def _demo_account(member: Member) -> bool:
    return member.representative_email == DEMO_MAYOR or (member.user_id and member.user.email == DEMO_MAYOR)


def _statutes_with_grace(cpts, today: date) -> Statutes:
    statutes = statutes_of.of(cpts)
    start, _ = status.membership_year(statutes, today)
    if (today - start).days + 14 > statutes.grace_days:
        Statutes.objects.filter(pk=statutes.pk).update(year_start_month=today.month)
        statutes.refresh_from_db()
    return statutes


def _pay(cpts, member, actor, year: int, method: str, paid_on: date) -> None:
    """Recorded the day it was paid (the receipt carries the year it was issued in)."""
    reference = {PaymentMethod.CHEQUE: f"Chèque n° {4_100_000 + member.pk}", PaymentMethod.CARD: f"HA-{member.pk:06d}"}
    draft = PaymentDraft(year=year, amount_cents=RATES[member.college.code], paid_on=paid_on, method=method,
                         reference=reference.get(method, f"VIR {member.reference}"))  # fmt: skip
    record_payment(cpts, member, actor, draft, today=paid_on)
