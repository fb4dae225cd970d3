from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.accounts import services as account_services
from marketplace.accounts.forms import AssistedResetForm
from marketplace.accounts.models import Role
from marketplace.areas.forms import kelurahan_choices
from marketplace.catalog.services import store_products
from marketplace.core.errors import DomainError
from marketplace.core.forms import choices
from marketplace.core.permissions import get_or_404, require, role_required
from marketplace.core.web import public_url, render_form, run_service
from marketplace.extensions import db, limiter
from marketplace.kim import assisted, featured, services
from marketplace.kim import mentoring as mentoring_service
from marketplace.kim.forms import (
    OFFICE_LABELS,
    AppointForm,
    AssistedStoreForm,
    FeaturedForm,
    GroupForm,
    MemberForm,
    MentoringForm,
    RejectForm,
    RotationForm,
)
from marketplace.kim.models import FeaturedSlot, KimGroup, KimMember
from marketplace.orders.quality import quality_signals
from marketplace.stores import services as store_services
from marketplace.stores.models import Store

bp = Blueprint("kim", __name__, url_prefix="/kim")
ADMINS = (Role.KIM_ADMIN, Role.CITY_ADMIN)


@bp.route("/")
@role_required(*ADMINS)
def dashboard():
    return render_template(
        "kim/dashboard.html",
        pending=store_services.stores_awaiting_verification(current_user),
        groups=services.groups_for(current_user),
        reject_form=RejectForm(),
    )


@bp.route("/toko")
@role_required(*ADMINS)
def stores():
    """The stores of the admin's kelurahan (the city admin: all): to verify, then verified."""
    return render_template(
        "kim/stores.html",
        pending=store_services.stores_awaiting_verification(current_user),
        verified=store_services.moderated_stores(current_user),
    )


@bp.route("/toko/<int:store_id>")
@role_required(*ADMINS)
def review(store_id: int):
    store = get_or_404(Store, store_id)
    require(store.can_be_verified_by(current_user))
    return render_template(
        "kim/review.html",
        store=store,
        products=store_products(store, include_hidden=True),
        reject_form=RejectForm(),
    )


@bp.app_template_global("is_kim_mentor")
def is_kim_mentor() -> bool:
    return current_user.is_authenticated and bool(
        mentoring_service.mentored_kelurahan(current_user)
    )


@bp.route("/pendampingan")
@login_required
def mentoring_stores():
    """The stores the KIM admin or an appointed mentor accompanies."""
    stores = mentoring_service.stores_to_mentor(current_user)
    require(stores or current_user.is_kim_admin or current_user.is_city_admin)
    return render_template("kim/mentoring_stores.html", stores=stores)


@bp.route("/toko/<int:store_id>/pendampingan", methods=["GET", "POST"])
@login_required
def mentoring(store_id: int):
    """The KIM's visits and advice to a store (pendampingan), and a new one."""
    store = get_or_404(Store, store_id)
    require(mentoring_service.can_mentor(current_user, store))
    form = MentoringForm()
    if form.validate_on_submit():
        ok, _visit = run_service(
            mentoring_service.record_visit,
            current_user,
            store,
            mentoring_service.VisitData(
                visited_on=form.visited_on.data,
                topic=form.topic.data,
                notes=form.notes.data or "",
                next_step=form.next_step.data or "",
                next_step_on=form.next_step_on.data,
            ),
        )
        if ok:
            flash(_("Catatan pendampingan disimpan. Penjual dapat mengonfirmasinya."), "success")
            return redirect(url_for("kim.mentoring", store_id=store.id))
    return render_form(
        "kim/mentoring.html",
        form,
        store=store,
        visits=mentoring_service.visits_of(store),
        topics=mentoring_service.TOPICS,
    )


@bp.route("/toko/<int:store_id>/verifikasi", methods=["POST"])
@role_required(*ADMINS)
def verify(store_id: int):
    store = get_or_404(Store, store_id)
    require(store.can_be_verified_by(current_user))
    ok, _result = run_service(store_services.verify_store, store, current_user)
    if ok:
        flash(
            _("Toko %(name)s sudah diverifikasi dan tampil untuk umum.", name=store.name), "success"
        )
    return redirect(url_for("kim.dashboard"))


@bp.route("/toko/<int:store_id>/tolak", methods=["POST"])
@role_required(*ADMINS)
def reject(store_id: int):
    store = get_or_404(Store, store_id)
    require(store.can_be_verified_by(current_user))
    form = RejectForm()
    if form.validate_on_submit():
        ok, _result = run_service(
            store_services.reject_store, store, current_user, form.reason.data
        )
        if ok:
            flash(
                _("Toko %(name)s ditolak. Penjual akan melihat alasannya.", name=store.name),
                "success",
            )
            return redirect(url_for("kim.dashboard"))
    else:
        flash(_("Tuliskan alasan penolakan agar penjual dapat memperbaikinya."), "error")
    return render_template("kim/review.html", store=store, reject_form=form), 400


