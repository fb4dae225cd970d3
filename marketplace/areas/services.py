"""Area rules: seeding Kota Tangerang's kecamatan and kelurahan; the city admin edits them."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _
from slugify import slugify
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload

from marketplace.accounts.models import User
from marketplace.areas.models import Kecamatan, Kelurahan
from marketplace.core.errors import DomainError, NotAllowed
from marketplace.core.refcache import reference
from marketplace.extensions import db

WILAYAH_CSV = Path(__file__).resolve().parent.parent / "data" / "kota-tangerang-wilayah.csv"


def seed_areas(path: Path = WILAYAH_CSV) -> int:
    """Load every kecamatan and kelurahan from the bundled CSV; rows already present are kept."""
    kecamatan = {k.name: k for k in db.session.scalars(select(Kecamatan))}
    present = {
        (kec_name, kel_name)
        for kec_name, kel_name in db.session.execute(
            select(Kecamatan.name, Kelurahan.name).join(Kelurahan.kecamatan)
        )
    }
    slugs = set(db.session.scalars(select(Kelurahan.slug)))
    added = 0
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if (row["kecamatan"], row["kelurahan"]) in present:
                continue
            kec = kecamatan.get(row["kecamatan"])
            if kec is None:
                code = row["kode_kemendagri"].rsplit(".", 1)[0] if row["kode_kemendagri"] else None
                kec = Kecamatan(name=row["kecamatan"], slug=slugify(row["kecamatan"]), code=code)
                db.session.add(kec)
                kecamatan[kec.name] = kec
            slug = slugify(row["kelurahan"])
            if slug in slugs:  # the same name in two kecamatan
                slug = f"{slug}-{slugify(row['kecamatan'])}"
            slugs.add(slug)
            db.session.add(
                Kelurahan(
                    kecamatan=kec,
                    name=row["kelurahan"],
                    slug=slug,
                    postal_code=row["kode_pos"] or None,
                    code=row["kode_kemendagri"] or None,
                )
            )
            present.add((row["kecamatan"], row["kelurahan"]))
            added += 1
    db.session.flush()
    return added


@dataclass(frozen=True)
class KecamatanRef:
    id: int
    name: str
    slug: str
    code: str | None


@dataclass(frozen=True)
class KelurahanRef:
    """A read-only copy of a kelurahan (with its kecamatan) for lists and lookups."""

    id: int
    name: str
    slug: str
    postal_code: str | None
    code: str | None
    kecamatan_id: int
    kecamatan: KecamatanRef

    @property
    def label(self) -> str:
        return f"{self.name}, {self.kecamatan.name}"


AREA_TABLES = frozenset({"kelurahan", "kecamatan"})


def _load_kelurahan() -> tuple[KelurahanRef, ...]:
    rows = db.session.scalars(
        select(Kelurahan)
        .join(Kelurahan.kecamatan)
        .options(contains_eager(Kelurahan.kecamatan))
        .order_by(Kecamatan.name, Kelurahan.name)
    )
    kecamatan: dict[int, KecamatanRef] = {}
    copies = []
    for k in rows:
        kec = kecamatan.get(k.kecamatan_id) or kecamatan.setdefault(
            k.kecamatan_id,
            KecamatanRef(k.kecamatan.id, k.kecamatan.name, k.kecamatan.slug, k.kecamatan.code),
        )
        copies.append(
            KelurahanRef(k.id, k.name, k.slug, k.postal_code, k.code, k.kecamatan_id, kec)
        )
    return tuple(copies)


def all_kelurahan() -> tuple[KelurahanRef, ...]:
    """Every kelurahan by kecamatan and name (read-only copies kept by the process, see
    ``core.refcache``)."""
    return reference("kelurahan", AREA_TABLES, _load_kelurahan)


def kecamatan_groups() -> list[tuple[KecamatanRef, list[KelurahanRef]]]:
    """Every kecamatan that has kelurahan, by name, each with its kelurahan by name (the
    public list of areas), from the process's copies."""
    groups: dict[KecamatanRef, list[KelurahanRef]] = {}
    for kelurahan in all_kelurahan():  # ordered by kecamatan, then name
        groups.setdefault(kelurahan.kecamatan, []).append(kelurahan)
    return list(groups.items())


#: (the process's copies of every kelurahan, the same by id): rebuilt when the copies are
_BY_ID: tuple[tuple, dict] = ((), {})


