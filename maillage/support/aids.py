"""The installation aids that apply to a commune by its GP zoning (ZIP, ZAC, ZAR, hors zonage), as
the attractiveness page shows them. For general practitioners only: the zoning Maillage holds is the
GP one (maillage/projet/models/zoning.py); nurses, physiotherapists, midwives and dentists have
their own zonings and conventional aids, which the page names without detailing them.

Sources (read in December 2026; the amounts change with each convention and avenant, so every
line says where to check it, and anything not confirmed in a published text says « à vérifier »):
- Convention nationale des médecins libéraux 2024-2029, approved by the arrêté du 20 juin 2024
  (JO du 21 juin 2024), and its presentation by the Assurance Maladie, « Des aides en faveur de
  l'exercice en zone sous-dense rénovées » (ameli.fr, convention médicale 2024-2029): from
  1 January 2026, a one-off aid of 10,000 € to a physician installing in liberal practice for the
  first time in a ZIP, 5,000 € in a ZAC, 3,000 € for a secondary cabinet in a ZIP (sector 1 or
  sector 2 with OPTAM / OPTAM-ACO); a majoration of the forfait médecin traitant in ZIP; these aids
  replace the four « contrats démographiques » of the 2016 convention (CAIM, COTRAM, COSCOM,
  CSTM), which could be signed until 31 December 2025 and run to their term.
- Convention médicale 2016 (arrêté du 20 octobre 2016), for those four contracts, ZIP only.
- Code de la santé publique, article L. 1434-4: the ARS's zoning (zones « caractérisées par une
  offre de soins insuffisante ou par des difficultés dans l'accès aux soins »), on which the
  State's and the ARS's aids (contrat de début d'exercice, CESP) rest, for ZIP and ZAC alike.
- Code général des impôts, article 44 quindecies: the income-tax exemption of a new activity in a
  commune of France Ruralités Revitalisation (formerly ZRR) — independent of the GP zoning; the
  page only points to it.
"""

from dataclasses import dataclass

from maillage.projet.models.zoning import Zone

TO_CHECK = "à vérifier"
AMELI = "Convention médicale 2024-2029 (arrêté du 20 juin 2024), ameli.fr"
CONVENTION_2016 = "Convention médicale 2016 (arrêté du 20 octobre 2016)"
CSP = "Code de la santé publique, art. L. 1434-4 ; ARS de la région"
CGI = "Code général des impôts, art. 44 quindecies"


@dataclass(frozen=True)
class Aid:
    name: str
    who: str  # who gives it
    what: str  # what it is, in a sentence
    source: str
    status: str = ""  # "" or « à vérifier »


PRIMO_ZIP = Aid(
    "Aide à la première installation en ZIP",
    "Assurance Maladie",
    "10\u202f000\u00a0€ versés une fois au médecin qui s'installe pour la première fois en libéral conventionné "
    "(cabinet principal, secteur 1 ou secteur 2 avec OPTAM), depuis le 1er janvier 2026.",
    AMELI,
)
SECONDARY_ZIP = Aid(
    "Aide à l'ouverture d'un cabinet secondaire en ZIP",
    "Assurance Maladie",
    "3\u202f000\u00a0€ versés une fois au médecin qui ouvre un cabinet secondaire dans la zone, "
    "depuis le 1er janvier 2026.",
    AMELI,
)
FMT_ZIP = Aid(
    "Majoration du forfait médecin traitant",
    "Assurance Maladie",
    "Forfait médecin traitant majoré pour les médecins traitants exerçant en ZIP (taux plus élevé les premières "
    "années d'une première installation).",
    AMELI,
    TO_CHECK,  # the rates (50 %, 30 %, then 10 %) are reported by secondary sources only
)
PRIMO_ZAC = Aid(
    "Aide à la première installation en ZAC",
    "Assurance Maladie",
    "5\u202f000\u00a0€ versés une fois au médecin qui s'installe pour la première fois en libéral conventionné "
    "(cabinet principal, secteur 1 ou secteur 2 avec OPTAM), depuis le 1er janvier 2026.",
    AMELI,
)
CONTRACTS_2016 = Aid(
    "Contrats démographiques de 2016 (CAIM, COTRAM, COSCOM, CSTM)",
    "Assurance Maladie et ARS",
    "Contrat d'aide à l'installation (CAIM), de transition (COTRAM), de stabilisation et de coordination (COSCOM), "
    "de solidarité territoriale (CSTM) : plus de nouvelle signature depuis le 1er janvier 2026 ; les contrats "
    "signés auparavant vont à leur terme.",
    CONVENTION_2016,
)
CDE = Aid(
    "Contrat de début d'exercice (CDE)",
    "ARS (État)",
    "Complément de revenu et protection sociale au début d'une installation ou d'un remplacement dans la zone.",
    CSP,
    TO_CHECK,  # its conditions are set by decree and the ARS: not restated here
)
CESP = Aid(
    "Contrat d'engagement de service public (CESP)",
    "ARS et Centre national de gestion",
    "Allocation mensuelle aux étudiants et internes qui s'engagent à exercer ensuite dans une zone sous-dotée.",
    CSP,
    TO_CHECK,
)
REGIONAL = Aid(
    "Aides de la région ou de l'ARS",
    "ARS, conseil régional",
    "Zone d'accompagnement propre à la région : les aides sont celles que l'ARS et la région décident.",
    "Arrêté de zonage de l'ARS",
    TO_CHECK,
)
TAX = Aid(
    "Exonération d'impôt sur le bénéfice (France Ruralités Revitalisation, ex-ZRR)",
    "État (impôts)",
    "Selon le classement de la commune, indépendant du zonage médecins : à demander au service des impôts.",
    CGI,
    TO_CHECK,
)
LOCAL = Aid(
    "Aides des collectivités",
    "Communes, intercommunalités, département, région",
    "Locaux, logement, prime d'installation ou de stage selon les collectivités : demandez à la CPTS.",
    "Code général des collectivités territoriales, art. L. 1511-8",
    TO_CHECK,
)

BY_ZONE: dict[str, list[Aid]] = {
    Zone.ZIP: [PRIMO_ZIP, SECONDARY_ZIP, FMT_ZIP, CDE, CESP, CONTRACTS_2016, LOCAL],
    Zone.ZAC: [PRIMO_ZAC, CDE, CESP, LOCAL],
    Zone.ZAR: [REGIONAL, LOCAL],
    Zone.HZ: [LOCAL],
}
# Shown under the table, whatever the zone.
EVERYWHERE = [TAX]
OTHER_PROFESSIONS = (
    "Infirmiers, masseurs-kinésithérapeutes, sages-femmes, chirurgiens-dentistes et orthophonistes ont leurs "
    "propres zonages et aides conventionnelles (contrats incitatifs de leur convention nationale) : renseignez-vous "
    "auprès de la CPAM ou de l'ARS."
)


def for_zones(zones) -> list[tuple[str, str, list[Aid]]]:
    """[(zone code, zone label, aids)] for the zones present on a territory, in the zoning's order."""
    present = set(zones)
    return [(zone.value, zone.label, BY_ZONE[zone.value]) for zone in Zone if zone.value in present]
