"""gunicorn's configuration for Maillage (`gunicorn -c deploy/gunicorn.conf.py`), read by
deploy/maillage-web.service and the Containerfile. Tuned by environment variables, all optional:

  MAILLAGE_BIND           address to listen on (default 127.0.0.1:8000; 0.0.0.0:8000 in a container)
  MAILLAGE_WEB_WORKERS    worker processes (default 3)
  MAILLAGE_WEB_TIMEOUT    seconds before a stuck request's worker is restarted (default 60)
  MAILLAGE_TRUSTED_PROXIES the application's own setting (docs/operations.md): when it lists
                          addresses or networks, gunicorn trusts the same ones; otherwise loopback only
"""

import ipaddress
import os

wsgi_app = "config.wsgi:application"
bind = os.environ.get("MAILLAGE_BIND", "127.0.0.1:8000").split(",")
workers = int(os.environ.get("MAILLAGE_WEB_WORKERS", "3"))
timeout = int(os.environ.get("MAILLAGE_WEB_TIMEOUT", "60"))
graceful_timeout = 30  # systemd's stop waits for the requests under way
keepalive = 5

# The access log on stdout (journald or the container's log), one line per request: the path
# without its query string (%(U)s: a patient search never reaches a log) and the request id that
# the application's own log lines carry (docs/operations.md, « Installer », step 5).
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s %({x-forwarded-for}i)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms %({x-request-id}o)s'


def _forwarded_allow_ips(raw: str) -> str:
    """Who may set X-Forwarded-Proto for gunicorn: the proxies of MAILLAGE_TRUSTED_PROXIES when they
    are given as addresses or networks; a mere count names nobody, so loopback (nginx on the same
    machine). Never '*' (docs/operations.md, « Plusieurs processus derrière un proxy »)."""
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if not items or (len(items) == 1 and items[0].isdigit()):
        return "127.0.0.1,::1"
    return ",".join(str(ipaddress.ip_network(item, strict=False)) for item in items)


forwarded_allow_ips = _forwarded_allow_ips(os.environ.get("MAILLAGE_TRUSTED_PROXIES", ""))
