"""The count of an assembly: its attendance against the quorum, and each resolution's result, by
head and, when the statutes weigh votes by collège, weighted.

Weighted: each collège carries its share of the assembly's votes (`College.vote_weight`, copied on
the assembly at the convocation), split equally among its members who voted on the resolution
(abstentions included: they took part). A collège where nobody voted carries nothing.
Adopted: more votes for than against (the simple majority of the votes cast, abstentions not
cast), or for an extraordinary assembly at least `majority_percent` of the votes cast. A tie, or no
vote cast, rejects. Two GROUP BY queries whatever the number of ballots (bench/_association_votes.py).
"""

from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import Count

from maillage.association.assembly_rules import quorum_needed
from maillage.association.models.assemblies import Ballot, Choice, Presence


@dataclass
class AttendanceFigures:
    electorate: int
    present: int
    represented: int
    remote: int
    quorum_percent: int
    needed: int

    @property
    def counted(self) -> int:
        return self.present + self.represented + self.remote

    @property
    def absent(self) -> int:
        return self.electorate - self.counted

    @property
    def quorum_reached(self) -> bool:
        return self.electorate > 0 and self.counted >= self.needed


def attendance_figures(assembly) -> AttendanceFigures:
    rows = dict(assembly.attendances.values_list("presence").annotate(n=Count("pk")).order_by())
    electorate = sum(rows.values())
    percent = assembly.quorum_percent or 0
    return AttendanceFigures(
        electorate=electorate,
        present=rows.get(Presence.PRESENT, 0),
        represented=rows.get(Presence.REPRESENTED, 0),
        remote=rows.get(Presence.REMOTE, 0),
        quorum_percent=percent,
        needed=quorum_needed(electorate, percent),
    )


@dataclass
class ResolutionResult:
    resolution: object
    heads: dict = field(default_factory=dict)  # choice → ballots
    weighted: dict = field(default_factory=dict)  # choice → Fraction of the votes (0 to 100)
    weighted_used: bool = False
    majority_percent: int | None = None

    @property
    def ballots(self) -> int:
        return sum(self.heads.values())

    def _pair(self, source):
        return source.get(Choice.FOR, 0), source.get(Choice.AGAINST, 0)

    @property
    def adopted(self) -> bool:
        yes, no = self._pair(self.weighted if self.weighted_used else self.heads)
        cast = yes + no
        if not cast:
            return False
        if self.majority_percent is None:
            return yes > no
        return yes * 100 >= self.majority_percent * cast

    @property
    def rule(self) -> str:
        base = "des voix pondérées par collège" if self.weighted_used else "des suffrages exprimés"
        if self.majority_percent is None:
            return f"majorité simple {base}"
        return f"{self.majority_percent} % {base}"

    def share(self, choice) -> str:
        """A weighted share as « 41,67 % »."""
        value = float(self.weighted.get(choice, 0))
        return f"{value:.2f}".replace(".", ",") + "\u00a0%"

    @property
    def weighted_for(self) -> str:
        return self.share(Choice.FOR)

    @property
    def weighted_against(self) -> str:
        return self.share(Choice.AGAINST)

    @property
    def weighted_abstain(self) -> str:
        return self.share(Choice.ABSTAIN)


def resolution_results(assembly) -> list[ResolutionResult]:
    """Each resolution of the assembly with its count (one GROUP BY over all its ballots)."""
    resolutions = list(assembly.resolutions.order_by("order", "id"))
    counts: dict[int, dict[int, dict[str, int]]] = {r.pk: {} for r in resolutions}
    rows = (
        Ballot.objects.filter(resolution__assembly=assembly)
        .values_list("resolution_id", "college_id", "choice")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for resolution_id, college_id, choice, n in rows:
        counts[resolution_id].setdefault(college_id, {})[choice] = n
    weights = {int(pk): weight for pk, weight in (assembly.weights or {}).items()}
    results = []
    for resolution in resolutions:
        by_college = counts[resolution.pk]
        heads = dict.fromkeys(Choice.values, 0)
        weighted = dict.fromkeys(Choice.values, Fraction(0))
        for college_id, choices in by_college.items():
            voters = sum(choices.values())
            for choice, n in choices.items():
                heads[choice] += n
                weighted[choice] += Fraction(weights.get(college_id, 0) * n, voters)
        results.append(
            ResolutionResult(
                resolution=resolution,
                heads=heads,
                weighted=weighted,
                weighted_used=assembly.weighted,
                majority_percent=assembly.majority_percent,
            )
        )
    return results
