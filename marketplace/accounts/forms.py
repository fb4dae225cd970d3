from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, StringField, TelField
from wtforms.validators import Email, EqualTo, Optional

from marketplace.core.forms import Form, length, required


class SignUpForm(Form):
    name = StringField(_l("Nama lengkap"), validators=[required(), length(120)])
    phone = TelField(
        _l("Nomor WhatsApp"),
        validators=[required(), length(20)],
        description=_l("Contoh: 0812-3456-7890"),
    )
    email = EmailField(
        _l("E-mail (tidak wajib)"),
        validators=[Optional(), Email(message=_l("Alamat e-mail tidak valid.")), length(254)],
    )
    password = PasswordField(
        _l("Kata sandi"),
        validators=[required(), length(200, 8)],
        description=_l("Minimal 8 karakter"),
    )
    wants_to_sell = BooleanField(_l("Saya ingin berjualan (membuka toko)"))


class LoginForm(Form):
    login = StringField(_l("Nomor WhatsApp atau e-mail"), validators=[required(), length(254)])
    password = PasswordField(_l("Kata sandi"), validators=[required(), length(200)])


class ChangePasswordForm(Form):
    current = PasswordField(_l("Kata sandi lama"), validators=[required(), length(200)])
    new = PasswordField(_l("Kata sandi baru"), validators=[required(), length(200, 8)])
    confirm = PasswordField(
        _l("Ulangi kata sandi baru"),
        validators=[required(), EqualTo("new", message=_l("Kata sandi tidak sama."))],
    )


class ForgotPasswordForm(Form):
    login = StringField(
        _l("Nomor WhatsApp atau e-mail akun Anda"), validators=[required(), length(254)]
    )


class ResetPasswordForm(Form):
    new = PasswordField(_l("Kata sandi baru"), validators=[required(), length(200, 8)])
    confirm = PasswordField(
        _l("Ulangi kata sandi baru"),
        validators=[required(), EqualTo("new", message=_l("Kata sandi tidak sama."))],
    )


class ResetCodeForm(ResetPasswordForm):
    phone = TelField(_l("Nomor WhatsApp"), validators=[required(), length(20)])
    code = StringField(
        _l("Kode dari WhatsApp (6 angka)"),
        validators=[required(), length(6, 6)],
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code"},
    )


class AssistedResetForm(Form):
    phone = TelField(_l("Nomor WhatsApp warga"), validators=[required(), length(20)])
