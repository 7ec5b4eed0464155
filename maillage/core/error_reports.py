"""Telling the operator about server errors without sending health data anywhere (ADR 0024).

Two routes, one rule: a report says what failed and where (exception type, the file, line and
function of each frame, path, request id to find the logs), never what was in the request. Request bodies, query strings
(a patient search is a query string), cookies, headers, frame variables (they hold patients) and
user emails are left out, and what remains of free text (an exception's message, a log message) has
its email addresses, long numbers (telephone, NIR) and query strings masked.

- With MAILLAGE_SENTRY_DSN: sentry-sdk, configured to collect nothing personal, plus `before_send`
  as a second net.
- Otherwise DJANGO_ADMINS receive an email per kind of error (at most one per ten minutes for the
  same exception at the same place), enqueued for the worker like every email, never sent inside
  the failing request.
"""

import logging
import re
import traceback

# Free text may quote what the user typed: a database error repeats the value, a log line its path.
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_LONG_NUMBER = re.compile(r"(?<![\w.])\+?\d(?:[\d .-]?\d){8,}")
_QUERY = re.compile(r"\?[^\s'\"<>)]*")
KEPT_HEADERS = {"user-agent", "x-request-id", "content-type", "content-length", "host"}
THROTTLE_SECONDS = 600


def scrub(text: str) -> str:
    text = _QUERY.sub("?…", text)
    text = _EMAIL.sub("[courriel]", text)
    return _LONG_NUMBER.sub("[numéro]", text)


def _scrub_frames(exception: dict) -> None:
    for frame in (exception.get("stacktrace") or {}).get("frames", []):
        # Where, not what: no variables, no source lines (a literal may hold anything).
        for key in ("vars", "pre_context", "context_line", "post_context"):
            frame.pop(key, None)


def before_send(event: dict, hint: dict) -> dict:
    """Sentry's last step before an event leaves: whatever an integration collected, only the
    shape of the failure goes."""
    request = event.get("request")
    if request:
        for key in ("data", "cookies", "query_string", "env"):
            request.pop(key, None)
        if "url" in request:
            request["url"] = scrub(request["url"].split("?", 1)[0])
        request["headers"] = {k: v for k, v in (request.get("headers") or {}).items() if k.lower() in KEPT_HEADERS}
    if "user" in event:
        event["user"] = {"id": event["user"]["id"]} if event["user"].get("id") else {}
    for exception in (event.get("exception") or {}).get("values", []):
        if exception.get("value"):
            exception["value"] = scrub(exception["value"])
        _scrub_frames(exception)
    for thread in (event.get("threads") or {}).get("values", []):
        _scrub_frames(thread)
    logentry = event.get("logentry")
    if logentry:
        logentry["message"] = scrub(logentry.get("formatted") or logentry.get("message") or "")
        logentry.pop("params", None)
        logentry.pop("formatted", None)
    if isinstance(event.get("message"), str):
        event["message"] = scrub(event["message"])
    event.pop("extra", None)
    event.pop("breadcrumbs", None)
    return event


def init_sentry(dsn: str, environment: str, release: str = "", transport=None) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.logging import LoggingIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        transport=transport,
        # Nothing collected beyond the failure's shape; before_send removes it again if an
        # integration did not honour this.
        data_collection={
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_headers": {"request": {"mode": "off"}},
            "http_bodies": [],
            "url_query_params": {"mode": "off"},
            "database_query_data": False,
            "queues": False,
            "stack_frame_variables": False,
            "frame_context_lines": 0,
        },
        max_request_body_size="never",
        # Breadcrumbs are log lines and SQL of the request: they may quote a patient.
        max_breadcrumbs=0,
        traces_sample_rate=0,
        before_send=before_send,
        integrations=[
            DjangoIntegration(transaction_style="url", middleware_spans=False, signals_spans=False, cache_spans=False),
            LoggingIntegration(level=None, event_level=logging.ERROR),
        ],
        default_integrations=True,
    )


