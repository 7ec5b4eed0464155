"""`{% member_payments member %}`: the fees section of a member's page (their payments, with their
receipts, and the form to record one), for the page of the association's core to include."""

from django import template

from maillage.association import statutes as statutes_of
from maillage.association.actions.fees import year_label

register = template.Library()


@register.inclusion_tag("association/fees/_member_payments_body.html", takes_context=True)
def member_payments(context, member):
    from maillage.www.association.fees import payment_form_for

    statutes = statutes_of.of(member.cpts)
    payments = [(p, year_label(statutes, p.year)) for p in member.payments.all()]
    cancelled = member.cancelled_on is not None or member.status == member.Status.CANCELLED
    return {
        "cpts": member.cpts,
        "member": member,
        "payments": payments,
        "form": None if cancelled else payment_form_for(member, statutes),
        "csrf_token": context.get("csrf_token"),
    }