@bp.route("/grup/baru", methods=["GET", "POST"])
@role_required(Role.CITY_ADMIN)
def create_group():
    form = GroupForm()
    form.kelurahan_id.choices = kelurahan_choices()
    if form.validate_on_submit():
        ok, group = run_service(
            services.create_group, current_user, form.kelurahan_id.data, form.name.data or ""
        )
        if ok:
            flash(_("KIM dibentuk."), "success")
            return redirect(url_for("kim.group", group_id=group.id))
    return render_form("kim/create_group.html", form)


@bp.route("/grup/<int:group_id>")
@role_required(*ADMINS)
def group(group_id: int):
    kim = get_or_404(KimGroup, group_id)
    require(services.can_manage_group(current_user, kim))
    return render_template(
        "kim/group.html",
        group=kim,
        admins=services.group_admins(kim),
        member_form=MemberForm(),
        appoint_form=AppointForm(),
        offices=OFFICE_LABELS,
    )


@bp.route("/grup/<int:group_id>/anggota", methods=["POST"])
@role_required(*ADMINS)
def add_member(group_id: int):
    kim = get_or_404(KimGroup, group_id)
    require(services.can_manage_group(current_user, kim))
    form = MemberForm()
    if form.validate_on_submit():
        ok, _member = run_service(
            services.add_member,
            current_user,
            kim,
            form.name.data,
            form.office.data,
            form.phone.data or "",
        )
        if ok:
            flash(_("Anggota ditambahkan."), "success")
            return redirect(url_for("kim.group", group_id=kim.id))
    else:
        flash(_("Periksa isian anggota: nama wajib diisi."), "error")
    return redirect(url_for("kim.group", group_id=kim.id))


@bp.route("/anggota/<int:member_id>/pendamping", methods=["POST"])
@role_required(*ADMINS)
def toggle_mentor(member_id: int):
    member = get_or_404(KimMember, member_id)
    require(services.can_manage_group(current_user, member.group))
    ok, _result = run_service(services.set_mentor, current_user, member, not member.is_mentor)
    if ok:
        flash(_("Pendamping diperbarui."), "success")
    return redirect(url_for("kim.group", group_id=member.kim_group_id))


@bp.route("/anggota/<int:member_id>/hapus", methods=["POST"])
@role_required(*ADMINS)
def remove_member(member_id: int):
    member = get_or_404(KimMember, member_id)
    require(services.can_manage_group(current_user, member.group))
    group_id = member.kim_group_id
    ok, _result = run_service(services.remove_member, current_user, member)
    if ok:
        flash(_("Anggota dihapus."), "success")
    return redirect(url_for("kim.group", group_id=group_id))


@bp.route("/grup/<int:group_id>/admin", methods=["POST"])
@role_required(Role.CITY_ADMIN)
def appoint(group_id: int):
    kim = get_or_404(KimGroup, group_id)
    form = AppointForm()
    if form.validate_on_submit():
        ok, user = run_service(services.appoint_admin, current_user, kim, form.phone.data)
        if ok:
            flash(
                _("%(name)s sekarang admin %(group)s.", name=user.name, group=kim.name), "success"
            )
    else:
        flash(_("Isi nomor WhatsApp akun."), "error")
    return redirect(url_for("kim.group", group_id=kim.id))


def _featured_page(form: FeaturedForm, rotation: RotationForm):
    stores = [s for s in store_services.moderated_stores(current_user) if s.is_public]
    return render_form(
        "kim/featured.html",
        form,
        rotation=rotation,
        stores=stores,
        quality=quality_signals([s.id for s in stores]),
        slots=featured.slots_for(current_user),
        log=featured.log_for(current_user),
    )


def _featured_forms() -> tuple[FeaturedForm, RotationForm]:
    form, rotation = FeaturedForm(), RotationForm()
    stores = store_services.moderated_stores(current_user)
    form.store_id.choices = choices((s.id, f"{s.name} ({s.kelurahan.name})") for s in stores)
    areas = {s.kelurahan_id: s.kelurahan.name for s in stores}
    if current_user.is_kim_admin:
        areas = {current_user.kim_group.kelurahan_id: current_user.kim_group.kelurahan.name}
    rotation.kelurahan_id.choices = choices(sorted(areas.items(), key=lambda kv: kv[1]))
    return form, rotation


