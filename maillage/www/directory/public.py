"""The public directory of a CPTS: open data of the territory, plus what each member published."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404, render

from maillage.core.replicas import replica_reads
from maillage.directory import search
from maillage.territory.models import Cpts
from maillage.www.directory.forms import PublicSearchForm
from maillage.www.directory.views import PAGE_SIZE
from maillage.www.paging import CappedPaginator


@login_not_required
@replica_reads
def directory(request, slug):
    cpts = get_object_or_404(Cpts, slug=slug)
    form = PublicSearchForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    pros = search.public_professionals(data, cpts)
    structures = search.structures({"name": data.get("name", ""), "scope": search.TERRITORY}, cpts)
    params = request.GET.copy()
    params.pop("page", None)
    pros_query = params.urlencode()
    params = request.GET.copy()
    params.pop("spage", None)
    return render(
        request,
        "directory/public.html",
        {
            "cpts": cpts,
            "form": form,
            "pros": CappedPaginator(pros, PAGE_SIZE).get_page(request.GET.get("page")),
            "structures": CappedPaginator(structures, PAGE_SIZE).get_page(request.GET.get("spage")),
            "pros_query": pros_query,
            "structures_query": params.urlencode(),
        },
    )
