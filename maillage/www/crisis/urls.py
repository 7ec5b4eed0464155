"""Issue 17 — the pages of the mission (names in the `www` namespace; every one has its rows in
tests/test_permissions.py)."""

from django.urls import path

from maillage.www.crisis import plan

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
]
