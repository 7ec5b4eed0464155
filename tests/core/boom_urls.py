"""A URLconf for the error-report tests only: one view that fails while holding patient data."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from django.views.decorators.csrf import csrf_exempt


@login_not_required
@csrf_exempt
def boom(request):
    patient = "Jeanne Lefèvre, 185057800608436"  # noqa: F841 (a frame variable that must not be reported)
    raise ValueError("Patient introuvable : jeanne.lefevre@exemple.fr, 06 12 34 56 78, /recherche?nom=Lefèvre")


urlpatterns = [path("boom/", boom)]
