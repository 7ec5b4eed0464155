from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


@login_not_required
def admin_login(request):
    """Django admin's own login form is a second door without the login throttle or the second
    factor: /admin/login/ (whatever the method) sends everyone to allauth's login, `next` kept."""
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = reverse("admin:index")
    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")
    if request.user.is_staff:
        return redirect(next_url)
    # The admin sends a logged-in user without staff rights here, and allauth would send them back.
    messages.error(request, "Votre compte n'a pas accès à l'administration de la plateforme.")
    return redirect("www:home_dashboard")
