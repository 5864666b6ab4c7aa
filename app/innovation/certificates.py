"""Award certificates of achievement contests: issued from the final results, printed as PDFs with a
QR code, verified at /verify/<code>.

`issue` runs at each final publication: every awarded row of the snapshot gets
a certificate with a random, unguessable code (`PREFIX` + 22 random
characters) unless the submission already holds a valid one with the same
facts; a certificate whose facts changed, or whose submission lost its award,
is withdrawn with the publication's reason (and the number of its
replacement). One valid certificate per submission is held by a partial
unique index.
"""
import re
import secrets
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import Session, selectinload

from app import audit, cache, htmx, pdf, verification
from app.db import utcnow
from app.extensions import db
from app.innovation.models import Application, Programme
from app.innovation.models_contest import (
    CONTEST_CERTIFICATE_STATE_LABELS,
    ContestCertificate,
    ContestCertificateStatus,
)

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
PREFIX = "innovation."  # the "." never occurs in default codes (see app/verification.py)
FACTS = ("title", "team", "unit", "contest_name", "award", "rank", "final")


def new_code():
    return PREFIX + secrets.token_urlsafe(16)


def _facts(contest_name, row):
    return {"title": row["title"], "team": row["team"], "unit": row["unit"], "contest_name": contest_name,
            "award": row["award"], "rank": row["rank"],
            "final": None if row["final"] is None else Decimal(row["final"])}


def _same(certificate, facts):
    return all(getattr(certificate, name) == facts[name] for name in FACTS)


def issue(actor, programme, snapshot):
    """Bring the certificates in line with the final snapshot; returns the new ones (idempotent)."""
    held = {c.application_id: c for c in db.session.scalars(
        sa.select(ContestCertificate).where(ContestCertificate.programme_id == programme.id,
                                            ContestCertificate.status == ContestCertificateStatus.VALID))}
    taken = set(db.session.scalars(sa.select(ContestCertificate.number)
                                   .where(ContestCertificate.programme_id == programme.id)))
    issued_on = snapshot.published_at.astimezone(LOCAL_TZ).date()
    now = utcnow()
    issued, withdrawn = [], []
    for row in snapshot.data["rows"]:
        if not row["award"]:
            continue
        facts = _facts(snapshot.data["contest"], row)
        current = held.pop(row["application_id"], None)
        if current is not None and _same(current, facts):
            continue
        number, n = f"{programme.code.upper()}-{row['no']}", 2
        while number in taken:
            number, n = f"{programme.code.upper()}-{row['no']}-{n}", n + 1
        taken.add(number)
        if current is not None:
            _withdraw(current, snapshot, now, replaced_by=number)
            withdrawn.append(current.number)
        certificate = ContestCertificate(programme_id=programme.id, application_id=row["application_id"],
                                         verify_code=new_code(), number=number, version=snapshot.version,
                                         issued_on=issued_on, status=ContestCertificateStatus.VALID, **facts)
        db.session.add(certificate)
        issued.append(certificate)
    for current in held.values():
        _withdraw(current, snapshot, now)
        withdrawn.append(current.number)
    if not issued and not withdrawn:
        return []
    db.session.flush()
    audit.record(actor, "innovation.contest.certificates", programme,
                 after={"version": snapshot.version, "issued": [c.number for c in issued], "withdrawn": withdrawn})
    return issued


def _withdraw(certificate, snapshot, now, replaced_by=None):
    certificate.status = ContestCertificateStatus.WITHDRAWN
    certificate.withdrawn_at = now
    certificate.withdrawn_reason = snapshot.reason
    certificate.replaced_by_number = replaced_by
    db.session.flush()  # the valid-per-submission index must see it go before its replacement comes


# ---------------------------------------------------------------- PDFs


