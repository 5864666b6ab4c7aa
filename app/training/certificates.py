"""Certificates for people and machines: masked names, verification facts, the
Open Badges 3.0 document, PDFs and ZIPs, and the outcome check-ins.

Verification is public and must be cheap. The rendered page, JSON and badge are
kept in the shared cache (app/cache.py `cached_page`) per (code, language) under the
certificate's stamp, and an unchanged client gets a 304. The stamp holds the
certificate's state (valid / expired / superseded / revoked, worked out per request, so a
certificate that expires overnight gets a new page at midnight) and its
`updated_at`, which every change bumps. The row behind the stamp (one lookup on the
unique `verify_code` index) is memoised per worker for at most a second
(`cache.memo`), and forgotten at once when this process flushes a change to the
certificate: a revocation shows on the next request here, within a second in the
other workers.

The Open Badges document is a *hosted* credential: it carries no `proof`
(signature). Its authenticity rests on being served from this site at its `id`
over HTTPS, exactly like the verification page.
"""
import calendar
import hashlib
import re
import uuid
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, joinedload
from werkzeug.routing import BuildError

from app import cache, pdf, verification
from app.extensions import db
from app.training.models import LEVEL_LABELS, Certificate, CertificateStatus, Course, Level, Outcome

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
CHECKIN_MONTHS = (3, 6, 12)

# Printed on the PDF, in Chinese whatever the interface language (the certificate is Chinese).
LEVEL_CHINESE = {
    Level.FIVE: "五级/初级工",
    Level.FOUR: "四级/中级工",
    Level.THREE: "三级/高级工",
    Level.TWO: "二级/技师",
    Level.ONE: "一级/高级技师",
}
VOID_STAMP = "已撤销"

STATE_LABELS = {
    "valid": _l("Valid"),
    "expired": _l("Expired"),
    "superseded": _l("Superseded"),
    "revoked": _l("Revoked"),
}



def superseded_label(number):
    """已被 <编号> 取代: the state of a certificate that a renewal replaced."""
    return _l("Superseded by %(number)s", number=number)


OPEN_BADGES_CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]

# ------------------------------------------------------------------ names and states

mask_name = verification.mask_name  # the one rule for names on public pages (app/verification.py)


def state_of(status, expires_on, today=None, superseded=False):
    """valid / expired / superseded / revoked, as Certificate.state() says, from plain column values."""
    if status == CertificateStatus.REVOKED:
        return "revoked"
    if superseded:
        return "superseded"
    if expires_on is not None and (today or date.today()) > expires_on:
        return "expired"
    return "valid"


# ------------------------------------------------------------------ verification

def _stamp_key(code):
    return ("verify", code)


def _stamp_row(code):
    row = db.session.execute(
        sa.select(Certificate.status, Certificate.updated_at, Certificate.expires_on,
                  Certificate.superseded_by_id.is_not(None))
        .where(Certificate.verify_code == code)
    ).first()
    return None if row is None else tuple(row)


@sa.event.listens_for(Session, "after_flush")
def _forget_changed_certificates(session, _context):
    """A certificate changed in this process: its next verification reads the row again."""
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, Certificate):
            code = sa.inspect(obj).dict.get("verify_code")  # no lazy load inside a flush
            if code:
                cache.forget(_stamp_key(code))


def verification_stamp(code, today=None, with_time=False):
    """The version of a certificate's public page, or None for an unknown code.

    `with_time` also returns when the row was looked up (see `app.cache.memo_entry`).
    """
    # Unknown codes are never memoised (random guesses cannot fill memory).
    row, as_of = cache.memo_entry(_stamp_key(code), lambda: _stamp_row(code))
    stamp = None
    if row is not None:
        status, updated_at, expires_on, superseded = row
        stamp = f"{state_of(status, expires_on, today, superseded)}.{int(updated_at.timestamp() * 1_000_000)}"
    return (stamp, as_of) if with_time else stamp


def by_code(code, with_base=False):
    query = sa.select(Certificate).where(Certificate.verify_code == code).options(
        joinedload(Certificate.superseded_by))
    if with_base:
        query = query.options(joinedload(Certificate.course).joinedload(Course.base))
    return db.session.scalar(query)


def verify_url(certificate):
    """The absolute URL printed as the QR code: the random code only, no ids."""
    return url_for("verify.show", code=certificate.verify_code, _external=True)


