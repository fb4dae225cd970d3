"""Customer side: cart, checkout per store, order pages and history."""

from __future__ import annotations

import secrets

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    has_request_context,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from marketplace.areas.forms import kelurahan_choices
from marketplace.catalog.models import Product
from marketplace.core.forms import choices
from marketplace.core.inputs import db_int
from marketplace.core.qr import qr_svg
from marketplace.core.web import browser_guarded, public_url, render_form, run_service
from marketplace.events import services as events
from marketplace.extensions import db
from marketplace.orders import cart as carts
from marketplace.orders import services
from marketplace.orders.forms import CancelOrderForm, CheckoutForm
from marketplace.orders.models import Order, OrderStatus
from marketplace.orders.notifications import customer_to_seller_message
from marketplace.orders.states import LABELS
from marketplace.payments import manual, stripe_client
from marketplace.payments.forms import PaymentClaimForm
from marketplace.promotions import services as promotions
from marketplace.reviews import services as reviews
from marketplace.stores.hours import availability
from marketplace.stores.services import stores_of

bp = Blueprint("orders", __name__)
TOKENS_KEY = "checkout_tokens"


def current_cart():
    if current_user.is_authenticated:
        return carts.DbCart(current_user)
    return carts.SessionCart(session)


def _checkout_token(store_id: int) -> str:
    """One token per cart and store, shared by every tab: a second submission finds the order."""
    tokens = dict(session.get(TOKENS_KEY) or {})
    if str(store_id) not in tokens:
        tokens[str(store_id)] = secrets.token_urlsafe(24)
        session[TOKENS_KEY] = tokens
    return tokens[str(store_id)]


def _forget_token(store_id: int) -> None:
    tokens = dict(session.get(TOKENS_KEY) or {})
    tokens.pop(str(store_id), None)
    session[TOKENS_KEY] = tokens


@bp.app_context_processor
def navigation_counts():
    """What the header and the bottom bar show: the cart's units; for a seller, the store the
    bar's links open (the first) and its new orders."""
    if not has_request_context() or g.get("plain_page"):
        return {"cart_count": 0, "new_orders": 0, "nav_store": None}
    counts = {"cart_count": current_cart().quantity(), "new_orders": 0, "nav_store": None}
    if current_user.is_authenticated and current_user.is_seller:
        stores = stores_of(current_user)
        counts["nav_store"] = stores[0] if stores else None
        counts["new_orders"] = services.new_order_count([s.id for s in stores])
    return counts


@bp.app_template_global("discount_code_of")
def discount_code_of(order: Order) -> str:
    """The promo code an order used, for the order pages of both sides."""
    redemption = promotions.redemption_of(order.id) if order.discount else None
    return redemption.code.code if redemption is not None else ""


@bp.route("/keranjang")
def cart():
    groups = carts.view_cart(current_cart(), user=current_user)
    return render_template(
        "orders/cart.html",
        groups=groups,
        booth_events={g.store.id: events.booth_events(g.store) for g in groups},
    )


@bp.route("/keranjang/tambah", methods=["POST"])
@browser_guarded  # the product page's form, the same cached page for every visitor
def add():
    product = db.session.get(Product, request.form.get("product_id", type=db_int) or 0)
    option_ids = request.form.getlist("opsi", type=db_int)
    quantity = request.form.get("jumlah", 1, type=db_int) or 0
    ok, _item = run_service(
        carts.add_to_cart, current_cart(), product, option_ids, quantity, current_user
    )
    if ok:
        flash(_("%(name)s masuk keranjang.", name=product.name), "success")
        return redirect(url_for("orders.cart"))
    if product is None:
        abort(404)
    return redirect(url_for("catalog.product", product_id=product.id)), 303


@bp.route("/keranjang/ubah", methods=["POST"])
def update():
    quantity = request.form.get("jumlah", type=db_int)
    if quantity is None:
        flash(_("Tulis jumlah dengan angka."), "error")
    else:
        run_service(carts.change_quantity, current_cart(), request.form.get("key", ""), quantity)
    return redirect(url_for("orders.cart"))


@bp.route("/keranjang/hapus", methods=["POST"])
def remove():
    run_service(current_cart().remove, [request.form.get("key", "")])
    return redirect(url_for("orders.cart"))


@bp.route("/keranjang/toko/<int:store_id>/harga", methods=["POST"])
def accept_prices(store_id: int):
    run_service(carts.accept_prices, current_cart(), store_id, None, current_user)
    return redirect(url_for("orders.cart"))


def _labelled(slots):
    """(slot, "Senin, 7 Des, 10.30"): the day named once per date (Babel is slow per call)."""
    days: dict = {}
    for slot in slots:
        day = slot.date()
        if day not in days:
            days[day] = format_datetime(slot, "EEEE, d MMM")
        yield slot, f"{days[day]}, {slot:%H.%M}"


