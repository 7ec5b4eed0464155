"""Issue 16 — the representativeness report for the ARS: the association's members and its board
by collège, by profession and by commune of the territory, next to the directory's figures for the
territory (active professionals per profession and per commune), and who is not represented.

Members counted: the voting members (adhésion « à jour » or « en période de grâce ») on the day of
the report; the board: the members holding a mandate that day (`board.board_members`). A member's
profession is its RPPS profession code (or that of its directory entry); its commune, the one it
practises or sits in (a commune member: the commune it represents).

The directory's figures: a professional counts once per profession on the territory (the
directory's `Listing`), and once in each commune of the territory where they have an active site.

For a regional reader (`regional=True`) every count from 1 to 4 is shown « < 5 » and no person
is named: the board is given as counts per role and per collège."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count

from maillage.association import board
from maillage.association.models import College, Mandate, Member
from maillage.association.models.board import BoardRole, Body
from maillage.directory.models import Activity, Listing, Professional
from maillage.indicators.registry import hide_small
from maillage.pathways.states import Profession

NO_PROFESSION = "sans profession de santé"
OUTSIDE = "hors du territoire ou non renseignée"


@dataclass
class Line:
    """One collège, profession or commune: raw counts (for the checks) and as the reader sees them."""

    label: str
    code: str
    members: int
    board: int
    professionals: int | None = None  # the directory's figure (None: not a directory category)
    shown: dict = field(default_factory=dict)

    @property
    def represented(self) -> bool:
        return self.members > 0

    @property
    def share(self) -> float | None:
        """Members per 100 professionals of the directory (None without professionals)."""
        if not self.professionals:
            return None
        return round(100 * self.members / self.professionals, 1)


@dataclass
class Seat:
    body: str
    role: str
    name: str
    college: str
    end_on: date


@dataclass
class Report:
    cpts: object
    on: date
    regional: bool
    members: int
    board_members: int
    colleges: list[Line]
    professions: list[Line]
    communes: list[Line]
    seats: list[Seat]  # empty for a regional reader
    seats_by_role: list[tuple[str, object]]  # (« président (bureau) », count as shown)
    shown_totals: dict = field(default_factory=dict)

    @property
    def unrepresented_professions(self) -> list[Line]:
        return [line for line in self.professions if line.professionals and not line.members]

    @property
    def unrepresented_communes(self) -> list[Line]:
        return [line for line in self.communes if line.code and line.professionals and not line.members]

    @property
    def colleges_without_board(self) -> list[Line]:
        return [line for line in self.colleges if not line.board]


def profession_labels(codes) -> dict[str, str]:
    """French labels of RPPS profession codes: Maillage's own, else the directory's."""
    labels = dict(Profession.choices)
    missing = [code for code in codes if code and code not in labels]
    if missing:
        rows = Professional.objects.filter(profession_code__in=missing).exclude(profession_label="")
        for code, label in rows.values_list("profession_code", "profession_label").distinct().order_by():
            labels.setdefault(code, label.lower())
    return {code: labels.get(code, f"profession {code}") for code in codes}


def _profession(member) -> str:
    if member.kind != Member.Kind.PERSON:
        return ""
    return member.profession_code or (member.professional.profession_code if member.professional_id else "")


def _commune(member) -> str:
    return member.commune_id or getattr(member, "represented_commune_id", None) or ""


def _directory_by_profession(cpts) -> dict[str, int]:
    rows = Listing.objects.filter(cpts=cpts).values("profession_code").annotate(n=Count("id")).order_by()
    return {row["profession_code"]: row["n"] for row in rows}


def _directory_by_commune(cpts) -> dict[str, int]:
    rows = (
        Activity.objects.filter(active=True, professional__active=True, commune__cpts_links__cpts=cpts)
        .values("commune_id")
        .annotate(n=Count("professional_id", distinct=True))
        .order_by()
    )
    return {row["commune_id"]: row["n"] for row in rows}


def build(cpts, on: date, *, regional: bool = False) -> Report:
    members = list(Member.objects.of_cpts(cpts).voting().select_related("college", "professional").order_by("pk"))
    # Everyone holding a mandate that day, a member whose membership lapsed since included: they
    # sit until the mandate ends.
    seated = list(board.board_members(cpts, on).select_related("college", "professional"))
    mandates = board.sorted_mandates(board.mandates_on(cpts, on).select_related("member__college"))
    report = Report(
        cpts=cpts, on=on, regional=regional, members=len(members), board_members=len(seated),
        colleges=_colleges(cpts, members, seated), professions=_professions(cpts, members, seated),
        communes=_communes(cpts, members, seated),
        seats=[] if regional else [_seat(m) for m in mandates],
        seats_by_role=_by_role(mandates, regional),
    )  # fmt: skip
    _show(report, regional)
    return report


def _colleges(cpts, members, seated) -> list[Line]:
    counts = Counter(m.college_id for m in members)
    board_counts = Counter(m.college_id for m in seated)
    return [
        Line(label=college.name, code=college.code, members=counts[college.pk], board=board_counts[college.pk])
        for college in College.objects.filter(cpts=cpts).order_by("order", "pk")
    ]


def _professions(cpts, members, seated) -> list[Line]:
    directory = _directory_by_profession(cpts)
    counts = Counter(_profession(m) for m in members)
    board_counts = Counter(_profession(m) for m in seated)
    codes = sorted({*directory, *counts, *board_counts} - {""})
    labels = profession_labels(codes)
    lines = [
        Line(label=labels[code], code=code, members=counts[code], board=board_counts[code],
             professionals=directory.get(code, 0))
        for code in codes
    ]  # fmt: skip
    lines.sort(key=lambda line: (-(line.professionals or 0), line.label))
    if counts[""] or board_counts[""]:
        lines.append(Line(label=NO_PROFESSION, code="", members=counts[""], board=board_counts[""]))
    return lines


def _communes(cpts, members, seated) -> list[Line]:
    directory = _directory_by_commune(cpts)
    territory = list(cpts.communes().order_by("name", "code"))
    inside = {commune.code for commune in territory}

    def place(member) -> str:
        code = _commune(member)
        return code if code in inside else ""

    counts = Counter(place(m) for m in members)
    board_counts = Counter(place(m) for m in seated)
    lines = [
        Line(label=commune.name, code=commune.code, members=counts[commune.code], board=board_counts[commune.code],
             professionals=directory.get(commune.code, 0))
        for commune in territory
    ]  # fmt: skip
    if counts[""] or board_counts[""]:
        lines.append(Line(label=OUTSIDE, code="", members=counts[""], board=board_counts[""]))
    return lines


def _seat(mandate: Mandate) -> Seat:
    return Seat(
        body=mandate.get_body_display(), role=mandate.get_role_display(), name=mandate.member.display_name,
        college=mandate.member.college.name, end_on=mandate.end_on,
    )  # fmt: skip


def _shown(value, regional: bool):
    return hide_small(value) if regional else value


def _by_role(mandates, regional) -> list[tuple[str, object]]:
    counts = Counter((m.body, m.role) for m in mandates)
    rows = []
    for body in (Body.BUREAU, Body.BOARD):
        for role in BoardRole:
            if counts[(body, role)]:
                rows.append((f"{role.label.capitalize()} ({body.label})", _shown(counts[(body, role)], regional)))
    return rows


def _show(report: Report, regional: bool) -> None:
    for line in [*report.colleges, *report.professions, *report.communes]:
        line.shown = {
            "members": _shown(line.members, regional),
            "board": _shown(line.board, regional),
            "professionals": None if line.professionals is None else _shown(line.professionals, regional),
            # A share over fewer than 5 professionals or members says who they are: withheld.
            "share": None if regional and (line.members < 5 or (line.professionals or 0) < 5) else line.share,
        }
    report.shown_totals = {
        "members": _shown(report.members, regional),
        "board_members": _shown(report.board_members, regional),
        "professionals": _shown(sum(line.professionals or 0 for line in report.professions), regional),
    }
