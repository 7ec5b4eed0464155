import pytest
from django.test import Client

from tests.fhir.helpers import FHIR_JSON, validate
from tests.pathways.conftest import enrolled, world  # noqa: F401 (the pathways' fixtures, for test_pathways_fhir.py)


class FhirClient:
    """An anonymous client (the directory is public open data) that checks every answer: status,
    content type, and validity of the body as FHIR R4."""

    def __init__(self):
        self.client = Client()

    def get(self, path, params=None, *, status=200, **headers):
        response = self.client.get(path, params or {}, headers=headers)
        assert response.status_code == status, response.content.decode()
        assert response["Content-Type"] == FHIR_JSON
        body = validate(response.json())
        if status >= 400:
            assert body["resourceType"] == "OperationOutcome"
        return body

    def search(self, resource_type, params=None, **kwargs):
        body = self.get(f"/fhir/{resource_type}", params, **kwargs)
        assert body["resourceType"] == "Bundle" and body["type"] == "searchset"
        return body


@pytest.fixture
def fhir(db):
    return FhirClient()
