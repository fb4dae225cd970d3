"""The production shape on one machine: nginx (TLS, static files, photos) in front of several
gunicorn instances on 127.0.0.1, a Celery worker and beat, PostgreSQL and Redis for everything
shared (sessions are signed cookies, login sessions, carts, rate limits, page cache and jobs live
in PostgreSQL and Redis; photos in one uploads folder or S3).

    python deploy/stack.py up      # make prod-up: build, migrate, load the demo, start, return
    python deploy/stack.py down    # make prod-down: stop what `up` started
    python deploy/stack.py status

Configuration (environment): STACK_DIR (instance/prod), STACK_DATABASE_URL
(postgresql://postgres@127.0.0.1:5432/pasar_stack, created when missing), STACK_REDIS
(redis://127.0.0.1:6379; databases 4-6 are used), STACK_HTTPS_PORT (8443), STACK_INSTANCES (2),
STACK_WORKERS (2 per instance). The certificate is self-signed for localhost; a real server puts
its own in deploy/nginx.conf.template's place. tests/live/test_scale_out.py drives a browser
through this stack while it restarts an instance.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.3).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


@dataclass
class Stack:
    """A running (or to be started) stack; every process in its own process group."""

    workdir: Path
    database_url: str
    redis_url: str = "redis://127.0.0.1:6379"
    redis_base: int = 4
    https_port: int = 8443
    instances: int = 2
    workers: int = 2
    extra_env: dict = field(default_factory=dict)
    processes: dict = field(default_factory=dict)  # name -> Popen (this process's children)
    ports: list = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"https://localhost:{self.https_port}"

    # configuration --------------------------------------------------------------------------

    def secrets(self) -> dict:
        """SECRET_KEY and the VAPID pair, made once per stack folder and kept."""
        path = self.workdir / "secrets.json"
        if path.exists():
            return json.loads(path.read_text())
        sys.path.insert(0, str(ROOT))
        from marketplace.push.services import generate_keys

        private, public = generate_keys()
        made = {
            "SECRET_KEY": secrets.token_urlsafe(48),
            "VAPID_PRIVATE_KEY": private,
            "VAPID_PUBLIC_KEY": public,
        }
        path.write_text(json.dumps(made))
        path.chmod(0o600)
        return made

    def env(self) -> dict:
        redis = self.redis_url.rstrip("/")
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.workdir),
            "APP_ENV": "production",
            "INSTANCE_PATH": str(self.workdir / "instance"),
            "DATABASE_URL": self.database_url,
            "REDIS_URL": f"{redis}/{self.redis_base}",
            "PAGE_CACHE_URL": f"{redis}/{self.redis_base + 1}",
            "CELERY_BROKER_URL": f"{redis}/{self.redis_base + 2}",
            "BASE_URL": self.url,
            "PROXY_COUNT": "1",
            # Prometheus and health checks reach each instance directly
            "TRUSTED_HOSTS": "127.0.0.1",
            "CARD_PAYMENTS": "off",
            "UPLOAD_FOLDER": str(self.workdir / "uploads"),
            "MAIL_SERVER": "",
            # the workers' request counts added up at each scrape (emptied by start())
            "PROMETHEUS_MULTIPROC_DIR": str(self.workdir / "prometheus"),
            **self.secrets(),
            **self.extra_env,
        }

    def _certificate(self) -> tuple[Path, Path]:
        cert, key = self.workdir / "tls" / "cert.pem", self.workdir / "tls" / "key.pem"
        if not cert.exists():
            cert.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(  # noqa: S603 - fixed arguments
                [
                    shutil.which("openssl") or "/usr/bin/openssl", "req", "-x509",
                    "-newkey", "rsa:2048", "-nodes", "-days", "30",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                    "-keyout", str(key), "-out", str(cert),
                ],
                check=True,
                capture_output=True,
            )  # fmt: skip
        return cert, key

    def _nginx_conf(self) -> Path:
        cert, key = self._certificate()
        for sub in ("logs", "nginx-tmp"):
            (self.workdir / sub).mkdir(parents=True, exist_ok=True)
        upstreams = "\n".join(
            f"        server 127.0.0.1:{port} max_fails=3 fail_timeout=5s;" for port in self.ports
        )
        values = {
            "workdir": self.workdir,
            "upstreams": upstreams,
            "https_port": self.https_port,
            "server_name": "localhost",
            "certificate": cert,
            "certificate_key": key,
            "root": ROOT,
            "uploads": self.workdir / "uploads",
        }
        text = (ROOT / "deploy" / "nginx.conf.template").read_text()
        for name, value in values.items():  # ${name}; nginx's own $variables stay
            text = text.replace("${" + name + "}", str(value))
        if "${" in text:
            raise RuntimeError("deploy/nginx.conf.template has a place stack.py does not fill")
        path = self.workdir / "nginx.conf"
        path.write_text(text)
        return path

    # processes ------------------------------------------------------------------------------

    def _spawn(self, name: str, argv: list[str], env: dict) -> subprocess.Popen:
        log = (self.workdir / "logs" / f"{name}.log").open("ab")
        process = subprocess.Popen(  # noqa: S603 - our interpreter and fixed programs
            argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        self.processes[name] = process
        return process

    def _flask(self, *args: str, env: dict | None = None) -> None:
        subprocess.run(  # noqa: S603
            [sys.executable, "-m", "flask", "--app", "wsgi.py", *args],
            cwd=ROOT,
            env=env or self.env(),
            check=True,
            capture_output=True,
        )

    def prepare(self, demo: bool = True) -> None:
        """Create the database if missing, migrate, load the kelurahan (and the demo)."""
        (self.workdir / "logs").mkdir(parents=True, exist_ok=True)
        (self.workdir / "uploads").mkdir(parents=True, exist_ok=True)
        _create_database(self.database_url)
        self._flask("db", "upgrade")
        self._flask("seed-areas")
        if demo:  # the demo's loader is a development tool
            self._flask("seed-demo", "--if-empty", env={**self.env(), "APP_ENV": "development"})

    def start_instance(self, index: int) -> None:
        port = self.ports[index]
        self._spawn(
            f"app{index + 1}",
            [
                sys.executable, "-m", "gunicorn", "--workers", str(self.workers),
                "--bind", f"127.0.0.1:{port}", "--timeout", "30", "--graceful-timeout", "5",
                "wsgi:app",
            ],
            self.env(),
        )  # fmt: skip
        if not wait_for_port(port):
            raise RuntimeError(f"app{index + 1} did not start: see {self.workdir}/logs")

    def stop_instance(self, index: int, sig: int = signal.SIGTERM) -> None:
        _stop(self.processes.pop(f"app{index + 1}"), sig)

    def start(self) -> None:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> None:
        self.ports = self.ports or [free_port() for _ in range(self.instances)]
        metrics = self.workdir / "prometheus"
        shutil.rmtree(metrics, ignore_errors=True)
        metrics.mkdir(parents=True)
        for index in range(self.instances):
            self.start_instance(index)
        celery = [sys.executable, "-m", "celery", "-A", "marketplace.worker"]
        self._spawn(
            "worker",
            [*celery, "worker", "--concurrency", "2", "-n", f"stack-{self.https_port}@%h"],
            self.env(),
        )
        self._spawn(
            "beat",
            [*celery, "beat", "--schedule", str(self.workdir / "beat-schedule")],
            self.env(),
        )
        self._spawn("nginx", [NGINX, "-c", str(self._nginx_conf()), "-e", "stderr"], self.env())
        if not wait_for_port(self.https_port):
            raise RuntimeError(f"nginx did not start: see {self.workdir}/logs/nginx.log")
        self._save_pids()

    def stop(self) -> None:
        for name in list(self.processes):
            _stop(self.processes.pop(name))
        (self.workdir / "pids.json").unlink(missing_ok=True)

    def _save_pids(self) -> None:
        pids = {name: process.pid for name, process in self.processes.items()}
        (self.workdir / "pids.json").write_text(json.dumps(pids))

    def get(self, path: str) -> tuple[int, bytes]:
        """GET through nginx (the stack's own certificate is trusted)."""
        context = ssl.create_default_context(cafile=str(self.workdir / "tls" / "cert.pem"))
        try:
            with urllib.request.urlopen(self.url + path, context=context, timeout=10) as answer:  # noqa: S310
                return answer.status, answer.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()


def _stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def _create_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    admin = base.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if exists.fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')


def from_environment() -> Stack:
    return Stack(
        workdir=Path(os.environ.get("STACK_DIR", ROOT / "instance" / "prod")).resolve(),
        database_url=os.environ.get(
            "STACK_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/pasar_stack"
        ),
        redis_url=os.environ.get("STACK_REDIS", "redis://127.0.0.1:6379"),
        https_port=int(os.environ.get("STACK_HTTPS_PORT", "8443")),
        instances=int(os.environ.get("STACK_INSTANCES", "2")),
        workers=int(os.environ.get("STACK_WORKERS", "2")),
    )


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "status"
    stack = from_environment()
    stack.workdir.mkdir(parents=True, exist_ok=True)
    pids_file = stack.workdir / "pids.json"
    if command == "up":
        if pids_file.exists():
            print(f"Already up (see {pids_file}); `make prod-down` first.")
            return 1
        stack.prepare()
        stack.start()
        status, _body = stack.get("/readyz")
        print(f"Pasar Kampung Kuliner (production shape) at {stack.url}  (readyz: {status})")
        print(f"  {stack.instances} app instances on 127.0.0.1:{stack.ports}, Celery worker and")
        print(f"  beat, nginx; logs in {stack.workdir}/logs. The certificate is self-signed.")
        return 0
    if command == "down":
        if not pids_file.exists():
            print("Nothing is running.")
            return 0
        for name, pid in json.loads(pids_file.read_text()).items():
            try:
                os.killpg(pid, signal.SIGTERM)
                print(f"stopped {name} ({pid})")
            except ProcessLookupError:
                pass
        pids_file.unlink()
        return 0
    if pids_file.exists():
        print(json.dumps(json.loads(pids_file.read_text()), indent=2))
    else:
        print("Not running.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
