"""ACI size tiers of a CPTS, by the population of its territory.

Boundary rule (written down in docs/glossary.md): each threshold belongs to the upper tier.
T1: population < 40,000; T2: 40,000 <= p < 80,000; T3: 80,000 <= p < 175,000; T4: p >= 175,000.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Tier:
    code: str
    label: str
    lower: int  # inclusive


TIERS = (
    Tier("T1", "Taille 1 (moins de 40 000 habitants)", 0),
    Tier("T2", "Taille 2 (de 40 000 à moins de 80 000 habitants)", 40_000),
    Tier("T3", "Taille 3 (de 80 000 à moins de 175 000 habitants)", 80_000),
    Tier("T4", "Taille 4 (175 000 habitants et plus)", 175_000),
)


def tier_for(population: int) -> Tier:
    chosen = TIERS[0]
    for tier in TIERS:
        if population >= tier.lower:
            chosen = tier
    return chosen
