from ninja import Field, Schema


class ErrorOut(Schema):
    detail: str


class CommuneOut(Schema):
    code: str
    nom: str
    type: str
    population: int
    codes_postaux: list[str]
    departement: str
    region: str
    epci: str | None
    latitude: float | None
    longitude: float | None
    en_vigueur: bool
    remplacee_par: str | None


class CommuneRef(Schema):
    code: str
    nom: str
    population: int


class CptsOut(Schema):
    slug: str
    nom: str
    statut: str
    population: int
    taille: str
    taille_libelle: str
    communes: int
    chevauchements: int


class OverlapOut(Schema):
    code: str
    nom: str
    autres_cpts: list[str]


class CptsDetailOut(CptsOut):
    territoire: list[CommuneRef]
    communes_partagees: list[OverlapOut]


class CoverageListItem(Schema):
    code: str
    nom: str
    population: int
    cpts: list[str] | None = None


class CoverageBlock(Schema):
    communes: int
    population: int | None = None
    liste: list[CoverageListItem]


class CoverageOut(Schema):
    scope: str
    communes: int
    population: int
    communes_couvertes: int
    population_couverte: int
    taux_couverture_population: float
    zones_blanches: CoverageBlock
    chevauchements: CoverageBlock


class TerritoryIn(Schema):
    communes: list[str] = Field(min_length=1, max_length=5000, description="Codes INSEE des communes.")
    version: int | None = Field(None, ge=0, le=2_147_483_647, description="Version du territoire lu.")


class TerritoryOut(Schema):
    slug: str
    version: int
    communes: list[str]
