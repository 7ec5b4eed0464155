"""Keeping `Listing` (who works on each CPTS's territory) equal to what it is derived from.

The rows of a CPTS are rebuilt when its territory changes, those of a professional when the
professional or one of its activities changes. Writes through the ORM are followed by signals
(a coordinator's territory edit, the admin, the test factories); the bulk writers call the
functions themselves: the RPPS import after applying (`after_import`), `set_territory`, the
benchmarks. Each rebuild is a DELETE and an INSERT … SELECT in the caller's transaction, so a
rolled-back import or edit leaves the listing as it was. `manage.py rebuild_listing` rebuilds all.
"""

from django.db import connections, router
from django.db.models.signals import post_delete, post_save

from maillage.directory.models import Activity, Listing, Professional
from maillage.territory.models import CptsCommune
from maillage.territory.signals import territory_set

# Values per statement (SQLite before 3.32 refuses more than 999 parameters).
CHUNK = 900
COLUMNS = "cpts_id, professional_id, search_name, search_given, national_id, profession_code, savoir_faire_code"


def _tables(connection) -> dict:
    quote = connection.ops.quote_name
    return {
        "listing": quote(Listing._meta.db_table),
        "activity": quote(Activity._meta.db_table),
        "professional": quote(Professional._meta.db_table),
        "territory": quote(CptsCommune._meta.db_table),
    }


def _rebuild(where: str, delete_where: str, parameters: list, using: str | None = None) -> None:
    """Deletes the listing rows matching `delete_where` and inserts those the activities give for
    `where` (both over the same `parameters`)."""
    using = using or router.db_for_write(Listing)
    connection = connections[using]
    t = _tables(connection)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {t['listing']} WHERE {delete_where}", parameters)  # noqa: S608
        cursor.execute(
            f"INSERT INTO {t['listing']} ({COLUMNS}) "  # noqa: S608
            "SELECT DISTINCT t.cpts_id, p.id, p.search_name, p.search_given, p.national_id, "
            "p.profession_code, p.savoir_faire_code "
            f"FROM {t['activity']} a JOIN {t['territory']} t ON t.commune_id = a.commune_id "
            f"JOIN {t['professional']} p ON p.id = a.professional_id "
            # By CPTS: the rows of a territory are written, then read, together.
            f"WHERE a.active = %s AND p.active = %s AND {where} ORDER BY t.cpts_id",
            [True, True, *parameters],
        )


def _placeholders(values: list) -> str:
    return ", ".join(["%s"] * len(values))


def for_cpts(cpts_ids) -> None:
    """After a change of these CPTS's territories."""
    _rebuild_by(cpts_ids, "t.cpts_id", "cpts_id")


def for_professionals(professional_ids) -> None:
    """After a change of these professionals or of their activities."""
    _rebuild_by(professional_ids, "a.professional_id", "professional_id")


def _rebuild_by(ids, source_column: str, listing_column: str) -> None:
    ids = sorted(set(ids))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        marks = _placeholders(chunk)
        _rebuild(f"{source_column} IN ({marks})", f"{listing_column} IN ({marks})", chunk)


def rebuild_all(using: str | None = None) -> None:
    _rebuild("1 = 1", "1 = 1", [], using)


def after_import(run_pk: int) -> None:
    """After an applied RPPS import: the professionals it wrote (created, changed or retired), or
    one of whose activities it wrote — `last_run` marks both. A territory nobody defined yet (no
    CPTS) has nothing to list: the 2 million lines of a first national load cost nothing here."""
    if not CptsCommune.objects.exists():
        return
    using = router.db_for_write(Listing)
    t = _tables(connections[using])
    touched = (
        f"SELECT id FROM {t['professional']} WHERE last_run_id = %s "  # noqa: S608
        f"UNION SELECT professional_id FROM {t['activity']} WHERE last_run_id = %s"
    )
    _rebuild(f"a.professional_id IN ({touched})", f"professional_id IN ({touched})", [run_pk, run_pk])


def _territory_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        for_cpts([instance.cpts_id])


def _territory_set(sender, cpts, **kwargs):
    for_cpts([cpts.pk])


def _professional_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        for_professionals([instance.pk])


def _activity_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        for_professionals([instance.professional_id])


def connect() -> None:
    """Called once by the app's `ready`."""
    territory_set.connect(_territory_set, dispatch_uid="listing-territory-set")
    for name, signal in (("save", post_save), ("delete", post_delete)):
        signal.connect(_territory_changed, sender=CptsCommune, dispatch_uid=f"listing-territory-{name}")
        signal.connect(_professional_changed, sender=Professional, dispatch_uid=f"listing-professional-{name}")
        signal.connect(_activity_changed, sender=Activity, dispatch_uid=f"listing-activity-{name}")
