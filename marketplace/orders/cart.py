"""The cart: guests keep it in the session, signed-in customers in the database; the two merge at
login. Whatever the storage, the cart is checked against the database every time it is shown."""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from marketplace.catalog.models import OptionGroup, Product
from marketplace.core.db import jakarta_today
from marketplace.core.errors import DomainError
from marketplace.core.money import format_rupiah
from marketplace.extensions import db
from marketplace.orders.models import CartLine
from marketplace.stores.hours import Availability, availability
from marketplace.stores.models import Store

MAX_QUANTITY = 99
MAX_LINES = 50
SESSION_KEY = "cart"


@dataclass(frozen=True)
class CartItem:
    product_id: int
    option_ids: tuple[int, ...]
    quantity: int
    #: unit price (with options) when it was added, to notice repricing
    price_seen: int

    @property
    def key(self) -> str:
        return f"{self.product_id}:{','.join(map(str, self.option_ids))}"


def _key_parts(key: str) -> tuple[int, tuple[int, ...]]:
    try:
        product, options = key.split(":", 1)
        return int(product), tuple(sorted(int(o) for o in options.split(",") if o))
    except ValueError as exc:
        raise DomainError(_("Barang itu tidak ada di keranjang.")) from exc


class SessionCart:
    """A guest's cart, kept in the signed session cookie."""

    def __init__(self, session: MutableMapping):
        self.session = session

    def _raw(self) -> dict:
        raw = self.session.get(SESSION_KEY)
        return raw if isinstance(raw, dict) else {}

    def items(self) -> list[CartItem]:
        items = []
        for key, (quantity, price_seen) in self._raw().items():
            product_id, option_ids = _key_parts(key)
            items.append(CartItem(product_id, option_ids, int(quantity), int(price_seen)))
        return items

    def quantity(self) -> int:
        """How many units the cart holds, for the cart icon."""
        try:
            return sum(int(quantity) for quantity, _price in self._raw().values())
        except (TypeError, ValueError):
            return 0

    def _save(self, raw: dict) -> None:
        self.session[SESSION_KEY] = raw
        if hasattr(self.session, "modified"):
            self.session.modified = True

    def put(self, item: CartItem) -> None:
        raw = self._raw()
        quantity = raw.get(item.key, (0, 0))[0] + item.quantity
        raw[item.key] = (min(quantity, MAX_QUANTITY), item.price_seen)
        self._save(raw)

    def set_quantity(self, key: str, quantity: int, price_seen: int | None = None) -> None:
        raw = self._raw()
        if key not in raw:
            raise DomainError(_("Barang itu tidak ada di keranjang."))
        raw[key] = (quantity, raw[key][1] if price_seen is None else price_seen)
        self._save(raw)

    def remove(self, keys) -> None:
        raw = self._raw()
        for key in keys:
            raw.pop(key, None)
        self._save(raw)

    def clear(self) -> None:
        self.session.pop(SESSION_KEY, None)


