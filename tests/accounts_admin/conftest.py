import re
from datetime import timedelta

import pytest
from django.utils import timezone

from maillage.accounts import actions
from maillage.core.jobs import run_pending
from tests.factories import RoleFactory

SITE = "http://testserver/"


def link_path(mail) -> str:
    """The path of the invitation link an email carries."""
    return re.search(r"http://testserver(/invitation/[^/\s]+/)", mail.body).group(1)


def token_of(mail) -> str:
    return link_path(mail).split("/")[2]


@pytest.fixture
def invite(idf, coordinator, mailoutbox, django_capture_on_commit_callbacks):
    """Invite `email` to cmv as `kind`; returns (invitation, token of the link the email carries)."""

    def make(email="nouvelle@exemple.fr", kind="regulator", cpts=None):
        with django_capture_on_commit_callbacks(execute=True):
            invitation = actions.invite(cpts or idf["cmv"], email, kind, actor=coordinator, site_url=SITE)
        run_pending()  # the worker sends the email
        return invitation, token_of(mailoutbox[-1])

    return make


def expire(invitation):
    invitation.expires_at = timezone.now() - timedelta(minutes=1)
    invitation.save(update_fields=["expires_at"])


@pytest.fixture
def regulator_role(idf):
    return RoleFactory(regulator=True, cpts=idf["cmv"])
