"""Backups an operator can restore: the database (pg_dump's custom format on PostgreSQL, SQLite's
online backup otherwise) and the uploads folder (photos and private receipts), with a manifest
that says what was saved and how many rows each table held, so that a restore can be checked.

    flask backup /srv/backup/2026-12-03        # a new folder: database, uploads.tar.gz, manifest
    flask restore /srv/backup/2026-12-03 --yes # into the configured DATABASE_URL / UPLOAD_FOLDER

Restoring replaces what the configured database and uploads folder hold (it asks first unless
``--yes``). A PostgreSQL backup restores into PostgreSQL, a SQLite one into SQLite. With photos
on S3 (UPLOAD_STORAGE=s3) the bucket keeps them (its versioning is the backup); the manifest
names it.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from flask import current_app
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import make_url

from marketplace.core.db import utcnow
from marketplace.extensions import db

MANIFEST = "manifest.json"
UPLOADS = "uploads.tar.gz"


class BackupError(Exception):
    """Why a backup or a restore cannot go on (shown to the operator)."""


def _url():
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _libpq(url) -> tuple[list[str], dict]:
    """Connection arguments for pg_dump/pg_restore, the password in the environment (never on
    a command line that `ps` shows)."""
    args = ["--dbname", url.database]
    if url.host:
        args += ["--host", url.host]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = url.password
    return args, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return found


def row_counts() -> dict[str, int]:
    """Rows per table of the application's schema."""
    names = sorted(
        n
        for n in inspect(db.engine).get_table_names()
        if not n.startswith(("product_fts", "store_fts", "sqlite_"))
    )
    return {
        name: db.session.scalar(select(text("count(*)")).select_from(text(f'"{name}"')))
        for name in names
    }


def make_backup(folder: Path) -> dict:
    """Write the database, the uploads and a manifest into ``folder`` (new or empty)."""
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty: give a new folder for each backup.")
    folder.mkdir(parents=True, exist_ok=True)
    url = _url()
    db.session.commit()  # nothing of this session's may be half-written in the copy
    if url.get_backend_name() == "postgresql":
        args, env = _libpq(url)
        target = folder / "database.dump"
        subprocess.run(  # noqa: S603 - a fixed program and our own arguments
            [_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(target), *args],
            env=env,
            check=True,
            capture_output=True,
        )
        kind = "postgresql"
    elif url.get_backend_name() == "sqlite":
        target = folder / "database.sqlite3"
        with sqlite3.connect(url.database) as source, sqlite3.connect(target) as copy:
            source.backup(copy)  # consistent even while the site writes
        kind = "sqlite"
    else:
        raise BackupError(f"Cannot back up a {url.get_backend_name()} database.")
    config = current_app.config
    if config.get("UPLOAD_STORAGE") == "s3":
        # the bucket keeps the photos: turn on its versioning (and replication) instead
        photos = f"s3://{config['S3_BUCKET']}/{config.get('S3_PREFIX', '')}"
    else:
        photos = UPLOADS
        uploads = Path(config["UPLOAD_FOLDER"])
        with tarfile.open(folder / UPLOADS, "w:gz") as archive:
            if uploads.exists():
                archive.add(uploads, arcname=".")
    version = db.session.scalar(text("SELECT version_num FROM alembic_version"))
    manifest = {
        "made_at": utcnow().isoformat(timespec="seconds") + "Z",
        "database": kind,
        "file": target.name,
        "schema_revision": version,
        "uploads": photos,
        "rows": row_counts(),
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return manifest


def restore_backup(folder: Path) -> dict:
    """Replace the configured database and uploads folder with the backup in ``folder``; the
    row counts afterwards must be the manifest's, or the restore is reported as failed."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"{folder} holds no readable {MANIFEST}: {error}") from error
    url = _url()
    if manifest["database"] != url.get_backend_name():
        raise BackupError(
            f"This is a {manifest['database']} backup; the configured database is "
            f"{url.get_backend_name()}."
        )
    db.session.remove()
    db.engine.dispose()
    source = folder / manifest["file"]
    if manifest["database"] == "postgresql":
        args, env = _libpq(url)
        subprocess.run(  # noqa: S603
            [
                _tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
                "--exit-on-error", *args, str(source),
            ],
            env=env,
            check=True,
            capture_output=True,
        )  # fmt: skip
    else:
        with sqlite3.connect(source) as backup, sqlite3.connect(url.database) as live:
            backup.backup(live)
    if manifest.get("uploads", UPLOADS) == UPLOADS:
        uploads = Path(current_app.config["UPLOAD_FOLDER"])
        if uploads.exists():
            shutil.rmtree(uploads)
        uploads.mkdir(parents=True)
        with tarfile.open(folder / UPLOADS, "r:gz") as archive:
            archive.extractall(uploads, filter="data")  # no absolute paths, no escaping links
    counts = row_counts()
    if counts != manifest["rows"]:
        tables = set(counts) | set(manifest["rows"])
        differing = sorted(t for t in tables if counts.get(t) != manifest["rows"].get(t))
        raise BackupError(f"Restored, but these tables differ from the manifest: {differing}")
    return manifest
