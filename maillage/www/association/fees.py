"""Cotisations: the coordination's page of a membership year (the amount of each collège, who paid,
who has not, the payment settings), a payment recorded for a member, its receipt (DOCX), the
year's ledger (XLSX); and in the members' space, a member's own payments and receipts.

Every write is an action of maillage/association/actions/fees.py whose French refusal is shown as
is, with nothing saved."""

from django.contrib import messages
from django.db.models import Case, Count, IntegerField, Sum, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from maillage.association import fee_documents, fees
from maillage.association import statutes as statutes_of
from maillage.association.access import member_of
from maillage.association.actions import AssociationError
from maillage.association.actions.fees import (
    covers,
    current_year,
    record_payment,
    save_settings,
    set_rates,
    settings_of,
    unpaid,
    year_bounds,
    year_label,
)
from maillage.association.models import College, Member
from maillage.association.models.fees import Payment
from maillage.association.money import euros
from maillage.core import bounds
from maillage.core.versioning import StaleEdit
from maillage.www.association.fee_forms import FeeSettingsForm, PaymentForm, RatesForm
from maillage.www.scoping import READ, WRITE, Area, cpts_for

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UNPAID_SHOWN, PAYMENTS_SHOWN = 30, 20
# Who to chase first: in grace (the vote is at stake), then expired, pending, up to date.
STATUS_ORDER = Case(
    When(status=Member.Status.GRACE, then=Value(0)),
    When(status=Member.Status.EXPIRED, then=Value(1)),
    When(status=Member.Status.PENDING, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


def _cpts(request, slug, action=READ):
    cpts = cpts_for(request, slug, Area.ASSOCIATION, action)
    return cpts, statutes_of.of(cpts)


def _year(statutes, text) -> int:
    if text in (None, ""):
        return current_year(statutes)
    text = str(text).strip()
    if not (text.isascii() and text.isdigit() and len(text) == 4 and bounds.MIN_YEAR <= int(text) <= bounds.MAX_YEAR):
        raise bounds.BadInput(f"Requête invalide : l'année est entre {bounds.MIN_YEAR} et {bounds.MAX_YEAR}.")
    return int(text)


def _path_year(year: int) -> int:
    if not bounds.MIN_YEAR <= year <= bounds.MAX_YEAR:
        raise Http404
    return year


def _page(request, cpts, statutes, year, *, rates_form=None, settings_form=None, status=200):
    colleges = list(College.objects.filter(cpts=cpts))
    rates = fees.rates_by_college(cpts, year)
    payments = Payment.objects.filter(cpts=cpts, year=year)
    paid = {
        row["member__college_id"]: row
        for row in payments.values("member__college_id").annotate(n=Count("pk"), total=Sum("amount_cents"))
    }
    members = dict(
        Member.objects.of_cpts(cpts)
        .exclude(status=Member.Status.CANCELLED)
        .values_list("college_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    rows = []
    for college in colleges:
        done = paid.get(college.pk, {"n": 0, "total": 0})
        cents = rates.get(college.pk)
        shown = "non fixée" if cents is None else "gratuite" if cents == 0 else euros(cents)
        rows.append((college, shown, members.get(college.pk, 0), done["n"], euros(done["total"] or 0)))
    late = unpaid(cpts, statutes, year, rates).select_related("college").order_by(STATUS_ORDER, "last_name", "name")
    now = current_year(statutes)
    context = {
        "cpts": cpts,
        "year": year,
        "label": year_label(statutes, year),
        "previous": year - 1 if year > bounds.MIN_YEAR else None,
        "next": year + 1 if year < min(bounds.MAX_YEAR, now + 1) else None,
        "rows": rows,
        "collected": euros(sum(row["total"] or 0 for row in paid.values())),
        "paid_count": sum(row["n"] for row in paid.values()),
        "unpaid": late[:UNPAID_SHOWN],
        "unpaid_count": late.count(),
        "payments": payments.select_related("member", "member__college")[:PAYMENTS_SHOWN],
        "rates_form": rates_form or RatesForm(colleges=colleges, rates=rates),
        "settings_form": settings_form or FeeSettingsForm(instance=settings_of(cpts)),
    }
    return render(request, "association/fees/home.html", context, status=status)


def fees_home(request, slug):
    cpts, statutes = _cpts(request, slug)
    return _page(request, cpts, statutes, _year(statutes, request.GET.get("annee")))


@require_POST
def fee_rates(request, slug, year):
    cpts, statutes = _cpts(request, slug, WRITE)
    year = _path_year(year)
    colleges = College.objects.filter(cpts=cpts)
    form = RatesForm(request.POST, colleges=colleges, rates=fees.rates_by_college(cpts, year))
    if form.is_valid():
        try:
            changed = set_rates(cpts, request.user, year, form.amounts())
        except AssociationError as exc:
            form.add_error(None, str(exc))
        else:
            label = year_label(statutes, year)
            messages.success(
                request,
                f"Cotisations {label} enregistrées." if changed else f"Cotisations {label} : rien n'a changé.",
            )
            return redirect(f"{_fees_url(cpts)}?annee={year}")
    return _page(request, cpts, statutes, year, rates_form=form, status=400)


def _fees_url(cpts) -> str:
    return reverse("www:association_fees", args=[cpts.slug])


@require_POST
def fee_settings(request, slug):
    cpts, statutes = _cpts(request, slug, WRITE)
    current = settings_of(cpts)
    form = FeeSettingsForm(request.POST, instance=current)
    if form.is_valid():
        data = form.cleaned_data
        try:
            save_settings(
                cpts, request.user, payment_url=data["payment_url"], reminder_days=data["reminder_days"],
                expected_version=form.expected_version,
            )  # fmt: skip
        except StaleEdit as exc:
            form.refuse(exc)
        except AssociationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Les réglages des cotisations sont enregistrés.")
            return redirect(_fees_url(cpts))
    return _page(request, cpts, statutes, current_year(statutes), settings_form=form, status=400)


def payment_form_for(member, statutes, data=None) -> PaymentForm:
    """The form to record a member's payment, on their page and on its own: the first of the
    running and next years not paid yet, and its amount."""
    now = current_year(statutes)
    paid = set(member.payments.values_list("year", flat=True))
    suggested = next((y for y in (now, now + 1) if y not in paid and not covers(statutes, member, y)), now)
    return PaymentForm(
        data,
        statutes=statutes,
        current=now,
        suggested_year=suggested,
        suggested_cents=fees.rate_for(member, suggested),
    )


def payment_new(request, slug, pk):
    cpts, statutes = _cpts(request, slug, WRITE)
    member = get_object_or_404(Member.objects.of_cpts(cpts).select_related("college"), pk=pk)
    form = payment_form_for(member, statutes, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                payment = record_payment(cpts, member, request.user, form.draft())
            except AssociationError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    f"Paiement de {euros(payment.amount_cents)} enregistré (reçu {payment.receipt_number}) : "
                    f"l'adhésion de {member.display_name} est « {member.get_status_display()} ».",
                )
                return redirect("www:association_member", slug=cpts.slug, pk=member.pk)
        status = 400
    context = {"cpts": cpts, "member": member, "form": form}
    return render(request, "association/fees/payment_form.html", context, status=status)


def _receipt_response(payment, statutes) -> HttpResponse:
    response = HttpResponse(fee_documents.receipt_docx(payment, statutes), content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="{fee_documents.receipt_filename(payment)}"'
    return response


def _payments(cpts):
    return Payment.objects.filter(cpts=cpts).select_related("cpts", "member", "member__college")


def receipt(request, slug, pk):
    cpts, statutes = _cpts(request, slug)
    return _receipt_response(get_object_or_404(_payments(cpts), pk=pk), statutes)


def ledger(request, slug, year):
    cpts, statutes = _cpts(request, slug)
    year = _path_year(year)
    payments = _payments(cpts).filter(year=year).order_by("receipt_year", "receipt_seq")
    content = fee_documents.ledger_xlsx(cpts, statutes, year, payments, College.objects.filter(cpts=cpts))
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{fee_documents.ledger_filename(cpts, year)}"'
    return response


# The members' space: only the member's own payments (another's receipt answers 404).


def _space(request, slug):
    cpts = cpts_for(request, slug, Area.ASSOCIATION_SPACE, READ)
    member = member_of(request.user, cpts)
    if member is None:
        raise Http404
    return cpts, statutes_of.of(cpts), member


def space_fees(request, slug):
    cpts, statutes, member = _space(request, slug)
    settings = settings_of(cpts)
    today = timezone.localdate()
    now = current_year(statutes, today)
    payments = list(member.payments.all())
    paid = {p.year for p in payments}
    _, end = year_bounds(statutes, now)
    # The year to pay: the running one while unpaid, the next one once its reminder has left.
    years = [now] + ([now + 1] if (end - today).days <= settings.reminder_days else [])
    due = None
    for year in years:
        cents = fees.rate_for(member, year)
        if year not in paid and not covers(statutes, member, year):
            due = (year_label(statutes, year), euros(cents)) if cents else None
            break
    context = {
        "cpts": cpts,
        "member": member,
        "payments": [(p, year_label(statutes, p.year)) for p in payments],
        "due": due,
        "payment_url": settings.payment_url,
    }
    return render(request, "association/fees/space.html", context)


def space_receipt(request, slug, pk):
    cpts, statutes, member = _space(request, slug)
    return _receipt_response(get_object_or_404(_payments(cpts), pk=pk, member=member), statutes)
