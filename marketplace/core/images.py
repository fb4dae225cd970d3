"""Photo uploads: verify, refuse bombs, strip metadata, store WebP renditions under random names."""

from __future__ import annotations

import io
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

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


def store_image(stream, folder: str | Path, max_pixels: int = 50_000_000) -> StoredImage:
    """Validate an uploaded photo and write thumbnail and large WebP files; return their names."""
    data = _read_limited(stream, MAX_BYTES)
    image = open_verified(data, max_pixels)
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(18)
    names = {}
    for label, size in RENDITIONS.items():
        name = f"{token}-{label}.webp"
        (folder / name).write_bytes(_rendition(image, size))
        names[label] = name
    return StoredImage(thumb=names["thumb"], large=names["large"])


def delete_image_files(folder: str | Path, *names: str | None) -> None:
    """Remove stored renditions (missing files are fine)."""
    for name in names:
        if name:
            (Path(folder) / name).unlink(missing_ok=True)


@dataclass(frozen=True)
class Uploads:
    """Where photos go and how large they may be; passed to services by the boundary."""

    folder: Path
    max_pixels: int = 50_000_000

    @classmethod
    def from_config(cls, config) -> Uploads:
        return cls(Path(config["UPLOAD_FOLDER"]), int(config["MAX_IMAGE_PIXELS"]))

    def private(self) -> Uploads:
        """A folder the public media route cannot reach (receipts): served only after a check."""
        folder = self.folder / "private"
        folder.mkdir(parents=True, exist_ok=True)
        return Uploads(folder, self.max_pixels)

    def store(self, stream) -> StoredImage:
        return store_image(stream, self.folder, self.max_pixels)

    def delete(self, *names: str | None) -> None:
        delete_image_files(self.folder, *names)
