"""Fighting hoaxes: a KIM's clarification of a claim that circulates (verdict, explanation,
sources with the official ones marked), answering the residents' reports that raised it. (The
"Ralat" of an announcement a report showed to be wrong is ``announcements.moderate``.)"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from marketplace.accounts.models import User
from marketplace.core.db import utcnow
from marketplace.core.errors import DomainError, NotAllowed
from marketplace.core.images import Uploads
from marketplace.core.web import public_url
from marketplace.extensions import db
from marketplace.kim.announcements import (
    AnnouncementData,
    can_moderate,
    save_announcement,
)
from marketplace.kim.models import (
    Announcement,
    AnnouncementKind,
    AnnouncementReport,
    AnnouncementSource,
)

CLARIFICATION = AnnouncementKind.CLARIFICATION
VERDICTS = {
    "hoaks": _l("Hoaks"),
    "disinformasi": _l("Disinformasi"),
    "misinformasi": _l("Misinformasi"),
    "benar": _l("Benar"),
    "belum_terbukti": _l("Belum terbukti"),
}
#: government sites: a source there is marked official
OFFICIAL_SUFFIXES = (".go.id",)
MAX_SOURCES = 10


@dataclass
class ClarificationData:
    title: str
    claim: str
    verdict: str
    explanation: str
    source: str
    sources: str = ""  # one per line: "label | https://…" or just the address
    report_ids: list[int] = field(default_factory=list)
    city_wide: bool = False


def parse_sources(text: str) -> list[tuple[str, str, bool]]:
    """(label, url, official) of each line; a line that is not a web address is refused."""
    found = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        label, _bar, url = line.rpartition("|") if "|" in line else ("", "", line)
        label, url = label.strip(), url.strip()
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 500:
            raise DomainError(
                _(
                    "Sumber baris %(n)d bukan alamat web (https://…): %(line)s",
                    n=number,
                    line=line[:80],
                )
            )
        host = parts.hostname.lower()
        found.append((label[:160] or host, url, host.endswith(OFFICIAL_SUFFIXES)))
    if len(found) > MAX_SOURCES:
        raise DomainError(_("Paling banyak %(n)d sumber.", n=MAX_SOURCES))
    return found


def save_clarification(
    actor: User,
    data: ClarificationData,
    item: Announcement | None = None,
    screenshot=None,
    uploads: Uploads | None = None,
) -> Announcement:
    """Publish (or edit) a clarification; the reports it answers are closed and their reporters
    told the outcome."""
    if data.verdict not in VERDICTS:
        raise DomainError(
            _("Pilih putusan: hoaks, disinformasi, misinformasi, benar atau belum terbukti.")
        )
    claim = (data.claim or "").strip()
    if len(claim) < 10:
        raise DomainError(_("Tuliskan klaim yang beredar (minimal 10 huruf)."))
    sources = parse_sources(data.sources)
    if not sources:
        raise DomainError(_("Sebutkan minimal satu sumber (alamat web)."))
    verdict = str(VERDICTS[data.verdict])
    item = save_announcement(
        actor,
        AnnouncementData(
            kind=CLARIFICATION,
            title=data.title,
            summary=f"{verdict}: {claim}"[:300],
            body=data.explanation,
            source=data.source,
            city_wide=data.city_wide,
        ),
        item,
    )
    item.claim, item.verdict = claim[:4000], data.verdict
    item.sources = [
        AnnouncementSource(label=label, url=url, official=official)
        for label, url, official in sources
    ]
    if screenshot is not None and uploads is not None:
        stored = uploads.store(screenshot)
        uploads.delete(item.claim_thumb, item.claim_large)
        item.claim_thumb, item.claim_large = stored.thumb, stored.large
    answered = []
    for report_id in dict.fromkeys(data.report_ids):
        report = db.session.get(AnnouncementReport, report_id, with_for_update=True)
        if report is None or not can_moderate(actor, report):
            raise NotAllowed(_("Laporan itu bukan dari kelurahan Anda."))
        if report.status != "open":
            continue  # answered meanwhile: nobody is told twice
        report.status, report.clarification_id = "clarified", item.id
        report.handled_by_id, report.handled_at = actor.id, utcnow()
        answered.append(report)
    db.session.flush()
    for report in answered:
        tell_reporter(report, item)
    return item


def tell_reporter(report: AnnouncementReport, clarification: Announcement) -> int:
    """The outcome to the resident who reported (push, e-mail, WhatsApp as they have them), in
    the outbox of this transaction; how many messages."""
    from marketplace.outbox import services as outbox
    from marketplace.push.services import subscriptions_of

    reporter = report.reporter
    if reporter is None:
        return 0
    link = public_url("announcements.show", announcement_id=clarification.id)
    verdict = str(VERDICTS.get(clarification.verdict, clarification.verdict))
    title = _("Hasil laporan Anda: %(verdict)s", verdict=verdict)
    body = _(
        "Terima kasih sudah melapor. KIM sudah memeriksa: %(verdict)s — %(title)s. "
        "Penjelasan dan sumbernya: %(link)s",
        verdict=verdict,
        title=clarification.title,
        link=link,
    )
    sent = 0
    for subscription in subscriptions_of(reporter.id):
        payload = json.dumps({"title": title, "body": body, "url": link, "tag": f"cek-{report.id}"})
        outbox.queue("push", str(subscription.id), title, payload)
        sent += 1
    if reporter.email:
        outbox.queue("email", reporter.email, title, body)
        sent += 1
    if reporter.phone and outbox.queue_whatsapp(
        reporter.phone, "hasil_laporan", [verdict, clarification.title, link]
    ):
        sent += 1
    return sent
