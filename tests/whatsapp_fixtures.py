"""A local stand-in for the WhatsApp Cloud API (graph.facebook.com) on 127.0.0.1 that checks
each request the way the real one does (path, token, template shape) and keeps what it took."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from marketplace.outbox.whatsapp import TEMPLATES

PHONE_NUMBER_ID = "109876543210"
TOKEN = "EAAG-test-token"  # noqa: S105 - a test token


class FakeGraph:
    def __init__(self):
        self.accepted: list[dict] = []
        self.refused: list[str] = []
        self.failures = 0  # answer the next N requests with a server error
        self.lock = threading.Lock()

    def check(self, path: str, headers, body: bytes) -> tuple[int, dict]:
        if path != f"/v21.0/{PHONE_NUMBER_ID}/messages":
            return 404, {"error": {"message": f"Unknown path {path}", "code": 100}}
        if headers.get("Authorization") != f"Bearer {TOKEN}":
            return 401, {"error": {"message": "Invalid OAuth access token.", "code": 190}}
        try:
            data = json.loads(body)
        except ValueError:
            return 400, {"error": {"message": "Invalid JSON", "code": 100}}
        problems = []
        if data.get("messaging_product") != "whatsapp":
            problems.append("messaging_product must be whatsapp")
        if not re.fullmatch(r"62\d{8,13}", str(data.get("to", ""))):
            problems.append(f"bad recipient {data.get('to')!r}")
        template = data.get("template") or {}
        if data.get("type") != "template" or template.get("name") not in TEMPLATES:
            problems.append("unknown template")
        elif template.get("language", {}).get("code") != "id":
            problems.append("template language must be id")
        else:
            expected = len(re.findall(r"\{\{\d+\}\}", TEMPLATES[template["name"]]))
            [body_part] = [c for c in template.get("components", []) if c.get("type") == "body"]
            params = body_part.get("parameters", [])
            if len(params) != expected or any(
                p.get("type") != "text" or not isinstance(p.get("text"), str) for p in params
            ):
                problems.append(f"{template['name']} takes {expected} text parameters")
        if problems:
            return 400, {"error": {"message": "; ".join(problems), "code": 132000}}
        with self.lock:
            if self.failures:
                self.failures -= 1
                return 500, {"error": {"message": "Service temporarily unavailable", "code": 2}}
            self.accepted.append(data)
            number = len(self.accepted)
        return 200, {
            "messaging_product": "whatsapp",
            "contacts": [{"input": data["to"], "wa_id": data["to"]}],
            "messages": [{"id": f"wamid.TEST{number:06d}"}],
        }

    def to(self, number: str) -> list[dict]:
        return [m for m in self.accepted if m["to"] == number]

    @staticmethod
    def texts(message: dict) -> list[str]:
        [body] = [c for c in message["template"]["components"] if c["type"] == "body"]
        return [p["text"] for p in body["parameters"]]


@pytest.fixture
def whatsapp_api(app, monkeypatch):
    """The WhatsApp channel configured against the local fake Graph API."""
    graph = FakeGraph()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's hook
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            status, answer = graph.check(self.path, self.headers, body)
            if status >= 400:
                graph.refused.append(answer["error"]["message"])
            payload = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setitem(app.config, "WHATSAPP_PHONE_NUMBER_ID", PHONE_NUMBER_ID)
    monkeypatch.setitem(app.config, "WHATSAPP_TOKEN", TOKEN)
    monkeypatch.setitem(
        app.config, "WHATSAPP_API_BASE", f"http://127.0.0.1:{server.server_port}/v21.0"
    )
    yield graph
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
