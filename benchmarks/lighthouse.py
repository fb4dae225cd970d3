"""Lighthouse (mobile) scores of the main pages of the demo kampung.

Lighthouse comes from the npm registry (pinned below, installed once under benchmarks/.lighthouse)
and drives Debian's Chromium (/usr/bin/chromium). The demo site is served on 127.0.0.1; pages that
need a cart or a signed-in seller get the session cookie of a visitor who did that first.

    PYTHONPATH=. .venv/bin/python benchmarks/lighthouse.py

Prints one row per page with the four category scores (0–100) and the worst of each column.
Exit status 1 if any score is below --min (default 95).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import requests

from tests.e2e.demo_site import demo_site, demo_urls

LIGHTHOUSE = "lighthouse@13.5.0"
HERE = Path(__file__).resolve().parent
PREFIX = HERE / ".lighthouse"
BIN = PREFIX / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def _user_agent() -> str:
    """The phone Lighthouse pretends to be (it writes in the browser's own major version); the
    visitor who prepares a session uses the same one, since a signed-in session is bound to its
    browser."""
    version = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, check=False)
    major = (re.findall(r"(\d+)\.\d+", version.stdout) or ["136"])[0]
    return (
        "Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 "
        f"(KHTML, like Gecko) Chrome/{major}.0.0.0 Mobile Safari/537.36"
    )


USER_AGENT = _user_agent()


def ensure_lighthouse() -> Path:
    if not BIN.exists():
        print(f"installing {LIGHTHOUSE} from the npm registry…", file=sys.stderr)
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(PREFIX), LIGHTHOUSE],
            check=True,
        )
    return BIN


def session_cookie(base: str, actions) -> str:
    """Do ``actions`` as a visitor and return their session cookie header."""
    visitor = requests.Session()
    visitor.headers["User-Agent"] = USER_AGENT
    actions(visitor)
    return "; ".join(f"{c.name}={c.value}" for c in visitor.cookies)


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def with_cart(base: str, product_path: str):
    def act(visitor: requests.Session) -> None:
        page = visitor.get(base + product_path).text
        product_id = product_path.rsplit("/", 1)[1]
        visitor.post(
            base + "/keranjang/tambah",
            data={"csrf_token": _csrf(page), "product_id": product_id, "jumlah": "1"},
        )

    return act


def signed_in(base: str, login: str, password: str):
    def act(visitor: requests.Session) -> None:
        page = visitor.get(base + "/akun/masuk").text
        response = visitor.post(
            base + "/akun/masuk",
            data={"csrf_token": _csrf(page), "login": login, "password": password},
            allow_redirects=False,
        )
        assert response.status_code == 302, "the demo seller could not sign in"

    return act


def audit(binary: Path, url: str, cookie: str = "") -> dict[str, int]:
    with tempfile.TemporaryDirectory() as profile:
        command = [
            str(binary),
            url,
            "--output=json",
            "--quiet",
            f"--emulated-user-agent={USER_AGENT}",
            f"--only-categories={','.join(CATEGORIES)}",
            f"--chrome-flags=--headless=new --no-sandbox --disable-gpu --user-data-dir={profile}",
        ]
        if cookie:
            command.append("--disable-storage-reset")
            command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "CHROME_PATH": CHROMIUM},
        )
    if result.returncode != 0:
        raise RuntimeError(f"lighthouse failed on {url}: {result.stderr[-2000:]}")
    report = json.loads(result.stdout)
    scores = {c: round((report["categories"][c]["score"] or 0) * 100) for c in CATEGORIES}
    failing = [
        f"{audit['id']} ({audit['score']})"
        for audit in report["audits"].values()
        if audit.get("score") is not None
        and audit["score"] < 0.9
        and audit.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings")
    ]
    final = report.get("finalDisplayedUrl", url)
    if final != url:
        failing.insert(0, f"ended on {final}")
    scores["_failing"] = failing[:8]
    return scores


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min", type=int, default=95)
    args = parser.parse_args()
    binary = ensure_lighthouse()
    from marketplace.demo import data

    with tempfile.TemporaryDirectory() as workdir, demo_site(Path(workdir)) as (base, app):
        urls = demo_urls(app)
        seller = session_cookie(base, signed_in(base, data.PEOPLE["seller"][1], data.DEMO_PASSWORD))
        from tests.e2e.test_screenshots import seller_store_id

        cart = session_cookie(base, with_cart(base, urls["produk"]))
        store = seller_store_id(app)
        from sqlalchemy import select

        from marketplace.catalog.models import Product
        from marketplace.extensions import db

        with app.app_context():
            product_store = db.session.scalar(
                select(Product.store_id).where(Product.id == int(urls["produk"].rsplit("/", 1)[1]))
            )
        pages = [
            ("home", urls["beranda"], ""),
            ("search", urls["cari"], ""),
            ("product", urls["produk"], ""),
            ("store", urls["toko"], ""),
            ("checkout", f"/keranjang/toko/{product_store}/pesan", cart),
            ("seller board", f"/toko-saya/{store}/pesanan", seller),
        ]
        rows = []
        print(f"{'page':14} {'perf':>5} {'a11y':>5} {'bp':>5} {'seo':>5}  below 90")
        for name, path, cookie in pages:
            scores = audit(binary, base + path, cookie)
            rows.append(scores)
            print(
                f"{name:14} "
                + " ".join(f"{scores[c]:5d}" for c in CATEGORIES)
                + "  "
                + ", ".join(scores["_failing"])
            )
        worst = {c: min(r[c] for r in rows) for c in CATEGORIES}
        print(f"{'worst':14} " + " ".join(f"{worst[c]:5d}" for c in CATEGORIES))
    return 0 if min(worst.values()) >= args.min else 1


if __name__ == "__main__":
    sys.exit(main())
