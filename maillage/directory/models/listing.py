from django.db import models


class Listing(models.Model):
    """A professional who works on a CPTS's territory: one row per (CPTS, professional), derived
    from the active activities in the territory's communes and the professional's search columns.

    A search « sur le territoire » reads its results and their alphabetical order from this table
    alone, in the CPTS's index range, instead of finding the territory's professionals through
    their activities and then fetching each of them (thousands of lookups for a large territory,
    see ADR 0015). It is never edited: `maillage.directory.listing` rebuilds the rows of a CPTS when
    its territory changes, and those of a professional when an import or a save changes them.
    """

    # No database constraints: a rebuild inserts rows read from the rows they point to, in the same
    # statement, and checking each of hundreds of thousands of them doubled the rebuild on PostgreSQL.
    # Deletes cascade through the ORM as usual; imports never delete.
    cpts = models.ForeignKey(
        "territory.Cpts", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    professional = models.ForeignKey(
        "directory.Professional", on_delete=models.CASCADE, related_name="listings", db_constraint=False
    )
    # Copies of the professional's columns (byte collation on PostgreSQL, as there: migration 0007).
    search_name = models.CharField(max_length=300)
    search_given = models.CharField(max_length=300)
    national_id = models.CharField(max_length=12)
    profession_code = models.CharField(max_length=5, blank=True)
    savoir_faire_code = models.CharField(max_length=10, blank=True)

    class Meta:
        verbose_name = "professionnel du territoire"
        verbose_name_plural = "professionnels du territoire"
        constraints = [models.UniqueConstraint(fields=["cpts", "professional"], name="unique_listing")]
        # Each in a CPTS's range and in the order a page lists, with the professional: a page's
        # professionals and a count are read from the index alone.
        indexes = [
            models.Index(fields=["cpts", "search_name", "national_id", "professional"], name="listing_by_name"),
            models.Index(fields=["cpts", "search_given", "national_id", "professional"], name="listing_by_given"),
            models.Index(
                fields=["cpts", "profession_code", "search_name", "national_id", "professional"],
                name="listing_by_profession",
            ),
        ]

    def __str__(self):
        return f"{self.national_id} — CPTS {self.cpts_id}"
