"""Office orders are heard of like other orders: the store by a WhatsApp Cloud template and a
push to its phones when an office asks it or orders, the office by a WhatsApp invoice template
when a store delivers and when the invoice falls due (against local fakes of the Graph API and
of a push service)."""

from __future__ import annotations

from datetime import timedelta

from marketplace.institutions import services
from marketplace.push import services as push
from tests.fakes import Browser
from tests.institutions.conftest import order_data
from tests.stripe_fixtures import commit_and_settle


def test_the_store_hears_of_an_office_order_at_once(office, caterers, whatsapp_api, push_service):
    siti = caterers["siti"]
    phone = Browser(f"{push_service.origin}/push/bu-siti")
    push.subscribe(siti.owner, phone.subscription())
    bulk = services.request(office.members[0].user, office, order_data(boxes=25), {siti.id: 25})
    commit_and_settle()

    [alert] = whatsapp_api.to(siti.whatsapp)
    assert alert["template"]["name"] == "pesanan_instansi_toko"
    texts = whatsapp_api.texts(alert)
    assert texts[0] == f"Permintaan pesanan instansi {bulk.number}"
    assert texts[1].endswith(f"/toko-saya/{siti.id}/pesanan-instansi")
    [rang] = push_service.received
    shown = phone.read(rang)
    assert shown["title"] == f"Permintaan pesanan instansi {bulk.number}"
    assert shown["body"] == "Kantor Kelurahan Uwung Jaya · 25 kotak"
    assert shown["url"] == f"/toko-saya/{siti.id}/pesanan-instansi"


def test_the_office_gets_its_invoice_and_reminders_by_whatsapp(office, caterers, whatsapp_api):
    siti = caterers["siti"]
    secretary = office.members[0].user
    bulk = services.request(secretary, office, order_data(boxes=25), {siti.id: 25})
    [share] = bulk.shares
    services.quote(siti.owner, share, 22000, 100, "Lemper, risol, air")
    services.place_purchase_order(secretary, bulk)
    services.deliver(siti.owner, share)
    commit_and_settle()

    def invoices() -> list[list[str]]:
        return [
            whatsapp_api.texts(m)
            for m in whatsapp_api.to(office.phone)
            if m["template"]["name"] == "tagihan_instansi"
        ]

    [issued] = invoices()
    assert issued[:4] == ["Tagihan baru", share.invoice_number, "Dapur Bu Siti", "Rp550.000"]
    assert issued[5].endswith(f"/instansi/dokumen/{share.id}")
    services.remind_due(today=share.due_on - timedelta(days=2))
    commit_and_settle()
    services.remind_due(today=share.due_on + timedelta(days=1))
    commit_and_settle()
    services.remind_due(today=share.due_on + timedelta(days=5))  # told twice at most
    commit_and_settle()
    assert [told[0] for told in invoices()] == ["Tagihan baru", "Pengingat", "Lewat jatuh tempo"]