def _offer_choices(form: CheckoutForm, group, event) -> None:
    """The lists of times and kelurahan, for showing the form (a submitted time is checked by
    the service against the same slots, so a post that succeeds never builds them here)."""
    slots = services.available_slots(group.store, services.lead_days_for(group), event=event)
    form.fulfil_at.choices = choices((slot.isoformat(), label) for slot, label in _labelled(slots))
    form.kelurahan_id.choices = kelurahan_choices()


def _checkout_form(group) -> CheckoutForm:
    form = CheckoutForm()
    if not form.is_submitted():
        form.checkout_token.data = _checkout_token(group.store.id)
        if current_user.is_authenticated:
            form.name.data, form.phone.data = current_user.name, current_user.phone
            form.email.data = current_user.email
        form.kelurahan_id.data = group.store.kelurahan_id
    return form


@bp.route("/keranjang/toko/<int:store_id>/pesan", methods=["GET", "POST"])
def checkout(store_id: int):
    cart = current_cart()
    group = next(
        (g for g in carts.view_cart(cart, user=current_user) if g.store.id == store_id), None
    )
    token = request.form.get("checkout_token", "")
    if group is None:
        existing = services.find_by_checkout_token(token) if token else None
        if existing is not None:  # the same order submitted again (another tab, a double click)
            return redirect(url_for("orders.show", token=existing.token))
        flash(_("Keranjang untuk toko ini kosong."), "info")
        return redirect(url_for("orders.cart"))
    event_id = request.values.get("acara", type=db_int)
    event = None
    if event_id:
        ok, event = run_service(services.booth_event, group.store, event_id)
        if not ok:
            return redirect(url_for("orders.cart"))
    form = _checkout_form(group)
    if event is not None:
        form.fulfilment.data = "pickup"
    if form.validate_on_submit():
        try:
            ok, order = run_service(
                services.place_order,
                cart,
                store_id,
                form.to_data(event),
                current_user if current_user.is_authenticated else None,
                group=group,
            )
        except IntegrityError:
            db.session.rollback()
            ok, order = True, services.find_by_checkout_token(form.checkout_token.data)
        if ok and order is not None:
            _forget_token(store_id)
            if order.status == OrderStatus.AWAITING_PAYMENT and order.payment_method == "card":
                return redirect(url_for("payments.pay", token=order.token))
            flash(
                _("Pesanan #%(id)d terkirim ke %(store)s.", id=order.id, store=order.store.name),
                "success",
            )
            return redirect(url_for("orders.show", token=order.token))
    _offer_choices(form, group, event)
    store = group.store
    card_available = stripe_client.is_configured()
    methods = {
        fulfilment: [
            label
            for method, label in (
                ("cash", _("tunai")),
                ("card", _("kartu")),
                ("qris", _("QRIS")),
                ("transfer", _("transfer")),
            )
            if store.accepts(fulfilment, method) and (method != "card" or card_available)
        ]
        for fulfilment in ("pickup", "delivery")
    }
    offered = {
        "cash": True,
        "card": card_available and (store.card_on_pickup or store.card_on_delivery),
        "qris": store.takes_qris,
        "transfer": store.takes_transfer,
    }
    return render_form(
        "orders/checkout.html", form, group=group, event=event, methods=methods, offered=offered
    )


def _order_by_token(token: str) -> Order:
    order = db.session.scalar(select(Order).where(Order.token == token))
    if order is None:
        abort(404)
    return order


@bp.route("/pesanan/<token>")
def show(token: str):
    order = _order_by_token(token)
    link = public_url("orders.show", token=order.token)
    waiting = order.status == OrderStatus.AWAITING_PAYMENT
    payment = manual.payment_of(order) if waiting and order.payment_method != "card" else None
    return render_template(
        "orders/show.html",
        order=order,
        payment=payment,
        claim_form=PaymentClaimForm(),
        qr_svg=qr_svg,
        labels=LABELS,
        wa_message=customer_to_seller_message(order, link),
        cancel_form=CancelOrderForm(),
        store_state=availability(order.store) if order.status == OrderStatus.NEW else None,
        can_review=reviews.may_review(
            order, current_user if current_user.is_authenticated else None
        ),
    )


@bp.route("/pesanan/<token>/batal", methods=["POST"])
def cancel(token: str):
    order = _order_by_token(token)
    form = CancelOrderForm()
    form.validate()
    actor = current_user if current_user.is_authenticated else None
    ok, _result = run_service(services.cancel_by_customer, order, actor, form.reason.data or "")
    if ok:
        flash(_("Pesanan dibatalkan."), "success")
    return redirect(url_for("orders.show", token=order.token))


@bp.route("/pesanan-saya")
@login_required
def history():
    return render_template(
        "orders/history.html", orders=services.customer_orders(current_user), labels=LABELS
    )
