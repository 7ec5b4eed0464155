"""A request id in every log line and on every response, and logs as JSON lines on demand.

The id comes from a trusted proxy's X-Request-ID (so that nginx's, gunicorn's and our lines of one
request share it) or is made here; it is sent back in the response so that a person reporting a
problem can quote it.
"""

import contextvars
import json
import logging
import re
import uuid

from django.core.signals import request_finished
from django.dispatch import receiver

from maillage.core.client_ip import from_trusted_proxy
from maillage.core.error_reports import set_request_id

HEADER = "X-Request-ID"
_VALID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_current: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def _given(request) -> str:
    # A client's own header is not believed: it could forge another request's id or inject text.
    given = request.headers.get(HEADER, "")
    return given if given and from_trusted_proxy(request) and _VALID.fullmatch(given) else ""


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = _given(request) or uuid.uuid4().hex
        request.request_id = request_id
        # Not reset on the way out: Django logs an error response (django.request) after the
        # middleware; `request_finished` clears it once the response is closed.
        _current.set(request_id)
        set_request_id(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


@receiver(request_finished)
def _forget_request_id(**kwargs):
    _current.set("-")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record ("-" outside a request: commands, the worker)."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = _current.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id (and the traceback)."""

    def format(self, record):
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
