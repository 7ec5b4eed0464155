"""Issue 17 — the pages of the mission (names in the `www` namespace; every one has its rows in
tests/test_permissions.py)."""

from django.urls import path

from maillage.www.prevention import views

urlpatterns: list = [
    path("c/<slug:slug>/prevention/", views.campaign_list, name="prevention_campaigns"),
    path("c/<slug:slug>/prevention/nouvelle/", views.campaign_new, name="prevention_campaign_new"),
    path("c/<slug:slug>/prevention/<int:pk>/", views.campaign_detail, name="prevention_campaign"),
    path("c/<slug:slug>/prevention/<int:pk>/modifier/", views.campaign_edit, name="prevention_campaign_edit"),
    path("c/<slug:slug>/prevention/<int:pk>/actions/", views.event_new, name="prevention_event_new"),
    path("c/<slug:slug>/prevention/<int:pk>/rapport.docx", views.campaign_report, name="prevention_campaign_report"),
    path("c/<slug:slug>/prevention/actions/<int:pk>/resultats/", views.event_results, name="prevention_event_results"),
    path("cpts/<slug:slug>/prevention.ics", views.public_ical, name="prevention_public_ical"),
]
