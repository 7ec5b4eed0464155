from django.contrib import admin
from django.urls import include, path

from maillage.accounts.views import admin_login
from maillage.api.urls import urls as api_urls

urlpatterns = [
    # Before the admin's own login: one login for everyone, throttled and with the second factor.
    path("admin/login/", admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", api_urls()),
    path("fhir/", include("maillage.fhir.urls")),
    path("", include("maillage.www.urls")),
]

handler400 = "maillage.www.errors.bad_request"
handler404 = "maillage.www.errors.not_found"
handler500 = "maillage.www.errors.server_error"