def valid_certificates(programme, user=None):
    """Valid certificates of a contest, best first; with `user`, only those of submissions they are on."""
    query = (sa.select(ContestCertificate)
             .where(ContestCertificate.programme_id == programme.id,
                    ContestCertificate.status == ContestCertificateStatus.VALID)
             .order_by(ContestCertificate.rank.is_(None), ContestCertificate.rank, ContestCertificate.number))
    if user is not None:
        from app.innovation.models import TeamMember
        query = query.join(Application, Application.id == ContestCertificate.application_id).where(sa.or_(
            Application.applicant_id == user.id,
            Application.id.in_(sa.select(TeamMember.application_id).where(TeamMember.user_id == user.id))))
    return db.session.scalars(query).all()


def verify_url(certificate):
    return url_for("verify.show", code=certificate.verify_code, _external=True)


def pdf_item(certificate):
    return pdf.AwardCertificate(
        number=certificate.number, holder=certificate.team or certificate.unit, unit=certificate.unit,
        competition=certificate.contest_name, event=certificate.title, award=certificate.award,
        rank=certificate.rank, final_score=None if certificate.final is None else str(certificate.final),
        issued_on=certificate.issued_on, issuer=certificate.contest_name, verify_url=verify_url(certificate))


def certificates_pdf(certificates):
    return pdf.award_certificates([pdf_item(c) for c in certificates]) if certificates else None


# ---------------------------------------------------------------- verification


def _key(code):
    return ("verify-innovation", code)


@sa.event.listens_for(Session, "after_flush")
def _forget_changed(session, _context):
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, ContestCertificate):
            code = sa.inspect(obj).dict.get("verify_code")
            if code:
                cache.forget(_key(code))


def _row(code):
    row = db.session.execute(sa.select(ContestCertificate.status, ContestCertificate.updated_at)
                             .where(ContestCertificate.verify_code == code)).first()
    return None if row is None else tuple(row)


def verification_stamp(code):
    row, as_of = cache.memo_entry(_key(code), lambda: _row(code))
    if row is None:
        return None, as_of
    status, updated_at = row
    return f"{status}.{int(updated_at.timestamp() * 1_000_000)}", as_of


def by_code(code):
    return db.session.scalar(sa.select(ContestCertificate).where(ContestCertificate.verify_code == code))


@dataclass(frozen=True)
class Facts:
    code: str
    state: str
    number: str
    title: str
    team: str
    unit: str
    contest: str
    award: str
    rank: int | None
    final: Decimal | None
    issued_on: object
    withdrawn_at: object
    withdrawn_reason: str | None
    replaced_by: str | None

    @property
    def state_label(self):
        return CONTEST_CERTIFICATE_STATE_LABELS[self.state]


def facts_of(certificate):
    return Facts(code=certificate.verify_code, state=str(certificate.status), number=certificate.number,
                 title=certificate.title,
                 team="、".join(verification.mask_name(m) for m in re.split(r"[、,，]", certificate.team) if m.strip()),
                 unit=certificate.unit, contest=certificate.contest_name, award=certificate.award,
                 rank=certificate.rank, final=certificate.final, issued_on=certificate.issued_on,
                 withdrawn_at=certificate.withdrawn_at, withdrawn_reason=certificate.withdrawn_reason,
                 replaced_by=certificate.replaced_by_number)


def verification_page(code):
    return htmx.render("innovation/contest/verify.html", facts=facts_of(by_code(code)),
                       json_url=url_for("verify.show_json", code=code), cacheable=True).get_data(as_text=True)


def verification_json(code):
    certificate = by_code(code)
    f = facts_of(certificate)
    return {"code": f.code, "type": "innovation_award", "status": f.state, "status_label": str(f.state_label),
            "valid": f.state == "valid", "number": f.number, "title": f.title, "team": f.team, "unit": f.unit,
            "contest": f.contest, "award": f.award, "rank": f.rank,
            "final": None if f.final is None else str(f.final), "issued_on": f.issued_on.isoformat(),
            "withdrawn_at": f.withdrawn_at.isoformat() if f.withdrawn_at else None,
            "withdrawn_reason": f.withdrawn_reason, "replaced_by": f.replaced_by,
            "verify_url": verify_url(certificate)}


verification.register(verification.Verifier(prefix=PREFIX, stamp=verification_stamp, page=verification_page,
                                            data=verification_json))
