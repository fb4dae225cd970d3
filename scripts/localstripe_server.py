"""localstripe, with the parts of Stripe's API the marketplace relies on that it lacks.

- Idempotency keys: a POST replayed with the same ``Idempotency-Key`` gets the first answer
  (and creates nothing new); the same key with other parameters is refused with Stripe's
  ``idempotency_error``. Recovery after a crash depends on this.
- ``GET /v1/payment_intents/search?query=metadata['key']:'value'`` (Stripe's Search API),
  which reconciliation uses to find an intent whose answer was lost.
- For tests only: ``POST /_test/delays`` with ``{"pattern": "/capture$", "seconds": 2}`` slows
  the answers of matching paths (``"when": "after"`` acts first and answers late, a window in
  which to kill the caller; ``"method": "POST"`` limits it to one verb);
  ``DELETE /_test/delays`` removes the delays.

Run: ``python scripts/localstripe_server.py --port 8420`` (listens on 127.0.0.1 only).
"""

from __future__ import annotations

import argparse
import asyncio
import re

from aiohttp import web
from localstripe.errors import UserError
from localstripe.resources import store
from localstripe.server import app

_replies: dict[str, tuple[str, int, bytes]] = {}
_locks: dict[str, asyncio.Lock] = {}
_delays: list[tuple[re.Pattern, float, str, str]] = []
_SEARCH_TERM = re.compile(r"metadata\['([^']+)'\]\s*:\s*'([^']*)'")


def _stripe_error(status: int, kind: str, message: str) -> web.Response:
    return web.json_response({"error": {"type": kind, "message": message}}, status=status)


@web.middleware
async def delay_middleware(request: web.Request, handler):
    """Slow matching requests: before Stripe acts (a slow network on the way in) or after it
    acted and before it answers (a crash window: the work is done, the answer not yet sent)."""
    after = 0.0
    for pattern, seconds, when, method in list(_delays):
        if pattern.search(request.path) and method in ("", request.method):
            if when == "after":
                after = seconds
            else:
                await asyncio.sleep(seconds)
            break
    response = await handler(request)
    if after:
        await asyncio.sleep(after)
    return response


@web.middleware
async def idempotency_middleware(request: web.Request, handler):
    key = request.headers.get("Idempotency-Key")
    if request.method != "POST" or not key:
        return await handler(request)
    fingerprint = f"{request.path}?{request.query_string}\n{(await request.read()).decode()}"
    lock = _locks.setdefault(key, asyncio.Lock())
    async with lock:
        if key in _replies:
            seen, status, body = _replies[key]
            if seen != fingerprint:
                return _stripe_error(
                    400,
                    "idempotency_error",
                    "Keys for idempotent requests can only be used with the same parameters "
                    "they were first used with.",
                )
            return web.Response(
                body=body,
                status=status,
                content_type="application/json",
                headers={"Idempotent-Replayed": "true"},
            )
        try:
            response = await handler(request)
        except UserError as error:  # a declined card is an answer too, replayed as such
            response = error.to_response()
        if response.status < 500 and isinstance(response, web.Response):
            _replies[key] = (fingerprint, response.status, response.body)
        return response


async def search_payment_intents(request: web.Request) -> web.Response:
    terms = _SEARCH_TERM.findall(request.query.get("query", ""))
    if not terms:
        return _stripe_error(400, "invalid_request_error", "Unsupported search query.")
    found = [
        value._export()
        for name, value in store.items()
        if name.startswith("payment_intent:")
        and all((value.metadata or {}).get(k) == v for k, v in terms)
    ]
    return web.json_response(
        {
            "object": "search_result",
            "url": "/v1/payment_intents/search",
            "has_more": False,
            "next_page": None,
            "data": found,
        }
    )


@web.middleware
async def search_middleware(request: web.Request, handler):
    # localstripe would read "search" as a PaymentIntent id: answer before its route does.
    if request.method == "GET" and request.path == "/v1/payment_intents/search":
        return await search_payment_intents(request)
    return await handler(request)


async def set_delay(request: web.Request) -> web.Response:
    data = await request.json()
    _delays.append(
        (
            re.compile(str(data["pattern"])),
            float(data["seconds"]),
            str(data.get("when", "before")),
            str(data.get("method", "")).upper(),
        )
    )
    return web.json_response({"delays": len(_delays)})


async def clear_delays(request: web.Request) -> web.Response:
    _delays.clear()
    return web.json_response({"delays": 0})


app.middlewares.extend([delay_middleware, search_middleware, idempotency_middleware])
app.router.add_post("/_test/delays", set_delay)
app.router.add_delete("/_test/delays", clear_delays)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8420)
    args = parser.parse_args()
    web.run_app(app, host="127.0.0.1", port=args.port, print=None)


if __name__ == "__main__":
    main()
