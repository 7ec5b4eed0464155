"""Which role a request acts under. The active role lives in the session; it is only a choice
among the user's roles, so a forged session value can select nothing the user does not hold."""

from maillage.accounts.models import SECOND_FACTOR_ROLES, Role, RoleKind

SESSION_KEY = "maillage_active_role"


def roles_of(user):
    if not user.is_authenticated:
        return Role.objects.none()
    return Role.objects.filter(user=user).select_related("cpts", "region")


def active_role(request):
    roles = list(roles_of(request.user))
    if not roles:
        return None
    chosen = request.session.get(SESSION_KEY)
    for role in roles:
        if role.pk == chosen:
            return role
    return roles[0]


def needs_second_factor(user) -> bool:
    """Whoever reads patient data or grants access; a staff account reaches the Django admin, where
    every role is granted, whatever its roles say."""
    return user.is_staff or user.is_superuser or roles_of(user).filter(kind__in=SECOND_FACTOR_ROLES).exists()


def is_admin(user) -> bool:
    return user.is_authenticated and (user.is_superuser or roles_of(user).filter(kind=RoleKind.ADMIN).exists())
