"""Searchset Bundle: the page of resources, the total, and links to move between pages.

Paging is stateless: `_count` (page size) and `_offset` (rows skipped) travel in the links, with
every other parameter of the search as the client sent it.
"""

from urllib.parse import urlencode

from django.urls import reverse


def fhir_base(request) -> str:
    """Absolute URL of the FHIR base, ending with a slash (`https://host/fhir/`)."""
    return request.build_absolute_uri(reverse("fhir:metadata")).removesuffix("metadata")


def _links(request, base: str, resource_type: str, *, total: int, offset: int, count: int) -> list[dict]:
    kept = [
        (name, value) for name, values in request.GET.lists() if name not in ("_count", "_offset") for value in values
    ]

    def link(relation: str, at: int) -> dict:
        query = urlencode([*kept, ("_count", count), ("_offset", at)])
        return {"relation": relation, "url": f"{base}{resource_type}?{query}"}

    links = [link("self", offset), link("first", 0)]
    if count:
        last = (total - 1) // count * count if total else 0
        if offset > 0:
            links.append(link("previous", max(min(offset - count, last), 0)))
        if offset + count < total:
            links.append(link("next", offset + count))
        links.append(link("last", last))
    return links


def searchset(request, resource_type: str, resources: list[dict], *, total: int, offset: int, count: int) -> dict:
    base = fhir_base(request)
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "link": _links(request, base, resource_type, total=total, offset=offset, count=count),
    }
    if resources:
        bundle["entry"] = [
            {"fullUrl": f"{base}{resource_type}/{resource['id']}", "resource": resource, "search": {"mode": "match"}}
            for resource in resources
        ]
    return bundle
