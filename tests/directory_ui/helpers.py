"""Helpers of the directory UI tests (also used by the browser journey)."""

import re

from maillage.directory.models import Skill
from tests.factories import ActivityFactory, ProfessionalFactory

HTMX = {"HTTP_HX_REQUEST": "true"}
# The migration seeds these; a browser test (transactional) flushes them, so they are made sure of here.
SKILLS = {
    "pediatrie": "Pédiatrie",
    "plaies-complexes": "Plaies complexes",
    "geriatrie": "Gériatrie",
    "soins-palliatifs": "Soins palliatifs",
}


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def skill(code: str) -> Skill:
    return Skill.objects.get_or_create(code=code, defaults={"label": SKILLS[code]})[0]


def pro(commune, *, activity=True, **values):
    professional = ProfessionalFactory(**values)
    if activity:
        ActivityFactory(
            professional=professional,
            commune=commune,
            commune_code=commune.code,
            commune_label=commune.name,
            postal_code=commune.postal_codes[0],
            trade_name=f"Cabinet de {commune.name}",
            phone="0146000001",
        )
    return professional
