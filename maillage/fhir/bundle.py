"""Searchset Bundle: the page of resources, the total, and links to move between pages.

Paging is stateless: `_count` (page size) and `_offset` (rows skipped) travel in the links, with
every other parameter of the search as the client sent it (in the query string, or in the form of
a `POST …/_search`: the links are then GET URLs with the same parameters). The order of every
search is total (see search.py), so an offset names the same rows while the data does not change.
A delta search (`_lastUpdated`) pages by key instead: its `next` link carries `_cursor`.
"""

from urllib.parse import urlencode

from django.urls import reverse

from maillage.fhir import systems

PAGING = ("_count", "_offset", "_cursor")  # rewritten in each link, never copied from the request


def fhir_base(request) -> str:
    """Absolute URL of the FHIR base, ending with a slash (`https://host/fhir/`)."""
    return request.build_absolute_uri(reverse("fhir:metadata")).removesuffix("metadata")


def _kept(params) -> list[tuple[str, str]]:
    """The search's own parameters, as the client sent them, for the links (paging rewritten)."""
    return [(name, value) for name, values in params.lists() if name not in PAGING for value in values]


def _links(params, base: str, resource_type: str, *, total, offset: int, count: int, full_page: bool) -> list[dict]:
    kept = _kept(params)

    def link(relation: str, at: int) -> dict:
        query = urlencode([*kept, ("_count", count), ("_offset", at)])
        return {"relation": relation, "url": f"{base}{resource_type}?{query}"}

    links = [link("self", offset), link("first", 0)]
    if count:
        last = (total - 1) // count * count if total else 0
        if offset > 0:
            links.append(link("previous", max(min(offset - count, last), 0) if total is not None else offset - count))
        if (offset + count < total) if total is not None else full_page:
            links.append(link("next", offset + count))
        if total is not None:
            links.append(link("last", last))
    return links


def _keyset_links(params, base: str, resource_type: str, *, count: int, cursor: str | None) -> list[dict]:
    """A delta search's links: `self` as asked, `first`, and `next` from the last row's key. No
    `previous` nor `last`: a cursor names where a page starts, not how many rows lie before it."""
    kept = _kept(params)
    asked = [(name, value) for name, values in params.lists() if name in PAGING for value in values]

    def url(query: list) -> str:
        return f"{base}{resource_type}?{urlencode(query)}"

    links = [
        {"relation": "self", "url": url([*kept, *asked])},
        {"relation": "first", "url": url([*kept, ("_count", count)])},
    ]
    if cursor:
        links.append({"relation": "next", "url": url([*kept, ("_count", count), ("_cursor", cursor)])})
    return links


def outcome_entry(issues: list[tuple[str, str]]) -> dict:
    """An OperationOutcome in the Bundle (search.mode `outcome`): warnings about the search, each
    an (IssueType code, French message) pair."""
    return {
        "resource": {
            "resourceType": "OperationOutcome",
            "issue": [{"severity": "warning", "code": code, "diagnostics": message} for code, message in issues],
        },
        "search": {"mode": "outcome"},
    }


def subset(resource: dict, elements: tuple[str, ...]) -> dict:
    """`_elements`: the elements asked for (with `resourceType`, `id`, `meta`), tagged SUBSETTED. A
    subset no longer meets its profiles: it claims none."""
    kept = {key: value for key, value in resource.items() if key in ("resourceType", "id") or key in elements}
    meta = {key: value for key, value in resource.get("meta", {}).items() if key != "profile"}
    meta["tag"] = [{"system": systems.SUBSETTED, "code": "SUBSETTED", "display": "subsetted"}]
    return {"resourceType": kept.pop("resourceType"), "id": kept.pop("id"), "meta": meta, **kept}


def searchset(
    request,
    resource_type: str,
    resources: list[dict],
    *,
    total: int | None,
    offset: int,
    count: int,
    params=None,
    included: list[dict] = (),
    outcome: dict | None = None,
    keyset: bool = False,
    cursor: str | None = None,
) -> dict:
    """`total` None: left out (`_total=none`, or a search too costly to count). `keyset`: a delta
    search, whose `next` link carries `cursor` (see search.py) rather than an offset."""
    base = fhir_base(request)
    bundle = {"resourceType": "Bundle", "type": "searchset"}
    if total is not None:
        bundle["total"] = total
    full_page = bool(count) and len(resources) >= count
    params = params if params is not None else request.GET
    if keyset:
        bundle["link"] = _keyset_links(params, base, resource_type, count=count, cursor=cursor)
    else:
        bundle["link"] = _links(
            params, base, resource_type, total=total, offset=offset, count=count, full_page=full_page
        )
    entries = [
        {"fullUrl": f"{base}{resource_type}/{resource['id']}", "resource": resource, "search": {"mode": "match"}}
        for resource in resources
    ]
    seen = {(resource_type, resource["id"]) for resource in resources}
    for resource in included:
        key = (resource["resourceType"], resource["id"])
        if key not in seen:  # each resource once
            seen.add(key)
            entries.append({"fullUrl": f"{base}{key[0]}/{key[1]}", "resource": resource, "search": {"mode": "include"}})
    if outcome:
        entries.append(outcome)
    if entries:
        bundle["entry"] = entries
    return bundle
