"""`make run`: serve the app on 127.0.0.1:5000 with a Celery worker and beat beside it; without
Stripe keys, start localstripe too.

The worker's broker is ``CELERY_BROKER_URL`` when set, else Redis at ``REDIS_URL``, else a SQLite
file under instance/ (kombu's SQLAlchemy transport), so nothing else has to run. localstripe is a
stateful fake of Stripe's API with a stand-in for Stripe.js, so a newcomer can pay with test
card 4242 4242 4242 4242 on a fresh machine. Every server listens on 127.0.0.1 only and they
stop together: on Ctrl-C, on SIGTERM (a process manager, ``kill``) or SIGHUP (the terminal
closed), and when the app stops. ``INSTANCE_PATH`` is the folder of the SQLite files and the
beat's schedule, as for the app (``instance/`` by default).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("INSTANCE_PATH", ROOT / "instance"))
APP_PORT = int(os.environ.get("PORT", "5000"))
STRIPE_PORT = int(os.environ.get("LOCALSTRIPE_PORT", "8420"))
WEBHOOK_SECRET = "whsec_local_development"  # noqa: S105 - development only


def _wait_for(port: int, seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.3).close()
            return True
        except OSError:
            time.sleep(0.2)
    return False


def start_localstripe(env: dict) -> subprocess.Popen | None:
    process = subprocess.Popen(  # noqa: S603 - our interpreter and our script
        [
            sys.executable,
            str(ROOT / "scripts" / "localstripe_server.py"),
            "--port",
            str(STRIPE_PORT),
        ],
        cwd=INSTANCE,
    )
    if not _wait_for(STRIPE_PORT):
        process.terminate()
        print("localstripe did not start: card payments are off.", file=sys.stderr)
        return None
    base = f"http://127.0.0.1:{STRIPE_PORT}"
    request = urllib.request.Request(  # noqa: S310 - a fixed local URL
        f"{base}/_config/webhooks/pasar-kampung-dev",
        data=json.dumps(
            {
                "url": f"http://127.0.0.1:{APP_PORT}/stripe/webhook",
                "secret": WEBHOOK_SECRET,
                "events": [
                    "payment_intent.succeeded",
                    "payment_intent.payment_failed",
                    "payment_intent.amount_capturable_updated",
                    "payment_intent.canceled",
                ],
            }
        ).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(request, timeout=5).close()  # noqa: S310
    env.update(
        STRIPE_API_BASE=base,
        STRIPE_JS_URL=f"{base}/js.stripe.com/v3/",
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STRIPE_PUBLISHABLE_KEY="pk_test_local",
    )
    print(f"localstripe on {base}: pay with test card 4242 4242 4242 4242.")
    return process


def start_worker(env: dict) -> subprocess.Popen:
    """A Celery worker with beat in one process (solo pool: one task at a time is plenty)."""
    instance = INSTANCE
    env.setdefault(
        "CELERY_BROKER_URL",
        env.get("REDIS_URL") or f"sqla+sqlite:///{instance / 'celery-broker.sqlite3'}",
    )
    print(f"Celery worker and beat on {env['CELERY_BROKER_URL'].split('@')[-1]}.")
    return subprocess.Popen(  # noqa: S603 - our interpreter and a fixed program
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "marketplace.worker",
            "worker",
            "-B",
            "--pool",
            "solo",
            "--loglevel",
            "WARNING",
            "-s",
            str(instance / "celery-beat-schedule"),
        ],
        cwd=ROOT,
        env=env,
    )


class _Stopped(Exception):
    """SIGTERM or SIGHUP reached ``make run``: stop everything it started."""


def _stopped(signum: int, _frame) -> None:
    raise _Stopped(signum)


def _stop_all(processes: list[subprocess.Popen], first: signal.Signals) -> None:
    """Stop ``processes``, the last started first (the app, with ``first``; the others with
    SIGTERM), waiting for each; one that does not stop in 15 s is killed."""
    last = processes[-1] if processes else None
    for process in reversed(processes):
        if process.poll() is None:
            process.send_signal(first if process is last else signal.SIGTERM)
    for process in reversed(processes):
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main() -> int:
    # without this, SIGTERM or SIGHUP would end this process alone and leave the app, the
    # worker and localstripe running, holding their ports
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _stopped)
    env = dict(os.environ, FLASK_APP="wsgi.py")
    INSTANCE.mkdir(parents=True, exist_ok=True)
    started: list[subprocess.Popen] = []  # in the order they started: the app last
    app = None
    first, stopped_by = signal.SIGINT, None
    try:
        stripe = None if env.get("STRIPE_SECRET_KEY") else start_localstripe(env)
        if stripe is not None:
            started.append(stripe)
        started.append(start_worker(env))
        flask = ROOT / ".venv" / "bin" / "flask"
        app = subprocess.Popen(  # noqa: S603
            [str(flask), "run", "--host", "127.0.0.1", "--port", str(APP_PORT)],
            cwd=ROOT,
            env=env,
        )
        started.append(app)
        app.wait()
    except KeyboardInterrupt:
        pass  # the terminal sent SIGINT to every process of the group: they are stopping
    except _Stopped as stop:
        first, stopped_by = signal.SIGTERM, stop.args[0]
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)  # a second signal must not cut the stopping
        _stop_all(started, first)
    if stopped_by is not None:
        return 128 + stopped_by  # as a shell reports a process a signal ended
    return app.returncode if app is not None else 1  # the app's own exit status


if __name__ == "__main__":
    sys.exit(main())
