"""Stripe's card errors in the customer's language (Stripe answers in English)."""

from __future__ import annotations

from flask_babel import gettext as _


def card_error_messages() -> dict[str, str]:
    """Stripe error code or decline code → what the customer reads."""
    declined = _("Kartu ditolak bank. Coba kartu lain atau bayar di tempat.")
    number = _("Nomor kartu tidak valid. Periksa lagi.")
    expiry = _("Masa berlaku kartu tidak valid. Periksa bulan dan tahunnya.")
    cvc = _("Kode keamanan (CVC) tidak valid. Lihat 3 angka di belakang kartu.")
    return {
        "card_declined": declined,
        "generic_decline": declined,
        "do_not_honor": declined,
        "lost_card": declined,
        "stolen_card": declined,
        "fraudulent": declined,
        "insufficient_funds": _("Saldo atau limit kartu tidak cukup."),
        "expired_card": _("Kartu sudah kedaluwarsa."),
        "incorrect_cvc": cvc,
        "invalid_cvc": cvc,
        "incomplete_cvc": cvc,
        "incorrect_number": number,
        "invalid_number": number,
        "incomplete_number": number,
        "invalid_expiry_month": expiry,
        "invalid_expiry_year": expiry,
        "incomplete_expiry": expiry,
        "processing_error": _("Bank sedang gangguan. Coba lagi sebentar lagi."),
        "authentication_required": _(
            "Bank meminta verifikasi. Coba lagi dan selesaikan verifikasinya."
        ),
        "payment_intent_authentication_failure": _("Verifikasi bank gagal. Coba lagi."),
    }


def generic_failure() -> str:
    return _("Pembayaran gagal. Coba lagi.")
