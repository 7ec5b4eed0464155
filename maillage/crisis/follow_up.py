"""Issue 17 — home follow-up during a crisis: pathways of the library's template « suivi à domicile
en période de crise » (crisis migration 0004). No patient is stored by the crisis app: the list is
the pathways' own, read through maillage/pathways/access.py (care team, consent) and audited as a
read of health data, like the pathways' list."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from maillage.core import audit
from maillage.pathways import access
from maillage.pathways.models import PathwayTemplate

CODE = "suivi-domicile-crise"
LIMIT = 200


def template_for(cpts):
    """The template a coordinator enrols with: the CPTS's own published copy of it if any, else the
    library's."""
    usable = PathwayTemplate.objects.usable_by(cpts).filter(code=CODE)
    own = usable.filter(cpts=cpts).order_by("-number").first()
    return own or usable.filter(cpts__isnull=True).order_by("-number").first()


def pathways_of(user, crisis) -> list:
    """The pathways of the template (any version, the CPTS's copies included) enrolled during the
    crisis that `user` may open; the read audited with the health-data flag."""
    start = timezone.make_aware(datetime.combine(crisis.starts_on, time.min))
    found = access.visible_to(user, crisis.cpts).filter(template__code=CODE, created_at__gte=start)
    if crisis.ends_on is not None:
        end = timezone.make_aware(datetime.combine(crisis.ends_on + timedelta(days=1), time.min))
        found = found.filter(created_at__lt=end)
    pathways = list(found.select_related("template", "commune").order_by("-created_at", "-id")[:LIMIT])
    audit.record_health_read(
        "crisis.follow_up.viewed", actor=user, cpts=crisis.cpts, obj=crisis,
        details={"parcours": [pathway.reference for pathway in pathways]},
    )  # fmt: skip
    return pathways
