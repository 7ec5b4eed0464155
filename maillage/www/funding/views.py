"""The funding of a CPTS: the year's computation, its downloads, the contract form; the recognised
crisis is read from the crisis app (its declaration is the crisis pages').

Reading: the CPTS's coordinator, the platform admin, a regional viewer of the CPTS's region (the
page shows no person's identity). Writing: the coordinator and the admin. Anyone else: 404.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from maillage.accounts import policy
from maillage.accounts.policy import READ, WRITE, Area
from maillage.core.french import plural
from maillage.core.versioning import StaleEdit
from maillage.crisis.models import Crisis
from maillage.funding import documents, report, start
from maillage.funding.actions import FundingError, recompute_year, save_contract
from maillage.funding.lines import Line
from maillage.funding.terms import contract_of
from maillage.www.funding.forms import ContractForm
from maillage.www.funding.scoping import cpts_for_funding

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _year(request, contract) -> tuple[int, str]:
    asked = request.GET.get("annee", "")
    if not asked:
        return report.default_year(contract), ""
    try:
        return report.parse_year(asked, contract), ""
    except report.YearError as exc:
        return report.default_year(contract), str(exc)


def funding_page(request, slug):
    cpts, can_write = cpts_for_funding(request, slug)
    contract = contract_of(cpts)
    # Avenant 2's first payment: shown even before a contract (the letter of intent validated).
    first_payment = start.of(cpts)
    context = {"cpts": cpts, "contract": contract, "can_write": can_write, "error": "", "first_payment": first_payment}
    if contract is None:
        return render(request, "funding/page.html", context)
    year, error = _year(request, contract)
    built = report.build(contract, year)
    first = contract.signed_on.year
    last = contract.ends_on.year if contract.ends_on else report.default_year(contract) + 1
    ran = documents.computed_for(cpts, year)
    has_crisis_mission = contract.missions.filter(mission=Line.CRISIS).exists()
    context.update(
        report=built,
        schedule=start.schedule(cpts, built.result, first=first_payment),
        # Issue 17: what each mission did that year, as the yearly report says it.
        activity=documents.activity_table(built, regional=not can_write),
        year=year,
        error=error,
        years=range(first, last + 1),
        facts=documents.facts(built),
        indicator_rows=documents.indicator_rows(built, regional=not can_write),
        pending=[i for i in built.result.missing if documents.computed(i.code) and i.code not in ran],
        no_data=[i for i in built.result.missing if documents.computed(i.code) and i.code in ran],
        to_enter=[i for i in built.result.missing if not documents.computed(i.code)],
        may_recompute=can_write and year <= timezone.localdate().year,
        has_crisis_mission=has_crisis_mission,
        # Issue 17: the crises are declared (and recognised by the ARS) on the crisis pages.
        may_declare_crisis=policy.may(request.user, Area.CRISIS_DECLARE, WRITE, cpts),
        crises=Crisis.objects.filter(cpts=cpts).exclude(status=Crisis.Status.CANCELLED)[:20]
        if policy.may(request.user, Area.CRISIS_DECLARE, READ, cpts)
        else [],
    )
    return render(request, "funding/page.html", context, status=400 if error else 200)


def _download(request, slug, render_bytes, content_type, extension):
    cpts, can_write = cpts_for_funding(request, slug)
    contract = contract_of(cpts)
    if contract is None:
        raise Http404
    year, error = _year(request, contract)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    data = render_bytes(report.build(contract, year), regional=not can_write)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="financement-aci-{cpts.slug}-{year}.{extension}"'
    return response


def report_xlsx(request, slug):
    return _download(request, slug, documents.xlsx_bytes, XLSX, "xlsx")


def report_docx(request, slug):
    return _download(request, slug, documents.docx_bytes, DOCX, "docx")


def contract_edit(request, slug):
    cpts, _ = cpts_for_funding(request, slug, write=True)
    contract = contract_of(cpts)
    form = ContractForm(request.POST or None, cpts=cpts, contract=contract)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            save_contract(cpts, form.draft(), request.user, expected_version=form.expected_version)
        except StaleEdit as exc:
            form.refuse(exc, ContractForm(cpts=cpts, contract=exc.current).initial if exc.current else None)
            status = 409
        except FundingError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, "Contrat ACI enregistré.")
            return redirect("www:funding", slug=cpts.slug)
    return render(request, "funding/contract.html", {"cpts": cpts, "form": form, "contract": contract}, status=status)


@require_POST
def recompute(request, slug):
    """« Recalculer »: the year's values of the indicators Maillage computes, now."""
    cpts, _ = cpts_for_funding(request, slug, write=True)
    contract = contract_of(cpts)
    if contract is None:
        raise Http404
    year, error = _year_posted(request, contract)
    back = f"{reverse('www:funding', args=[cpts.slug])}?annee={year}"
    if error:
        messages.error(request, error)
        return redirect(back)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    try:
        values = recompute_year(contract, year=year, actor=request.user, expected_version=version)
    except StaleEdit:
        messages.error(request, "Le contrat a été modifié pendant votre lecture : voici la page à jour, recalculez-la.")
    except FundingError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Indicateurs calculés pour {year} : {plural(len(values), 'valeur')} à jour.")
    return redirect(back)


def _year_posted(request, contract) -> tuple[int, str]:
    try:
        return report.parse_year(request.POST.get("annee", ""), contract), ""
    except report.YearError as exc:
        return report.default_year(contract), str(exc)
