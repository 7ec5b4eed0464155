"""Issue 16 — who sits on the board (conseil d'administration and bureau) on a given day.

`board_members(cpts, on)` is what the assemblies use to convene a board meeting; the
representativeness report and the board page read `mandates_on` and `renewal_due`."""

from datetime import date, timedelta

from django.db.models import Q

from maillage.association.models import Mandate, Member
from maillage.association.models.board import BoardRole, Body

# A mandate whose term ends within this many days is shown « renouvellement à prévoir ».
RENEWAL_NOTICE_DAYS = 90
# The order roles are listed in: the bureau's offices first, then the administrators.
ROLE_ORDER = {role: n for n, role in enumerate(BoardRole.values)}


def mandates_on(cpts, on: date):
    """The mandates held on `on` (both bounds included)."""
    return Mandate.objects.filter(cpts=cpts, start_on__lte=on, end_on__gte=on)


def board_members(cpts, on: date):
    """The Members holding a board mandate (conseil d'administration or bureau) on `on`."""
    held = mandates_on(cpts, on).values("member_id")
    return Member.objects.filter(cpts=cpts, pk__in=held).order_by("pk")


def renewal_due(mandate: Mandate, today: date) -> bool:
    """The term ends within `RENEWAL_NOTICE_DAYS` (and has not ended, nor been cut short)."""
    if mandate.ended_early:
        return False
    return today <= mandate.end_on <= today + timedelta(days=RENEWAL_NOTICE_DAYS)


def renewals_due(cpts, today: date):
    """The CPTS's mandates whose term ends within `RENEWAL_NOTICE_DAYS` (`renewal_due`, as a query)."""
    return Mandate.objects.filter(
        cpts=cpts, ended_early=False, end_on__gte=today, end_on__lte=today + timedelta(days=RENEWAL_NOTICE_DAYS)
    )


def sorted_mandates(mandates) -> list[Mandate]:
    """Bureau before conseil, then by role (président first), then by name."""
    return sorted(
        mandates,
        key=lambda m: (m.body != Body.BUREAU, ROLE_ORDER.get(m.role, 99), m.member.display_name.lower(), m.pk),
    )


def overlapping(cpts, start_on: date, end_on: date, *, exclude=None):
    """The CPTS's mandates whose term meets [start_on, end_on]."""
    found = Mandate.objects.filter(Q(cpts=cpts), Q(start_on__lte=end_on), Q(end_on__gte=start_on))
    return found.exclude(pk=exclude.pk) if exclude is not None else found
