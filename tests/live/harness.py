"""Drive the marketplace as its users do: gunicorn with several workers on 127.0.0.1, real
HTTP clients (one ``requests`` session per person), and a way to kill the workers.

Shared by the live tests (tests/live) and the contention benchmark (benchmarks/).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 4
PASSWORD = "rahasia123"  # noqa: S105 - the factories' test password


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _parents() -> dict[int, int]:
    """Each living process's parent, by process id (read from /proc)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
    return parents


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid``."""
    return [child for child, parent in _parents().items() if parent == pid]


def descendants(pid: int) -> set[int]:
    """The processes ``pid`` started, and those they started, and so on."""
    parents = _parents()
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        for child, its_parent in parents.items():
            if its_parent == parent and child not in found:
                found.add(child)
                todo.append(child)
    return found


class Gunicorn:
    """A gunicorn master on 127.0.0.1 whose workers a test may kill."""

    def __init__(self, process: subprocess.Popen, url: str, workers: int, log: Path):
        self.process = process
        self.url = url
        self.count = workers
        self.log = log

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def workers(self) -> list[int]:
        return children(self.process.pid)

    def kill_workers(self) -> None:
        """SIGKILL every worker at once, as an out-of-memory killer or a crash would."""
        for pid in self.workers():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited")
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    if len(self.workers()) >= self.count:
                        return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError("gunicorn did not become ready")


def spawn_gunicorn(env: dict, log_path: Path, workers: int = WORKERS) -> Gunicorn:
    """Start ``gunicorn wsgi:app`` on a free 127.0.0.1 port with ``env``; wait until it answers."""
    port = free_port()
    log = log_path.open("w")
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and a fixed program
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "30",
            "--graceful-timeout",
            "2",
            "wsgi:app",
        ],
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    server = Gunicorn(process, f"http://127.0.0.1:{port}", workers, log_path)
    try:
        server.wait_ready()
    except RuntimeError:
        server.stop()
        raise RuntimeError("gunicorn did not start:\n" + log_path.read_text()[-3000:]) from None
    return server


def live_env(database_url: str, stripe_url: str, webhook_secret: str, instance: Path) -> dict:
    """The environment of a production-like server for tests and benchmarks (limits high)."""
    return {
        "HOME": str(instance),
        "APP_ENV": "development",
        "INSTANCE_PATH": str(instance),
        "DATABASE_URL": database_url,
        "SECRET_KEY": "live-test-secret-key-live-test-secret-key",
        "STRIPE_SECRET_KEY": "sk_test_local",
        "STRIPE_PUBLISHABLE_KEY": "pk_test_local",
        "STRIPE_WEBHOOK_SECRET": webhook_secret,
        "STRIPE_API_BASE": stripe_url,
        "AUTH_RATE_LIMIT": "100000 per minute",
        "REVIEW_RATE_LIMIT": "100000 per minute",
        "ASPIRATION_RATE_LIMIT": "100000 per minute",
        "MAIL_SERVER": "",
    }


def spawn_localstripe(workdir: Path) -> tuple[subprocess.Popen, str]:
    """Start scripts/localstripe_server.py on a free 127.0.0.1 port; (process, url), or
    (process, "") when it did not come up."""
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and a fixed program
        [sys.executable, str(ROOT / "scripts" / "localstripe_server.py"), "--port", str(port)],
        env={"PATH": "/usr/bin:/bin", "HOME": str(workdir)},
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, f"http://127.0.0.1:{port}"
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.1)
    process.kill()
    process.wait()
    return process, ""


_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_CHECKOUT_TOKEN = re.compile(r'name="checkout_token"[^>]*value="([^"]+)"')
_FIRST_SLOT = re.compile(r'<select[^>]*name="fulfil_at"[^>]*>.*?<option[^>]*value="([^"]+)"', re.S)


class Visitor:
    """One person with a browser: own cookies, own connections, CSRF tokens from the pages."""

    def __init__(self, base: str):
        self.base = base
        self.http = requests.Session()

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.http.get(self.base + path, timeout=30, **kwargs)

    def token(self, page: str = "/akun/masuk") -> str:
        """A CSRF token from ``page`` (the sign-in form is there for everyone, signed in or
        not; public pages without a form carry none)."""
        match = _TOKEN.search(self.get(page).text)
        assert match, f"no CSRF token on {page}"
        return match.group(1)

    def post(self, path: str, data: dict | None = None, page: str = "/akun/masuk", **kwargs):
        form = {"csrf_token": self.token(page), **(data or {})}
        kwargs.setdefault("allow_redirects", False)
        return self.http.post(self.base + path, data=form, timeout=30, **kwargs)

    def login(self, phone: str) -> None:
        answer = self.post("/akun/masuk", {"login": phone, "password": PASSWORD}, "/akun/masuk")
        assert answer.status_code == 302, answer.text[:500]

    def add(self, product_id: int, quantity: int = 1) -> None:
        answer = self.post("/keranjang/tambah", {"product_id": product_id, "jumlah": quantity})
        assert answer.status_code == 302, answer.text[:300]

    def checkout_form(self, store_id: int) -> dict:
        page = self.get(f"/keranjang/toko/{store_id}/pesan").text
        token = _CHECKOUT_TOKEN.search(page)
        slot = _FIRST_SLOT.search(page)
        assert token, page[:1500]
        assert slot, "no pickup time offered"
        csrf = _TOKEN.search(page)
        return {
            "csrf_token": csrf.group(1),
            "checkout_token": token.group(1),
            "fulfil_at": slot.group(1),
            "fulfilment": "pickup",
        }

    def place(self, store_id: int, form: dict, method: str = "cash", **fields):
        data = {
            **form,
            "name": fields.pop("name", "Pembeli Uji"),
            "phone": fields.pop("phone", "081300001111"),
            "payment_method": method,
            **fields,
        }
        return self.http.post(
            f"{self.base}/keranjang/toko/{store_id}/pesan",
            data=data,
            timeout=30,
            allow_redirects=False,
        )

    def order(self, store_id: int, product_id: int, quantity: int = 1, **fields) -> str:
        """Put ``quantity`` in the cart and order it; return the order's token."""
        self.add(product_id, quantity)
        answer = self.place(store_id, self.checkout_form(store_id), **fields)
        assert answer.status_code == 302, answer.text[:1500]
        return order_token(answer.headers["Location"])

    def pay(self, token: str, payment_method: str) -> requests.Response:
        page = self.get(f"/pesanan/{token}/bayar").text
        csrf = re.search(r'data-csrf="([^"]+)"', page)
        assert csrf, page[:1000]
        return self.http.post(
            f"{self.base}/pesanan/{token}/bayar",
            json={"payment_method": payment_method},
            headers={"X-CSRFToken": csrf.group(1)},
            timeout=30,
        )

    def flashes(self, path: str) -> str:
        return self.get(path).text


def order_token(location: str) -> str:
    match = re.search(r"/pesanan/([^/]+)", location)
    assert match, location
    return match.group(1)


def at_once(*calls):
    """Run the calls in threads released together; return their results (or exceptions)."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - the caller inspects what happened
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@dataclass
class Shop:
    store_id: int
    owner_phone: str
    products: dict[str, int]
    stock: dict[str, int]
