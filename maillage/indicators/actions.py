from django.db import IntegrityError, transaction

from maillage.core import audit, versioning
from maillage.indicators import entry, registry
from maillage.indicators.models import MAILLAGE, IndicatorValue, IndicatorValueRevision
from maillage.indicators.periods import Period


def record_values(cpts, period: Period, *, actor=None, audited: bool = True) -> dict:
    """Computes every computed indicator of `cpts` for `period` and keeps the values. External
    indicators are left alone: their values were entered by hand and only a person corrects them.
    The periodic refresh passes `audited=False`: it recomputes every CPTS's periods each hour, and
    its runs are logged as `PeriodicRun` rows instead of thousands of audit entries a day."""
    values = registry.compute(cpts, period, [indicator.code for indicator in registry.computed()])
    with transaction.atomic():
        for code, value in values.items():
            IndicatorValue.objects.update_or_create(
                cpts=cpts,
                code=code,
                period=period.code,
                defaults={"period_start": period.start, "period_end": period.end, "value": value, "source": MAILLAGE},
            )
        if audited:
            audit.record(
                "indicators.values.recorded",
                actor=actor,
                cpts=cpts,
                details={"période": period.code, "nombre": len(values)},
            )
    return values


def enter_value(
    cpts,
    code: str,
    period,
    *,
    value=None,
    numerator=None,
    denominator=None,
    source="",
    source_date=None,
    actor,
    expected_version: int | None = None,
) -> IndicatorValue:
    """Keeps the value of an external indicator for `cpts` and `period` (a `Period` or its code),
    entered by `actor` from `source` dated `source_date`. Everything is checked first
    (`entry.EntryError` with French messages, nothing written); a value already there for the
    period is corrected, its previous state kept as a revision. `expected_version` is the version
    of that value when the form was read (0: none yet): a value entered or corrected by someone
    else since is not silently replaced (`versioning.StaleEdit`)."""
    checked = entry.check(
        code, period, value=value, numerator=numerator, denominator=denominator, source=source, source_date=source_date
    )
    fields = {
        "period_start": checked.period.start,
        "period_end": checked.period.end,
        "value": checked.value,
        "numerator": checked.numerator,
        "denominator": checked.denominator,
        "source": checked.source,
        "source_date": checked.source_date,
        "entered_by": audit.user_or_none(actor),
    }
    key = {"cpts": cpts, "code": checked.indicator.code, "period": checked.period.code}
    with transaction.atomic():
        fields["version"] = versioning.check_and_bump(IndicatorValue.objects.filter(**key), expected_version)
        kept = IndicatorValue.objects.select_for_update().filter(**key).first()
        revision = None
        if kept is None:
            try:
                with transaction.atomic():  # a savepoint: a simultaneous entry may create it first
                    kept = IndicatorValue.objects.create(**key, **fields)
            except IntegrityError:
                kept = IndicatorValue.objects.select_for_update().get(**key)
                if expected_version is not None:  # the form was read before that entry
                    raise versioning.StaleEdit(kept) from None
                fields["version"] = kept.version + 1
                revision = _keep_revision(kept, actor)
        else:
            revision = _keep_revision(kept, actor)
        if revision is not None:
            for name, new in fields.items():
                setattr(kept, name, new)
            kept.save()
        details = {
            "indicateur": checked.indicator.code,
            "période": checked.period.code,
            "valeur": checked.value,
            "source": checked.source,
            "date de la source": checked.source_date.isoformat(),
        }
        if revision is not None:
            details["valeur précédente"] = revision.value
        action = "indicators.value.corrected" if revision is not None else "indicators.value.entered"
        audit.record(action, actor=actor, cpts=cpts, obj=kept, details=details)
    return kept


def _keep_revision(kept: IndicatorValue, actor) -> IndicatorValueRevision:
    return IndicatorValueRevision.objects.create(
        current=kept,
        value=kept.value,
        numerator=kept.numerator,
        denominator=kept.denominator,
        source=kept.source,
        source_date=kept.source_date,
        entered_by=kept.entered_by,
        entered_at=kept.computed_at,
        replaced_by=audit.user_or_none(actor),
    )
