"""What keeps robots off the public forms (a patient's request, a request to join the association):
a honeypot field people never see, the time the form was shown (signed: robots post at once), and a
rate per address. No third-party captcha."""

from django import forms
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils import timezone

from maillage.core.client_ip import client_ip


class HumanCheck(forms.Form):
    website = forms.CharField(label="Ne pas remplir ce champ", required=False, max_length=200)
    shown = forms.CharField(widget=forms.HiddenInput, max_length=200)

    SIGNER = signing.Signer(salt="doctor_access.public_form")

    @classmethod
    def stamp(cls, at: float | None = None) -> str:
        return cls.SIGNER.sign(str(int(at if at is not None else timezone.now().timestamp())))

    def is_spam(self) -> bool:
        if self.data.get("website"):
            return True
        try:
            shown = int(self.SIGNER.unsign(self.data.get("shown", "")))
        except (signing.BadSignature, ValueError):
            return True
        age = timezone.now().timestamp() - shown
        return not settings.DOCTOR_ACCESS_MIN_FILL_SECONDS <= age <= 24 * 3600


def over_rate(request, name: str) -> bool:
    """At most N posts per address per window, counted in the shared cache (every worker sees the
    same count); the address is the client's behind the trusted proxies."""
    limit, window = settings.DOCTOR_ACCESS_PUBLIC_RATE
    key = f"{name}:public:{client_ip(request)}"
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        count = 1
    return count > limit
