"""Strict parsing of environment variables: a typo in a deployment must fail loudly."""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on", "oui"}
_FALSE = {"0", "false", "no", "off", "non", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} : valeur booléenne attendue (1/0, true/false).")


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_share(name: str, default: float) -> float:
    """A share between 0 (excluded) and 1, written 0.05."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = float(raw.strip().replace(",", "."))
    except ValueError:
        value = -1.0
    if not 0 < value <= 1:
        raise ImproperlyConfigured(f"{name}={raw!r} : part attendue entre 0 et 1, par exemple 0.05 pour 5 %.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]
