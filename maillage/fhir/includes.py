"""`_include` and `_revinclude`: the resources a page of matches points to, or that point to it.

PractitionerRole → Practitioner and Organization (`_include`), Practitioner and Organization ←
PractitionerRole (`_revinclude`), as the national Annuaire Santé API serves them. Each included
resource appears once, after the matches (search.mode `include`). A page's reverse includes are
bounded (`MAX_REVINCLUDED`): a hospital has thousands of activities; past the bound, the Bundle
says so in an OperationOutcome and the client pages through `PractitionerRole?organization=…`.
"""

from maillage.core.french import grouped
from maillage.directory.models import Activity, Structure
from maillage.fhir.resources import organizations, practitioner_roles, practitioners

# 200 roles build in about 40 ms: with the page's 50 matches, the answer stays within the 100 ms a
# directory search is given (bench/fhir_directory.py); at 500, a city's health centres took 200 ms.
MAX_REVINCLUDED = 200


def _roles(rows, query, kind: str) -> tuple[list[dict], list[str]]:
    keys = [row.pk for row in rows] if kind == "practitioner" else [row.finess_et for row in rows]
    if not keys:
        return [], []
    field = "professional_id__in" if kind == "practitioner" else "finess_site__in"
    found = list(
        Activity.objects.select_related("professional")
        .filter(**{field: keys})
        .order_by("professional_id", "id")[: MAX_REVINCLUDED + 1]
    )
    warnings = []
    if len(found) > MAX_REVINCLUDED:
        found = found[:MAX_REVINCLUDED]
        warnings.append(
            f"_revinclude=PractitionerRole:{kind} : seules les {grouped(MAX_REVINCLUDED)} premières situations "
            f"d'exercice sont incluses ; les suivantes : PractitionerRole?{kind}=… (paginé)."
        )
    return practitioner_roles(found), warnings


def included(resource_type: str, rows: list, query) -> tuple[list[dict], list[str]]:
    """The resources to include for this page of matching rows, and warnings (bounds reached)."""
    resources: list[dict] = []
    warnings: list[str] = []
    if resource_type == "PractitionerRole":
        if "PractitionerRole:practitioner" in query.includes:
            professionals = {}
            for activity in rows:
                professionals.setdefault(activity.professional_id, activity.professional)
            resources += practitioners(list(professionals.values()))
        if "PractitionerRole:organization" in query.includes:
            # Only the sites FINESS knows are served (and referenced literally): see resources._site.
            sites = sorted({activity.finess_site for activity in rows if activity.finess_site})
            if sites:
                resources += organizations(list(Structure.objects.filter(finess_et__in=sites).order_by("finess_et")))
    elif resource_type == "Practitioner" and "PractitionerRole:practitioner" in query.revincludes:
        roles, warnings = _roles(rows, query, "practitioner")
        resources += roles
    elif resource_type == "Organization" and "PractitionerRole:organization" in query.revincludes:
        roles, warnings = _roles(rows, query, "organization")
        resources += roles
    return resources, warnings
