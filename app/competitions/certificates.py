"""Award certificates (荣誉证书): issued from the final results, printed as PDFs, verified at /verify/<code>.

Issuing. Each final publication calls `issue`: every awarded row of the new
snapshot gets a stored certificate with a random, unguessable code
(`AWARD_PREFIX` + 22 random characters), unless the entry already holds a
valid one with the same facts (a republication that did not touch it). A
certificate whose facts changed, or whose entry no longer has an award, is
withdrawn with the publication's reason and, where there is one, the number of
the certificate that replaces it. `for_event` (the PDF) issues what is missing
too, for results published before certificates were stored. The database
holds "one valid certificate per entry" (a partial unique index).

Verifying. The core's /verify/<code> (app/verification.py) dispatches codes
that start with `AWARD_PREFIX` here. A certificate is valid while it is not
withdrawn and the competition's results are published; while the results are
withdrawn for correction it is suspended. The answer is cached under a stamp
of that state, the certificate's `updated_at` and the results version: two
memoised look-ups (the certificate by code, the competition by id), each
forgotten at once in the process that changes the row.
"""
import re
import secrets
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import audit, cache, htmx, pdf, verification
from app.competitions.models import (
    AwardCertificate,
    AwardCertificateStatus,
    Competition,
    CompetitionStatus,
    Event,
    ResultSnapshot,
)
from app.db import utcnow
from app.extensions import db
from app.review import publication

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
AWARD_PREFIX = "award."  # the "." never occurs in training's codes (see app/verification.py)

STATE_LABELS = {
    "valid": _l("Valid"),
    "suspended": _l("Suspended while the results are corrected"),
    "withdrawn": _l("Certificate withdrawn"),
}

# The facts a certificate prints; a republication that changes any of them replaces it.
FACTS = ("holder", "members", "unit", "competition_name", "event_name", "award", "rank", "final", "honours")


def new_code():
    return AWARD_PREFIX + secrets.token_urlsafe(16)


def _facts(competition, event, row):
    return {
        "holder": row["name"],
        "members": row["members"] or "",
        "unit": row["unit"],
        "competition_name": str(competition),
        "event_name": event["name"],
        "award": row["award"],
        "rank": row["rank"],
        "final": None if row["final"] is None else Decimal(row["final"]),
        "honours": "、".join(row["honours"]),
    }


def _same(certificate, facts):
    return all(getattr(certificate, name) == facts[name] for name in FACTS)


def _number(competition_code, event_code, bib, taken):
    base = f"{competition_code.upper()}-{event_code.upper()}-{bib}"
    number, n = base, 2
    while number in taken:
        number, n = f"{base}-{n}", n + 1
    return number


def latest_final(competition):
    return publication.latest_snapshot(ResultSnapshot, ResultSnapshot.competition_id, competition.id, final_only=True)


def issue(actor, competition, snapshot=None):
    """Bring the stored certificates in line with the latest final results; returns the new ones.

    Idempotent: nothing changes (and nothing is audited) when they already are.
    """
    snapshot = snapshot or latest_final(competition)
    if snapshot is None:
        return []
    held = {c.entry_id: c for c in db.session.scalars(
        sa.select(AwardCertificate).where(AwardCertificate.competition_id == competition.id,
                                          AwardCertificate.status == AwardCertificateStatus.VALID))}
    taken = set(db.session.scalars(sa.select(AwardCertificate.number).where(
        AwardCertificate.competition_id == competition.id)))
    event_ids = dict(db.session.execute(sa.select(Event.code, Event.id).where(
        Event.competition_id == competition.id)).all())
    now = utcnow()
    issued_on = snapshot.published_at.astimezone(LOCAL_TZ).date()
    issued, withdrawn = [], []
    for event in snapshot.data["events"]:
        event_id = event_ids.get(event["code"])
        if event_id is None:  # an event removed since: its certificates are withdrawn below
            continue
        for row in event["rows"]:
            if not row["award"]:
                continue
            facts = _facts(competition, event, row)
            current = held.pop(row["entry_id"], None)
            if current is not None and _same(current, facts):
                continue
            number = _number(competition.code, event["code"], row["bib"], taken)
            taken.add(number)
            if current is not None:
                _withdraw(current, snapshot, now, replaced_by=number)
                withdrawn.append(current.number)
            certificate = AwardCertificate(
                competition_id=competition.id, event_id=event_id, entry_id=row["entry_id"], verify_code=new_code(),
                number=number, version=snapshot.version, issuer=competition.organisers or str(competition),
                issued_on=issued_on, status=AwardCertificateStatus.VALID, **facts)
            db.session.add(certificate)
            issued.append(certificate)
    for current in held.values():  # no award any more
        _withdraw(current, snapshot, now)
        withdrawn.append(current.number)
    if not issued and not withdrawn:
        return []
    db.session.flush()
    audit.record(actor, "award_certificates.issue", competition,
                 after={"version": snapshot.version, "issued": [c.number for c in issued], "withdrawn": withdrawn})
    return issued


