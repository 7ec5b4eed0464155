"""The rules of the statutes the software applies (delays, quorums, proxies, weighting)."""

from django.db import transaction

from maillage.association.actions import require
from maillage.association.models import College, Statutes
from maillage.association.status import recompute_all
from maillage.core import audit, versioning

RULES = ("year_start_month", "grace_days", "convocation_days", "max_proxies", "quorum_ordinary",
         "quorum_extraordinary", "quorum_board", "majority_extraordinary", "weighted_votes")  # fmt: skip


def update_statutes(statutes: Statutes, data: dict, *, actor, version) -> Statutes:
    """Saves the rules (version-checked); the members' statuses follow at once (a new grace delay
    changes who is in grace)."""
    if data.get("weighted_votes"):
        weights = list(College.objects.filter(cpts_id=statutes.cpts_id).values_list("vote_weight", flat=True))
        require(
            sum(weights) == 100,
            "Pour pondérer les voix par collège, les parts des collèges doivent faire 100 % "
            f"(elles font {sum(weights)} %).",
        )
    with transaction.atomic():
        versioning.check_and_bump(statutes, version)
        statutes.refresh_from_db()
        changed = {}
        for field in RULES:
            if field in data and getattr(statutes, field) != data[field]:
                changed[field] = {"before": getattr(statutes, field), "after": data[field]}
                setattr(statutes, field, data[field])
        statutes.save()
        audit.record("association.statutes_updated", actor=actor, cpts=statutes.cpts, obj=statutes,
                     details={"changes": changed})  # fmt: skip
        recompute_all(cpts=statutes.cpts)
    return statutes
