"""WhatsApp Business Cloud API: template messages in Bahasa Indonesia, sent by the outbox.

Configured by ``WHATSAPP_PHONE_NUMBER_ID`` and ``WHATSAPP_TOKEN`` (a system user's permanent
token); without them the marketplace offers click-to-chat links instead. The templates below
must be approved in the WhatsApp Manager under these names, language ``id``, with the body
parameters in this order.
"""

from __future__ import annotations

import requests
from flask import current_app

#: template name → what its body says ({{1}}, {{2}}, … are the parameters in order)
TEMPLATES = {
    "pesanan_baru_penjual": (
        "Pesanan baru #{{1}} dari {{2}}: {{3}}, {{4}}. Jawab sebelum {{5}}: {{6}}"
    ),
    "status_pesanan": "Pesanan #{{1}} di {{2}}: {{3}}. {{4}} Lihat pesanan: {{5}}",
    "kode_reset": "Kode untuk mengatur ulang kata sandi Pasar Kampung Kuliner: {{1}}. "
    "Berlaku 10 menit. Jangan berikan kode ini kepada siapa pun.",
    "hasil_laporan": "Terima kasih sudah melapor. Hasil pemeriksaan KIM: {{1}} — {{2}}. "
    "Penjelasan dan sumbernya: {{3}}",
    "klaim_toko": "Halo {{1}}, toko {{2}} sudah dibukakan KIM di Pasar Kampung Kuliner. "
    "Buka tautan ini untuk mengambil alih toko Anda (berlaku 14 hari, sekali pakai): {{3}}",
    "pesanan_instansi_toko": "{{1}}. Buka pesanan instansi toko Anda: {{2}}",
    "tagihan_instansi": "{{1}}: tagihan {{2}} dari {{3}} sebesar {{4}}, jatuh tempo {{5}}. "
    "Rekening dan rincian: {{6}}",
}


class WhatsAppError(RuntimeError):
    """The Cloud API refused or could not be reached; the outbox tries again later."""


def is_configured() -> bool:
    config = current_app.config
    return bool(config.get("WHATSAPP_PHONE_NUMBER_ID") and config.get("WHATSAPP_TOKEN"))


def template_request(to: str, template: str, params: list[str], key: str) -> dict:
    """The Cloud API's body for a template message (``key`` comes back in status webhooks)."""
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "template",
        "template": {
            "name": template,
            "language": {"code": "id"},
            "components": [
                {
                    "type": "body",
                    "parameters": [{"type": "text", "text": str(p)[:1024]} for p in params],
                }
            ],
        },
        "biz_opaque_callback_data": key,
    }


def send_template(to: str, template: str, params: list[str], key: str) -> str:
    """Send one template message; returns WhatsApp's message id."""
    config = current_app.config
    url = f"{config['WHATSAPP_API_BASE'].rstrip('/')}/{config['WHATSAPP_PHONE_NUMBER_ID']}/messages"
    try:
        answer = requests.post(
            url,
            json=template_request(to, template, params, key),
            headers={"Authorization": f"Bearer {config['WHATSAPP_TOKEN']}"},
            timeout=10,
        )
    except requests.RequestException as error:
        raise WhatsAppError(f"unreachable: {error}") from error
    if answer.status_code >= 300:
        try:
            detail = answer.json().get("error", {}).get("message", "")
        except ValueError:
            detail = answer.text[:200]
        raise WhatsAppError(f"HTTP {answer.status_code}: {detail}")
    return answer.json()["messages"][0]["id"]
