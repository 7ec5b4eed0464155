"""What the assemblies' actions, pages and minutes share: the wording of dates, who is convened to
an assembly (the electorate), and the quorum and majority the statutes set for each kind."""

import math
from datetime import datetime

from django.utils import timezone

from maillage.association.models.assemblies import AssemblyKind

DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip


def long_date(day) -> str:
    """« lundi 7 décembre 2026 »."""
    first = "1er" if day.day == 1 else str(day.day)
    return f"{DAYS[day.weekday()]} {first} {MONTHS[day.month - 1]} {day.year}"


def when(moment: datetime) -> str:
    """« lundi 7 décembre 2026 à 18 h 00 », local time."""
    local = timezone.localtime(moment)
    return f"{long_date(local.date())} à {local:%H} h {local:%M}"


def quorum_of(statutes, kind: str) -> int:
    return {
        AssemblyKind.ORDINARY: statutes.quorum_ordinary,
        AssemblyKind.EXTRAORDINARY: statutes.quorum_extraordinary,
        AssemblyKind.BOARD: statutes.quorum_board,
    }[kind]


def majority_of(statutes, kind: str) -> int | None:
    """The share of the votes cast a resolution needs (percent), or None: the simple majority (more
    for than against)."""
    return statutes.majority_extraordinary if kind == AssemblyKind.EXTRAORDINARY else None


def quorum_needed(electorate: int, percent: int) -> int:
    """How many members present, represented or having voted online reach `percent` of `electorate`."""
    return math.ceil(electorate * percent / 100)


def electorate(assembly):
    """The members to convene: every voting member for a general assembly; for a board meeting,
    the board in office on its day (maillage/association/board.py)."""
    from maillage.association.board import board_members
    from maillage.association.models import Member

    if assembly.kind == AssemblyKind.BOARD:
        board = board_members(assembly.cpts, timezone.localtime(assembly.starts_at).date())
        return board.voting().select_related("college")
    return Member.objects.of_cpts(assembly.cpts).voting().select_related("college")
