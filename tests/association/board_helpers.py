"""Issue 16 — board, report, paid time: members built directly (the tests of these parts do not
depend on how members join)."""

from itertools import count

from maillage.association import statutes
from maillage.association.models import College, Member

_serial = count(1)


def college(cpts, code: str) -> College:
    statutes.of(cpts)
    return College.objects.get(cpts=cpts, code=code)


def member(cpts, code="liberaux", *, status=Member.Status.CURRENT, **fields) -> Member:
    n = next(_serial)
    values = {"kind": Member.Kind.PERSON, "last_name": f"Adhérent{n}", "first_name": "Claire", "status": status}
    values.update(fields)
    if values["kind"] == Member.Kind.LEGAL:
        values.setdefault("name", f"Structure {n}")
        values.setdefault("representative_name", "Paul Martin")
        values.setdefault("legal_kind", Member.LegalKind.OTHER)
        values.pop("last_name"), values.pop("first_name")
    return Member.objects.create(cpts=cpts, college=college(cpts, code), **values)
