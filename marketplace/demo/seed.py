"""Load the demo Kampung Kuliner (idempotent: what already exists is left as it is)."""

from __future__ import annotations

import colorsys
import hashlib
import io
from datetime import date, datetime, time, timedelta

from flask import current_app
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select

from marketplace.accounts.models import Role, User
from marketplace.accounts.services import hash_password
from marketplace.areas.models import Kelurahan
from marketplace.areas.services import seed_areas
from marketplace.catalog import services as catalog
from marketplace.catalog.models import Category, Product
from marketplace.core.db import to_jakarta, utcnow
from marketplace.core.images import Uploads
from marketplace.demo import data
from marketplace.extensions import db
from marketplace.kim.models import KimGroup, KimMember
from marketplace.kim.services import ensure_group
from marketplace.payments import manual, qris
from marketplace.stores import services as stores
from marketplace.stores.models import Store, StoreStatus


def seed_categories() -> dict[str, Category]:
    """The culinary categories (kept if present)."""
    existing = {c.slug: c for c in db.session.scalars(select(Category))}
    for position, (slug, name, name_en) in enumerate(data.CATEGORIES):
        if slug not in existing:
            existing[slug] = Category(slug=slug, name=name, name_en=name_en, position=position)
            db.session.add(existing[slug])
    db.session.flush()
    return existing


def _user(
    key: str,
    role: str,
    kim_group: KimGroup | None = None,
    name: str | None = None,
    phone: str | None = None,
) -> User:
    from marketplace.core.phone import normalize_phone

    if key in data.PEOPLE:
        name, phone, email = data.PEOPLE[key]
    else:
        email = None
    normalized = normalize_phone(phone)
    user = db.session.scalar(select(User).where(User.phone == normalized))
    if user is None:
        user = User(
            name=name,
            phone=normalized,
            email=email,
            role=role,
            password_hash=hash_password(data.DEMO_PASSWORD),
            kim_group_id=kim_group.id if kim_group else None,
        )
        db.session.add(user)
        db.session.flush()
    return user


def _kelurahan(name: str) -> Kelurahan:
    found = db.session.scalar(select(Kelurahan).where(Kelurahan.name == name))
    if found is None:
        raise RuntimeError(f"kelurahan {name} is missing from the area data")
    return found


def _kim(kelurahan_name: str) -> KimGroup:
    return ensure_group(_kelurahan(kelurahan_name))