def verification(certificate, today=None):
    """Everything the PDF prints (the holder's name masked), for the page and the JSON.

    A renewed certificate names the one that replaced it, with the link to verify that one.
    """
    successor = certificate.superseded_by if certificate.superseded_by_id else None
    state = certificate.state(today)
    return {
        "code": certificate.verify_code,
        "state": state,
        "state_label": superseded_label(successor.number) if state == "superseded" else STATE_LABELS[state],
        "title": certificate.title,
        "number": certificate.number,
        "holder": mask_name(certificate.holder_name),
        "course": certificate.course_title,
        "trade": certificate.trade_name,
        "level": certificate.level,
        "level_label": LEVEL_LABELS[certificate.level],
        "base": certificate.base_name,
        "awarded_on": certificate.awarded_on,
        "issued_on": certificate.issued_on,
        "expires_on": certificate.expires_on,
        "revoked_at": certificate.revoked_at if certificate.status == CertificateStatus.REVOKED else None,
        "revoke_reason": certificate.revoke_reason if certificate.status == CertificateStatus.REVOKED else None,
        "superseded_by": successor.number if successor else None,
        "superseded_by_url": verify_url(successor) if successor else None,
        "superseded_on": successor.issued_on if successor else None,
    }


def verification_json(certificate, today=None):
    """`verification()` as JSON-ready values, with links to the page and the badge."""
    facts = verification(certificate, today)
    return {
        "code": facts["code"],
        "status": facts["state"],
        "status_label": str(facts["state_label"]),
        "valid": facts["state"] == "valid",
        "title": facts["title"],
        "number": facts["number"],
        "holder": facts["holder"],
        "course": facts["course"],
        "trade": facts["trade"],
        "level": facts["level"].value,
        "level_label": str(facts["level_label"]),
        "level_chinese": LEVEL_CHINESE.get(facts["level"]),
        "issuing_base": facts["base"],
        "awarded_on": facts["awarded_on"].isoformat(),
        "issued_on": facts["issued_on"].isoformat(),
        "expires_on": facts["expires_on"].isoformat() if facts["expires_on"] else None,
        "revoked_at": facts["revoked_at"].isoformat() if facts["revoked_at"] else None,
        "revoke_reason": facts["revoke_reason"],
        "superseded_by": None if facts["superseded_by"] is None else {
            "number": facts["superseded_by"], "issued_on": facts["superseded_on"].isoformat(),
            "verify_url": facts["superseded_by_url"]},
        "verify_url": verify_url(certificate),
        "badge_url": url_for("verify.badge", code=certificate.verify_code, _external=True),
    }


# ------------------------------------------------------------------ Open Badges 3.0

def _local_midnight(day):
    return datetime.combine(day, time.min, LOCAL_TZ).isoformat()


def _identity(certificate):
    """The holder as a salted SHA-256 of the name (OB 3.0 IdentityObject): not readable, checkable."""
    # Published with the hash, so it need not be secret: it only makes every certificate's hash its own.
    salt = hashlib.sha256(f"badge-salt:{certificate.verify_code}".encode()).hexdigest()[:16]
    digest = hashlib.sha256((certificate.holder_name + salt).encode()).hexdigest()
    return {"type": "IdentityObject", "hashed": True, "identityHash": f"sha256${digest}",
            "identityType": "name", "salt": salt}


def _issuer_url(certificate):
    base = certificate.course.base
    try:
        return url_for("training.base", code=base.code, _external=True)
    except BuildError:  # no public base page: the verification service stands for the issuer
        return url_for("verify.show", code=certificate.verify_code, _external=True) + "#issuer"


def open_badge(certificate, today=None):
    """An OpenBadgeCredential (W3C VC data model 2.0) for the certificate; no proof, see the module doc."""
    badge_url = url_for("verify.badge", code=certificate.verify_code, _external=True)
    level = LEVEL_CHINESE.get(certificate.level)
    level_text = f"；技能等级：{level}" if level else ""
    issuer_url = _issuer_url(certificate)
    # The achievement is the course's certificate, shared by everyone who earned it;
    # a name-based UUID keeps it stable without showing an internal id.
    achievement_id = uuid.uuid5(uuid.NAMESPACE_URL, f"{url_for('verify.show', code='-', _external=True)}"
                                                    f"#course-{certificate.course_id}")
    document = {
        "@context": OPEN_BADGES_CONTEXT,
        "id": badge_url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": certificate.title,
        "description": f"{certificate.base_name}颁发的{certificate.title}，证书编号{certificate.number}。",
        "issuer": {
            "id": issuer_url,
            "type": ["Profile"],
            "name": certificate.base_name,
            "url": issuer_url,
        },
        "validFrom": _local_midnight(certificate.issued_on),
        "awardedDate": _local_midnight(certificate.awarded_on),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [_identity(certificate)],
            "licenseNumber": certificate.number,
            "achievement": {
                "id": f"urn:uuid:{achievement_id}",
                "type": ["Achievement"],
                "achievementType": "Certification",
                "name": certificate.title,
                "description": (f"{certificate.base_name}“{certificate.course_title}”结业考核合格者获发的"
                                f"{certificate.title}。职业（工种）：{certificate.trade_name}{level_text}。"),
                "criteria": {
                    "narrative": (f"参加{certificate.base_name}举办的“{certificate.course_title}”培训，"
                                  f"出勤达到课程要求，并通过理论与实操考核。"),
                },
                "fieldOfStudy": certificate.trade_name,
            },
        },
        # Not a standard status list: this site is the only source of truth, so the
        # flag says plainly what the verification page says.
        "revoked": certificate.status == CertificateStatus.REVOKED,
    }
    valid_until = None
    if certificate.expires_on:
        # Valid through the whole expiry day, local time.
        valid_until = datetime.combine(certificate.expires_on, time(23, 59, 59), LOCAL_TZ)
    if certificate.superseded_by_id is not None:  # ... or until its renewal took over
        replaced = datetime.combine(certificate.superseded_by.issued_on, time.min, LOCAL_TZ)
        valid_until = replaced if valid_until is None else min(valid_until, replaced)
    if valid_until is not None:
        document["validUntil"] = valid_until.isoformat()
    if certificate.status == CertificateStatus.REVOKED:
        document["revokedAt"] = certificate.revoked_at.isoformat()
        document["revocationReason"] = certificate.revoke_reason
    if certificate.superseded_by_id is not None:
        # Like "revoked": plain words for verifiers, pointing at the credential that replaced this one.
        successor = certificate.superseded_by
        document["superseded"] = True
        document["supersededBy"] = {
            "id": url_for("verify.badge", code=successor.verify_code, _external=True),
            "licenseNumber": successor.number,
            "validFrom": _local_midnight(successor.issued_on),
        }
    return document


