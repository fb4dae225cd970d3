"""Logs that an operator can follow: every line carries the request id (X-Request-ID, made here
or taken from the proxy), also in the jobs a request queued; JSON lines in production
(LOG_FORMAT=json), plain text in development."""

from __future__ import annotations

import json
import logging
import re
import uuid
from contextvars import ContextVar

from flask import Flask, g, has_request_context, request

#: the id of the request (or of the request that queued the running job)
current_request_id: ContextVar[str] = ContextVar("request_id", default="-")
_GOOD_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def sane_request_id(given: str) -> str:
    """The proxy's X-Request-ID when it is a sane one, else a new one."""
    return given if _GOOD_ID.fullmatch(given) else uuid.uuid4().hex


def request_id() -> str:
    if has_request_context() and "request_id" in g:
        return g.request_id
    return current_request_id.get()


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def init_logging(app: Flask) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    if app.config.get("LOG_FORMAT") == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("[%(asctime)s] %(levelname)s %(request_id)s %(name)s: %(message)s")
        )
    app.logger.handlers[:] = [handler]

    @app.before_request
    def _take_request_id() -> None:
        g.request_id = sane_request_id(request.headers.get("X-Request-ID", ""))

    @app.after_request
    def _give_request_id(response):
        if "request_id" in g:
            response.headers["X-Request-ID"] = g.request_id
        return response
