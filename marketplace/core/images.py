"""Photo uploads: verify, refuse bombs, strip metadata, store WebP renditions under random names."""

from __future__ import annotations

import io
import logging
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from flask import has_app_context
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import event
from sqlalchemy.orm import Session

from marketplace.core.errors import DomainError

try:  # HEIC photos from iPhones, when the pinned pillow-heif is installed
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIC_SUPPORTED = True
except ImportError:  # pragma: no cover - pillow-heif is pinned in requirements
    HEIC_SUPPORTED = False

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "MPO"} | ({"HEIF"} if HEIC_SUPPORTED else set())
MAX_BYTES = 12 * 1024 * 1024 + 512 * 1024
RENDITIONS = {"thumb": 400, "large": 1200}


class InvalidImage(DomainError):
    pass


@dataclass(frozen=True)
class StoredImage:
    thumb: str
    large: str


def _read_limited(stream, limit: int) -> bytes:
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise InvalidImage(_("Foto terlalu besar. Ukuran maksimal 12 MB."))
    return data


def open_verified(data: bytes, max_pixels: int) -> Image.Image:
    """Open bytes as an image of an allowed format, refusing fakes and decompression bombs."""
    if not data:
        raise InvalidImage(_("Berkas foto kosong."))
    too_big = _("Foto terlalu besar (resolusi berlebihan). Gunakan foto biasa dari kamera ponsel.")
    not_image = _("Berkas ini bukan foto. Gunakan foto JPEG, PNG, WebP atau HEIC.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in ALLOWED_FORMATS:
                raise InvalidImage(not_image)
            width, height = probe.size
            if width * height > max_pixels:
                raise InvalidImage(too_big)
            probe.verify()  # checks structure; the object is unusable afterwards
            image = Image.open(io.BytesIO(data))
            image.load()
    except InvalidImage:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise InvalidImage(too_big) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InvalidImage(not_image) from exc
    return image


def _rendition(image: Image.Image, size: int) -> bytes:
    copy = image.copy()
    copy.thumbnail((size, size), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # Saving pixel data afresh drops EXIF, GPS and every other metadata block.
    copy.save(out, format="WEBP", quality=80, method=4)
    return out.getvalue()


def renditions(stream, max_pixels: int = 50_000_000) -> dict[str, bytes]:
    """Validate an uploaded photo and make its WebP renditions (label -> bytes)."""
    data = _read_limited(stream, MAX_BYTES)
    image = open_verified(data, max_pixels)
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    return {label: _rendition(image, size) for label, size in RENDITIONS.items()}


class FolderStorage:
    """Photos as files in a folder (the embedded default; one machine, or a shared disk)."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)

    def child(self, name: str) -> FolderStorage:
        return FolderStorage(self.folder / name)

    def put(self, name: str, data: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / name).write_bytes(data)

    def get(self, name: str) -> bytes | None:
        try:
            return (self.folder / name).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None

    def delete(self, name: str) -> None:
        (self.folder / name).unlink(missing_ok=True)


class S3Storage:
    """Photos as objects in an S3-compatible bucket (AWS, MinIO, Cloudflare R2…), shared by
    every app server. Objects are private to the bucket's credentials: the app serves them
    (nginx may cache the public ones for a year: their names are never reused)."""

    def __init__(self, client, bucket: str, prefix: str = ""):
        self.client, self.bucket, self.prefix = client, bucket, prefix

    @classmethod
    def from_config(cls, config) -> S3Storage:
        import boto3
        from botocore.config import Config

        client = boto3.client(
            "s3",
            endpoint_url=config.get("S3_ENDPOINT_URL") or None,
            region_name=config.get("S3_REGION") or None,
            config=Config(connect_timeout=3, read_timeout=10, retries={"max_attempts": 3}),
        )
        return cls(client, config["S3_BUCKET"], config.get("S3_PREFIX", ""))

    def child(self, name: str) -> S3Storage:
        return S3Storage(self.client, self.bucket, f"{self.prefix}{name}/")

    def put(self, name: str, data: bytes) -> None:
        self.client.put_object(
            Bucket=self.bucket, Key=self.prefix + name, Body=data, ContentType="image/webp"
        )

    def get(self, name: str) -> bytes | None:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self.prefix + name)["Body"].read()
        except self.client.exceptions.NoSuchKey:
            return None

    def delete(self, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.prefix + name)


_S3_CLIENTS: dict = {}


@dataclass(frozen=True)
class Uploads:
    """Where photos go and how large they may be; passed to services by the boundary."""

    storage: FolderStorage | S3Storage
    max_pixels: int = 50_000_000

    @classmethod
    def from_config(cls, config) -> Uploads:
        if config.get("UPLOAD_STORAGE") == "s3":
            key = (config.get("S3_ENDPOINT_URL"), config["S3_BUCKET"], config.get("S3_PREFIX"))
            if key not in _S3_CLIENTS:  # a boto3 client is costly to make and thread-safe
                _S3_CLIENTS[key] = S3Storage.from_config(config)
            storage = _S3_CLIENTS[key]
        else:
            storage = FolderStorage(config["UPLOAD_FOLDER"])
        return cls(storage, int(config["MAX_IMAGE_PIXELS"]))

    def private(self) -> Uploads:
        """Where the public media route cannot reach (receipts): served only after a check."""
        return Uploads(self.storage.child("private"), self.max_pixels)

    def store(self, stream) -> StoredImage:
        """Validate the photo, keep its renditions under a new random name; their names. Stored
        during a database transaction, the files go again if it rolls back (see below)."""
        made = renditions(stream, self.max_pixels)
        token = secrets.token_urlsafe(18)
        names = {label: f"{token}-{label}.webp" for label in made}
        for label, data in made.items():
            self.storage.put(names[label], data)
        pending = _pending()
        if pending is not None:
            pending.setdefault(_STORED, []).extend((self.storage, n) for n in names.values())
        return StoredImage(thumb=names["thumb"], large=names["large"])

    def read(self, name: str) -> bytes | None:
        """A stored rendition's bytes (None when there is none by that name)."""
        if not name or "/" in name or name.startswith("."):
            return None
        return self.storage.get(name)

    def delete(self, *names: str | None) -> None:
        """Remove stored renditions (missing ones are fine): once the database transaction
        that stops using them commits, when there is one (a rolled-back change still shows
        them)."""
        doomed = [(self.storage, name) for name in names if name and "/" not in name]
        pending = _pending()
        if pending is None:
            _remove(doomed)
        else:
            pending.setdefault(_DROPPED, []).extend(doomed)


# Files follow the database transaction of the request that writes or drops them: a photo stored
# by a change that rolls back is removed, and a photo a change stops using is removed only once
# that change has committed. The lists live in the session's info, like the jobs after commit.
_STORED, _DROPPED = "pkk.uploads.stored", "pkk.uploads.dropped"


def _pending() -> dict | None:
    """The request's database session's info, inside an app context."""
    if not has_app_context():
        return None
    from marketplace.extensions import db

    return db.session.info


def _remove(files) -> None:
    for storage, name in files:
        try:
            storage.delete(name)
        except Exception:  # noqa: BLE001 - a file left behind is no reason to fail the request
            logging.getLogger(__name__).warning("could not remove upload %s", name, exc_info=True)


@event.listens_for(Session, "after_commit")
def _uploads_after_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released: the outer one decides
        return
    session.info.pop(_STORED, None)
    _remove(session.info.pop(_DROPPED, ()))


@event.listens_for(Session, "after_soft_rollback")
def _uploads_after_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is not None:  # a savepoint: the outer transaction decides
        return
    session.info.pop(_DROPPED, None)
    _remove(session.info.pop(_STORED, ()))
