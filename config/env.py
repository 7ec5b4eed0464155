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


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        value = minimum - 1
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} : nombre entier attendu, au moins {minimum}.")
    return value


def env_secret(name: str, default: str = "") -> str:
    """A secret from NAME, or from the file that NAME_FILE points to (a container or systemd
    credential): the file's content, stripped. Both at once is ambiguous, so it is refused."""
    path = os.environ.get(f"{name}_FILE", "").strip()
    if not path:
        return env_str(name, default)
    if os.environ.get(name, "").strip():
        raise ImproperlyConfigured(f"{name} et {name}_FILE sont définies toutes les deux : gardez-en une seule.")
    try:
        with open(path, encoding="utf-8") as secret_file:
            return secret_file.read().strip()
    except OSError as error:
        raise ImproperlyConfigured(f"{name}_FILE={path!r} : fichier illisible ({error.strerror}).") from None