def kelurahan_index() -> dict[int, KelurahanRef]:
    """Every kelurahan by id, from the process's copies (a page of cards looks up 24)."""
    global _BY_ID  # noqa: PLW0603 - an index of the copies, replaced with them
    areas = all_kelurahan()
    kept, by_id = _BY_ID
    if kept is not areas:
        by_id = {kelurahan.id: kelurahan for kelurahan in areas}
        _BY_ID = (areas, by_id)
    return by_id


def kelurahan_by_id(kelurahan_id: int | None) -> KelurahanRef | None:
    """The kelurahan ``kelurahan_id`` from the process's copies, None if there is none (an id
    typed in a URL costs no statement)."""
    return kelurahan_index().get(kelurahan_id)


def kelurahan_by_slug(slug: str) -> KelurahanRef | None:
    """The kelurahan at ``slug`` (one added on another instance a moment ago is found too)."""
    for ref in all_kelurahan():
        if ref.slug == slug:
            return ref
    if db.session.scalar(select(Kelurahan.id).where(Kelurahan.slug == slug)) is None:
        return None
    return next((k for k in _load_kelurahan() if k.slug == slug), None)


def find_kelurahan(text: str) -> list[KelurahanRef]:
    """The kelurahan a person means by what they typed: its name (any case, with or without
    "Kel." or ", Kecamatan"), its postal code (several kelurahan may share one) or its id."""
    text = " ".join(text.split())
    if not text:
        return []
    if text.isdigit():
        if len(text) == 5:
            return [k for k in all_kelurahan() if k.postal_code == text]
        wanted_id = int(text)
        return [k for k in all_kelurahan() if k.id == wanted_id]
    wanted = text.casefold()
    for prefix in ("kelurahan ", "kel. ", "kel "):
        if wanted.startswith(prefix):
            wanted = wanted[len(prefix) :]
    return [
        k
        for k in all_kelurahan()
        if wanted
        in (k.name.casefold(), k.label.casefold(), f"{k.name} ({k.kecamatan.name})".casefold())
    ]


def all_kecamatan() -> list[Kecamatan]:
    return list(
        db.session.scalars(
            select(Kecamatan).options(selectinload(Kecamatan.kelurahan)).order_by(Kecamatan.name)
        )
    )


def _check_name(name: str, kecamatan_id: int, kelurahan_id: int | None = None) -> str:
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise DomainError(_("Nama kelurahan wajib diisi (maksimal 80 karakter)."))
    clash = db.session.scalar(
        select(Kelurahan.id).where(Kelurahan.kecamatan_id == kecamatan_id, Kelurahan.name == name)
    )
    if clash is not None and clash != kelurahan_id:
        raise DomainError(_("Kelurahan dengan nama itu sudah ada di kecamatan ini."))
    return name


def add_kelurahan(actor: User, kecamatan_id: int, name: str, postal_code: str = "") -> Kelurahan:
    """Add a kelurahan (city admin only)."""
    if not actor.is_city_admin:
        raise NotAllowed(_("Hanya admin kota yang dapat mengubah wilayah."))
    kecamatan = db.session.get(Kecamatan, kecamatan_id)
    if kecamatan is None:
        raise DomainError(_("Pilih kecamatan dari daftar."))
    name = _check_name(name, kecamatan.id)
    slug, n = slugify(name) or "kelurahan", 1
    base = slug
    while db.session.scalar(select(Kelurahan.id).where(Kelurahan.slug == slug)) is not None:
        n += 1
        slug = f"{base}-{n}"
    kelurahan = Kelurahan(
        kecamatan_id=kecamatan.id, name=name, slug=slug, postal_code=_postal(postal_code)
    )
    db.session.add(kelurahan)
    db.session.flush()
    return kelurahan


def rename_kelurahan(actor: User, kelurahan: Kelurahan, name: str, postal_code: str = "") -> None:
    """Rename a kelurahan (city admin only); its address (slug) stays so links keep working."""
    if not actor.is_city_admin:
        raise NotAllowed(_("Hanya admin kota yang dapat mengubah wilayah."))
    kelurahan.name = _check_name(name, kelurahan.kecamatan_id, kelurahan.id)
    kelurahan.postal_code = _postal(postal_code) or kelurahan.postal_code
    db.session.flush()


def _postal(code: str) -> str | None:
    code = (code or "").strip()
    if code and (not code.isdigit() or len(code) != 5):
        raise DomainError(_("Kode pos terdiri dari 5 angka."))
    return code or None
