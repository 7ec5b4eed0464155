"""Issue 16 — paying professionals for their time: the coordinator's page (hourly rates per
activity, time entries of a year, each member's yearly statement as DOCX or XLSX) and the
member's own statements in the members' space. Writes are maillage/association/actions/time.py's;
their French refusals are shown as they are."""

from django import forms
from django.contrib import messages
from django.db.models import Count, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from maillage.association import statement as statements
from maillage.association.access import member_of
from maillage.association.actions import AssociationError
from maillage.association.actions.rcp_time import import_rcp_time
from maillage.association.actions.time import TimeDraft, current_rates, delete_time, record_time, set_rate
from maillage.association.models import Member, TimeEntry
from maillage.association.models.board import TimeActivity
from maillage.association.money import euros, parse_cents
from maillage.core import bounds
from maillage.core.french import agree, elide, plural
from maillage.www.association.board import DATE, MemberChoice
from maillage.www.directory.exports import XLSX
from maillage.www.scoping import READ, WRITE, Area, cpts_for

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class RateForm(forms.Form):
    activity = forms.ChoiceField(label="Activité", choices=TimeActivity.choices)
    amount = forms.CharField(
        label="Tarif horaire (€)", max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    since = forms.DateField(label="Applicable à partir du", **DATE)

    def clean_amount(self):
        try:
            return parse_cents(self.cleaned_data["amount"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


class TimeForm(forms.Form):
    member = MemberChoice(
        label="Adhérent",
        queryset=Member.objects.none(),
        empty_label="Choisissez l'adhérent",
        error_messages={"invalid_choice": "Choisissez un adhérent de la CPTS.", "required": "Choisissez l'adhérent."},
    )
    activity = forms.ChoiceField(label="Activité", choices=TimeActivity.choices)
    on = forms.DateField(label="Date", **DATE)
    # Bounded only against absurd input: the action says what a duration may be.
    minutes = forms.IntegerField(
        label="Durée (minutes)", min_value=-99_999, max_value=99_999,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": "1"}),
    )  # fmt: skip
    note = forms.CharField(label="Note", max_length=300, required=False)

    def __init__(self, *args, cpts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = (
            Member.objects.of_cpts(cpts).select_related("college").order_by("last_name", "first_name", "name", "pk")
        )

    def draft(self) -> TimeDraft:
        data = self.cleaned_data
        return TimeDraft(data["member"], data["activity"], data["on"], data["minutes"], data["note"])


def _year(request) -> int:
    typed = request.GET.get("annee", "").strip()[:4]
    if typed.isdigit() and bounds.MIN_YEAR <= int(typed) <= bounds.MAX_YEAR:
        return int(typed)
    return timezone.localdate().year


def _page(request, cpts, *, rate_form=None, time_form=None, import_form=None, error=None, status=200):
    year = _year(request)
    today = timezone.localdate()
    entries = TimeEntry.objects.filter(cpts=cpts, on__year=year).select_related("member").order_by("-on", "-pk")
    totals = (
        entries.order_by().values("member").annotate(minutes=Sum("minutes"), cents=Sum("amount_cents"), n=Count("id"))
    )
    members = {m.pk: m for m in Member.objects.filter(pk__in=[row["member"] for row in totals])}
    summary = sorted(
        ({"member": members[row["member"]], "time": statements.duration(row["minutes"]), "amount": euros(row["cents"]),
          "entries": row["n"]} for row in totals),
        key=lambda row: row["member"].display_name.lower(),
    )  # fmt: skip
    context = {
        "cpts": cpts, "year": year, "years": list(range(today.year, today.year - 4, -1)), "error": error,
        "rates": [(label, rate, euros(rate.amount_cents) if rate else "") for _code, label, rate in
                  current_rates(cpts, today)],
        "entries": [(e, statements.duration(e.minutes), euros(e.amount_cents)) for e in entries[:200]],
        "count": entries.count(), "summary": summary,
        "rate_form": rate_form or RateForm(initial={"since": today}),
        "time_form": time_form or TimeForm(cpts=cpts, initial={"on": today}),
        "import_form": import_form or ImportForm(initial={"start": today.replace(month=1, day=1), "end": today}),
    }  # fmt: skip
    return render(request, "association/time/page.html", context, status=status)


def time_page(request, slug):
    cpts = cpts_for(request, slug, Area.ASSOCIATION, READ)
    return _page(request, cpts)


@require_POST
def rate_set(request, slug):
    cpts = cpts_for(request, slug, Area.ASSOCIATION, WRITE)
    form = RateForm(request.POST)
    error = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            rate = set_rate(
                cpts, request.user, activity=data["activity"], amount_cents=data["amount"], since=data["since"]
            )
        except AssociationError as exc:
            error = str(exc)
        else:
            messages.success(
                request,
                f"Tarif horaire « {rate.get_activity_display()} » : {euros(rate.amount_cents)} "
                f"à partir du {rate.since:%d/%m/%Y}.",
            )
            return redirect("www:association_time", slug=cpts.slug)
    return _page(request, cpts, rate_form=form, error=error, status=400)


@require_POST
def time_new(request, slug):
    cpts = cpts_for(request, slug, Area.ASSOCIATION, WRITE)
    form = TimeForm(request.POST, cpts=cpts)
    error = None
    if form.is_valid():
        try:
            entry = record_time(cpts, form.draft(), request.user)
        except AssociationError as exc:
            error = str(exc)
        else:
            messages.success(
                request,
                f"Temps enregistré : {entry.member.display_name}, {statements.duration(entry.minutes)} "
                f"le {entry.on:%d/%m/%Y} ({euros(entry.amount_cents)}).",
            )
            return redirect("www:association_time", slug=cpts.slug)
    return _page(request, cpts, time_form=form, error=error, status=400)


@require_POST
def time_delete(request, slug, pk):
    cpts = cpts_for(request, slug, Area.ASSOCIATION, WRITE)
    entry = get_object_or_404(TimeEntry.objects.filter(cpts=cpts).select_related("member", "cpts"), pk=pk)
    delete_time(entry, request.user)
    messages.success(request, f"Temps du {entry.on:%d/%m/%Y} {elide('de', entry.member.display_name)} supprimé.")
    return redirect("www:association_time", slug=cpts.slug)


class ImportForm(forms.Form):
    start = forms.DateField(label="Du", **DATE)
    end = forms.DateField(label="Au", **DATE)


@require_POST
def rcp_import(request, slug):
    """The time recorded in the CPTS's held RCP of a period, as paid time of its members."""
    cpts = cpts_for(request, slug, Area.ASSOCIATION, WRITE)
    form = ImportForm(request.POST)
    if not form.is_valid():
        return _page(request, cpts, import_form=form, status=400)
    try:
        done = import_rcp_time(cpts, request.user, start=form.cleaned_data["start"], end=form.cleaned_data["end"])
    except AssociationError as exc:
        return _page(request, cpts, import_form=form, error=str(exc), status=400)
    said = [f"{plural(done.added, 'participation')} {agree(done.added, 'importée')} ({euros(done.cents)})"]
    if done.already:
        said.append(f"{plural(done.already, 'déjà importée', 'déjà importées')}")
    if done.not_members:
        said.append(f"{plural(done.not_members, 'participant')} non {agree(done.not_members, 'adhérent')} à la date")
    messages.success(request, "Temps des RCP : " + ", ".join(said) + ".")
    return redirect("www:association_time", slug=cpts.slug)


def _statement_response(request, cpts, member, year: int, extension: str):
    if not bounds.MIN_YEAR <= year <= bounds.MAX_YEAR:
        raise Http404
    content, name = statements.download(cpts, member, year, extension, request.user)
    kind = XLSX if extension == "xlsx" else DOCX
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def statement_docx(request, slug, member, year):
    cpts = cpts_for(request, slug, Area.ASSOCIATION, READ)
    member = get_object_or_404(Member.objects.of_cpts(cpts), pk=member)
    return _statement_response(request, cpts, member, year, "docx")


def statement_xlsx(request, slug, member, year):
    cpts = cpts_for(request, slug, Area.ASSOCIATION, READ)
    member = get_object_or_404(Member.objects.of_cpts(cpts), pk=member)
    return _statement_response(request, cpts, member, year, "xlsx")


# The members' space: a member's own statements only.


def _own(request, slug):
    cpts = cpts_for(request, slug, Area.ASSOCIATION_SPACE, READ)
    member = member_of(request.user, cpts)
    if member is None:
        raise Http404
    return cpts, member


def space_time(request, slug):
    cpts, member = _own(request, slug)
    years = statements.years_with_time(cpts, member)
    current = timezone.localdate().year
    if current not in years:
        years.insert(0, current)
    rows = []
    for year in years:
        result = statements.statement(cpts, member, year)
        rows.append({"year": year, "time": statements.duration(result.minutes), "amount": euros(result.cents),
                     "entries": len(result.entries)})  # fmt: skip
    latest = statements.statement(cpts, member, years[0])
    entries = [(e, statements.duration(e.minutes), euros(e.amount_cents)) for e in reversed(latest.entries)]
    context = {"cpts": cpts, "member": member, "rows": rows, "latest": latest, "entries": entries}
    return render(request, "association/time/space.html", context)


def space_statement_docx(request, slug, year):
    cpts, member = _own(request, slug)
    return _statement_response(request, cpts, member, year, "docx")


def space_statement_xlsx(request, slug, year):
    cpts, member = _own(request, slug)
    return _statement_response(request, cpts, member, year, "xlsx")
