"""The project's URLs plus /__bench__/bare: a view returning a fixed string, the baseline a
benchmark compares the real pages with (same server, same middleware, no database work). Only
config.bench_settings uses this URLconf; it is never part of the application's URLs."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import path

from config.urls import handler400, handler404, handler500
from config.urls import urlpatterns as project_urlpatterns

__all__ = ["handler400", "handler404", "handler500", "urlpatterns"]


@login_not_required
def bare(request):
    return HttpResponse("Bonjour.", content_type="text/plain; charset=utf-8")


urlpatterns = [path("__bench__/bare", bare, name="bench_bare"), *project_urlpatterns]