def _withdraw(certificate, snapshot, now, replaced_by=None):
    certificate.status = AwardCertificateStatus.WITHDRAWN
    certificate.withdrawn_at = now
    certificate.withdrawn_reason = snapshot.reason
    certificate.replaced_by_number = replaced_by
    db.session.flush()  # the valid-per-entry index must see it go before its replacement comes


# ---------------------------------------------------------------- PDFs


def event_certificates(competition, event):
    """The valid certificates of one event, best first."""
    return db.session.scalars(
        sa.select(AwardCertificate).where(AwardCertificate.event_id == event.id,
                                          AwardCertificate.status == AwardCertificateStatus.VALID)
        .order_by(AwardCertificate.rank.is_(None), AwardCertificate.rank, AwardCertificate.number)).all()


def verify_url(certificate):
    """The absolute URL printed as the QR code: the random code only, no ids."""
    return url_for("verify.show", code=certificate.verify_code, _external=True)


def pdf_item(certificate):
    holder = certificate.holder if not certificate.members else f"{certificate.holder}（{certificate.members}）"
    return pdf.AwardCertificate(
        number=certificate.number, holder=holder, unit=certificate.unit, competition=certificate.competition_name,
        event=certificate.event_name, award=certificate.award, rank=certificate.rank,
        final_score=None if certificate.final is None else str(certificate.final), issued_on=certificate.issued_on,
        issuer=certificate.issuer, verify_url=verify_url(certificate),
        honours=tuple(h for h in certificate.honours.split("、") if h))


def for_event(actor, competition, event):
    """One PDF page per award winner, or None before final publication (or without winners).

    Certificates missing for the latest final results are issued first (flushed; the caller commits).
    """
    if competition.status != CompetitionStatus.PUBLISHED or latest_final(competition) is None:
        return None
    try:
        with db.session.begin_nested():
            issue(actor, competition)
    except IntegrityError:  # issued at the same moment by another request: theirs stand
        pass
    certificates = event_certificates(competition, event)
    return pdf.award_certificates([pdf_item(c) for c in certificates]) if certificates else None


def award_count(competition, event):
    """How many certificates for_event would draw (0 before final publication)."""
    snapshot = latest_final(competition)
    if snapshot is None or competition.status != CompetitionStatus.PUBLISHED:
        return 0
    data = next((e for e in snapshot.data["events"] if e["code"] == event.code), None)
    return sum(1 for row in (data or {}).get("rows", ()) if row["award"])


# ---------------------------------------------------------------- verification


def _certificate_key(code):
    return ("verify-award", code)


def _competition_key(competition_id):
    return ("verify-award-competition", competition_id)


@sa.event.listens_for(Session, "after_flush")
def _forget_changed(session, _context):
    """A certificate or its competition changed in this process: the next verification reads it again."""
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AwardCertificate):
            code = sa.inspect(obj).dict.get("verify_code")  # no lazy load inside a flush
            if code:
                cache.forget(_certificate_key(code))
        elif isinstance(obj, Competition):
            competition_id = sa.inspect(obj).dict.get("id")
            if competition_id:
                cache.forget(_competition_key(competition_id))


def state_of(status, competition_status):
    if status == AwardCertificateStatus.WITHDRAWN:
        return "withdrawn"
    return "valid" if competition_status == CompetitionStatus.PUBLISHED else "suspended"


