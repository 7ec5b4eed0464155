"""A pager that stops counting: on a national directory, « 412 318 professionnels » costs reading
them all, at every keystroke of a live search, for a figure nobody pages through. Beyond
`COUNT_CAP` results the pager says « plus de 10 000 » and offers the first `COUNT_CAP` rows."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

from maillage.directory.search import COUNT_CAP


class CappedPaginator(Paginator):
    cap = COUNT_CAP

    @cached_property
    def count(self) -> int:
        # A search that counted its results already says so (`search.professionals`).
        known = getattr(self.object_list, "known_count", None)
        if known is not None:
            return known
        # Ordering cleared: the count of the first cap + 1 rows needs no sort.
        return self.object_list.order_by()[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    @property
    def cap_label(self) -> str:
        return f"{self.cap:,}".replace(",", "\u202f")  # French thousands: a narrow no-break space

    @cached_property
    def num_pages(self) -> int:
        if self.capped:
            return -(-self.cap // self.per_page)
        return super().num_pages
