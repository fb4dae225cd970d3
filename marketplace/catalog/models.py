"""Catalog: categories, products with photos, option groups and stock (product and price)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.db import RatedMixin, Rupiah, TimestampMixin, jakarta_today, utcnow
from marketplace.extensions import db
from marketplace.stores.models import Store


class StockMode(StrEnum):
    UNLIMITED = "unlimited"
    COUNTED = "counted"
    DAILY = "daily"


class Category(db.Model):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    name_en: Mapped[str] = mapped_column(String(80), default="")
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    position: Mapped[int] = mapped_column(default=0)

    def label(self, locale: str) -> str:
        return self.name_en if locale == "en" and self.name_en else self.name


class ProductRules:
    """What a product's own columns say about its price and stock, and who may see it: the same
    rules for the model, a listing's card (``catalog.cards.ProductCard``) and the product
    page's copy (``catalog.product_page.ProductView``), which carry the columns without being
    one."""

    price: int
    sale_price: int | None
    sale_starts_at: datetime | None
    sale_ends_at: datetime | None
    stock_mode: str
    stock: int | None
    daily_quota: int | None
    is_sold_out: bool
    is_hidden: bool
    #: (day, taken) rows of daily portions that include today's, if any were taken
    upcoming_portions: list

    def on_sale(self, now: datetime | None = None) -> bool:
        if self.sale_price is None:
            return False
        now = now or utcnow()
        started = self.sale_starts_at is None or self.sale_starts_at <= now
        return started and (self.sale_ends_at is None or now < self.sale_ends_at)

    def price_at(self, now: datetime | None = None) -> int:
        """The price a customer pays now: the sale price inside its window."""
        return self.sale_price if self.on_sale(now) else self.price

    def portions_left(self, today: date | None = None) -> int | None:
        """Units that can still be ordered (None = unlimited)."""
        if self.stock_mode == StockMode.COUNTED:
            return self.stock or 0
        if self.stock_mode == StockMode.DAILY:
            today = today or jakarta_today()
            taken = sum(p.taken for p in self.upcoming_portions if p.day == today)
            return max((self.daily_quota or 0) - taken, 0)
        return None

    def is_available(self, today: date | None = None) -> bool:
        if self.is_sold_out or self.is_hidden:
            return False
        left = self.portions_left(today)
        return left is None or left > 0

    def is_visible_to(self, user) -> bool:
        """Whether ``user`` may see the product's page (needs ``store``, a ``StoreRules``)."""
        if self.store.is_managed_by(user):
            return True
        return not self.is_hidden and self.store.is_public


class Product(ProductRules, RatedMixin, TimestampMixin, db.Model):
    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("price >= 0", name="price_not_negative"),
        CheckConstraint(
            "sale_price IS NULL OR (sale_price >= 0 AND sale_price < price)",
            name="sale_below_price",
        ),
        CheckConstraint("stock IS NULL OR stock >= 0", name="stock_not_negative"),
        CheckConstraint("daily_quota IS NULL OR daily_quota >= 0", name="quota_not_negative"),
        CheckConstraint("lead_days BETWEEN 0 AND 30", name="lead_days_range"),
        CheckConstraint("stock_mode IN ('unlimited', 'counted', 'daily')", name="stock_mode_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    #: whole Rupiah
    price: Mapped[Rupiah]
    #: a lower price while the sale lasts (UTC window; open ends allowed)
    sale_price: Mapped[Rupiah | None]
    sale_starts_at: Mapped[datetime | None]
    sale_ends_at: Mapped[datetime | None]
    stock_mode: Mapped[str] = mapped_column(String(10), default=StockMode.UNLIMITED)
    #: units left when stock_mode is counted
    stock: Mapped[int | None]
    #: portions per day when stock_mode is daily
    daily_quota: Mapped[int | None]
    is_sold_out: Mapped[bool] = mapped_column(default=False)
    is_hidden: Mapped[bool] = mapped_column(default=False)
    is_halal: Mapped[bool] = mapped_column(default=False)
    #: pre-order lead time in days (H-1 = 1)
    lead_days: Mapped[int] = mapped_column(default=0)
    position: Mapped[int] = mapped_column(default=0, index=True)
    #: shown in the public listings and search: not hidden, and its store verified. Written by
    #: the database from that rule alone (catalog.services.refresh_listed, called wherever
    #: either side changes); the listings' partial indexes hold only these products
    listed: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: its store's kelurahan, copied by the same rule (the kelurahan listing walks an index on
    #: it instead of joining the stores); the store's own column is the truth
    kelurahan_id: Mapped[int | None]

    store: Mapped[Store] = relationship()
    category: Mapped[Category] = relationship()
    photos: Mapped[list[ProductPhoto]] = relationship(
        back_populates="product", order_by="ProductPhoto.position", cascade="all, delete-orphan"
    )
    #: the first photo alone (add_photo and delete_photo keep positions 0, 1, 2…): a card joins
    #: it into the product's own statement instead of loading every photo in another one
    cover_photo: Mapped[ProductPhoto | None] = relationship(
        primaryjoin="and_(ProductPhoto.product_id == Product.id, ProductPhoto.position == 0)",
        viewonly=True,
        uselist=False,
    )
    option_groups: Mapped[list[OptionGroup]] = relationship(
        back_populates="product", order_by="OptionGroup.position", cascade="all, delete-orphan"
    )
    #: portions taken from the database's today on (UTC or later), which includes today in
    #: Asia/Jakarta (UTC+7) without loading the product's whole history
    upcoming_portions: Mapped[list[DailyPortion]] = relationship(
        primaryjoin="and_(DailyPortion.product_id == Product.id, "
        "DailyPortion.day >= func.current_date())",
        viewonly=True,
    )

    @property
    def cover(self) -> ProductPhoto | None:
        if "photos" in self.__dict__:  # all photos already loaded (product and edit pages)
            return self.photos[0] if self.photos else None
        return self.cover_photo

    def is_managed_by(self, user) -> bool:
        return self.store.is_managed_by(user)


class DailyPortion(db.Model):
    """Portions of a daily-quota product taken for one day (Asia/Jakarta)."""

    __tablename__ = "daily_portions"
    __table_args__ = (CheckConstraint("taken >= 0", name="taken_not_negative"),)

    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(primary_key=True)
    taken: Mapped[int] = mapped_column(default=0)


class ProductPhoto(db.Model):
    __tablename__ = "product_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    thumb: Mapped[str] = mapped_column(String(80))
    large: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime | None]

    product: Mapped[Product] = relationship(back_populates="photos")

    def is_managed_by(self, user) -> bool:
        return self.product.is_managed_by(user)


class OptionGroup(db.Model):
    __tablename__ = "option_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(80))
    #: several options may be chosen (checkboxes) instead of one (radio buttons)
    multiple: Mapped[bool] = mapped_column(default=False)
    required: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)

    product: Mapped[Product] = relationship(back_populates="option_groups")
    options: Mapped[list[Option]] = relationship(
        back_populates="group", order_by="Option.position", cascade="all, delete-orphan"
    )

    def is_managed_by(self, user) -> bool:
        return self.product.is_managed_by(user)


class Option(db.Model):
    __tablename__ = "options"
    __table_args__ = (CheckConstraint("extra_price >= 0", name="extra_price_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("option_groups.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(80))
    #: whole Rupiah added to the product's price
    extra_price: Mapped[Rupiah] = mapped_column(default=0)
    is_sold_out: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)

    group: Mapped[OptionGroup] = relationship(back_populates="options")

    def is_managed_by(self, user) -> bool:
        return self.group.is_managed_by(user)
