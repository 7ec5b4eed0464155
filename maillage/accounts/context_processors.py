from maillage.accounts.roles import roles_of


def roles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": [], "active_role": None}
    return {"user_roles": list(roles_of(user)), "active_role": getattr(request, "role", None)}
