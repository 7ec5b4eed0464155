"""Settings for running several processes behind a proxy: the shared cache, the trusted proxies
and the logs. Parsed strictly, like config/env.py: a typo in a deployment must fail at start."""

import ipaddress

from django.core.exceptions import ImproperlyConfigured

# The database cache's table; a migration of maillage.core creates it (`migrate` is enough).
CACHE_TABLE = "maillage_cache"


def cache_from_url(url: str) -> dict:
    """The default cache from MAILLAGE_CACHE_URL. Empty: the database, so that every gunicorn
    worker and every machine counts the same login failures. `redis://` (or `rediss://`, also
    for Valkey): Django's RedisCache, which needs the `redis` package (not a dependency of
    Maillage: install it in the virtual environment to use this option). `locmem://`: one
    process only (tests)."""
    scheme = url.split("://", 1)[0].lower() if "://" in url else url.lower()
    if scheme in ("", "db", "database"):
        # Past MAX_ENTRIES Django culls a third of the entries: with the default 300, a burst of
        # login attempts from many addresses would erase the counts of the others.
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": CACHE_TABLE,
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    if scheme in ("redis", "rediss", "valkey", "valkeys"):
        try:
            import redis  # noqa: F401 (only to refuse the setting early)
        except ImportError:
            raise ImproperlyConfigured(
                "MAILLAGE_CACHE_URL désigne un serveur Redis ou Valkey, mais le paquet Python « redis » "
                "n'est pas installé : installez-le dans l'environnement virtuel (pip install redis) "
                "ou retirez ce réglage pour utiliser le cache en base de données."
            ) from None
        location = "redis" + url[len("valkey") :] if scheme.startswith("valkey") else url
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": location}
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    raise ImproperlyConfigured(
        f"MAILLAGE_CACHE_URL={url!r} : adresse non reconnue (attendu : vide pour la base de données, "
        "redis://hôte:port/0, rediss://… ou locmem://)."
    )


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_proxies(raw: str) -> int | tuple[Network, ...]:
    """MAILLAGE_TRUSTED_PROXIES: empty or 0 when clients reach the application directly; a number
    of proxies in front (nginx alone: 1); or their addresses and networks, comma-separated."""
    raw = raw.strip()
    if not raw:
        return 0
    if raw.isdigit():
        return int(raw)
    return _networks(
        "MAILLAGE_TRUSTED_PROXIES", raw, "un nombre de mandataires (1) ou une liste d'adresses (127.0.0.1, 10.0.0.0/8)"
    )


def sas_trusted_proxies(raw: str) -> tuple[Network, ...]:
    """MAILLAGE_SAS_TRUSTED_PROXIES: the addresses of the proxies that terminate the SAS's mutual TLS
    and pass the client certificate's subject. Addresses only, never a count: a header that
    authenticates is believed from a known peer, not from whoever happens to stand in front."""
    return _networks("MAILLAGE_SAS_TRUSTED_PROXIES", raw, "une liste d'adresses ou de réseaux (127.0.0.1, 10.0.0.0/8)")


def _networks(name: str, raw: str, expected: str) -> tuple[Network, ...]:
    networks = []
    for item in raw.split(","):
        item = item.strip()
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} : « {item} » n'est ni une adresse IP ni un réseau (CIDR) ; attendu : {expected}."
            ) from None
    return tuple(networks)


def seconds(name: str, raw: str) -> int:
    if not raw.isdigit() or int(raw) == 0:
        raise ImproperlyConfigured(f"{name}={raw!r} : durée en secondes attendue, par exemple 900.")
    return int(raw)


def logging_config(fmt: str, level: str, admins: bool = False) -> dict:
    """stdlib logging only: every record carries the request id (a filter); `json` writes one
    JSON object per line for a log collector, `text` a readable line. With `admins`, errors are
    also emailed to DJANGO_ADMINS, scrubbed (maillage.core.error_reports)."""
    if fmt not in ("text", "json"):
        raise ImproperlyConfigured(f"MAILLAGE_LOG_FORMAT={fmt!r} : attendu « text » ou « json ».")
    formatters = {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "maillage.core.observability.JsonFormatter"},
    }
    handlers = {"console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": "main"}}
    if admins:
        handlers["admins"] = {"()": "maillage.core.error_reports.AdminsEmailHandler", "filters": ["request_id"]}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "maillage.core.observability.RequestIdFilter"}},
        "formatters": {"main": formatters[fmt]},
        "handlers": handlers,
        "root": {"handlers": list(handlers), "level": level},
        # Django's own "django" logger would keep its AdminEmailHandler, which mails the request's
        # data and frame variables from inside the request: its records go to the root instead.
        "loggers": {"django": {"handlers": [], "level": level, "propagate": True}},
    }
