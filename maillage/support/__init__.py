"""Issue 17 — the mission « accompagnement des professionnels »."""


class SupportError(Exception):
    """A write refused for a reason the user can act on; the message is French, shown as is."""


def require(condition, message: str) -> None:
    if not condition:
        raise SupportError(message)
