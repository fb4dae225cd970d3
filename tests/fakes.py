"""Local stand-ins for outside services, on 127.0.0.1, that check requests the way the real ones
do: the WhatsApp Cloud API (Graph API) and a browser vendor's Web Push service, plus the
browser end of a push subscription (which decrypts what it receives)."""

from __future__ import annotations

import base64
import json
import os
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from marketplace.outbox.whatsapp import TEMPLATES

PHONE_NUMBER_ID = "109876543210"
TOKEN = "EAAG-test-token"  # noqa: S105 - a test token


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


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

    def start(self) -> str:
        """Serve on a free port; returns the base address (…/v21.0)."""
        graph = self

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

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return f"http://127.0.0.1:{self.server.server_port}/v21.0"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


class PushService:
    """What a browser vendor's push service does with a request: keep it (201) or say the
    subscription is gone (410)."""

    def __init__(self):
        self.received: list[dict] = []
        self.status = 201

    def start(self):
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's hook
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                service.received.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                    }
                )
                self.send_response(service.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.origin = f"http://127.0.0.1:{self.server.server_port}"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class Browser:
    """A phone's browser: its own P-256 key pair and auth secret, as PushManager makes them."""

    def __init__(self, endpoint: str):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        self.endpoint = endpoint

    def subscription(self) -> dict:
        public = self.key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        return {
            "endpoint": self.endpoint,
            "keys": {"p256dh": b64(public), "auth": b64(self.auth)},
        }

    def read(self, request: dict) -> dict:
        plain = http_ece.decrypt(
            request["body"], private_key=self.key, auth_secret=self.auth, version="aes128gcm"
        )
        return json.loads(plain)
