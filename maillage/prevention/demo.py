"""Issue 17 — the mission's demo (see the issue's « Demo »): written through the actions, as the
system (`actor=None`); a CPTS that already has the mission's records is left alone."""


def load(cpts_list, *, log=print) -> None:
    """Filled by the mission's part (the issue's « Demo » paragraph)."""