def demo_photo(title: str, category: str) -> bytes:
    """Draw a simple, recognisable product picture locally (no network, no stock photos)."""
    digest = hashlib.sha256(title.encode()).digest()
    hue = digest[0] / 255
    r, g, b = (int(c * 255) for c in colorsys.hsv_to_rgb(hue, 0.45, 0.92))
    image = Image.new("RGB", (800, 600), (r, g, b))
    draw = ImageDraw.Draw(image)
    draw.ellipse((210, 90, 590, 470), fill=(250, 248, 240), outline=(90, 70, 50), width=6)
    accent = tuple(int(c * 255) for c in colorsys.hsv_to_rgb((hue + 0.5) % 1, 0.7, 0.75))
    draw.ellipse((290, 170, 510, 390), fill=accent)
    font = ImageFont.load_default(size=44)
    small = ImageFont.load_default(size=28)
    draw.rectangle((0, 490, 800, 600), fill=(40, 30, 25))
    draw.text((400, 530), title[:30], font=font, fill=(255, 255, 255), anchor="mm")
    draw.text((400, 40), category, font=small, fill=(40, 30, 25), anchor="mm")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def _store(spec, owners: dict[str, User], categories: dict[str, Category]) -> Store | None:
    (
        slug,
        name,
        owner_key,
        kelurahan_name,
        rt,
        rw,
        landmark,
        story,
        hours,
        pickup,
        delivery,
        fee,
        credentials,
        status,
    ) = spec
    if db.session.scalar(select(Store.id).where(Store.slug == slug)) is not None:
        return None
    owner = owners.get(owner_key) if owner_key else None
    if owner is None:
        index = len(owners)
        owner = _user(
            f"seller-{slug}", Role.SELLER, name=f"Pemilik {name}", phone=f"0813{index:08d}"
        )
        owners[f"seller-{slug}"] = owner
    area = _kelurahan(kelurahan_name)
    store = stores.open_store(
        owner,
        stores.StoreData(
            name=name,
            slug=slug,
            story=story,
            whatsapp="62" + owner.phone[2:],
            address=f"Jl. {name.split()[-1]} Raya",
            rt=rt,
            rw=rw,
            kelurahan_id=area.id,
            landmark=landmark,
            offers_pickup=pickup,
            offers_delivery=delivery,
            delivery_fee=fee,
            delivery_kelurahan_ids=(area.id,) if delivery else (),
        ),
    )
    stores.set_opening_hours(
        store,
        [
            stores.PeriodData(day, time.fromisoformat(opens), time.fromisoformat(closes))
            for day, opens, closes in hours
        ],
    )
    for kind, number in credentials.items():
        stores.set_credential(store, kind, number, None if kind == "nib" else date(2029, 12, 31))
    if status == StoreStatus.VERIFIED:
        verifier = owners["city_admin"]
        stores.verify_store(store, verifier)
    uploads = Uploads.from_config(current_app.config)
    for pname, cat_slug, price, description, mode, amount, halal, lead in data.PRODUCTS.get(
        slug, []
    ):
        product = catalog.create_product(
            store,
            catalog.ProductData(
                name=pname,
                category_id=categories[cat_slug].id,
                price=price,
                description=description,
                stock_mode=mode,
                stock=amount if mode == "counted" else None,
                daily_quota=amount if mode == "daily" else None,
                is_halal=halal,
                lead_days=lead,
            ),
        )
        photo = io.BytesIO(demo_photo(pname, categories[cat_slug].name))
        catalog.add_photo(product, photo, uploads)
        for gname, multiple, required, options in data.OPTION_GROUPS.get(pname, []):
            lines = "\n".join(f"{o} +{p}" if p else o for o, p in options)
            catalog.save_option_group(product, gname, lines, multiple, required)
    stores.set_logo(store, io.BytesIO(demo_photo(name, kelurahan_name)), uploads)
    return store


def _kim_activity(owners: dict[str, User]) -> None:
    """A promo code, a featured vendor, a bazaar announcement and a training (once)."""
    from marketplace.kim import announcements, featured, trainings
    from marketplace.kim.models import Announcement
    from marketplace.promotions import services as promotions

    if db.session.scalar(select(db.func.count(Announcement.id))):
        return
    siti = db.session.scalar(select(Store).where(Store.slug == "warung-bu-siti"))
    code = promotions.find_code(siti, "BAZAR10") or promotions.save_code(
        siti,
        promotions.CodeData(
            code="BAZAR10",
            kind="percent",
            value=10,
            min_spend=20000,
            max_discount=10000,
            total_limit=100,
            per_customer_limit=1,
        ),
    )
    now = to_jakarta(utcnow()).replace(tzinfo=None)
    kim_admin = owners["kim_admin"]
    featured.rotate(
        kim_admin,
        siti.kelurahan_id,
        now.date(),
        days=14,
        per_day=2,
        headline="UMKM unggulan Uwung Jaya",
    )
    featured.schedule_slot(
        owners["city_admin"],
        siti,
        "Nasi uduk legendaris sejak 1998",
        now - timedelta(hours=1),
        now + timedelta(days=30),
        1,
        city_wide=True,
    )
    announcements.save_announcement(
        kim_admin,
        announcements.AnnouncementData(
            kind="acara",
            title="Bazar Kuliner Uwung Jaya hari Minggu",
            summary="Puluhan UMKM kuliner di lapangan RW 05, pukul 06.00–11.00.",
            body=(
                "Warga Uwung Jaya, ayo ramaikan **Bazar Kuliner** hari Minggu "
                "di lapangan RW 05!\n\n"
                "- Nasi uduk, kue basah, jamu dan sate\n"
                "- Pakai kode **BAZAR10** untuk diskon 10%\n\n"
                "Info: [Kelurahan Uwung Jaya](https://tangerangkota.go.id)"
            ),
            source="Kelurahan Uwung Jaya",
            pinned=True,
            store_ids=[siti.id],
            code_ids=[code.id],
        ),
    )
    announcements.save_announcement(
        owners["city_admin"],
        announcements.AnnouncementData(
            kind="program",
            title="Daftar NIB gratis lewat OSS",
            summary="UMKM dapat membuat Nomor Induk Berusaha sendiri, gratis, lewat oss.go.id.",
            body="Siapkan KTP dan NPWP, lalu daftar di [oss.go.id](https://oss.go.id).",
            source="Diskominfo Kota Tangerang",
        ),
    )
    trainings.create_training(
        kim_admin,
        "Foto produk pakai HP",
        "foto produk",
        "Aula Kantor Kelurahan Uwung Jaya",
        now + timedelta(days=10),
        30,
        "Belajar memotret makanan agar laris di Pasar Kampung Kuliner.",
    )


