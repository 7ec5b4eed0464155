"""Writes of the association: each is one transaction with one audit entry; a refusal raises
`AssociationError` with a French message, before anything is written or with the transaction
rolled back."""


class AssociationError(Exception):
    """A write refused for a reason the user can act on; the message is French, shown as is."""


def require(condition, message: str) -> None:
    if not condition:
        raise AssociationError(message)
