"""Writes of the waiting list: each is one transaction with one audit entry; emails leave after
the commit (notify.py)."""


class AccessError(Exception):
    """A write refused for a reason the user can act on; the message is French and shown as is."""