def set_request_id(request_id: str) -> None:
    """The request id on the Sentry event, to find the request's log lines (a no-op without Sentry)."""
    try:
        import sentry_sdk
    except ImportError:  # pragma: no cover (a dependency; kept optional for the error path)
        return
    if sentry_sdk.get_client().is_active():
        sentry_sdk.get_isolation_scope().set_tag("request_id", request_id)


class AdminsEmailHandler(logging.Handler):
    """Errors logged at ERROR (Django's 500s, the worker's failures) to DJANGO_ADMINS, by the worker.

    Unlike Django's AdminEmailHandler, the message carries no request data and no frame variables,
    and it is enqueued (a task row) rather than sent while the request fails."""

    def __init__(self):
        super().__init__(level=logging.ERROR)

    def emit(self, record):
        try:
            self._enqueue(record)
        except Exception:
            # The database may be the very thing that is down: logging's own fallback (a note on
            # stderr) and the log line stay the record; reporting never raises another error.
            self.handleError(record)

    def _enqueue(self, record):
        from django.conf import settings
        from django.core.cache import cache

        from maillage.core.mail import enqueue_email

        if not settings.ADMINS or "send_email" in record.getMessage():
            # A failing email is not reported by email: it would fail the same way, and the
            # platform admin sees it on the tasks page.
            return
        kind, where = _kind_and_place(record)
        if not cache.add(f"error-report:{kind}:{where}"[:200], 1, THROTTLE_SECONDS):
            return  # the same failure at the same place was reported a moment ago
        request = getattr(record, "request", None)
        request_id = getattr(request, "request_id", None) or getattr(record, "request_id", "-")
        lines = [
            f"Identifiant de requête : {request_id}",
            f"Journal : {record.name}",
            f"Message : {scrub(record.getMessage())}",
        ]
        if request is not None:
            lines.append(f"Requête : {request.method} {scrub(request.path)}")
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                lines.append(f"Compte n° {user.pk}")
        if record.exc_info:
            exc_type, exc, tb = record.exc_info
            lines += ["", f"{exc_type.__name__} : {scrub(str(exc))}", ""]
            # Where each frame is, never its variables nor its source line.
            lines += [f"  {frame.filename}:{frame.lineno}, {frame.name}" for frame in traceback.extract_tb(tb)]
        lines += [
            "",
            "Les données de la requête (paramètres, formulaire, cookies) ne sont jamais jointes : "
            "cherchez l'identifiant de requête dans les journaux du serveur.",
            f"Un seul message par erreur et par endroit toutes les {THROTTLE_SECONDS // 60} minutes.",
        ]
        subject = f"{settings.EMAIL_SUBJECT_PREFIX}Erreur : {kind} ({where})"
        for _name, address in settings.ADMINS:
            enqueue_email(address, subject[:200], "\n".join(lines))


def _kind_and_place(record) -> tuple[str, str]:
    if record.exc_info and record.exc_info[1] is not None:
        frames = traceback.extract_tb(record.exc_info[2])
        last = frames[-1] if frames else None
        place = f"{last.filename.rsplit('/', 1)[-1]}:{last.lineno}" if last else record.name
        return record.exc_info[0].__name__, place
    return record.levelname, f"{record.name}:{record.lineno}"


def parse_admins(raw: str) -> list[tuple[str, str]]:
    """DJANGO_ADMINS: comma-separated addresses, each optionally « Nom <adresse> »."""
    from email.utils import getaddresses

    from django.core.exceptions import ImproperlyConfigured

    admins = []
    for name, address in getaddresses([raw]):
        if not address:
            continue
        if "@" not in address:
            raise ImproperlyConfigured(f"DJANGO_ADMINS : « {address} » n'est pas une adresse électronique.")
        admins.append((name or address, address))
    return admins
