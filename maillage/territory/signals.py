"""Signals of the territory app, for the apps that derive data from a territory."""

from django.dispatch import Signal

# A CPTS's communes were replaced in bulk (`actions.set_territory`): keyword argument `cpts`.
# Single additions and removals send the models' post_save and post_delete as usual.
territory_set = Signal()
