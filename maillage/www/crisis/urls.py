"""Issue 17 — the pages of the mission (names in the `www` namespace; every one has its rows in
tests/test_permissions.py)."""

from django.urls import path

from maillage.www.crisis import plan, response, response_cases, response_stock

urlpatterns: list = [
    # Issue 17 — crise: plan, activation, home follow-up, RETEX (maillage/www/crisis/plan.py)
    path("c/<slug:slug>/crise/", plan.crisis_home, name="crisis_home"),
    path("c/<slug:slug>/crise/plan/", plan.plan_detail, name="crisis_plan"),
    path("c/<slug:slug>/crise/plan/modifier/", plan.plan_edit, name="crisis_plan_edit"),
    path("c/<slug:slug>/crise/plan/adopter/", plan.plan_adopt, name="crisis_plan_adopt"),
    path("c/<slug:slug>/crise/plan/<slug:part>/ajouter/", plan.plan_add, name="crisis_plan_add"),
    path("c/<slug:slug>/crise/plan/<slug:part>/<int:pk>/retirer/", plan.plan_remove, name="crisis_plan_remove"),
    path("c/<slug:slug>/crise/plan.docx", plan.plan_docx, name="crisis_plan_docx"),
    path("c/<slug:slug>/crise/declarer/", plan.crisis_declare, name="crisis_declare"),
    path("c/<slug:slug>/crise/<int:pk>/", plan.crisis_detail, name="crisis_detail"),
    path("c/<slug:slug>/crise/<int:pk>/reconnaitre/", plan.crisis_recognise, name="crisis_recognise"),
    path("c/<slug:slug>/crise/<int:pk>/cloturer/", plan.crisis_close, name="crisis_close"),
    path("c/<slug:slug>/crise/<int:pk>/alerter/", plan.crisis_alert, name="crisis_alert"),
    path("c/<slug:slug>/crise/<int:pk>/suivi-a-domicile/", plan.crisis_follow_up, name="crisis_follow_up"),
    path("c/<slug:slug>/crise/<int:pk>/retex/", plan.crisis_retex, name="crisis_retex"),
    path("c/<slug:slug>/crise/<int:pk>/retex/actions/", plan.crisis_retex_action, name="crisis_retex_action"),
    path(
        "c/<slug:slug>/crise/<int:pk>/retex/actions/<int:action_pk>/realisee/",
        plan.crisis_retex_done,
        name="crisis_retex_done",
    ),
    # Issue 17 — crise: centres and shifts, supplies, case map
    path("c/<slug:slug>/crise/benevolat/", response.volunteer_space, name="crisis_volunteer"),
    path("c/<slug:slug>/crise/<int:crisis>/centres/", response.response_hub, name="crisis_response"),
    path("c/<slug:slug>/crise/<int:crisis>/centres/nouveau/", response.centre_new, name="crisis_centre_new"),
    path("c/<slug:slug>/crise/<int:crisis>/heures/", response.hours_page, name="crisis_hours"),
    path("c/<slug:slug>/crise/<int:crisis>/heures.xlsx", response.hours_xlsx, name="crisis_hours_xlsx"),
    path("c/<slug:slug>/crise/centres/<int:centre>/", response.centre_detail, name="crisis_centre"),
    path("c/<slug:slug>/crise/centres/<int:centre>/creneaux/", response.shift_new, name="crisis_shift_new"),
    path("c/<slug:slug>/crise/creneaux/<int:shift>/inscription/", response.shift_signup, name="crisis_shift_signup"),
    path("c/<slug:slug>/crise/creneaux/<int:shift>/inscrire/", response.shift_enrol, name="crisis_shift_enrol"),
    path("c/<slug:slug>/crise/inscriptions/<int:signup>/retirer/", response.signup_cancel, name="crisis_signup_cancel"),
    path("c/<slug:slug>/crise/<int:crisis>/stocks/", response_stock.stock, name="crisis_stock"),
    path("c/<slug:slug>/crise/<int:crisis>/stocks/articles/", response_stock.stock_item_new, name="crisis_stock_item"),
    path(
        "c/<slug:slug>/crise/<int:crisis>/stocks/mouvements/", response_stock.stock_movement, name="crisis_stock_move"
    ),
    path("c/<slug:slug>/crise/<int:crisis>/cas/", response_cases.case_map, name="crisis_cases"),
    path("c/<slug:slug>/crise/<int:crisis>/cas.geojson", response_cases.case_geojson, name="crisis_cases_geojson"),
    path("c/<slug:slug>/crise/<int:crisis>/cas/saisir/", response_cases.case_enter, name="crisis_cases_enter"),
    path("c/<slug:slug>/crise/<int:crisis>/cas/importer/", response_cases.case_import, name="crisis_cases_import"),
]
