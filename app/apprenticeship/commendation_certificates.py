"""表彰证书: one certificate per person (master and apprentice) of an awarded pair, issued at the
final publication, printed as a PDF with a QR code and verified at /verify/<code>.

Codes are `PREFIX` + random characters; the public verification page shows masked names.
"""
import secrets

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import Session

from app import audit, cache, htmx, pdf, verification
from app.apprenticeship.models_commendation import CommendationCertificate, PrizeRole
from app.extensions import db

PREFIX = "apprenticeship."  # the "." never occurs in default codes (see app/verification.py)


def new_code():
    return PREFIX + secrets.token_urlsafe(16)


def issue(actor, cycle, snapshot, issued_on):
    """Certificates for every awarded row of the final snapshot not holding them yet (idempotent)."""
    held = {(c.nomination_id, c.role) for c in db.session.scalars(
        sa.select(CommendationCertificate).where(CommendationCertificate.cycle_id == cycle.id))}
    issued = []
    for row in snapshot.data["rows"]:
        if not row["tier"]:
            continue
        people = ((PrizeRole.MASTER, row["master_user_id"], row["master"], row["apprentice"], "M"),
                  (PrizeRole.APPRENTICE, row["apprentice_user_id"], row["apprentice"], row["master"], "A"))
        for role, user_id, holder, partner, letter in people:
            if (row["nomination_id"], role) in held:
                continue
            certificate = CommendationCertificate(
                cycle_id=cycle.id, nomination_id=row["nomination_id"], role=role, user_id=user_id,
                verify_code=new_code(), number=f"{cycle.programme.code.upper()}-{cycle.id}-{row['no']}{letter}",
                holder=holder, partner=partner, unit=row["unit"], cycle_title=cycle.title, tier=row["tier"],
                rank=row["rank"], issued_on=issued_on)
            db.session.add(certificate)
            issued.append(certificate)
    if issued:
        db.session.flush()
        audit.record(actor, "apprenticeship.commendation.certificates", cycle,
                     after={"issued": [c.number for c in issued]})
    return issued


def verify_url(certificate):
    return url_for("verify.show", code=certificate.verify_code, _external=True)


def pdf_item(certificate, issuer):
    role = "师傅" if certificate.role == PrizeRole.MASTER else "徒弟"
    partner = "徒弟" if certificate.role == PrizeRole.MASTER else "师傅"
    return pdf.AwardCertificate(
        number=certificate.number, holder=f"{certificate.holder}（{role}）", unit=certificate.unit,
        competition=certificate.cycle_title, event=f"（{partner}：{certificate.partner}）",
        award=certificate.tier, rank=None, final_score=None, issued_on=certificate.issued_on, issuer=issuer,
        verify_url=verify_url(certificate))


def certificates_pdf(certificates, issuer):
    return pdf.award_certificates([pdf_item(c, issuer) for c in certificates]) if certificates else None


# ---------------------------------------------------------------- verification


def _key(code):
    return ("verify-apprenticeship", code)


@sa.event.listens_for(Session, "after_flush")
def _forget_changed(session, _context):
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, CommendationCertificate):
            code = sa.inspect(obj).dict.get("verify_code")
            if code:
                cache.forget(_key(code))


def _row(code):
    row = db.session.execute(sa.select(CommendationCertificate.updated_at)
                             .where(CommendationCertificate.verify_code == code)).first()
    return None if row is None else tuple(row)


def verification_stamp(code):
    row, as_of = cache.memo_entry(_key(code), lambda: _row(code))
    if row is None:
        return None, as_of
    return f"{int(row[0].timestamp() * 1_000_000)}", as_of


def by_code(code):
    return db.session.scalar(sa.select(CommendationCertificate).where(CommendationCertificate.verify_code == code))


def public_facts(certificate):
    return {"code": certificate.verify_code, "type": "apprenticeship_commendation", "valid": True,
            "number": certificate.number, "holder": verification.mask_name(certificate.holder),
            "role": str(certificate.role), "partner": verification.mask_name(certificate.partner),
            "unit": certificate.unit, "commendation": certificate.cycle_title, "tier": certificate.tier,
            "issued_on": certificate.issued_on.isoformat()}


def verification_page(code):
    return htmx.render("apprenticeship/commendation/verify.html", facts=public_facts(by_code(code)),
                       json_url=url_for("verify.show_json", code=code), cacheable=True).get_data(as_text=True)


def verification_json(code):
    certificate = by_code(code)
    return {**public_facts(certificate), "verify_url": verify_url(certificate)}


verification.register(verification.Verifier(prefix=PREFIX, stamp=verification_stamp, page=verification_page,
                                            data=verification_json))
