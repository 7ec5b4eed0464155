"""Settings for running several processes behind a proxy: the shared cache, the trusted proxies
and the logs. Parsed strictly, like config/env.py: a typo in a deployment must fail at start."""

import ipaddress
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from maillage.core.french import agree

# The database cache's table; a migration of maillage.core creates it (`migrate` is enough).
CACHE_TABLE = "maillage_cache"


def cache_from_url(url: str) -> dict:
    """The default cache from MAILLAGE_CACHE_URL. Empty: the database, so that every gunicorn
    worker and every machine counts the same login failures. `redis://` (or `rediss://`, and
    `valkey://`, `valkeys://` for Valkey): Django's RedisCache through maillage.core.cache, which
    keeps the site serving while the server is down and closes the logins (ADR 0033); several
    servers, comma-separated, are Django's (writes to the first). `locmem://`: one process only
    (tests)."""
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
        servers = [server.strip() for server in url.split(",") if server.strip()]
        locations = [_redis_location(server) for server in servers]
        return {"BACKEND": "maillage.core.cache.ResilientRedisCache", "LOCATION": ",".join(locations)}
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    raise ImproperlyConfigured(
        f"MAILLAGE_CACHE_URL={_masked(url)!r} : adresse non reconnue (attendu : vide pour la base de données, "
        "redis://hôte:port/0, rediss://…, valkey://… ou locmem://)."
    )


def _redis_location(url: str) -> str:
    """One server's URL as redis-py reads it (valkey:// is redis://), refused early when it is not
    one: redis-py would only fail at the first request."""
    scheme, _, rest = url.partition("://")
    scheme = scheme.lower()
    if scheme not in ("redis", "rediss", "valkey", "valkeys"):
        raise ImproperlyConfigured(
            f"MAILLAGE_CACHE_URL : « {scheme}:// » ne désigne pas un serveur Redis ou Valkey ; tous les "
            "serveurs de la liste s'écrivent redis://, rediss://, valkey:// ou valkeys://."
        )
    location = ("redis" + scheme[len("valkey") :] if scheme.startswith("valkey") else scheme) + "://" + rest
    parts = urlsplit(location)
    try:
        port = parts.port
    except ValueError:
        port = -1
    database = parts.path.strip("/")
    if not parts.hostname or port == -1 or (database and not database.isdigit()):
        raise ImproperlyConfigured(
            f"MAILLAGE_CACHE_URL : « {_masked(url)} » n'est pas une adresse de serveur lisible ; attendu "
            "redis://hôte:port/numéro-de-base, par exemple redis://127.0.0.1:6379/0 (mot de passe éventuel : "
            "redis://:mot-de-passe@hôte:6379/0)."
        )
    return location


def _masked(url: str) -> str:
    """The URL without its password, for an error message that may end up in a log."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[-1]
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return parts._replace(netloc=user + netloc).geturl()


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


def media_storage(
    kind: str,
    *,
    media_root: str,
    bucket: str,
    endpoint_url: str,
    region: str,
    prefix: str,
    access_key: str,
    secret_key: str,
    production: bool,
) -> dict:
    """STORAGES["default"] from MAILLAGE_MEDIA_STORAGE (ADR 0033): `filesystem` (the default),
    MAILLAGE_MEDIA_ROOT, a volume every app server mounts when there are several; `s3`, a bucket
    of an S3-compatible object store through django-storages. Either way the files are read and
    written through Django's storage API and downloaded only through the scoped, audited views:
    no public URL, no presigned link is ever handed out."""
    kind = kind.strip().lower() or "filesystem"
    s3_settings = {
        "MAILLAGE_S3_BUCKET": bucket,
        "MAILLAGE_S3_ENDPOINT_URL": endpoint_url,
        "MAILLAGE_S3_REGION": region,
        "MAILLAGE_S3_PREFIX": prefix,
        "MAILLAGE_S3_ACCESS_KEY_ID": access_key,
        "MAILLAGE_S3_SECRET_ACCESS_KEY": secret_key,
    }
    if kind == "filesystem":
        stray = [name for name, value in s3_settings.items() if value]
        if stray:
            raise ImproperlyConfigured(
                f"{', '.join(stray)} {agree(len(stray), 'est définie', 'sont définies')} mais "
                "MAILLAGE_MEDIA_STORAGE n'est pas « s3 » : les documents seraient écrits sur le disque "
                f"({media_root}). Ajoutez MAILLAGE_MEDIA_STORAGE=s3 ou retirez ces réglages."
            )
        # No explicit location: FileSystemStorage follows settings.MEDIA_ROOT (and the tests' changes to it).
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind != "s3":
        raise ImproperlyConfigured(f"MAILLAGE_MEDIA_STORAGE={kind!r} : attendu « filesystem » (par défaut) ou « s3 ».")
    missing = []
    if not bucket:
        missing.append("MAILLAGE_S3_BUCKET (le nom du compartiment)")
    if bool(access_key) != bool(secret_key):
        missing.append(
            "MAILLAGE_S3_SECRET_ACCESS_KEY (la clé secrète)"
            if access_key
            else "MAILLAGE_S3_ACCESS_KEY_ID (la clé d'accès)"
        )
    if production and not region:
        missing.append("MAILLAGE_S3_REGION (la région du compartiment, par exemple fr-par)")
    if missing:
        raise ImproperlyConfigured(
            "MAILLAGE_MEDIA_STORAGE=s3 : configuration incomplète, il manque " + " ; ".join(missing) + "."
        )
    if endpoint_url and not endpoint_url.startswith(("https://", "http://")):
        raise ImproperlyConfigured(
            f"MAILLAGE_S3_ENDPOINT_URL={endpoint_url!r} : adresse https:// attendue, par exemple "
            "https://s3.fr-par.scw.cloud."
        )
    if production and endpoint_url.startswith("http://"):
        raise ImproperlyConfigured(
            "MAILLAGE_S3_ENDPOINT_URL en http:// est refusée en production : les documents (données de santé) "
            "ne circulent qu'en https://."
        )
    options = {
        "bucket_name": bucket,
        "location": prefix.strip("/"),
        # Names are random already (upload_to); a collision must never replace another CPTS's file,
        # as FileSystemStorage never does.
        "file_overwrite": False,
        # The bucket's own policy (private); some stores refuse ACL headers altogether.
        "default_acl": None,
        # Never used (no view hands out a file's URL), but if one ever were, it would expire.
        "querystring_auth": True,
        "querystring_expire": 60,
        "signature_version": "s3v4",
    }
    if endpoint_url:
        options["endpoint_url"] = endpoint_url
        options["addressing_style"] = "path"  # what every S3-compatible store accepts
    if region:
        options["region_name"] = region
    if access_key:
        options["access_key"], options["secret_key"] = access_key, secret_key
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
