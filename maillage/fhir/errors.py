"""OperationOutcome: how every FHIR error is answered, with a French `diagnostics`."""


def operation_outcome(code: str, diagnostics: str, *, severity: str = "error") -> dict:
    """`code` is from the FHIR IssueType value set: not-found, invalid, not-supported, exception…"""
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": severity, "code": code, "diagnostics": diagnostics}],
    }


class FhirError(Exception):
    """Raised anywhere under a FHIR view; the view answers it as an OperationOutcome."""

    def __init__(self, status: int, code: str, diagnostics: str):
        super().__init__(diagnostics)
        self.status = status
        self.code = code
        self.diagnostics = diagnostics

    def outcome(self) -> dict:
        return operation_outcome(self.code, self.diagnostics)


def invalid(diagnostics: str) -> FhirError:
    return FhirError(400, "invalid", diagnostics)


def not_supported(diagnostics: str, *, status: int = 400) -> FhirError:
    return FhirError(status, "not-supported", diagnostics)


def not_found(diagnostics: str) -> FhirError:
    return FhirError(404, "not-found", diagnostics)
