from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from marketplace.accounts import services
from marketplace.accounts.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    ResetCodeForm,
    ResetPasswordForm,
    SignUpForm,
)
from marketplace.core.errors import DomainError
from marketplace.core.web import public_url, render_form, run_service, safe_next
from marketplace.extensions import db, limiter
from marketplace.orders.cart import DbCart, SessionCart, merge_into
from marketplace.outbox import whatsapp

bp = Blueprint("accounts", __name__, url_prefix="/akun")


def _auth_limit() -> str:
    return current_app.config["AUTH_RATE_LIMIT"]


def _start_session(user) -> None:
    """Renew the session at login (session fixation) and record it as a live login session;
    the guest's cart joins the saved one."""
    guest_items = SessionCart(session).items()
    services.revoke_login_session(session.get(services.SESSION_ID_KEY))
    session.clear()
    session[services.SESSION_ID_KEY] = services.open_login_session(user)
    login_user(user, remember=False)
    if guest_items:
        merge_into(DbCart(user), guest_items)
    db.session.commit()


def _home_for(user) -> str:
    if user.is_city_admin or user.is_kim_admin:
        return url_for("kim.dashboard")
    if user.is_seller:
        return url_for("stores.dashboard")
    return url_for("main.home")


@bp.route("/")
def menu():
    """Akun: who is signed in, their pages, the rest of the site, sign in or out."""
    return render_template("accounts/menu.html")


@bp.route("/daftar", methods=["GET", "POST"])
@limiter.limit(_auth_limit, methods=["POST"])
def signup():
    form = SignUpForm()
    if not form.is_submitted() and request.args.get("jual") == "1":
        form.wants_to_sell.data = True  # came from "Mulai berjualan"
    if form.validate_on_submit():
        data = services.SignUpData(
            name=form.name.data,
            phone=form.phone.data,
            password=form.password.data,
            email=form.email.data or "",
            wants_to_sell=form.wants_to_sell.data,
        )
        ok, user = run_service(services.register_user, data)
        if ok:
            _start_session(user)
            flash(_("Selamat datang, %(name)s! Akun Anda sudah dibuat.", name=user.name), "success")
            if user.is_seller:
                return redirect(url_for("stores.create"))
            return redirect(url_for("main.home"))
    return render_form("accounts/signup.html", form)


@bp.route("/masuk", methods=["GET", "POST"])
@limiter.limit(_auth_limit, methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        ok, user = run_service(services.authenticate, form.login.data, form.password.data)
        if ok:
            _start_session(user)
            flash(_("Anda sudah masuk."), "success")
            return redirect(safe_next(_home_for(user)))
    return render_form("accounts/login.html", form)


@bp.route("/keluar", methods=["POST"])
def logout():
    services.revoke_login_session(session.get(services.SESSION_ID_KEY))
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("Anda sudah keluar."), "success")
    return redirect(url_for("main.home"))


@bp.route("/keluar-semua", methods=["POST"])
@login_required
def logout_everywhere():
    """Sign out on every phone and computer (a lost phone, a shared one)."""
    services.sign_out_everywhere(current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("Anda sudah keluar dari semua perangkat."), "success")
    return redirect(url_for("main.home"))


@bp.route("/kata-sandi", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        ok, _result = run_service(
            services.change_password, current_user, form.current.data, form.new.data
        )
        if ok:
            _start_session(current_user._get_current_object())
            flash(_("Kata sandi sudah diganti."), "success")
            return redirect(url_for("main.home"))
    return render_form("accounts/change_password.html", form)


def _reset_link(user) -> str:
    token = services.make_reset_token(user, current_app.config["SECRET_KEY"])
    return public_url("accounts.reset_password", token=token)


@bp.route("/kode-reset", methods=["GET", "POST"])
@limiter.limit(_auth_limit, methods=["POST"])
def reset_with_code():
    form = ResetCodeForm()
    if not form.is_submitted():
        form.phone.data = request.args.get("nomor", "")[:20]
    if form.validate_on_submit():
        problem = services.redeem_reset_code(form.phone.data, form.code.data, form.new.data)
        db.session.commit()  # a wrong guess counts, whatever follows
        if problem is None:
            flash(_("Kata sandi baru sudah disimpan. Silakan masuk."), "success")
            return redirect(url_for("accounts.login"))
        flash(problem, "error")
        g.service_failed = True
    return render_form("accounts/reset_code.html", form)


@bp.route("/lupa-kata-sandi", methods=["GET", "POST"])
@limiter.limit(_auth_limit, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        ok, _result = run_service(services.start_recovery, form.login.data, _reset_link)
        # The same answer whether or not the account is known.
        if whatsapp.is_configured() and "@" not in form.login.data:
            flash(
                _(
                    "Jika nomor itu terdaftar, kode sudah dikirim lewat WhatsApp "
                    "(dan tautan ke e-mail akun, bila ada)."
                ),
                "info",
            )
            return redirect(url_for("accounts.reset_with_code", nomor=form.login.data))
        flash(
            _(
                "Jika akun itu terdaftar dan punya e-mail, tautan untuk mengatur ulang kata "
                "sandi sudah dikirim. Tanpa e-mail? Minta bantuan admin KIM kelurahan Anda."
            ),
            "info",
        )
        return redirect(url_for("accounts.login"))
    return render_form("accounts/forgot_password.html", form)


@bp.route("/atur-ulang/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    config = current_app.config
    try:
        services.user_for_reset_token(token, config["SECRET_KEY"], config["PASSWORD_RESET_MAX_AGE"])
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("accounts.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        ok, _user = run_service(
            services.reset_password,
            token,
            form.new.data,
            config["SECRET_KEY"],
            config["PASSWORD_RESET_MAX_AGE"],
        )
        if ok:
            flash(_("Kata sandi baru sudah disimpan. Silakan masuk."), "success")
            return redirect(url_for("accounts.login"))
    return render_form("accounts/reset_password.html", form)
