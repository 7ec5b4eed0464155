"""The JSON of `GET /api/v1/cpts/<slug>/funding?year=`. Amounts are strings with two decimals
("12345.67", a dot, no grouping): exact, unlike a JSON number read as a binary float."""

from datetime import date

from ninja import Field, Schema

from maillage.funding import start
from maillage.funding.report import YearReport

MONEY = "Montant en euros, chaîne décimale exacte à deux chiffres après le point (ex. « 12345.67 »)."


class RuleSetOut(Schema):
    code: str
    libelle: str


class MissionOut(Schema):
    mission: str
    libelle: str
    debut: date
    fixe: str = Field(description=MONEY)
    variable: str = Field(description=MONEY)
    total: str = Field(description=MONEY)


class PaymentOut(Schema):
    date: date
    libelle: str
    montant: str = Field(description=MONEY)


class FundingOut(Schema):
    cpts: str
    annee: int
    reglement: RuleSetOut
    signature: date
    taille: str
    fonctionnement: str = Field(description=MONEY)
    missions: list[MissionOut]
    total_fixe: str = Field(description=MONEY)
    total_variable: str = Field(description=MONEY)
    total: str = Field(description=MONEY)
    projection: str = Field(description=MONEY + " Total si les indicateurs restent à leur dernier niveau connu.")
    indicateurs_manquants: list[str]
    echeancier: list[PaymentOut]


def funding_out(report: YearReport) -> dict:
    from maillage.funding.lines import label

    result, contract = report.result, report.contract
    starts = dict(contract.missions.values_list("mission", "starts_on"))
    return {
        "cpts": contract.cpts.slug,
        "annee": report.year,
        "reglement": {"code": contract.rule_set.code, "libelle": contract.rule_set.label},
        "signature": contract.signed_on,
        "taille": contract.tier,
        "fonctionnement": str(result.running),
        "missions": [
            {
                "mission": m.mission,
                "libelle": label(m.mission),
                "debut": starts[m.mission],
                "fixe": str(m.fixed),
                "variable": str(m.variable),
                "total": str(m.total),
            }
            for m in result.missions
        ],
        "total_fixe": str(result.fixed),
        "total_variable": str(result.variable),
        "total": str(result.total),
        "projection": str(report.projection.total),
        "indicateurs_manquants": [i.code for i in result.missing],
        "echeancier": [
            {"date": p.due_on, "libelle": p.label, "montant": str(p.amount)}
            for p in start.schedule(contract.cpts, result)
        ],
    }
