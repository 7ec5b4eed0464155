"""The topology test's data, written on the primary by a process of its own (the test process has
no database of its own): `python -m tests.topology.world` with DATABASE_URL set prints what the
test needs as one JSON line. Built with the suite's factories, as the other tests' data is."""

import json
from datetime import timedelta


def build() -> dict:
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.utils import timezone

    from maillage.unscheduled.actions.slots import open_slot
    from maillage.unscheduled.enums import Kind
    from maillage.unscheduled.models import CareRequest
    from tests.conftest import build_idf
    from tests.factories import PASSWORD, ActivityFactory, ProfessionalFactory, RoleFactory

    idf = build_idf()
    cmv = idf["cmv"]
    gp = ProfessionalFactory(last_name="Bernard")
    ActivityFactory(professional=gp, commune=idf["communes"]["92046"])
    member = RoleFactory(cpts=cmv).user
    users = {}
    for name, kind in (("regulator", {"regulator": True}), ("coordinator", {"coordinator": True})):
        user = RoleFactory(cpts=cmv, **kind).user
        secret = generate_totp_secret()
        TOTP.activate(user, secret)
        users[name] = {"email": user.email, "secret": secret}
    now = timezone.now().replace(second=0, microsecond=0)
    soon = now + timedelta(hours=2, minutes=-(now.minute % 15))
    slots = [
        open_slot(cmv, gp, member, start=soon + timedelta(minutes=30 * n), end=soon + timedelta(minutes=30 * n + 20),
                  kind=Kind.PRACTICE, types=("CPTS", "SNP")).pk
        for n in range(4)
    ]  # fmt: skip
    requests = [
        CareRequest.objects.create(cpts=cmv, last_name=f"Patient{n}", first_name="Jeanne", phone="0600000000",
                                   commune=idf["communes"]["92020"], reason="fièvre depuis trois jours").pk
        for n in range(4)
    ]  # fmt: skip
    return {
        "password": PASSWORD,
        "member": member.email,
        "users": users,
        "gp": gp.national_id,
        "slots": slots,
        "requests": requests,
    }


if __name__ == "__main__":
    import django

    django.setup()
    print(json.dumps(build()))
