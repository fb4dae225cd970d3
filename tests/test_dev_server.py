"""`make run`'s server (scripts/dev_server.py) stops everything it started: the app, the Celery
worker and localstripe, on Ctrl-C and on SIGTERM, and leaves no port held."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.live.harness import ROOT, descendants, free_port


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.3).close()
    except OSError:
        return False
    return True


def _wait(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads processes from /proc (Linux)")
@pytest.mark.parametrize("stop", ["SIGTERM to the server", "Ctrl-C in its terminal"])
def test_make_runs_server_stops_what_it_started(tmp_path, stop):
    app_port, stripe_port = free_port(), free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "INSTANCE_PATH": str(tmp_path),
        "PORT": str(app_port),
        "LOCALSTRIPE_PORT": str(stripe_port),
        "SECRET_KEY": "dev-server-test-secret-key-dev-server-test",
    }
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(  # noqa: S603 - our interpreter and our script
        [sys.executable, str(ROOT / "scripts" / "dev_server.py")],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own group, as a terminal's job is
    )
    log.close()
    try:
        started = _wait(lambda: _answers(app_port) and len(descendants(server.pid)) >= 3, 60)
        output = (tmp_path / "server.log").read_text()
        assert started, output
        with urllib.request.urlopen(f"http://127.0.0.1:{app_port}/healthz", timeout=5) as page:  # noqa: S310
            assert page.status == 200
        assert _answers(stripe_port)
        children = descendants(server.pid)
        if stop == "SIGTERM to the server":
            server.send_signal(signal.SIGTERM)  # the server alone, as a process manager does
        else:
            os.killpg(server.pid, signal.SIGINT)  # the whole job, as Ctrl-C does
        server.wait(timeout=40)
        assert _wait(lambda: not any(_alive(pid) for pid in children), 10), [
            Path(f"/proc/{pid}/cmdline").read_bytes() for pid in children if _alive(pid)
        ]
        assert not _answers(app_port)
        assert not _answers(stripe_port)
        # SIGTERM: the status a shell gives a process the signal ended; Ctrl-C: the app's own
        assert server.returncode == (143 if stop == "SIGTERM to the server" else 0)
    finally:
        try:
            os.killpg(server.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        server.wait(timeout=10)
