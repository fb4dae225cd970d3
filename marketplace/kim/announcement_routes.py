"""Announcements: public pages and Atom feeds; KIM publishing and the anti-hoax queue."""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET  # noqa: S405 - we write XML, we never parse input

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.accounts.models import Role
from marketplace.areas.forms import kelurahan_choices
from marketplace.areas.services import all_kecamatan, all_kelurahan
from marketplace.core.db import jakarta_wall_clock, to_jakarta, utcnow
from marketplace.core.forms import choices
from marketplace.core.inputs import db_int
from marketplace.core.pagecache import cached_page
from marketplace.core.permissions import get_or_404, require, role_required
from marketplace.core.templating import jakarta_datetime
from marketplace.core.web import (
    current_uploads,
    public_url,
    render_form,
    run_service,
    uploaded_file,
)
from marketplace.extensions import db, limiter
from marketplace.kim import announcements as service
from marketplace.kim import factcheck
from marketplace.kim.forms import (
    ALL_KINDS,
    AnnouncementForm,
    ClarificationForm,
    ModerationForm,
    RelayForm,
    ReportForm,
)
from marketplace.kim.models import Announcement, AnnouncementReport
from marketplace.stores.hours import availability

bp = Blueprint("announcements", __name__)
ADMINS = (Role.KIM_ADMIN, Role.CITY_ADMIN)
ATOM = "http://www.w3.org/2005/Atom"


@bp.route("/pengumuman")
@cached_page
def index():
    kind = request.args.get("jenis") or None
    kelurahan_id = request.args.get("kelurahan", type=db_int)
    return render_template(
        "announcements/index.html",
        items=service.published(kind if kind in dict(ALL_KINDS) else None, kelurahan_id),
        kinds=ALL_KINDS,
        kelurahan=all_kelurahan(),
        kind=kind,
        kelurahan_id=kelurahan_id,
    )


@bp.app_template_global("verdict_label")
def verdict_label(code: str | None) -> str:
    return str(factcheck.VERDICTS.get(code or "", code or ""))


def _visible(announcement_id: int) -> Announcement:
    item = get_or_404(Announcement, announcement_id)
    if not item.is_published(utcnow()) and not service.can_manage(current_user, item):
        abort(404)
    if item.audience == "kim" and not _kim_staff():
        abort(404)  # an internal circular
    return item


def _kim_staff() -> bool:
    return current_user.is_authenticated and (
        current_user.is_kim_admin or current_user.is_city_admin
    )


@bp.route("/pengumuman/<int:announcement_id>")
def show(announcement_id: int):
    item = _visible(announcement_id)
    states = {link.store.id: availability(link.store) for link in item.links if link.store}
    return render_template(
        "announcements/show.html", item=item, states=states, report_form=ReportForm(), now=utcnow()
    )


@bp.route("/pengumuman/<int:announcement_id>/lapor", methods=["POST"])
@limiter.limit(lambda: current_app.config["AUTH_RATE_LIMIT"])
def report(announcement_id: int):
    item = _visible(announcement_id)
    form = ReportForm()
    if form.validate_on_submit():
        actor = current_user if current_user.is_authenticated else None
        ok, _entry = run_service(service.report, item, actor, form.reason.data)
        if ok:
            flash(_("Terima kasih. Laporan Anda diperiksa KIM."), "success")
    else:
        flash(_("Jelaskan apa yang salah (minimal 10 huruf)."), "error")
    return redirect(url_for("announcements.show", announcement_id=item.id))


#: what XML 1.0 cannot carry (C0 controls but tab and newlines, surrogates, U+FFFE/FFFF): a
#: title pasted with one of them must not break every reader's feed
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(text: str | None) -> str:
    return _NOT_XML.sub("", text or "")


def _feed(items, title: str, self_url: str) -> Response:
    feed = ET.Element("feed", xmlns=ATOM)
    ET.SubElement(feed, "title").text = _xml_text(title)
    ET.SubElement(feed, "id").text = self_url
    ET.SubElement(feed, "link", rel="self", href=self_url)
    updated = max((i.updated_at for i in items), default=utcnow())
    ET.SubElement(feed, "updated").text = to_jakarta(updated).isoformat()
    for item in items:
        url = public_url("announcements.show", announcement_id=item.id)
        entry = ET.SubElement(feed, "entry")
        title = item.title
        if item.corrections:  # a reader sees the entry come back, marked, with what changed
            title = _("[Ralat] %(title)s", title=item.title)
        ET.SubElement(entry, "title").text = _xml_text(title)
        ET.SubElement(entry, "id").text = url
        ET.SubElement(entry, "link", href=url)
        ET.SubElement(entry, "updated").text = to_jakarta(item.updated_at).isoformat()
        ET.SubElement(entry, "published").text = to_jakarta(item.publish_at).isoformat()
        author = ET.SubElement(entry, "author")
        ET.SubElement(author, "name").text = _xml_text(
            item.kim_group.name if item.kim_group else "Diskominfo"
        )
        summary = item.summary
        if item.corrections:
            last = item.corrections[-1]
            summary = (
                _(
                    "Ralat %(when)s: %(note)s",
                    when=jakarta_datetime(last.created_at),
                    note=last.note,
                )
                + " — "
                + summary
            )
        ET.SubElement(entry, "summary").text = _xml_text(summary)
        ET.SubElement(entry, "content", type="html").text = _xml_text(item.body_html)
    body = ET.tostring(feed, encoding="unicode", xml_declaration=True)
    return Response(body, mimetype="application/atom+xml")


