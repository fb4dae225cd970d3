"""QR codes drawn by the app: a store's poster (its link) and the QRIS of one payment."""

from __future__ import annotations

import io

import segno
from markupsafe import Markup


def _code(text: str) -> segno.QRCode:
    # medium error correction: a poster survives a crease, a drop of sambal and a dim stall
    return segno.make(text, error="m", micro=False)


def qr_svg(text: str) -> Markup:
    """The QR code of ``text`` (a link, a QRIS payload) as inline SVG that scales to its box
    (crisp in print and on any screen)."""
    svg = _code(text).svg_inline(scale=1, border=2, dark="#000", light="#fff", omitsize=True)
    return Markup(svg.replace("<svg ", '<svg role="img" aria-label="QR" class="qr" ', 1))  # noqa: S704 - segno's own SVG


def qr_png(text: str, scale: int = 10) -> bytes:
    """The QR code of ``text`` as a PNG (to download, send on WhatsApp, put on a banner)."""
    out = io.BytesIO()
    _code(text).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()
