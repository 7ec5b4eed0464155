"""Choices of rows by id in forms. A value that cannot be an id (letters, or past the column's
range) is an invalid choice before any query: SQLite cannot even compare such a number, and a
bad-input sweep sends them (tests/test_bad_input_sweep.py)."""

from django import forms

from maillage.core import bounds


class _Ids:
    def _bounded(self, values):
        if any(not bounds.is_pk(str(v)) for v in values):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": ""}
            )


class ModelChoice(_Ids, forms.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values:
            self._bounded([value])
        return super().to_python(value)


class ModelChoices(_Ids, forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        self._bounded(value)
        return super()._check_values(value)
