"""Stock that never oversells: conditional updates, checked row counts, a fixed order.

Counted stock lives on ``products.stock`` (CHECK stock >= 0); daily portions live in
``daily_portions`` (one row per product and day, CHECK taken >= 0). Both are taken with a single
conditional statement whose row count says whether there was enough, inside the caller's
transaction, and products are always taken in id order so that two carts never deadlock.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import and_, select, update

from marketplace.catalog.models import DailyPortion, Product, StockMode
from marketplace.core.db import upsert
from marketplace.core.errors import DomainError
from marketplace.core.pagecache import TOLD, stock_changed
from marketplace.extensions import db


class OutOfStock(DomainError):
    def __init__(self, product_name: str, left: int | None = None):
        if left:
            message = _(
                "Stok %(name)s tinggal %(left)d. Kurangi jumlahnya.", name=product_name, left=left
            )
        else:
            message = _("Maaf, %(name)s sudah habis.", name=product_name)
        super().__init__(message)
        self.product_name = product_name


def _stock_moved(product_id: int, availability_changed: bool) -> None:
    # the product's page says how many are left; the cards only whether it can be ordered
    stock_changed(db.session, product_id, availability_changed)


def _take_portions(product: Product, quantity: int, day: date) -> bool:
    """Add ``quantity`` to the day's portions if the quota allows; True when it did."""
    if quantity > (product.daily_quota or 0):
        return False
    table = DailyPortion.__table__
    statement = (
        upsert(table)
        .values(product_id=product.id, day=day, taken=quantity)
        .on_conflict_do_update(
            index_elements=[table.c.product_id, table.c.day],
            set_={"taken": table.c.taken + quantity},
            where=(table.c.taken + quantity <= product.daily_quota),
        )
        # A row comes back when the insert or the guarded update happened (portable, unlike
        # rowcount for INSERT … ON CONFLICT across drivers).
        .returning(table.c.taken)
    )
    taken = db.session.execute(statement, execution_options=TOLD).scalar()
    if taken is None:
        return False
    _stock_moved(product.id, taken >= (product.daily_quota or 0))
    return True


def reserve_stock(quantities: Mapping[int, int], day: date) -> None:
    """Take stock for {product_id: quantity} (lines already summed) or raise OutOfStock."""
    products = {
        p.id: p for p in db.session.scalars(select(Product).where(Product.id.in_(list(quantities))))
    }
    for product_id in sorted(quantities):
        product, quantity = products[product_id], quantities[product_id]
        if quantity <= 0:
            continue
        if product.stock_mode == StockMode.COUNTED:
            left = db.session.execute(
                update(Product)
                .where(Product.id == product_id, Product.stock >= quantity)
                .values(stock=Product.stock - quantity)
                .returning(Product.stock),
                execution_options=TOLD,
            ).scalar()
            if left is None:
                left = db.session.scalar(select(Product.stock).where(Product.id == product_id))
                raise OutOfStock(product.name, left)
            _stock_moved(product_id, left == 0)
        elif product.stock_mode == StockMode.DAILY:
            if not _take_portions(product, quantity, day):
                taken = db.session.scalar(
                    select(DailyPortion.taken).where(
                        DailyPortion.product_id == product_id, DailyPortion.day == day
                    )
                )
                raise OutOfStock(product.name, max((product.daily_quota or 0) - (taken or 0), 0))
    db.session.expire_all()


def release_stock(quantities: Mapping[int, int], day: date) -> None:
    """Give back stock taken by ``reserve_stock`` (an order rejected, cancelled or expired)."""
    modes, quotas = {}, {}
    for product_id, mode, quota in db.session.execute(
        select(Product.id, Product.stock_mode, Product.daily_quota).where(
            Product.id.in_(list(quantities))
        )
    ):
        modes[product_id], quotas[product_id] = mode, quota or 0
    for product_id in sorted(quantities):
        quantity = quantities[product_id]
        if product_id not in modes or quantity <= 0:
            continue  # a deleted product has no stock to give back
        if modes[product_id] == StockMode.COUNTED:
            left = db.session.execute(
                update(Product)
                .where(Product.id == product_id)
                .values(stock=Product.stock + quantity)
                .returning(Product.stock),
                execution_options=TOLD,
            ).scalar()
            if left is not None:
                _stock_moved(product_id, left - quantity <= 0)  # it had sold out
        elif modes[product_id] == StockMode.DAILY:
            taken = db.session.execute(
                update(DailyPortion)
                .where(
                    and_(
                        DailyPortion.product_id == product_id,
                        DailyPortion.day == day,
                        DailyPortion.taken >= quantity,
                    )
                )
                .values(taken=DailyPortion.taken - quantity)
                .returning(DailyPortion.taken),
                execution_options=TOLD,
            ).scalar()
            if taken is not None:
                _stock_moved(product_id, taken + quantity >= quotas[product_id])  # had sold out
    db.session.expire_all()