class DbCart:
    """A signed-in customer's cart, kept in ``cart_lines``."""

    def __init__(self, user):
        self.user = user

    def _lines(self) -> list[CartLine]:
        return list(
            db.session.scalars(
                select(CartLine).where(CartLine.user_id == self.user.id).order_by(CartLine.id)
            )
        )

    def quantity(self) -> int:
        """How many units the cart holds, for the cart icon."""
        total = db.session.scalar(
            select(func.coalesce(func.sum(CartLine.quantity), 0)).where(
                CartLine.user_id == self.user.id
            )
        )
        return int(total or 0)

    def items(self) -> list[CartItem]:
        return [
            CartItem(
                line.product_id,
                tuple(int(o) for o in line.option_ids.split(",") if o),
                line.quantity,
                line.unit_price_seen,
            )
            for line in self._lines()
        ]

    def _find(self, key: str) -> CartLine | None:
        product_id, option_ids = _key_parts(key)
        return db.session.scalar(
            select(CartLine).where(
                CartLine.user_id == self.user.id,
                CartLine.product_id == product_id,
                CartLine.option_ids == ",".join(map(str, option_ids)),
            )
        )

    def put(self, item: CartItem) -> None:
        line = self._find(item.key)
        if line is None:
            db.session.add(
                CartLine(
                    user_id=self.user.id,
                    product_id=item.product_id,
                    option_ids=",".join(map(str, item.option_ids)),
                    quantity=min(item.quantity, MAX_QUANTITY),
                    unit_price_seen=item.price_seen,
                )
            )
        else:
            line.quantity = min(line.quantity + item.quantity, MAX_QUANTITY)
            line.unit_price_seen = item.price_seen
        db.session.flush()

    def set_quantity(self, key: str, quantity: int, price_seen: int | None = None) -> None:
        line = self._find(key)
        if line is None:
            raise DomainError(_("Barang itu tidak ada di keranjang."))
        line.quantity = quantity
        if price_seen is not None:
            line.unit_price_seen = price_seen
        db.session.flush()

    def remove(self, keys) -> None:
        for key in keys:
            line = self._find(key)
            if line is not None:
                db.session.delete(line)
        db.session.flush()

    def clear(self) -> None:
        db.session.execute(delete(CartLine).where(CartLine.user_id == self.user.id))


def _load_products(ids) -> dict[int, Product]:
    if not ids:
        return {}
    return {
        p.id: p
        for p in db.session.scalars(
            select(Product)
            .where(Product.id.in_(list(ids)))
            .options(
                selectinload(Product.option_groups).selectinload(OptionGroup.options),
                selectinload(Product.photos),
                selectinload(Product.upcoming_portions),
                selectinload(Product.store).selectinload(Store.periods),
                selectinload(Product.store).selectinload(Store.closed_dates),
            )
        )
    }


def price_with_options(product: Product, option_ids: tuple[int, ...]) -> tuple[int, list]:
    """Check the chosen options against the product's groups; return unit price and options."""
    by_id = {o.id: (group, o) for group in product.option_groups for o in group.options}
    unknown = [o for o in option_ids if o not in by_id]
    if unknown:
        raise DomainError(_("Pilihan untuk %(name)s sudah berubah. Pilih lagi.", name=product.name))
    chosen = [by_id[o] for o in option_ids]
    for group in product.option_groups:
        picked = [o for g, o in chosen if g.id == group.id]
        if group.required and not picked:
            raise DomainError(
                _("Pilih %(group)s untuk %(name)s.", group=group.name, name=product.name)
            )
        if not group.multiple and len(picked) > 1:
            raise DomainError(_("Pilih satu saja untuk %(group)s.", group=group.name))
    sold_out = [o.name for _g, o in chosen if o.is_sold_out]
    if sold_out:
        raise DomainError(_("Pilihan %(option)s sedang habis.", option=", ".join(sold_out)))
    options = [o for _g, o in chosen]
    return product.price_at() + sum(o.extra_price for o in options), options


def add_to_cart(cart, product: Product | None, option_ids, quantity: int, user=None) -> CartItem:
    """Put a product with its options in the cart (checked now, and again at checkout)."""
    if product is None or not product.is_visible_to(user) or not product.store.is_public:
        raise DomainError(_("Produk itu tidak tersedia."))
    if not 1 <= quantity <= MAX_QUANTITY:
        raise DomainError(_("Jumlah antara 1 dan 99."))
    if not product.is_available():
        raise DomainError(_("Maaf, %(name)s sudah habis.", name=product.name))
    option_ids = tuple(sorted(set(option_ids)))
    unit_price, _options = price_with_options(product, option_ids)
    item = CartItem(product.id, option_ids, quantity, unit_price)
    if len(cart.items()) >= MAX_LINES and item.key not in {i.key for i in cart.items()}:
        raise DomainError(_("Keranjang sudah penuh (50 barang). Pesan dulu sebagian."))
    cart.put(item)
    return item


def change_quantity(cart, key: str, quantity: int) -> None:
    """Set a line's quantity; zero removes it."""
    if quantity <= 0:
        cart.remove([key])
        return
    if quantity > MAX_QUANTITY:
        raise DomainError(_("Jumlah antara 1 dan 99."))
    cart.set_quantity(key, quantity)


