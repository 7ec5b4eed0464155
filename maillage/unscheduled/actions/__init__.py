"""Writes of unscheduled care: each one transaction and one audit entry; mail after commit."""


class SlotError(Exception):
    """A write refused for a reason the user can act on; the message is French and shown as is."""


class BeyondWindow(SlotError):
    """The slot starts after the request's urgency window: booked only once confirmed."""


class DuplicateCaller(SlotError):
    """The same caller was entered a few minutes ago: a second request only once confirmed."""

    def __init__(self, message, existing):
        super().__init__(message)
        self.existing = existing
