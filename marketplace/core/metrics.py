"""How long the server took: every response carries ``Server-Timing: app;dur=<ms>`` (seen in the
browser's developer tools and read by ``benchmarks/city_scale.py``), measured around the whole
application, from the request's arrival to its answer being ready."""

from __future__ import annotations

import time


class ServerTiming:
    """WSGI middleware adding the Server-Timing header."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        started = time.perf_counter()

        def timed_start_response(status, headers, exc_info=None):
            elapsed = (time.perf_counter() - started) * 1000
            headers.append(("Server-Timing", f"app;dur={elapsed:.1f}"))
            return start_response(status, headers, exc_info)

        return self.app(environ, timed_start_response)
