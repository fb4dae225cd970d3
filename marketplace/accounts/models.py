"""Accounts: people and their roles."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.db import TimestampMixin, utcnow
from marketplace.extensions import db

if TYPE_CHECKING:
    from marketplace.kim.models import KimGroup


class Role(StrEnum):
    CUSTOMER = "customer"
    SELLER = "seller"
    KIM_ADMIN = "kim_admin"
    CITY_ADMIN = "city_admin"


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "role IN ('customer', 'seller', 'kim_admin', 'city_admin')", name="role_known"
        ),
        CheckConstraint(
            "role != 'kim_admin' OR kim_group_id IS NOT NULL", name="kim_admin_has_group"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    #: WhatsApp number normalised to 62…, the login name
    phone: Mapped[str] = mapped_column(String(20), unique=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default=Role.CUSTOMER)
    #: the KIM group a KIM admin acts for
    kim_group_id: Mapped[int | None] = mapped_column(ForeignKey("kim_groups.id"), index=True)
    #: bumped on password change: every older session stops working
    auth_version: Mapped[int] = mapped_column(default=1)
    last_login_at: Mapped[datetime | None]

    kim_group: Mapped[KimGroup | None] = relationship(foreign_keys=[kim_group_id])

    def get_id(self) -> str:
        return f"{self.id}.{self.auth_version}"

    @property
    def is_city_admin(self) -> bool:
        return self.role == Role.CITY_ADMIN

    @property
    def is_kim_admin(self) -> bool:
        return self.role == Role.KIM_ADMIN

    @property
    def is_seller(self) -> bool:
        return self.role == Role.SELLER

    def can_moderate_kelurahan(self, kelurahan_id: int | None) -> bool:
        """City admins moderate everywhere; a KIM admin only in their group's kelurahan."""
        if self.is_city_admin:
            return True
        return (
            self.is_kim_admin
            and self.kim_group is not None
            and kelurahan_id is not None
            and self.kim_group.kelurahan_id == kelurahan_id
        )

    def acts_for_group(self, kim_group_id: int | None) -> bool:
        """City admins act for every KIM's items (and the city's); a KIM admin for their own."""
        if self.is_city_admin:
            return True
        return self.is_kim_admin and kim_group_id is not None and self.kim_group_id == kim_group_id

    def organiser_area(self) -> tuple[int | None, int | None] | None:
        """(kim_group_id, kelurahan_id) this user organises KIM activities for: (None, None) is
        the whole city (the city admin); None when the user organises nothing."""
        if self.is_city_admin:
            return None, None
        if self.is_kim_admin and self.kim_group is not None:
            return self.kim_group.id, self.kim_group.kelurahan_id
        return None


class ResetCode(db.Model):
    """A one-time code sent by WhatsApp to set a new password (stored as an HMAC only)."""

    __tablename__ = "reset_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime]
    #: wrong guesses so far; the code dies at the limit
    attempts: Mapped[int] = mapped_column(default=0)
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEvent(db.Model):
    """Who did what to whose account (assisted password resets)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    detail: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    subject: Mapped[User | None] = relationship(foreign_keys=[subject_id])


class LoginSession(db.Model):
    """One signed-in browser. The session cookie names it; signing out revokes it here, so a
    copied cookie stops working too."""

    __tablename__ = "login_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
