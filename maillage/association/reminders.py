"""Fee reminders by email (the periodic job `association.fee_reminders`, daily):

- renewal: to a member up to date whose paid years end with the running membership year, once the
  end is `FeeSettings.reminder_days` away or less — the fee of the next year;
- grace: to a member in the grace period — the fee of the running year, still unpaid.

Each is sent once per member, year and kind (a `FeeReminder` row, written with the email's task in
one transaction). The emails say what is due and link to the members' space: nothing else about the
member, nothing clinical (they cross ordinary SMTP)."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from maillage.association import fees, status
from maillage.association import statutes as statutes_of
from maillage.association.actions.fees import settings_of, year_label
from maillage.association.models import Member
from maillage.association.models.fees import FeeReminder
from maillage.association.money import euros
from maillage.core import audit, mail


@dataclass
class Sent:
    renewal: int = 0
    grace: int = 0
    without_email: int = 0


def send_reminders(today: date | None = None, cpts=None) -> Sent:
    from maillage.territory.models import Cpts

    today = today or timezone.localdate()
    outcome = Sent()
    waiting = Member.objects.filter(status__in=(Member.Status.CURRENT, Member.Status.GRACE))
    every = [cpts] if cpts is not None else Cpts.objects.filter(pk__in=waiting.values("cpts_id"))
    for one in every:
        with transaction.atomic(), mail.batch():
            _remind(one, today, outcome)
    return outcome


def _not_reminded(year: int, kind: str):
    return ~Exists(FeeReminder.objects.filter(member=OuterRef("pk"), year=year, kind=kind))


def _remind(cpts, today: date, outcome: Sent) -> None:
    statutes = statutes_of.of(cpts)
    settings = settings_of(cpts)
    start, end = status.membership_year(statutes, today)
    link = mail.site_link(reverse("www:member_space_fees", args=[cpts.slug]))
    ways = "par chèque ou par virement auprès de la coordination de la CPTS"
    if settings.payment_url:
        ways += f", ou en ligne : {settings.payment_url}"
    colleges = {c.pk: c.name for c in statutes_of.colleges(cpts)}
    now = timezone.now()
    rows = []
    counts = {FeeReminder.Kind.RENEWAL: 0, FeeReminder.Kind.GRACE: 0}

    def send(member, year, kind, subject, text):
        address = member[1] or member[2] or member[3]
        if not address:
            outcome.without_email += 1
            return
        mail.send_after_commit(address, subject, f"Bonjour,\n\n{text}\n\nVotre espace adhérent : {link}\n")
        rows.append(FeeReminder(member_id=member[0], year=year, kind=kind, sent_at=now))
        counts[kind] += 1

    fields = ("pk", "email", "representative_email", "user__email", "college_id")
    if (end - today).days <= settings.reminder_days:
        following = start.year + 1
        label = year_label(statutes, following)
        rates = fees.rates_by_college(cpts, following)
        due = Member.objects.filter(cpts=cpts, status=Member.Status.CURRENT, paid_until=end)
        for member in due.filter(_not_reminded(following, FeeReminder.Kind.RENEWAL)).values_list(*fields):
            rate = rates.get(member[4])
            if rate == 0:
                continue  # a free collège: nothing to renew by paying
            amount = (
                f"La cotisation {label} du collège « {colleges[member[4]]} » est de {euros(rate)}."
                if rate is not None
                else f"Le montant de la cotisation {label} vous sera communiqué par la CPTS."
            )
            send(
                member, following, FeeReminder.Kind.RENEWAL, f"Renouvellement de votre adhésion à la {cpts.name}",
                f"Votre adhésion à l'association de la {cpts.name} arrive à échéance le {end:%d/%m/%Y}. {amount}\n"
                f"Vous pouvez la régler {ways}.",
            )  # fmt: skip
    label = year_label(statutes, start.year)
    rates = fees.rates_by_college(cpts, start.year)
    late = Member.objects.filter(cpts=cpts, status=Member.Status.GRACE)
    for member in late.filter(_not_reminded(start.year, FeeReminder.Kind.GRACE)).values_list(*fields, "paid_until"):
        rate = rates.get(member[4])
        amount = f" ({euros(rate)})" if rate else ""
        until = member[5] + timedelta(days=statutes.grace_days) if member[5] else None
        deadline = f" jusqu'au {until:%d/%m/%Y}" if until else ""
        send(
            member, start.year, FeeReminder.Kind.GRACE, f"Votre cotisation {label} à la {cpts.name}",
            f"Votre cotisation {label} à l'association de la {cpts.name}{amount} n'est pas encore réglée. "
            f"Votre adhésion reste en vigueur{deadline} (période de grâce), puis elle expirera.\n"
            f"Vous pouvez la régler {ways}.",
        )  # fmt: skip
    if rows:
        FeeReminder.objects.bulk_create(rows)  # a reminder sent twice: unique, the whole CPTS rolls back
        audit.record(
            "association.fee_reminders_sent",
            cpts=cpts,
            details={"renouvellement": counts[FeeReminder.Kind.RENEWAL], "grâce": counts[FeeReminder.Kind.GRACE]},
        )
    outcome.renewal += counts[FeeReminder.Kind.RENEWAL]
    outcome.grace += counts[FeeReminder.Kind.GRACE]
