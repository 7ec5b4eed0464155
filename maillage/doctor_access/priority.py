"""The situations a request records, and the priority score each CPTS computes from them.

The score is the sum of the weights of the criteria that apply; each CPTS edits the weights and
their order (`PriorityWeight`). A score above zero makes the request a priority one; the matching
places higher scores first.
"""

from datetime import date

from django.db import models


class Criterion(models.TextChoices):
    ALD = "ald", "affection de longue durée (ALD)"
    AGE_70 = "age_70", "70 ans ou plus"
    C2S_AME = "c2s_ame", "C2S ou AME"
    PRECARITY = "precarity", "précarité"
    ISOLATION = "isolation", "isolement"
    PREGNANCY = "pregnancy", "grossesse"
    CHRONIC = "chronic", "maladie chronique"
    DISABILITY = "disability", "handicap"
    DISCHARGE = "discharge", "sortie d'hospitalisation récente"


# Criterion → the request's boolean field; AGE_70 is computed from the birth date.
FLAG_FIELDS = {
    Criterion.ALD: "ald",
    Criterion.C2S_AME: "c2s_ame",
    Criterion.PRECARITY: "precarity",
    Criterion.ISOLATION: "isolation",
    Criterion.PREGNANCY: "pregnancy",
    Criterion.CHRONIC: "chronic_disease",
    Criterion.DISABILITY: "disability",
    Criterion.DISCHARGE: "hospital_discharge",
}

# The defaults of the issue: ALD first, then age 70 and over, then C2S/AME/precarity.
DEFAULT_WEIGHTS = [
    (Criterion.ALD, 4),
    (Criterion.AGE_70, 3),
    (Criterion.C2S_AME, 2),
    (Criterion.PRECARITY, 2),
    (Criterion.ISOLATION, 0),
    (Criterion.PREGNANCY, 0),
    (Criterion.CHRONIC, 0),
    (Criterion.DISABILITY, 0),
    (Criterion.DISCHARGE, 0),
]


def age_on(birth_date: date | None, day: date) -> int | None:
    if birth_date is None:
        return None
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def criteria_of(request, day: date) -> list[str]:
    """The criteria that apply to `request` on `day`, in the order of `Criterion`."""
    found = []
    for criterion in Criterion:
        if criterion == Criterion.AGE_70:
            age = age_on(request.birth_date, day)
            if age is not None and age >= 70:
                found.append(criterion)
        elif getattr(request, FLAG_FIELDS[criterion]):
            found.append(criterion)
    return found


def score(request, weights: dict[str, int], day: date) -> int:
    return sum(weights.get(criterion, 0) for criterion in criteria_of(request, day))
