"""Unscheduled care's periodic job (maillage/core/periodic.py): the SAS appointment reports that
waited while reporting was off are sent once MAILLAGE_SAS_APPOINTMENT_URL is set."""

from maillage.core.french import agree, plural
from maillage.core.periodic import register
from maillage.unscheduled import sas_feedback


@register("unscheduled.sas_reports", label="Transmission au SAS des rendez-vous en attente", every_minutes=15)
def resend_sas_reports(at):
    count = sas_feedback.resend_waiting(at)
    return f"{plural(count, 'transmission')} {agree(count, 'relancée')}"
