"""Optimistic concurrency for records several people edit (ADR 0017).

Without it, two people editing the same record each save what they read, and the second save
silently erases the first. The convention:

- the model has a `version = versioning.version_field()` (0 until the first edit); a model whose
  `version` means something else names its counter in `VERSION_FIELD`;
- its edit form carries the version it was read at (`VersionedForm`, a hidden field);
- the action, inside its transaction, calls `check_and_bump(record_or_queryset, expected)`: the
  row is locked, its version compared, then incremented. A stale version raises `StaleEdit`,
  which carries the current record, so nothing is written;
- the view catches `StaleEdit`, calls `form.refuse(exc)` and renders the form again: the French
  message says who changed the record and when (from the audit log) and the values now saved
  that differ from the user's input, which is kept in the form, with the new version: saving
  again, knowingly, replaces those values.

A record that does not exist yet is at version 0, so two people creating it at once are told too.
"""

import datetime
import decimal
from dataclasses import dataclass, field

from django import forms
from django.db import models
from django.db.models import F, Q
from django.forms.models import model_to_dict
from django.utils import formats, timezone

# Audit actions that only read: they say nothing about who changed a record.
_READ_SUFFIXES = (".viewed", ".read", ".exported", ".export")


def version_field():
    return models.PositiveIntegerField("version de la fiche", default=0, editable=False)


def field_name(model) -> str:
    return getattr(model, "VERSION_FIELD", "version")


def version_of(record) -> int:
    """The version an edit form carries for `record` (None or unsaved: 0, not created yet)."""
    if record is None or record.pk is None:
        return 0
    return getattr(record, field_name(type(record)))


class StaleEdit(Exception):
    """The record changed since the form was read; `current` is it as saved now (None if deleted)."""

    def __init__(self, current):
        super().__init__("Cette fiche a été modifiée par une autre personne pendant votre saisie.")
        self.current = current


def lock_and_check(target, expected_version) -> int:
    """`check_and_bump` without the increment, for an action that may end up writing nothing (an
    untouched form): it sets `version_of(...) + 1` on the record it saves itself. Returns the
    version found."""
    return _locked(target, expected_version)[1]


def _locked(target, expected_version):
    if isinstance(target, models.Model):
        queryset = type(target)._default_manager.filter(pk=target.pk).order_by()
    else:
        queryset = target
    # The first row is the record the queryset names. `of=("self",)`: a default ordering through a
    # foreign key (a fiche's projet, then its CPTS) joins other tables, whose rows must not be locked.
    current = queryset.select_for_update(of=("self",)).first()
    if current is None and isinstance(target, models.Model):
        raise StaleEdit(None)  # deleted meanwhile
    found = getattr(current, field_name(queryset.model)) if current is not None else 0
    if expected_version is not None and expected_version != found:
        raise StaleEdit(current)
    return current, found


def check_and_bump(target, expected_version) -> int:
    """Locks the row of `target` (a saved instance, or a queryset whose first row is the record),
    refuses the edit with `StaleEdit` unless its version is `expected_version` (None: no form
    behind the write, e.g. the demo or the shell, so nothing to compare), then increments the
    version with an UPDATE. Returns the new version (also set on an instance passed in). A
    queryset that finds no row is at version 0: the caller creates the record with the version
    returned. Call it inside the action's transaction, before writing anything."""
    current, found = _locked(target, expected_version)
    if current is not None:
        name = field_name(type(current))
        type(current)._default_manager.filter(pk=current.pk).update(**{name: F(name) + 1})
        if isinstance(target, models.Model):
            setattr(target, name, found + 1)
    return found + 1


def last_edit(record):
    """The audit entry of the last change to `record` (None when the log has none)."""
    from maillage.core.models import AuditEntry

    if record is None:
        return None
    reads = Q()
    for suffix in _READ_SUFFIXES:
        reads |= Q(action__endswith=suffix)
    return (
        AuditEntry.objects.filter(object_type=record._meta.label_lower, object_id=str(record.pk))
        .exclude(reads)
        .select_related("actor")
        .order_by("-at", "-id")
        .first()
    )


def _short(text: str, limit: int = 200) -> str:
    """A long text (a projet's presentation) is shown by its beginning: the message is there to
    say what changed, not to be copied from."""
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


