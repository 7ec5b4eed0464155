"""What a member owes: the yearly fee of their collège."""

from maillage.association.models import FeeRate


def rate_for(member, year: int) -> int | None:
    """The fee of the member's collège for the membership year starting in `year`, in cents
    (0: free), or None when the CPTS has set none (nothing is due)."""
    return (
        FeeRate.objects.filter(college_id=member.college_id, year=year).values_list("amount_cents", flat=True).first()
    )


def rates_by_college(cpts, year: int) -> dict[int, int]:
    """{college id: cents} for one CPTS and year (the status job reads them once per CPTS)."""
    return dict(FeeRate.objects.filter(cpts=cpts, year=year).values_list("college_id", "amount_cents"))
