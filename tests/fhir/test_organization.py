from datetime import date

import pytest

from maillage.fhir import systems
from tests.factories import StructureFactory
from tests.fhir.helpers import ids


@pytest.fixture
def centre(db):
    return StructureFactory(
        finess_et="920000650",
        finess_ej="920000643",
        siret="26920030700018",
        short_name="CMS MALAKOFF",
        long_name="CENTRE MUNICIPAL DE SANTE MAURICE TENINE",
        postal_line="92240 MALAKOFF",
        commune_code="92046",
        latitude=48.8169,
        longitude=2.2971,
        opened_on=date(1970, 1, 1),
    )


def test_organization_identifiers_and_shape(fhir, centre):
    organization = fhir.get("/fhir/Organization/1920000650")
    assert organization["id"] == "1920000650"
    assert [(i["system"], i["type"]["coding"][0]["code"], i["value"]) for i in organization["identifier"]] == [
        ("urn:oid:1.2.250.1.71.4.2.2", "IDNST", "1920000650"),
        ("https://finess.esante.gouv.fr", "FINEG", "920000650"),
        ("https://sirene.fr", "SIRET", "26920030700018"),
    ]
    assert organization["name"] == "CENTRE MUNICIPAL DE SANTE MAURICE TENINE"
    assert organization["alias"] == ["CMS MALAKOFF"]
    assert organization["active"] is True
    assert organization["meta"]["profile"][0].endswith("/as-dp-organization|1.1.0")
    assert organization["type"][1]["coding"][0] == {
        "system": systems.CATEGORY,
        "code": "124",
        "display": "Centre de Santé",
    }
    [address] = organization["address"]
    assert address["line"] == ["12 R DES LILAS"]
    assert (address["postalCode"], address["city"]) == ("92240", "MALAKOFF")
    insee, position = address["extension"]
    assert insee == {"url": systems.INSEE_CODE, "valueCoding": {"system": systems.COMMUNE, "code": "92046"}}
    assert position["extension"][0] == {"url": "latitude", "valueDecimal": 48.8169}
    assert organization["partOf"]["identifier"]["value"] == "920000643"
    assert organization["extension"][0]["valuePeriod"] == {"start": "1970-01-01"}
    assert organization["telecom"] == [{"system": "phone", "value": "0140000000", "use": "work"}]


@pytest.mark.parametrize(
    "identifier",
    [
        "urn:oid:1.2.250.1.71.4.2.2|1920000650",
        "https://finess.esante.gouv.fr|920000650",
        "https://sirene.fr|26920030700018",
        "urn:oid:1.2.250.1.71.4.2.2|326920030700018",
        "920000650",
        "1920000650",
        "26920030700018",
    ],
)
def test_search_by_identifier(fhir, centre, identifier):
    StructureFactory()
    assert ids(fhir.search("Organization", {"identifier": identifier})) == ["1920000650"]


@pytest.mark.parametrize(
    ("params", "found"),
    [
        ({"name": "cms"}, True),
        ({"name": "Santé"}, True),
        ({"name": "maurice ten"}, True),
        ({"name": "hopital"}, False),
        ({"address-postalcode": "922"}, True),
        ({"address-postalcode": "75"}, False),
        ({"address-city": "malakoff"}, True),
        ({"address-city": "Vanves"}, False),
        ({"type": "124"}, True),
        ({"type": f"{systems.CATEGORY}|124"}, True),
        ({"type": "355"}, False),
        ({"type": "GEOGRAPHICAL-ENTITY"}, True),
        ({"type": "LEGAL-ENTITY"}, False),
        ({"active": "true"}, True),
        ({"active": "false"}, False),
        ({"_id": "1920000650"}, True),
    ],
)
def test_search_parameters(fhir, centre, params, found):
    StructureFactory(short_name="HOPITAL DE VANVES", postal_line="92170 VANVES", category_code="355")
    assert ("1920000650" in ids(fhir.search("Organization", params))) is found


def test_city_search_reads_the_town_of_the_postal_line(fhir, idf):
    StructureFactory(finess_et="920000650", postal_line="92322 CHATILLON CEDEX", commune=idf["communes"]["92020"])
    assert ids(fhir.search("Organization", {"address-city": "Châtillon"})) == ["1920000650"]