@dataclass
class Conflict:
    """What the refused user reads: who changed the record, when, and the values now saved."""

    who: str = ""
    when: object = None
    changes: list[tuple[str, str]] = field(default_factory=list)
    deleted: bool = False

    @property
    def message(self) -> str:
        if self.deleted:
            return "Cette fiche a été supprimée par une autre personne pendant votre saisie : rien n'a été enregistré."
        head = "Cette fiche a été modifiée par une autre personne pendant votre saisie"
        if self.who and self.when:
            local = timezone.localtime(self.when)
            head = f"{self.who} a modifié cette fiche le {local:%d/%m/%Y} à {local:%H:%M}"
        if self.changes:
            head += " : " + " ; ".join(f"{label} → {_short(value)}" for label, value in self.changes)
        return head if head.endswith(".") else head + "."

    @property
    def advice(self) -> str:
        if self.deleted:
            return ""
        return (
            "Votre modification n'a pas été enregistrée. Votre saisie est conservée ci-dessous : "
            "vérifiez-la, puis enregistrez de nouveau pour remplacer les valeurs enregistrées."
        )


def conflict(current, changes=()) -> Conflict:
    """The conflict on `current` (a record, or None when it was deleted) with `changes`, a list of
    (label, value now saved)."""
    if current is None:
        return Conflict(deleted=True)
    entry = last_edit(current)
    who = ""
    if entry is not None:
        who = (entry.actor.get_full_name() if entry.actor else "") or entry.actor_label
    return Conflict(who=who, when=entry.at if entry else None, changes=list(changes))


def display(field_obj, value) -> str:
    """A value as the form's field shows it, in words (choices by their label)."""
    if value in (None, "", [], ()):
        return "(vide)"
    if isinstance(field_obj, forms.BooleanField):
        return "oui" if value else "non"
    if isinstance(field_obj, forms.ModelMultipleChoiceField):
        return ", ".join(str(v) for v in field_obj.queryset.filter(pk__in=[getattr(v, "pk", v) for v in value]))
    if isinstance(field_obj, forms.ModelChoiceField):
        found = field_obj.queryset.filter(pk=getattr(value, "pk", value)).first()
        return str(found) if found is not None else str(value)
    choices = dict(getattr(field_obj, "choices", None) or ())
    if isinstance(value, list | tuple | set):
        return ", ".join(str(choices.get(v, v)) for v in value)
    if isinstance(value, datetime.datetime):
        return f"{timezone.localtime(value):%d/%m/%Y %H:%M}"
    if isinstance(value, datetime.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, datetime.time):
        return f"{value:%H:%M}"
    if isinstance(value, decimal.Decimal | float):
        return formats.number_format(value)  # a French decimal comma
    return str(choices.get(value, value))


def differences(form, current_initial: dict) -> list[tuple[str, str]]:
    """(label, value saved) for the fields of `form` whose saved value, as in `current_initial`
    (the form's initial data for the current record), differs from the input."""
    changes = []
    for name, bound in form.fields.items():
        if name in current_initial and bound.has_changed(current_initial[name], form[name].data):
            changes.append((str(bound.label or name), display(bound, current_initial[name])))
    return changes


class VersionInput(forms.HiddenInput):
    """No id: a page may hold several versioned forms, and ids must be unique."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, {k: v for k, v in (attrs or {}).items() if k != "id"})
        context["widget"]["attrs"].pop("id", None)
        return context


MAX_VERSION = 2**31 - 1  # a PositiveIntegerField on PostgreSQL


class VersionedForm(forms.Form):
    """A mixin for edit forms (put it first: `class F(VersionedForm, forms.ModelForm)`): a hidden
    `version`, from the instance of a ModelForm or the `version=` argument; `expected_version` is
    what was posted (-1 when missing or unreadable: refused as stale, as the territory editor does)."""

    version = forms.IntegerField(widget=VersionInput, required=False, max_value=MAX_VERSION)
    stale = None  # the Conflict after a refused save

    def __init__(self, *args, version=None, **kwargs):
        super().__init__(*args, **kwargs)
        if version is None:
            version = version_of(getattr(self, "instance", None))
        self.fields["version"].initial = version

    @property
    def expected_version(self) -> int:
        try:
            return int(self.data.get(self.add_prefix("version"), ""))
        except (TypeError, ValueError):
            return -1

    def refuse(self, exc: StaleEdit, current_initial: dict | None = None) -> Conflict:
        """Keeps the user's input, takes the current version (so saving again is a deliberate
        overwrite) and describes the other person's change: the fields whose saved value differs
        from the input. `current_initial` is the form's initial data for the current record
        (default: the ModelForm's fields of it)."""
        current = exc.current
        if current_initial is None and current is not None:
            current_initial = model_to_dict(current, fields=[name for name in self.fields if name != "version"])
        changes = differences(self, current_initial) if current is not None else []
        data = self.data.copy()
        data[self.add_prefix("version")] = version_of(current)
        self.data = data
        self.stale = conflict(current, changes)
        return self.stale