@bp.route("/pengumuman/feed.xml")
def feed():
    return _feed(
        service.published(),
        _("Pengumuman Kampung Kuliner Kota Tangerang"),
        public_url("announcements.feed"),
    )


@bp.route("/kelurahan/<slug>/pengumuman.xml")
def kelurahan_feed(slug: str):
    area = service.kelurahan_by_slug(slug)
    if area is None:
        abort(404)
    return _feed(
        service.published(kelurahan_id=area.id),
        _("Pengumuman Kelurahan %(name)s", name=area.name),
        public_url("announcements.kelurahan_feed", slug=slug),
    )


def _form(item: Announcement | None = None) -> AnnouncementForm:
    form = AnnouncementForm(obj=item) if item else AnnouncementForm()
    can_link = service.linkable(current_user)
    form.store_ids.choices = choices((s.id, s.name) for s in can_link.stores)
    form.product_ids.choices = choices(
        (p.id, f"{p.name} — {p.store.name}") for p in can_link.products
    )
    form.code_ids.choices = choices((c.id, f"{c.code} — {c.store.name}") for c in can_link.codes)
    form.campaign_ids.choices = choices((c.id, c.title) for c in can_link.campaigns)
    form.event_ids.choices = choices((e.id, e.title) for e in can_link.events)
    if current_user.is_city_admin:
        form.kecamatan_id.choices = choices(
            [(0, _("Pilih kecamatan"))] + [(k.id, k.name) for k in all_kecamatan()]
        )
        form.target_ids.choices = kelurahan_choices()
    if item is not None and not form.is_submitted():
        form.body.data = item.body_md
        form.store_ids.data = [link.store_id for link in item.links if link.store_id]
        form.product_ids.data = [link.product_id for link in item.links if link.product_id]
        form.code_ids.data = [link.code_id for link in item.links if link.code_id]
        form.campaign_ids.data = [link.campaign_id for link in item.links if link.campaign_id]
        form.event_ids.data = [link.event_id for link in item.links if link.event_id]
        form.send_to.data = (
            "kim" if item.audience == "kim" else "kelurahan" if item.targets else "city"
        )
        form.target_ids.data = [k.id for k in item.targets]
        for name in ("publish_at", "unpublish_at"):
            getattr(form, name).data = jakarta_wall_clock(getattr(item, name))
    return form


def _data(form: AnnouncementForm) -> service.AnnouncementData:
    return service.AnnouncementData(
        kind=form.kind.data,
        title=form.title.data or "",
        summary=form.summary.data or "",
        body=form.body.data or "",
        source=form.source.data or "",
        publish_at=form.publish_at.data,
        unpublish_at=form.unpublish_at.data,
        pinned=form.pinned.data,
        city_wide=form.city_wide.data,
        store_ids=form.store_ids.data or [],
        product_ids=form.product_ids.data or [],
        code_ids=form.code_ids.data or [],
        campaign_ids=form.campaign_ids.data or [],
        event_ids=form.event_ids.data or [],
        audience=form.send_to.data or "city",
        kecamatan_id=form.kecamatan_id.data or None,
        target_ids=form.target_ids.data or [],
    )


@bp.route("/kim/pengumuman", methods=["GET", "POST"])
@role_required(*ADMINS)
def manage():
    form = _form()
    if form.validate_on_submit():
        ok, item = run_service(
            service.save_announcement,
            current_user,
            _data(form),
            None,
            uploaded_file(form.cover),
            current_uploads(),
        )
        if ok:
            flash(_("Pengumuman disimpan."), "success")
            return redirect(url_for("announcements.show", announcement_id=item.id))
    return render_form(
        "announcements/manage.html", form, items=service.managed(current_user), now=utcnow()
    )


@bp.route("/kim/pengumuman/<int:announcement_id>", methods=["GET", "POST"])
@role_required(*ADMINS)
def edit(announcement_id: int):
    item = get_or_404(Announcement, announcement_id)
    require(service.can_manage(current_user, item))
    if item.kind == factcheck.CLARIFICATION:
        return redirect(url_for("announcements.clarify", announcement_id=item.id))
    form = _form(item)
    if form.validate_on_submit():
        ok, _item = run_service(
            service.save_announcement,
            current_user,
            _data(form),
            item,
            uploaded_file(form.cover),
            current_uploads(),
        )
        if ok:
            flash(_("Pengumuman disimpan."), "success")
            return redirect(url_for("announcements.show", announcement_id=item.id))
    return render_form("announcements/edit.html", form, item=item)


