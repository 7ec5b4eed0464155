"""The directory's periodic job (maillage/core/periodic.py).

« Participe aux soins non programmés » follows the professional's slots (directory/answers.py):
the slot actions keep it true while slots come, but nothing happens when the last slot simply
ages past `answers.RECENT`. Once a day the entries still saying « participe » whose slots are all
older are brought back to what the slots say.
"""

from django.db import transaction
from django.db.models import Exists, OuterRef

from maillage.core.french import agree, plural
from maillage.core.periodic import register
from maillage.directory import answers
from maillage.directory.models import DirectoryEntry


@register(
    "directory.refresh_answers",
    label="Mise à jour de la participation aux soins non programmés dans l'annuaire",
    daily_at="03:30",
)
def refresh_answers(at):
    from maillage.unscheduled.enums import SlotStatus
    from maillage.unscheduled.models import Slot

    recent = Slot.objects.filter(
        cpts=OuterRef("cpts"), professional=OuterRef("professional"), end__gte=at - answers.RECENT
    ).exclude(status=SlotStatus.CANCELLED)
    any_slot = Slot.objects.filter(cpts=OuterRef("cpts"), professional=OuterRef("professional"))
    stale = (
        DirectoryEntry.objects.filter(takes_part_in_snp=True)
        .filter(Exists(any_slot))
        .exclude(Exists(recent))
        .select_related("cpts", "professional")
    )
    count = 0
    for entry in stale:
        with transaction.atomic():  # one entry, one audited change (update_entry's)
            if answers.sync(entry.cpts, entry.professional, None):
                count += 1
    return f"{plural(count, 'fiche')} {agree(count, 'mise')} à jour"