def _bazaar_and_campaign(owners: dict[str, User]) -> None:
    """A bazaar with booths (one on the waitlist) and a festival campaign with a code (once)."""
    from marketplace.events import services as events
    from marketplace.events.models import Event
    from marketplace.promotions import campaigns
    from marketplace.promotions import services as promotions

    if db.session.scalar(select(db.func.count(Event.id))):
        return
    kim_admin = owners["kim_admin"]
    siti = db.session.scalar(select(Store).where(Store.slug == "warung-bu-siti"))
    neighbours = list(
        db.session.scalars(
            select(Store)
            .where(Store.kelurahan_id == siti.kelurahan_id, Store.status == StoreStatus.VERIFIED)
            .order_by(Store.id)
        )
    )
    today = to_jakarta(utcnow()).date()
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    bazaar = events.save_event(
        kim_admin,
        events.EventData(
            title="Bazar Kuliner Akhir Pekan Uwung Jaya",
            place="Lapangan RW 05, Jl. Uwung Jaya Raya",
            starts_on=saturday,
            ends_on=saturday + timedelta(days=1),
            opens_at=time(6, 0),
            closes_at=time(11, 0),
            booth_quota=max(len(neighbours) - 1, 1),
            description="Pesan dulu lewat Pasar Kampung Kuliner, ambil di booth tanpa antre.",
        ),
    )
    for store in neighbours:
        application = events.apply_for_booth(store.owner, bazaar, store)
        if application.status == "pending":
            events.accept_booth(kim_admin, application)
    now = to_jakarta(utcnow()).replace(tzinfo=None)
    festival = campaigns.save_campaign(
        kim_admin,
        campaigns.CampaignData(
            title="Festival Kuliner Uwung Jaya",
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(days=14),
            description="Dua pekan kuliner kampung: semua toko peserta memberi potongan.",
        ),
    )
    for store in neighbours:
        campaigns.join_campaign(store.owner, festival, store)
    promotions.save_code(
        festival,
        promotions.CodeData(
            code="FESTUJ",
            kind="percent",
            value=15,
            max_discount=7500,
            min_spend=15000,
            per_customer_limit=2,
        ),
    )


