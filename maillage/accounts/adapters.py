from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter

from maillage.core.client_ip import client_ip
from maillage.core.mail import enqueue_email


class _Queued:
    """An email allauth rendered (password reset…), handed to the queue when allauth sends it."""

    def __init__(self, message):
        self.message = message

    def send(self, fail_silently=False):
        for to in self.message.to:
            enqueue_email(to, self.message.subject, self.message.body)


class AccountAdapter(DefaultAccountAdapter):
    """No open sign-up: a coordinator or an admin creates accounts and gives roles."""

    def is_open_for_signup(self, request):
        return False

    def render_mail(self, template_prefix, email, context, headers=None):
        # allauth's emails leave through the worker too, never inside the request (core/mail.py).
        return _Queued(super().render_mail(template_prefix, email, context, headers))

    def get_login_stages(self):
        # Our TOTP step knows that a Pro Santé Connect login needs none (second_factor.py).
        allauths, ours = "allauth.mfa.stages.AuthenticateStage", "maillage.accounts.second_factor.AuthenticateUnlessPsc"
        return [ours if stage == allauths else stage for stage in super().get_login_stages()]

    def _get_login_attempts_cache_key(self, request, **credentials):
        # allauth prefixes the login with the request's host, port included: each Host header
        # (« site.fr:1 », « site.fr:2 »…, all allowed by ALLOWED_HOSTS) would get its own 5
        # attempts, and two servers reached on different ports would not count together. The
        # per-account limit is the account's, whatever the address used to reach us.
        return str(credentials.get("email", credentials.get("username", ""))).lower()

    def get_client_ip(self, request):
        # The address the rate limits count: ours reads X-Forwarded-For only from trusted proxies
        # (settings.TRUSTED_PROXIES), allauth's own would need a second, separate setting.
        return client_ip(request) or super().get_client_ip(request)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Pro Santé Connect logs in existing accounts only; it never creates one."""

    def is_open_for_signup(self, request, sociallogin):
        return False
