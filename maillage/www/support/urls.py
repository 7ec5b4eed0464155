"""Issue 17 — the pages of the mission « accompagnement des professionnels » (names in the `www`
namespace; every one has its rows in tests/test_permissions.py)."""

from django.urls import path

from maillage.www.support import coordination, public, space

COORDINATION = "c/<slug:slug>/accompagnement/"
SPACE = "c/<slug:slug>/annonces-installation/"

urlpatterns: list = [
    # Public: the attractiveness of the territory and the published offers.
    path("cpts/<slug:slug>/installation/", public.installation, name="support_public"),
    path("cpts/<slug:slug>/installation/zonage.geojson", public.zoning_map, name="support_map"),
    path("cpts/<slug:slug>/installation/annonces/<int:pk>/", public.public_offer, name="support_public_offer"),
    # The coordination (Area.SUPPORT).
    path(COORDINATION, coordination.home, name="support_home"),
    path(COORDINATION + "reglages/", coordination.settings_page, name="support_settings"),
    path(COORDINATION + "annonces/", coordination.offer_list, name="support_offers"),
    path(COORDINATION + "annonces/nouvelle/", coordination.offer_new, name="support_offer_new"),
    path(COORDINATION + "annonces/<int:pk>/", coordination.offer_detail, name="support_offer"),
    path(COORDINATION + "annonces/<int:pk>/etat/", coordination.offer_move, name="support_offer_move"),
    path(COORDINATION + "nouveaux-installes/", coordination.newcomer_list, name="support_newcomers"),
    path(COORDINATION + "nouveaux-installes/rechercher/", coordination.detect, name="support_detect"),
    path(COORDINATION + "nouveaux-installes/declarer/", coordination.declare, name="support_declare"),
    path(COORDINATION + "nouveaux-installes/<int:pk>/", coordination.newcomer_detail, name="support_newcomer"),
    path(
        COORDINATION + "nouveaux-installes/<int:pk>/accueil/",
        coordination.newcomer_welcome,
        name="support_newcomer_welcome",
    ),
    path(COORDINATION + "nouveaux-installes/<int:pk>/suivi/", coordination.newcomer_move, name="support_newcomer_move"),
    # Members and communes' representatives (Area.SUPPORT_OFFERS): their own offers.
    path(SPACE, space.my_offers, name="support_my_offers"),
    path(SPACE + "nouvelle/", space.my_offer_new, name="support_my_offer_new"),
    path(SPACE + "<int:pk>/etat/", space.my_offer_move, name="support_my_offer_move"),
]
