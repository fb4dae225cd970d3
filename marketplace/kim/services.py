"""KIM rules: groups, their members and offices, and who acts for a group."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from marketplace.accounts.models import Role, User
from marketplace.areas.models import Kelurahan
from marketplace.core.errors import DomainError, NotAllowed
from marketplace.core.phone import InvalidPhone, normalize_phone
from marketplace.extensions import db
from marketplace.kim.models import KimGroup, KimMember, Office


def can_manage_group(actor: User, group: KimGroup) -> bool:
    return actor.can_moderate_kelurahan(group.kelurahan_id)


def ensure_group(kelurahan: Kelurahan) -> KimGroup:
    """The KIM group of a kelurahan, founded with the default name if it has none yet."""
    group = db.session.scalar(select(KimGroup).where(KimGroup.kelurahan_id == kelurahan.id))
    if group is None:
        group = KimGroup(kelurahan_id=kelurahan.id, name=f"KIM {kelurahan.name}")
        db.session.add(group)
        db.session.flush()
    return group


def create_group(actor: User, kelurahan_id: int, name: str) -> KimGroup:
    """Found the KIM group of a kelurahan (city admin only; one per kelurahan)."""
    if not actor.is_city_admin:
        raise NotAllowed(_("Hanya admin kota yang dapat membentuk KIM."))
    kelurahan = db.session.get(Kelurahan, kelurahan_id)
    if kelurahan is None:
        raise DomainError(_("Pilih kelurahan dari daftar."))
    if db.session.scalar(select(KimGroup.id).where(KimGroup.kelurahan_id == kelurahan.id)):
        raise DomainError(_("Kelurahan ini sudah punya KIM."))
    group = KimGroup(
        kelurahan_id=kelurahan.id, name=(name or "").strip() or f"KIM {kelurahan.name}"
    )
    db.session.add(group)
    db.session.flush()
    return group


def add_member(actor: User, group: KimGroup, name: str, office: str, phone: str = "") -> KimMember:
    """Record a member holding an office of the KIM guideline; a phone links their account."""
    if not can_manage_group(actor, group):
        raise NotAllowed(_("Anda hanya dapat mengelola KIM kelurahan Anda."))
    if office not in set(Office):
        raise DomainError(_("Pilih jabatan dari daftar."))
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Nama anggota wajib diisi."))
    user = None
    if phone.strip():
        try:
            user = db.session.scalar(select(User).where(User.phone == normalize_phone(phone)))
        except InvalidPhone as exc:
            raise DomainError(_("Nomor WhatsApp tidak valid.")) from exc
        if user is None:
            raise DomainError(_("Belum ada akun dengan nomor itu. Minta anggota mendaftar dulu."))
    member = KimMember(name=name[:120], office=office, user_id=user.id if user else None)
    group.members.append(member)
    db.session.flush()
    return member


def set_mentor(actor: User, member: KimMember, mentor: bool) -> None:
    """Appoint a member (with an account) to accompany the kelurahan's UMKM, or stop it."""
    if not can_manage_group(actor, member.group):
        raise NotAllowed(_("Anda hanya dapat mengelola KIM kelurahan Anda."))
    if mentor and member.user_id is None:
        raise DomainError(
            _("Pendamping perlu akun: tambahkan anggota dengan nomor WhatsApp akunnya.")
        )
    member.is_mentor = mentor
    db.session.flush()


def remove_member(actor: User, member: KimMember) -> None:
    if not can_manage_group(actor, member.group):
        raise NotAllowed(_("Anda hanya dapat mengelola KIM kelurahan Anda."))
    member.group.members.remove(member)
    db.session.flush()


def appoint_admin(actor: User, group: KimGroup, phone: str) -> User:
    """Make an existing account an admin of this KIM group (city admin only)."""
    if not actor.is_city_admin:
        raise NotAllowed(_("Hanya admin kota yang dapat menunjuk admin KIM."))
    try:
        user = db.session.scalar(select(User).where(User.phone == normalize_phone(phone)))
    except InvalidPhone as exc:
        raise DomainError(_("Nomor WhatsApp tidak valid.")) from exc
    if user is None:
        raise DomainError(_("Belum ada akun dengan nomor itu. Minta calon admin mendaftar dulu."))
    if user.role in (Role.CITY_ADMIN, Role.SELLER):
        raise DomainError(_("Akun penjual atau admin kota tidak dapat menjadi admin KIM."))
    user.role = Role.KIM_ADMIN
    user.kim_group_id = group.id
    db.session.flush()
    return user


def groups_for(actor: User) -> list[KimGroup]:
    query = select(KimGroup).join(KimGroup.kelurahan).order_by(Kelurahan.name)
    if not actor.is_city_admin:
        query = query.where(KimGroup.id == actor.kim_group_id)
    return list(db.session.scalars(query))


def group_admins(group: KimGroup) -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(User.kim_group_id == group.id, User.role == Role.KIM_ADMIN)
        )
    )
