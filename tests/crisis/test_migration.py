"""Issue 17 — crisis migration 0003: each recognised crisis funding kept becomes a crisis of the
contract's CPTS, declared and recognised by the ARS, covering its year, closed."""

from datetime import date
from importlib import import_module

from django.db import connection
from django.db.migrations.loader import MigrationLoader

from maillage.crisis.models import Crisis
from maillage.crisis.queries import recognised_in

TABLE = "funding_recognisedcrisis"


def test_recognised_crises_become_crises_of_the_ars(idf):
    from tests.test_permissions import _funding_contract

    contract = _funding_contract(idf)
    state = MigrationLoader(connection).project_state([("crisis", "0002_plan"), ("funding", "0004_french_names")])
    primary = "serial PRIMARY KEY" if connection.vendor == "postgresql" else "integer PRIMARY KEY AUTOINCREMENT"
    with connection.cursor() as cursor:  # the table funding 0005 dropped, as it was
        cursor.execute(
            f"CREATE TABLE {TABLE} (id {primary}, contract_id bigint NOT NULL, year integer NOT NULL, "
            "recognised_on date NOT NULL, description varchar(255) NOT NULL)"
        )
        cursor.execute(
            "INSERT INTO funding_recognisedcrisis (contract_id, year, recognised_on, description) VALUES (%s, %s, %s, %s)",
            [contract.pk, 2025, date(2025, 12, 1), "Épidémie de bronchiolite"],
        )
    try:
        import_module("maillage.crisis.migrations.0003_recognised_crises").forward(state.apps, None)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {TABLE}")
    crisis = Crisis.objects.get()
    assert (crisis.cpts, crisis.title, crisis.declared_by, crisis.status) == (
        contract.cpts,
        "Épidémie de bronchiolite",
        "ars",
        "closed",
    )
    assert (crisis.starts_on, crisis.ends_on, crisis.recognised_on) == (
        date(2025, 1, 1),
        date(2025, 12, 31),
        date(2025, 12, 1),
    )
    assert list(recognised_in(contract.cpts, 2025)) == [crisis]
    assert crisis.transitions.get().target == "closed"