def _books(owners: dict[str, User]) -> None:
    """A week of Bu Siti's cash book and one kasbon customer (once)."""
    from marketplace.books import credit
    from marketplace.books import services as books
    from marketplace.books.models import CashEntry

    siti = db.session.scalar(select(Store).where(Store.slug == "warung-bu-siti"))
    if db.session.scalar(select(CashEntry.id).where(CashEntry.store_id == siti.id).limit(1)):
        return
    owner = siti.owner
    now = to_jakarta(utcnow()).replace(tzinfo=None, second=0, microsecond=0)
    for days, kind, amount, category, method, note in (
        (6, "modal", 500000, "", "tunai", "Tabungan untuk modal awal"),
        (5, "pengeluaran", 120000, "bahan baku", "tunai", "Beras, santan, telur"),
        (4, "pemasukan", 85000, "penjualan di tempat", "tunai", "Jualan pagi"),
        (3, "pengeluaran", 25000, "gas & listrik", "tunai", "Gas 3 kg"),
        (3, "pemasukan", 40000, "penjualan di tempat", "qris", ""),
        (2, "prive", 50000, "", "tunai", "Uang sekolah anak"),
        (1, "pemasukan", 64000, "penjualan di tempat", "tunai", "Jualan pagi"),
        (1, "pengeluaran", 18000, "kemasan", "transfer", "Kertas nasi dan kantong"),
    ):
        books.record_entry(
            owner,
            siti,
            books.EntryData(
                kind=kind,
                amount=amount,
                category=category,
                method=method,
                occurred_at=now - timedelta(days=days),
                note=note,
            ),
        )
    customer = credit.save_customer(owner, siti, "Bu Ani (tetangga)", "081299990001", 100000)
    credit.sell_on_credit(
        owner,
        customer,
        credit.DebtData(25000, "Nasi uduk 5 bungkus", due_on=now.date() + timedelta(days=7)),
    )


def _reviews(owners: dict[str, User]) -> None:
    """Three handed-over orders at Bu Siti's with order-verified reviews and a reply (once)."""
    from marketplace.orders import services as orders
    from marketplace.orders.cart import SessionCart, add_to_cart
    from marketplace.reviews import services as reviews
    from marketplace.reviews.models import Review

    siti = db.session.scalar(select(Store).where(Store.slug == "warung-bu-siti"))
    if db.session.scalar(select(Review.id).where(Review.store_id == siti.id).limit(1)):
        return
    products = [p for p in catalog.store_products(siti) if not p.option_groups][:2]
    slots = orders.available_slots(siti, 0)
    if not products or not slots:
        return
    for n, (name, phone, stars, text, reply) in enumerate(
        (
            ("Rahmat", "081300000101", 5, "Nasi uduknya gurih, sambalnya mantap.", ""),
            ("Wati", "081300000102", 4, "Enak, tapi antre agak lama.", "Terima kasih, Bu Wati!"),
            ("Joko", "081300000103", 5, "Porsi pas, harga bersahabat.", ""),
        )
    ):
        cart = SessionCart({})
        add_to_cart(cart, products[n % len(products)], [], 1)
        order = orders.place_order(
            cart,
            siti.id,
            orders.CheckoutData(
                checkout_token=f"demo-review-{n}",
                name=name,
                phone=phone,
                fulfilment="pickup",
                fulfil_at=slots[0].isoformat(),
            ),
        )
        for step in (orders.accept_order, orders.mark_ready, orders.complete_order):
            step(order, siti.owner)
        review = reviews.write_review(
            order,
            None,
            reviews.ReviewData(
                rating=stars, product_ratings={order.lines[0].product_id: stars}, text=text
            ),
        )
        if reply:
            reviews.reply(siti.owner, review, reply)


def _payments(owners: dict[str, User]) -> None:
    """The demo seller's stores take QRIS (a sticker as GoPay prints them) and transfer."""
    seller = owners["seller"]
    for store in db.session.scalars(select(Store).where(Store.owner_id == seller.id)):
        if store.qris_payload:
            continue
        merchant = qris.tlv("00", "COM.GO-JEK.WWW") + qris.tlv("01", "936009140000000001")
        national = qris.tlv("00", qris.QRIS_GUID) + qris.tlv("02", "ID1020000000001")
        sticker = qris.build(
            {
                "00": "01",
                "01": qris.STATIC,
                "26": merchant,
                "51": national + qris.tlv("03", "UMI"),
                "52": "5812",
                "53": qris.RUPIAH,
                "58": "ID",
                "59": store.name.upper()[:25],
                "60": "TANGERANG",
            }
        )
        manual.save_qris(seller, store, sticker)
        manual.save_bank_account(seller, store, "BRI", "012301000456507", seller.name)


