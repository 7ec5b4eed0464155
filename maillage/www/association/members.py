"""The coordination's pages of the association: its home, the members (list, record, edit, validate
an application, strike off) and the rules of the statutes."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from maillage.association import statutes as statutes_of
from maillage.association.actions import AssociationError
from maillage.association.actions import members as actions
from maillage.association.actions.statutes import update_statutes
from maillage.association.models import College, Member
from maillage.core.versioning import StaleEdit
from maillage.www.association.forms import CancelForm, MemberForm, StatutesForm
from maillage.www.feedback import form_errors
from maillage.www.scoping import READ, WRITE, Area, cpts_for

PAGE_SIZE = 50


def _cpts(request, slug, action=READ):
    cpts = cpts_for(request, slug, Area.ASSOCIATION, action)
    statutes_of.of(cpts)
    return cpts


def _member(request, slug, pk, action=READ):
    cpts = _cpts(request, slug, action)
    member = get_object_or_404(
        Member.objects.of_cpts(cpts).select_related("college", "professional", "structure", "commune", "user"), pk=pk
    )
    return cpts, member


def home(request, slug):
    cpts = _cpts(request, slug)
    members = Member.objects.of_cpts(cpts)
    counts = dict(members.values_list("status").annotate(n=Count("pk")).order_by())
    context = {
        "cpts": cpts,
        "counts": [(status, label, counts.get(status, 0)) for status, label in Member.Status.choices],
        "applications": members.filter(status=Member.Status.PENDING, validated_on=None, cancelled_on=None).count(),
        "colleges": College.objects.filter(cpts=cpts).annotate(
            voting=Count("members", filter=Q(members__status__in=[Member.Status.CURRENT, Member.Status.GRACE]))
        ),
    }
    return render(request, "association/home.html", context)


def member_list(request, slug):
    cpts = _cpts(request, slug)
    members = Member.objects.of_cpts(cpts).select_related("college", "commune")
    college = request.GET.get("college", "")
    status = request.GET.get("status", "")
    query = request.GET.get("q", "").strip()[:100]
    if college.isdigit():
        members = members.filter(college_id=int(college))
    if status in Member.Status.values:
        members = members.filter(status=status)
    if query:
        members = members.filter(
            Q(last_name__icontains=query) | Q(first_name__icontains=query) | Q(name__icontains=query)
        )
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "cpts": cpts,
        "page": page,
        "colleges": College.objects.filter(cpts=cpts),
        "statuses": Member.Status.choices,
        "filters": {"college": college, "status": status, "q": query},
    }
    return render(request, "association/members/list.html", context)


def member_new(request, slug):
    cpts = _cpts(request, slug, WRITE)
    form = MemberForm(request.POST or None, cpts=cpts, version=0)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                member = actions.create_member(cpts, form.member_data(), actor=request.user)
            except AssociationError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"L'adhésion de {member.display_name} est enregistrée.")
                return redirect("www:association_member", slug=cpts.slug, pk=member.pk)
        status = 400
    return render(request, "association/members/form.html", {"cpts": cpts, "form": form}, status=status)


def member_detail(request, slug, pk):
    cpts, member = _member(request, slug, pk)
    status = 200
    if request.method == "POST":
        cpts, member = _member(request, slug, pk, WRITE)
        form = MemberForm(request.POST, cpts=cpts)
        if form.is_valid():
            try:
                actions.update_member(member, form.member_data(), actor=request.user, version=form.expected_version)
            except StaleEdit as exc:
                form.refuse(exc, MemberForm.initial_of(exc.current) if exc.current else None)
            except AssociationError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "La fiche de l'adhérent est enregistrée.")
                return redirect("www:association_member", slug=cpts.slug, pk=member.pk)
        status = 400
    else:
        form = MemberForm(cpts=cpts, initial=MemberForm.initial_of(member), version=member.version)
    context = {
        "cpts": cpts,
        "member": member,
        "form": form,
        "transitions": member.transitions.select_related("author"),
        "awaits_validation": member.validated_on is None and member.cancelled_on is None,
    }
    return render(request, "association/members/detail.html", context, status=status)


def _attempt(request, write, success) -> None:
    try:
        write()
    except AssociationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success)


@require_POST
def member_validate(request, slug, pk):
    cpts, member = _member(request, slug, pk, WRITE)
    _attempt(request, lambda: actions.validate(member, actor=request.user), "La demande d'adhésion est validée.")
    return redirect("www:association_member", slug=cpts.slug, pk=member.pk)


@require_POST
def member_cancel(request, slug, pk):
    cpts, member = _member(request, slug, pk, WRITE)
    form = CancelForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
    else:
        _attempt(
            request,
            lambda: actions.cancel(member, actor=request.user, reason=form.cleaned_data["reason"]),
            "L'adhérent est radié ; son historique est conservé.",
        )
    return redirect("www:association_member", slug=cpts.slug, pk=member.pk)


def statutes(request, slug):
    cpts = _cpts(request, slug)
    current = statutes_of.of(cpts)
    status = 200
    if request.method == "POST":
        cpts = _cpts(request, slug, WRITE)
        form = StatutesForm(request.POST, instance=current)
        if form.is_valid():
            try:
                update_statutes(current, form.cleaned_data, actor=request.user, version=form.expected_version)
            except StaleEdit as exc:
                form.refuse(exc)
            except AssociationError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "Les règles des statuts sont enregistrées.")
                return redirect("www:association_statutes", slug=cpts.slug)
        status = 400
    else:
        form = StatutesForm(instance=current)
    context = {"cpts": cpts, "form": form, "colleges": College.objects.filter(cpts=cpts)}
    return render(request, "association/statutes.html", context, status=status)
