"""Writes of the pathways mission: each is one transaction with one audit entry (flagged as health
data when a patient is concerned); a refusal raises `PathwayError` with a French message, before
anything is written or with the transaction rolled back."""


class PathwayError(Exception):
    """A write or read refused for a reason the user can act on; the message is French, shown as is."""


class NotVisible(PathwayError):
    """The pathway is not this person's to open (a view answers 404, as for another CPTS's object)."""

    def __init__(self, message=None):
        super().__init__(
            message
            or "Vous ne faites pas partie de l'équipe de soins de ce patient : son parcours ne vous est pas accessible."
        )


def require(condition, message: str) -> None:
    if not condition:
        raise PathwayError(message)
