"""What every log line carries besides its message: the request id (of the request, or of the
request that queued the task) and the workspace id wherever one is known.

- :class:`RequestIdMiddleware` takes the client's ``X-Request-ID`` when it is a sane token
  (letters, digits, ``.``, ``_``, ``-``; at most 100), else makes one, and answers it in the
  response's ``X-Request-ID``.
- :func:`bind` adds the workspace id (the API does it once it knows the workspace; the sync
  runner for the account it syncs).
- Tasks queued during a request carry both in their message headers and log with them
  (:func:`connect_celery`).
- :class:`ContextFilter` puts them on each record; the JSON formatter (python-json-logger) then
  writes every ``extra`` field of the call as a field of its own.
"""

from __future__ import annotations

import logging
import re
import uuid
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.signals import request_finished

from .scrub import STANDARD_ATTRS

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
#: The context each log line carries: request_id, workspace_id.
_context: ContextVar[dict | None] = ContextVar("clianta_log_context", default=None)
_HEADER = "clianta_log_context"


def current() -> dict:
    return dict(_context.get() or {})


def _with(values: dict) -> dict:
    """The current context with ``values`` added (as text; ``None`` left out)."""
    return {**current(), **{k: str(v) for k, v in values.items() if v is not None}}


def bind(**values) -> None:
    """Add ``values`` (``workspace_id=...``) to the context until the request or task ends."""
    _context.set(_with(values))


def _replace(values: dict):
    return _context.set(values)


class ContextFilter(logging.Filter):
    """Puts the context's fields on the record (an ``extra`` of the same name wins)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in current().items():
            if not hasattr(record, name):
                setattr(record, name, value)
        return True


class RequestIdMiddleware:
    """The request's id, in the context until the request is finished (Django logs a 4xx or 5xx
    answer after the middleware is done), and in the response's header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = given if _SANE_ID.match(given) else uuid.uuid4().hex
        _replace({"request_id": request_id})
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


def _request_finished(**_):
    _replace({})


request_finished.connect(_request_finished, dispatch_uid="clianta.logcontext")


@contextmanager
def bound(**values):
    """The context with ``values`` added, for the duration of the block."""
    token = _context.set(_with(values))
    try:
        yield
    finally:
        _context.reset(token)


def connect_celery() -> None:
    """Tasks carry the context of whoever queued them, and log with it."""
    from celery import signals

    @signals.before_task_publish.connect(weak=False)
    def carry(headers=None, **_):
        if headers is not None and current():
            headers[_HEADER] = current()

    @signals.task_prerun.connect(weak=False)
    def restore(task=None, **_):
        carried = getattr(task.request, _HEADER, None) if task is not None else None
        _replace(dict(carried) if isinstance(carried, dict) else {})

    @signals.task_postrun.connect(weak=False)
    def forget(**_):
        _replace({})


#: Not written as key=value: the record's own attributes, and what Django's own loggers pass
#: that their message already says (runserver's socket, time).
_NOT_EXTRA = STANDARD_ATTRS | {"request", "server_time"}


class PlainFormatter(logging.Formatter):
    """A line for people: time, level, logger, message, then the extra fields as key=value."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = [f"{k}={v}" for k, v in vars(record).items() if k not in _NOT_EXTRA]
        if not extras:
            return line
        first, newline, rest = line.partition("\n")  # the traceback stays below
        return f"{first} {' '.join(extras)}{newline}{rest}"