def _office_order(owners: dict[str, User]) -> None:
    """The Uwung Jaya kelurahan office (ordered for by the demo customer) asks two stores of
    its kelurahan for 40 snack boxes next Thursday."""
    from marketplace.institutions import services as institutions
    from marketplace.institutions.models import Institution

    customer, area = owners["customer"], _kelurahan("Uwung Jaya")
    if db.session.scalar(select(Institution.id).where(Institution.name.like("Kantor Kelurahan%"))):
        return
    office = institutions.register(
        customer,
        institutions.InstitutionData(
            name="Kantor Kelurahan Uwung Jaya",
            kind="kelurahan",
            address="Jl. Raya Uwung Jaya No. 1",
            kelurahan_id=area.id,
            phone="081100000090",
            email="kelurahan-uwungjaya@example.id",
        ),
    )
    institutions.verify(owners["city_admin"], office)
    # the demo seller's warung first, so that signing in as the seller shows the request
    local = institutions.local_stores(area.id)
    stores = sorted(local, key=lambda s: s.owner_id != owners["seller"].id)[:2]
    if not stores:
        return
    thursday = to_jakarta(utcnow()).date() + timedelta(days=2)
    while thursday.weekday() != 3:
        thursday += timedelta(days=1)
    shares = dict(zip([s.id for s in stores], institutions.split(40, len(stores)), strict=True))
    institutions.request(
        customer,
        office,
        institutions.BulkData(
            title="Rapat koordinasi RW se-kelurahan",
            deliver_at=datetime.combine(thursday, time(10, 0)),
            place="Aula Kantor Kelurahan Uwung Jaya",
            kelurahan_id=area.id,
            boxes=40,
            budget_per_box=20000,
            terms_days=14,
            notes="Tanpa kacang untuk 3 kotak.",
        ),
        shares,
    )


def seed_demo() -> dict[str, int]:
    """Load areas, categories, people, the Uwung Jaya KIM, stores and products."""
    seed_areas()
    categories = seed_categories()
    uwung = _kim("Uwung Jaya")
    cibodasari = _kim("Cibodasari")
    owners = {
        "city_admin": _user("city_admin", Role.CITY_ADMIN),
        "kim_admin": _user("kim_admin", Role.KIM_ADMIN, kim_group=uwung),
        "kim_admin_cibodasari": _user("kim_admin_cibodasari", Role.KIM_ADMIN, kim_group=cibodasari),
        "customer": _user("customer", Role.CUSTOMER),
        "seller": _user("seller", Role.SELLER),
        "pending_seller": _user("pending_seller", Role.SELLER),
    }
    if not uwung.members:
        for name, office in data.KIM_MEMBERS:
            uwung.members.append(
                KimMember(
                    name=name,
                    office=office,
                    user_id=owners["kim_admin"].id if office == "ketua" else None,
                )
            )
    created = sum(1 for spec in data.STORES if _store(spec, owners, categories) is not None)
    db.session.flush()
    _kim_activity(owners)
    _bazaar_and_campaign(owners)
    _books(owners)
    _reviews(owners)
    _payments(owners)
    _office_order(owners)
    return {
        "stores_created": created,
        "products": db.session.scalar(select(db.func.count(Product.id))),
    }


def demo_logins() -> list[tuple[str, str, str]]:
    """(role, login, password) rows for the README and `make run`."""
    labels = {
        "city_admin": "Admin kota (Diskominfo)",
        "kim_admin": "Admin KIM Uwung Jaya",
        "customer": "Pembeli",
        "seller": "Penjual (Warung Nasi Uduk Bu Siti)",
        "pending_seller": "Penjual, toko menunggu verifikasi",
    }
    return [(label, data.PEOPLE[key][1], data.DEMO_PASSWORD) for key, label in labels.items()]
