"""Issue 17 — the pages of the mission (names in the `www` namespace; every one has its rows in
tests/test_permissions.py)."""

from django.urls import path

from maillage.www.crisis import response, response_cases, response_stock

urlpatterns: list = [
    # Issue 17 — crise: centres and shifts, supplies, case map
    path("c/<slug:slug>/crises/benevolat/", response.volunteer_space, name="crisis_volunteer"),
    path("c/<slug:slug>/crises/<int:crisis>/centres/", response.response_hub, name="crisis_response"),
    path("c/<slug:slug>/crises/<int:crisis>/centres/nouveau/", response.centre_new, name="crisis_centre_new"),
    path("c/<slug:slug>/crises/<int:crisis>/heures/", response.hours_page, name="crisis_hours"),
    path("c/<slug:slug>/crises/<int:crisis>/heures.xlsx", response.hours_xlsx, name="crisis_hours_xlsx"),
    path("c/<slug:slug>/crises/centres/<int:centre>/", response.centre_detail, name="crisis_centre"),
    path("c/<slug:slug>/crises/centres/<int:centre>/creneaux/", response.shift_new, name="crisis_shift_new"),
    path("c/<slug:slug>/crises/creneaux/<int:shift>/inscription/", response.shift_signup, name="crisis_shift_signup"),
    path("c/<slug:slug>/crises/creneaux/<int:shift>/inscrire/", response.shift_enrol, name="crisis_shift_enrol"),
    path(
        "c/<slug:slug>/crises/inscriptions/<int:signup>/retirer/", response.signup_cancel, name="crisis_signup_cancel"
    ),
    path("c/<slug:slug>/crises/<int:crisis>/stocks/", response_stock.stock, name="crisis_stock"),
    path("c/<slug:slug>/crises/<int:crisis>/stocks/articles/", response_stock.stock_item_new, name="crisis_stock_item"),
    path(
        "c/<slug:slug>/crises/<int:crisis>/stocks/mouvements/", response_stock.stock_movement, name="crisis_stock_move"
    ),
    path("c/<slug:slug>/crises/<int:crisis>/cas/", response_cases.case_map, name="crisis_cases"),
    path("c/<slug:slug>/crises/<int:crisis>/cas.geojson", response_cases.case_geojson, name="crisis_cases_geojson"),
    path("c/<slug:slug>/crises/<int:crisis>/cas/saisir/", response_cases.case_enter, name="crisis_cases_enter"),
    path("c/<slug:slug>/crises/<int:crisis>/cas/importer/", response_cases.case_import, name="crisis_cases_import"),
]
