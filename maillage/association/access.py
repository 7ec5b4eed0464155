"""Which member of the association a person acts for, in the members' space.

The policy (Area.ASSOCIATION_SPACE) lets the CPTS's coordinators, members and adherents in; the
member they act for is the one whose account is theirs — linked explicitly (`Member.user`), or
found by the professional their account is linked to, or by the address their invitation was sent
to (an account's address is the one its invitation reached)."""

from django.db.models import Q
from django.utils import timezone

from maillage.accounts import policy
from maillage.accounts.policy import READ, Area
from maillage.association.models import Member


def member_of(user, cpts) -> Member | None:
    """The member of `cpts`'s association `user` acts for (not struck off), or None."""
    if user is None or not user.is_authenticated or not policy.may(user, Area.ASSOCIATION_SPACE, READ, cpts):
        return None
    return policy.remembered(("association_member", user.pk, cpts.pk), lambda: _find(user, cpts))


def _find(user, cpts) -> Member | None:
    members = Member.objects.of_cpts(cpts).exclude(status=Member.Status.CANCELLED).select_related("college")
    linked = members.filter(user=user).first()
    if linked is not None:
        return linked
    account = getattr(user, "professional_account", None)
    matches = Q(user__isnull=True) & (Q(email__iexact=user.email) | Q(representative_email__iexact=user.email))
    if account is not None:
        matches |= Q(user__isnull=True, professional_id=account.professional_id)
    return members.filter(matches).order_by("pk").first()


def is_coordinator(user, cpts) -> bool:
    return user is not None and user.is_authenticated and policy.may(user, Area.ASSOCIATION, READ, cpts)


def is_board_member(member: Member | None, on=None) -> bool:
    """Whether `member` holds a board mandate on `on` (today by default): who reads the library's
    « board » folders."""
    from maillage.association.board import mandates_on

    if member is None:
        return False
    return mandates_on(member.cpts, on or timezone.localdate()).filter(member=member).exists()
