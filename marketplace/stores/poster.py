"""A store's printable QR poster: the stall and the KIM's noticeboard lead people online."""

from __future__ import annotations

import io

import segno
from markupsafe import Markup

#: A5 and A6 sheets (mm) the poster page can be printed on
SHEETS = {"a5": (148, 210), "a6": (105, 148)}


def _code(url: str) -> segno.QRCode:
    # medium error correction: a poster survives a crease, a drop of sambal and a dim stall
    return segno.make(url, error="m", micro=False)


def qr_svg(url: str) -> Markup:
    """The QR code of ``url`` as inline SVG that scales to the sheet (crisp in print)."""
    svg = _code(url).svg_inline(scale=1, border=2, dark="#000", light="#fff", omitsize=True)
    return Markup(svg.replace("<svg ", '<svg role="img" aria-label="QR" class="qr" ', 1))  # noqa: S704 - segno's own SVG


def qr_png(url: str, scale: int = 10) -> bytes:
    """The QR code of ``url`` as a PNG (to download, send on WhatsApp, put on a banner)."""
    out = io.BytesIO()
    _code(url).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()