# ------------------------------------------------------------------ PDFs and ZIPs

def pdf_item(certificate):
    """The facts the PDF prints, from the certificate's own copy (never the live course or user)."""
    return pdf.QualificationCertificate(
        number=certificate.number,
        holder=certificate.holder_name,
        title=certificate.title,
        course=certificate.course_title,
        trade=certificate.trade_name,
        level=LEVEL_CHINESE.get(certificate.level),
        issuer=certificate.base_name,
        awarded_on=certificate.awarded_on,
        issued_on=certificate.issued_on,
        expires_on=certificate.expires_on,
        verify_url=verify_url(certificate),
        void=VOID_STAMP if certificate.status == CertificateStatus.REVOKED else None,
    )


def pdf_bytes(certificate):
    return pdf.qualification_certificates([pdf_item(certificate)])


def pdf_filename(certificate):
    holder = re.sub(r'[\\/:*?"<>|\s]+', "", certificate.holder_name)
    return f"{certificate.number}-{holder}.pdf" if holder else f"{certificate.number}.pdf"


class _Sink:
    """A write-only stream: what ZipFile writes is collected until taken."""

    def __init__(self):
        self._chunks = []

    def write(self, data):
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self):
        pass

    def take(self):
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def zip_stream(items):
    """Yield a ZIP of (file name, QualificationCertificate) pairs, one PDF at a time.

    The sink cannot seek, so zipfile writes data descriptors: memory holds one PDF,
    never the whole archive.
    """
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, item in items:
            info = zipfile.ZipInfo(name, date_time=item.issued_on.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, pdf.qualification_certificates([item]))
            yield sink.take()
    yield sink.take()  # the central directory


# ------------------------------------------------------------------ outcome check-ins

def add_months(day, months):
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class CheckIn:
    months: int
    due_on: date
    state: str  # "done" | "due" | "upcoming"
    outcome: Outcome | None
    open: bool  # may be answered (or corrected) now


CHECKIN_LABELS = {
    "done": _l("Answered"),
    "due": _l("Due now"),
    "upcoming": _l("Not due yet"),
}


def checkins(certificate, outcomes, today=None, staff=False):
    """The 3-, 6- and 12-month questions of an original certificate (renewals have none).

    `outcomes` maps months → Outcome for this certificate. Trainees answer a check-in
    once it is due; staff may record any. Revoked certificates take no answers.
    """
    if certificate.renewed_from_id is not None:
        return []
    today = today or date.today()
    result = []
    for months in CHECKIN_MONTHS:
        due_on = add_months(certificate.issued_on, months)
        outcome = outcomes.get(months)
        state = "done" if outcome is not None else "due" if today >= due_on else "upcoming"
        may_answer = certificate.status != CertificateStatus.REVOKED and (staff or state != "upcoming")
        result.append(CheckIn(months, due_on, state, outcome, may_answer))
    return result


def outcomes_by_certificate(certificate_ids):
    """certificate id → {months: Outcome}, in one query."""
    found = {}
    if not certificate_ids:
        return found
    for outcome in db.session.scalars(sa.select(Outcome).where(Outcome.certificate_id.in_(list(certificate_ids)))):
        found.setdefault(outcome.certificate_id, {})[outcome.months] = outcome
    return found