def _clarification_form(item: Announcement | None = None) -> ClarificationForm:
    form = ClarificationForm(obj=item) if item else ClarificationForm()
    open_reports = service.open_reports(current_user)
    form.report_ids.choices = choices(
        (r.id, f"{r.announcement.title}: {r.reason[:80]}") for r in open_reports
    )
    if item is not None and not form.is_submitted():
        form.explanation.data = item.body_md
        form.sources.data = "\n".join(f"{s.label} | {s.url}" for s in item.sources)
    return form


def _clarification_data(form: ClarificationForm) -> factcheck.ClarificationData:
    return factcheck.ClarificationData(
        title=form.title.data or "",
        claim=form.claim.data or "",
        verdict=form.verdict.data or "",
        explanation=form.explanation.data or "",
        source=form.source.data or "",
        sources=form.sources.data or "",
        report_ids=form.report_ids.data or [],
        city_wide=form.city_wide.data,
    )


@bp.route("/kim/klarifikasi", methods=["GET", "POST"])
@bp.route("/kim/klarifikasi/<int:announcement_id>", methods=["GET", "POST"])
@role_required(*ADMINS)
def clarify(announcement_id: int | None = None):
    """Publish (or edit) a hoax clarification, answering the reports that raised it."""
    item = None
    if announcement_id is not None:
        item = get_or_404(Announcement, announcement_id)
        require(service.can_manage(current_user, item) and item.kind == factcheck.CLARIFICATION)
    form = _clarification_form(item)
    if form.validate_on_submit():
        ok, saved = run_service(
            factcheck.save_clarification,
            current_user,
            _clarification_data(form),
            item,
            uploaded_file(form.screenshot),
            current_uploads(),
        )
        if ok:
            flash(_("Klarifikasi diterbitkan. Pelapor diberi tahu hasilnya."), "success")
            return redirect(url_for("announcements.show", announcement_id=saved.id))
    return render_form("announcements/clarify.html", form, item=item)


@bp.route("/cek-fakta")
@cached_page
def fact_checks():
    return render_template(
        "announcements/fact_checks.html",
        items=service.published(kind=factcheck.CLARIFICATION),
        area=None,
        verdicts=factcheck.VERDICTS,
    )


@bp.route("/kelurahan/<slug>/cek-fakta")
@cached_page
def kelurahan_fact_checks(slug: str):
    area = service.kelurahan_by_slug(slug)
    if area is None:
        abort(404)
    return render_template(
        "announcements/fact_checks.html",
        items=service.published(kind=factcheck.CLARIFICATION, kelurahan_id=area.id),
        area=area,
        verdicts=factcheck.VERDICTS,
    )


@bp.route("/kim/laporan")
@role_required(*ADMINS)
def reports():
    return render_template(
        "announcements/reports.html",
        reports=service.open_reports(current_user),
        form=ModerationForm(),
    )


@bp.route("/kim/laporan/<int:report_id>", methods=["POST"])
@role_required(*ADMINS)
def moderate(report_id: int):
    entry = get_or_404(AnnouncementReport, report_id)
    require(service.can_moderate(current_user, entry))
    form = ModerationForm()
    if form.validate_on_submit():
        ok, _result = run_service(
            service.moderate, current_user, entry, form.action.data, form.note.data or ""
        )
        if ok:
            flash(_("Laporan ditangani."), "success")
    return redirect(url_for("announcements.reports"))


@bp.route("/kim/edaran")
@role_required(*ADMINS)
def circulars():
    """The city's internal circulars to the KIM admins (read receipts recorded on opening)."""
    return render_template(
        "announcements/circulars.html",
        items=service.circulars(current_user),
        read=service.circulars_read_by(current_user),
    )


@bp.route("/kim/edaran/<int:announcement_id>")
@role_required(*ADMINS)
def circular(announcement_id: int):
    item = get_or_404(Announcement, announcement_id)
    if item.audience != "kim":
        abort(404)
    service.mark_read(current_user, item)
    db.session.commit()
    receipts = service.read_receipts(item) if current_user.is_city_admin else []
    return render_template(
        "announcements/circular.html", item=item, receipts=receipts, relay_form=RelayForm()
    )


@bp.route("/kim/pengumuman/<int:announcement_id>/teruskan", methods=["GET", "POST"])
@role_required(Role.KIM_ADMIN)
def relay(announcement_id: int):
    """A KIM passes a city post on to its residents with a local note."""
    source = get_or_404(Announcement, announcement_id)
    form = RelayForm()
    if form.validate_on_submit():
        ok, copy = run_service(service.relay, current_user, source, form.note.data or "")
        if ok:
            flash(_("Diteruskan ke warga kelurahan Anda."), "success")
            return redirect(url_for("announcements.show", announcement_id=copy.id))
    return render_form("announcements/relay.html", form, source=source)