@bp.route("/unggulan", methods=["GET", "POST"])
@role_required(*ADMINS)
def featured_slots():
    form, rotation = _featured_forms()
    if form.validate_on_submit():
        store = get_or_404(Store, form.store_id.data)
        ok, _slot = run_service(
            featured.schedule_slot,
            current_user,
            store,
            form.headline.data,
            form.starts_at.data,
            form.ends_at.data,
            form.position.data or 1,
            form.city_wide.data,
        )
        if ok:
            flash(_("Unggulan dijadwalkan."), "success")
            return redirect(url_for("kim.featured_slots"))
    return _featured_page(form, rotation)


@bp.route("/unggulan/rotasi", methods=["POST"])
@role_required(*ADMINS)
def featured_rotation():
    form, rotation = _featured_forms()
    if rotation.validate_on_submit():
        ok, slots = run_service(
            featured.rotate,
            current_user,
            rotation.kelurahan_id.data,
            rotation.first_day.data,
            rotation.days.data,
            rotation.per_day.data,
            rotation.headline.data,
        )
        if ok:
            flash(_("%(n)d slot unggulan dijadwalkan bergiliran.", n=len(slots)), "success")
            return redirect(url_for("kim.featured_slots"))
    return _featured_page(form, rotation)


@bp.route("/unggulan/<int:slot_id>/hapus", methods=["POST"])
@role_required(*ADMINS)
def remove_featured(slot_id: int):
    slot = get_or_404(FeaturedSlot, slot_id)
    require(featured.can_manage(current_user, slot))
    ok, _result = run_service(featured.remove_slot, current_user, slot)
    if ok:
        flash(_("Unggulan dihapus."), "success")
    return redirect(url_for("kim.featured_slots"))


@bp.route("/bantu-kata-sandi", methods=["GET", "POST"])
@role_required(*ADMINS)
def assisted_reset():
    """A warga without e-mail or WhatsApp gets a reset link from their KIM, in person."""
    form = AssistedResetForm()
    link = person = None
    if form.validate_on_submit():
        ok, person = run_service(account_services.assisted_reset, current_user, form.phone.data)
        if ok:
            token = account_services.make_reset_token(person, current_app.config["SECRET_KEY"])
            link = public_url("accounts.reset_password", token=token)
    return render_form(
        "kim/assisted_reset.html",
        form,
        link=link,
        person=person,
        history=account_services.assisted_resets(current_user),
    )


@bp.route("/toko-baru", methods=["GET", "POST"])
@role_required(Role.KIM_ADMIN)
def assisted_store():
    """Open a store for a resident who is not online yet; the KIM manages it until they claim
    it with the link sent to their WhatsApp."""
    form = AssistedStoreForm()
    if not form.is_submitted() and current_user.kim_group is not None:
        form.kelurahan_id.data = current_user.kim_group.kelurahan_id
    if form.validate_on_submit():
        ok, result = run_service(
            assisted.open_for_resident,
            current_user,
            form.resident_name.data or "",
            form.resident_phone.data or "",
            form.to_data(),
        )
        if ok:
            store, link = result
            return render_template("kim/assisted_done.html", store=store, link=link)
    return render_form("kim/assisted_store.html", form)


@bp.route("/toko/<int:store_id>/tautan-klaim", methods=["POST"])
@role_required(Role.KIM_ADMIN)
def new_claim_link(store_id: int):
    store = get_or_404(Store, store_id)
    ok, link = run_service(assisted.new_claim_link, current_user, store)
    if not ok:
        return redirect(url_for("kim.review", store_id=store.id))
    return render_template("kim/assisted_done.html", store=store, link=link)


@bp.route("/klaim/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["AUTH_RATE_LIMIT"], methods=["POST"])
def claim(token: str):
    """The resident takes over the store the KIM opened: a password of their own."""
    from marketplace.accounts.forms import ResetPasswordForm
    from marketplace.accounts.routes import _start_session

    try:
        pending = assisted.claim_for(token)
    except DomainError as error:
        db.session.rollback()
        return render_template("kim/claim.html", problem=error.message, form=None), 404
    store_name = pending.store.name
    db.session.rollback()  # release the row: the POST locks it again
    form = ResetPasswordForm()
    if form.validate_on_submit():
        ok, owner = run_service(assisted.claim, token, form.new.data or "")
        if ok:
            _start_session(owner)
            flash(_("Selamat, toko %(name)s sekarang milik Anda.", name=store_name), "success")
            return redirect(url_for("stores.dashboard"))
    return render_form("kim/claim.html", form, problem=None, store_name=store_name)