def merge_into(target: DbCart, items: list[CartItem]) -> None:
    """At login: the guest's session lines join the customer's saved cart."""
    for item in items:
        if db.session.get(Product, item.product_id) is not None:
            target.put(item)


@dataclass
class CartRow:
    item: CartItem
    product: Product | None
    options: list = field(default_factory=list)
    unit_price: int = 0
    problem: str | None = None
    #: a price change since the item was added (shown, never applied silently)
    repriced_from: int | None = None

    @property
    def line_total(self) -> int:
        return self.unit_price * self.item.quantity

    @property
    def problem_text(self) -> str:
        """What changed for this line, in words the customer acts on."""
        if self.problem:
            return self.problem
        name = self.product.name if self.product else ""
        return _(
            "Harga %(name)s berubah dari %(old)s menjadi %(new)s.",
            name=name,
            old=format_rupiah(self.repriced_from or 0),
            new=format_rupiah(self.unit_price),
        )

    @property
    def options_text(self) -> str:
        return ", ".join(
            f"{o.name} (+{format_rupiah(o.extra_price)})" if o.extra_price else o.name
            for o in self.options
        )


@dataclass
class CartGroup:
    store: Store
    state: Availability
    rows: list[CartRow]

    @property
    def subtotal(self) -> int:
        return sum(row.line_total for row in self.rows if row.problem is None)

    @property
    def problems(self) -> list[CartRow]:
        return [row for row in self.rows if row.problem or row.repriced_from is not None]

    @property
    def can_check_out(self) -> bool:
        return (
            bool(self.rows)
            and not self.problems
            and self.store.is_public
            and not self.state.is_paused
        )


def view_cart(cart, now: datetime | None = None, user=None) -> list[CartGroup]:
    """Group the cart by store and say, line by line, what changed since it was added."""
    items = cart.items()
    products = _load_products({i.product_id for i in items})
    groups: dict[int, CartGroup] = {}
    today = jakarta_today(now)
    for item in items:
        product = products.get(item.product_id)
        row = CartRow(item=item, product=product)
        if product is None or not product.store.is_public or not product.is_visible_to(user):
            row.problem = (
                _("%(name)s tidak tersedia lagi.", name=product.name)
                if product is not None
                else _("Produk ini tidak tersedia lagi.")
            )
            if product is None:
                continue  # deleted: nothing left to show; the line is dropped below
        elif product.is_sold_out or not product.is_available(today):
            row.problem = _("%(name)s sedang habis.", name=product.name)
        else:
            try:
                row.unit_price, row.options = price_with_options(product, item.option_ids)
            except DomainError as error:
                row.problem = error.message
            else:
                if row.unit_price != item.price_seen:
                    row.repriced_from = item.price_seen
                left = product.portions_left(today)
                if left is not None and item.quantity > left:
                    row.problem = _(
                        "Stok %(name)s tinggal %(left)d. Kurangi jumlahnya.",
                        name=product.name,
                        left=left,
                    )
        store = product.store
        if store.id not in groups:
            groups[store.id] = CartGroup(store=store, state=availability(store, now), rows=[])
        groups[store.id].rows.append(row)
    gone = [i.key for i in items if i.product_id not in products]
    if gone:
        cart.remove(gone)
    return list(groups.values())


def accept_prices(cart, store_id: int, now: datetime | None = None, user=None) -> None:
    """The customer saw the new prices: remember them so checkout can go ahead."""
    for group in view_cart(cart, now, user):
        if group.store.id != store_id:
            continue
        for row in group.rows:
            if row.repriced_from is not None and row.problem is None:
                cart.set_quantity(row.item.key, row.item.quantity, price_seen=row.unit_price)


def restore_order(cart, order) -> None:
    """Put an unpaid order's lines back in the cart (a declined card)."""
    for line in order.lines:
        if line.product_id is None:
            continue
        option_ids = tuple(int(o) for o in line.option_ids.split(",") if o)
        cart.put(CartItem(line.product_id, option_ids, line.quantity, line.unit_price))
