"""A member's status, recomputed from the rules: never typed.

- cancelled: the coordinator struck the member off (or refused the application);
- pending: the application is not validated yet, or the first fee due is not paid;
- current: the fee of the running membership year is paid (`paid_until` not past), or nothing is
  due this year (a free collège, or no fee set);
- grace: the last year paid ended less than `Statutes.grace_days` ago;
- expired: beyond the grace period.
A voting member is current or in grace. The directory's « adhérent » mark follows (`sync_directory`).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Case, CharField, F, Q, Value, When
from django.utils import timezone

from maillage.association import fees
from maillage.association import statutes as statutes_of
from maillage.association.models import College, Member, MemberTransition, Statutes
from maillage.association.models.members import VOTING_STATUSES, MemberStatus
from maillage.core import audit
from maillage.core.models import log_transition


def membership_year(statutes: Statutes, day: date) -> tuple[date, date]:
    """The first and last days of the membership year containing `day`."""
    month = statutes.year_start_month
    start = date(day.year if day.month >= month else day.year - 1, month, 1)
    end = date(start.year + 1, month, 1) - timedelta(days=1)
    return start, end


def _status(*, cancelled: bool, validated: bool, paid_until, due, today: date, grace_days: int) -> str:
    if cancelled:
        return MemberStatus.CANCELLED
    if not validated:
        return MemberStatus.PENDING
    if not due or (paid_until is not None and paid_until >= today):
        return MemberStatus.CURRENT
    if paid_until is None:
        return MemberStatus.PENDING
    if (today - paid_until).days <= grace_days:
        return MemberStatus.GRACE
    return MemberStatus.EXPIRED


def compute(member: Member, today: date | None = None) -> str:
    today = today or timezone.localdate()
    statutes = statutes_of.of(member.cpts)
    start, _ = membership_year(statutes, today)
    return _status(
        cancelled=member.cancelled_on is not None,
        validated=member.validated_on is not None,
        paid_until=member.paid_until,
        due=fees.rate_for(member, start.year),
        today=today,
        grace_days=statutes.grace_days,
    )


def refresh(member: Member, actor=None, today: date | None = None, note: str = "") -> bool:
    """Recomputes the member's status; when it changes, saves it, logs the transition and updates the
    directory's mark. Returns whether it changed. Called inside the caller's transaction."""
    target = compute(member, today)
    if target == member.status:
        sync_directory(member)
        return False
    source = member.status
    Member.objects.filter(pk=member.pk).update(status=target)
    member.status = target
    log_transition(MemberTransition, actor=actor, source=source, target=target, note=note, member=member)
    sync_directory(member)
    return True


def log_creation(member: Member, actor=None, note: str = "") -> None:
    """A new member's first status (computed before it was saved), logged as its creation."""
    log_transition(MemberTransition, actor=actor, source="", target=member.status, note=note, member=member)
    sync_directory(member)


def sync_directory(member: Member) -> None:
    """The directory's « adhérent » of the member's professional: a voting membership of this CPTS."""
    if member.professional_id is not None:
        _sync_professionals(member.cpts_id, [member.professional_id])


def _sync_professionals(cpts_id: int, professional_ids) -> None:
    from maillage.directory.models import DirectoryEntry

    professional_ids = set(professional_ids)
    if not professional_ids:
        return
    voting = set(
        Member.objects.filter(
            cpts_id=cpts_id, professional_id__in=professional_ids, status__in=VOTING_STATUSES
        ).values_list("professional_id", flat=True)
    )
    entries = DirectoryEntry.objects.filter(cpts_id=cpts_id, professional_id__in=professional_ids)
    entries.filter(professional_id__in=voting, is_member=False).update(is_member=True)
    entries.exclude(professional_id__in=voting).filter(is_member=True).update(is_member=False)
    missing = voting - set(entries.values_list("professional_id", flat=True))
    DirectoryEntry.objects.bulk_create(
        [DirectoryEntry(cpts_id=cpts_id, professional_id=pk, is_member=True) for pk in missing],
        ignore_conflicts=True,
    )


@dataclass
class Recomputed:
    members: int = 0
    changed: int = 0


def recompute_all(today: date | None = None, cpts=None) -> Recomputed:
    """The scheduled job: every member's status from the rules, set-based — per CPTS, the rules as
    one SQL CASE (`_target`, the same rules as `_status`), the changes logged by one INSERT … SELECT
    and applied by one UPDATE — so 600,000 members take seconds, and a night with no change
    writes nothing."""
    from maillage.territory.models import Cpts

    today = today or timezone.localdate()
    outcome = Recomputed()
    for one in [cpts] if cpts is not None else Cpts.objects.filter(association_members__isnull=False).distinct():
        with transaction.atomic():
            count, changed = _recompute_cpts(one, today)
        outcome.members += count
        outcome.changed += changed
    return outcome


def _target(cpts, statutes: Statutes, today: date) -> Case:
    """`_status` as an SQL expression over a member's row (the collèges owing nothing this year
    listed once)."""
    start, _ = membership_year(statutes, today)
    rates = fees.rates_by_college(cpts, start.year)
    nothing_due = [pk for pk in College.objects.filter(cpts=cpts).values_list("pk", flat=True) if not rates.get(pk)]
    return Case(
        When(cancelled_on__isnull=False, then=Value(MemberStatus.CANCELLED)),
        When(validated_on__isnull=True, then=Value(MemberStatus.PENDING)),
        When(Q(college_id__in=nothing_due) | Q(paid_until__gte=today), then=Value(MemberStatus.CURRENT)),
        When(paid_until__isnull=True, then=Value(MemberStatus.PENDING)),
        When(paid_until__gte=today - timedelta(days=statutes.grace_days), then=Value(MemberStatus.GRACE)),
        default=Value(MemberStatus.EXPIRED),
        output_field=CharField(),
    )


def _recompute_cpts(cpts, today: date) -> tuple[int, int]:
    statutes = statutes_of.of(cpts)
    target = _target(cpts, statutes, today)
    members = Member.objects.filter(cpts=cpts)
    changing = members.annotate(target=target).exclude(status=F("target")).order_by()
    professionals = list(changing.filter(professional__isnull=False).values_list("professional_id", flat=True))
    # The history first (the rows still hold their old status), then the statuses.
    select, params = changing.values_list("pk", "status", "target").query.sql_with_params()
    table, quote = MemberTransition._meta.db_table, connection.ops.quote_name
    columns = ", ".join(quote(c) for c in ("member_id", "source", "target", "at", "author_label", "note"))
    with connection.cursor() as cursor:
        # Names quoted by the backend, the SELECT compiled by Django, every value a parameter.
        cursor.execute(
            f"INSERT INTO {quote(table)} ({columns}) SELECT changed.*, %s, %s, '' FROM ({select}) changed",  # noqa: S608
            (connection.ops.adapt_datetimefield_value(timezone.now()), "recalcul quotidien des adhésions", *params),
        )
    changed = members.exclude(status=target).update(status=target)
    for at in range(0, len(professionals), CHUNK):
        _sync_professionals(cpts.pk, professionals[at : at + CHUNK])
    if changed:
        audit.record(
            "association.statuses_recomputed",
            cpts=cpts,
            details={"changed": changed, "day": today.isoformat()},
        )
    return members.count(), changed


CHUNK = 5000
