"""Writes of the directory made by people (imports write through their own importers)."""

from django.db import transaction

from maillage.core import audit, versioning
from maillage.directory import answers
from maillage.directory.models import DirectoryEntry

# « Adhérent » is not typed here: it follows the association's membership (maillage/association/status.py).
ENTRY_FIELDS = [
    "languages",
    "accepts_new_patients",
    "new_patient_capacity",
    "takes_part_in_snp",
    "mssante_address",
    "public_listing",
]


def _snapshot(entry: DirectoryEntry) -> dict:
    values = {name: getattr(entry, name) for name in ENTRY_FIELDS}
    values["languages"] = list(values["languages"] or [])
    values["skills"] = sorted(entry.skills.values_list("code", flat=True)) if entry.pk else []
    return values


def update_entry(cpts, professional, data, actor, *, expected_version=None) -> tuple[DirectoryEntry, dict]:
    """Sets what `cpts` records about `professional` (the fields present in `data`; `skills` is an
    iterable of Skill). Returns the entry and the changes as {field: {"before", "after"}}.
    Refused (`versioning.StaleEdit`) if the entry changed since its form was read at `expected_version`.

    The entry is created on the first change only: opening the form and saving it untouched
    leaves no empty row behind and nothing in the log.
    """
    with transaction.atomic():
        found = DirectoryEntry.objects.filter(cpts=cpts, professional=professional)
        version = versioning.lock_and_check(found, expected_version) + 1  # written with the entry
        entry = found.first()
        created = entry is None
        if created:
            entry = DirectoryEntry(cpts=cpts, professional=professional)
        entry.version = version
        before = _snapshot(entry)
        after = dict(before)
        after.update({name: data[name] for name in ENTRY_FIELDS if name in data})
        # What the offer and the slots say wins over a typed flag: one truth (directory/answers.py).
        after.update(answers.derived(cpts, professional))
        after["languages"] = list(after["languages"] or [])
        skills = list(data["skills"]) if "skills" in data else None
        if skills is not None:
            after["skills"] = sorted(skill.code for skill in skills)
        changes = {
            name: {"before": before[name], "after": after[name]} for name in before if before[name] != after[name]
        }
        if not changes:
            return entry, {}
        for name in ENTRY_FIELDS:
            setattr(entry, name, after[name])
        # The form validates too; this guards callers that are not the form (shell, API).
        # Only what changes is checked: a sync of the derived answers (answers.sync) must not fail on
        # an older value of another field.
        unchanged = [name for name in ENTRY_FIELDS if name not in changes]
        entry.full_clean(
            exclude=["cpts", "professional", "skills", *unchanged], validate_unique=False, validate_constraints=False
        )
        entry.save()
        if skills is not None:
            entry.skills.set(skills)
        audit.record(
            "directory.entry.updated",
            actor=actor,
            cpts=cpts,
            obj=entry,
            details={"national_id": professional.national_id, "created": created, "changes": changes},
        )
    return entry, changes


def record_export(cpts, actor, *, file_format: str, table: str, filters: dict, rows: int) -> None:
    """An export takes the directory out of the platform: who took what is kept in the log."""
    with transaction.atomic():
        audit.record(
            "directory.export",
            actor=actor,
            cpts=cpts,
            obj=cpts,
            details={"format": file_format, "table": table, "filters": filters, "rows": rows},
        )


PARTNER_FIELDS = ["kind", "name", "siren", "address", "postal_code", "commune", "phone", "email", "website", "notes"]


def save_partner(cpts, data, actor, *, partner=None, expected_version=None):
    """Creates (partner=None) or updates a partner of `cpts`. One transaction, one audit entry
    naming the changed fields; an untouched form writes nothing. An update is refused
    (`versioning.StaleEdit`) if the partner changed since its form was read at `expected_version`."""
    from maillage.directory.models import Partner

    with transaction.atomic():
        created = partner is None
        if created:
            partner = Partner(cpts=cpts)
        else:
            partner.version = versioning.lock_and_check(partner, expected_version) + 1  # written with it
        before = {name: getattr(partner, name) for name in PARTNER_FIELDS}
        changed = [name for name in PARTNER_FIELDS if name in data and data[name] != before[name]]
        if not changed and not created:
            return partner, []
        for name in changed:
            setattr(partner, name, data[name])
        partner.full_clean(exclude=["cpts"])
        partner.save()
        audit.record(
            "directory.partner.created" if created else "directory.partner.updated",
            actor=actor,
            cpts=cpts,
            obj=partner,
            details={"champs": changed},
        )
    return partner, changed