def verification_stamp(code):
    """(version of the certificate's public answers or None for an unknown code, when it was looked up)."""
    row, as_of = cache.memo_entry(_certificate_key(code), lambda: _certificate_row(code))
    if row is None:
        return None, as_of
    status, updated_at, competition_id = row
    competition, competition_as_of = cache.memo_entry(_competition_key(competition_id),
                                                      lambda: _competition_row(competition_id))
    if competition is None:
        return None, as_of
    competition_status, results_version = competition
    stamp = (f"{state_of(status, competition_status)}.{results_version}."
             f"{int(updated_at.timestamp() * 1_000_000)}")
    return stamp, min(as_of, competition_as_of)


def _certificate_row(code):
    row = db.session.execute(
        sa.select(AwardCertificate.status, AwardCertificate.updated_at, AwardCertificate.competition_id)
        .where(AwardCertificate.verify_code == code)).first()
    return None if row is None else tuple(row)


def _competition_row(competition_id):
    row = db.session.execute(sa.select(Competition.status, Competition.results_version)
                             .where(Competition.id == competition_id)).first()
    return None if row is None else tuple(row)


def by_code(code):
    return db.session.scalar(sa.select(AwardCertificate).where(AwardCertificate.verify_code == code))


@dataclass(frozen=True)
class Facts:
    """What the verification page and JSON show (the contestant's name masked)."""

    code: str
    state: str
    number: str
    holder: str
    members: str
    unit: str
    competition: str
    event: str
    award: str
    rank: int | None
    final: Decimal | None
    honours: tuple
    issuer: str
    issued_on: object
    withdrawn_at: object
    withdrawn_reason: str | None
    replaced_by: str | None

    @property
    def state_label(self):
        return STATE_LABELS[self.state]


def _mask_members(members):
    return "、".join(verification.mask_name(m) for m in re.split(r"[、,，]", members or "") if m.strip())


def verification_facts(certificate):
    team = bool(certificate.members)
    return Facts(
        code=certificate.verify_code,
        state=state_of(certificate.status, certificate.competition.status),
        number=certificate.number,
        # A team's name is not personal; people's names are masked.
        holder=certificate.holder if team else verification.mask_name(certificate.holder),
        members=_mask_members(certificate.members),
        unit=certificate.unit,
        competition=certificate.competition_name,
        event=certificate.event_name,
        award=certificate.award,
        rank=certificate.rank,
        final=certificate.final,
        honours=tuple(h for h in certificate.honours.split("、") if h),
        issuer=certificate.issuer,
        issued_on=certificate.issued_on,
        withdrawn_at=certificate.withdrawn_at,
        withdrawn_reason=certificate.withdrawn_reason,
        replaced_by=certificate.replaced_by_number,
    )


def verification_page(code):
    facts = verification_facts(by_code(code))
    return htmx.render("competitions/certificates/verify.html", facts=facts,
                       json_url=url_for("verify.show_json", code=code), cacheable=True).get_data(as_text=True)


def verification_json(code):
    certificate = by_code(code)
    facts = verification_facts(certificate)
    return {
        "code": facts.code,
        "type": "award",
        "status": facts.state,
        "status_label": str(facts.state_label),
        "valid": facts.state == "valid",
        "number": facts.number,
        "holder": facts.holder,
        "members": facts.members or None,
        "unit": facts.unit,
        "competition": facts.competition,
        "event": facts.event,
        "award": facts.award,
        "rank": facts.rank,
        "final": None if facts.final is None else str(facts.final),
        "honours": list(facts.honours),
        "issuer": facts.issuer,
        "issued_on": facts.issued_on.isoformat(),
        "withdrawn_at": facts.withdrawn_at.isoformat() if facts.withdrawn_at else None,
        "withdrawn_reason": facts.withdrawn_reason,
        "replaced_by": facts.replaced_by,
        "verify_url": verify_url(certificate),
    }


verification.register(verification.Verifier(prefix=AWARD_PREFIX, stamp=verification_stamp,
                                            page=verification_page, data=verification_json))
