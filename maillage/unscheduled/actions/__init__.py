"""Writes of unscheduled care: each one transaction and one audit entry; mail after commit."""


class SlotError(Exception):
    """A write refused for a reason the user can act on; the message is French and shown as is."""
