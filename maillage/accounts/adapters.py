from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """No open sign-up: a coordinator or an admin creates accounts and gives roles."""

    def is_open_for_signup(self, request):
        return False


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Pro Santé Connect logs in existing accounts only; it never creates one."""

    def is_open_for_signup(self, request, sociallogin):
        return False
