"""Proof for claiming an account that a training base made from a roster.

A roster import makes accounts without a password for people who have not
registered yet. Registering with such a mobile number takes over the account —
its name, enrolments and certificates — so it needs one of two one-time codes:

- a staff code (8 characters), listed in the import's download of new accounts
  or made again on the account's admin page, which the training base hands out;
- an SMS code (6 digits) sent to the number itself, where a sender is set up.

Only an HMAC of each code is stored. Tries are rate-limited per number on the
registration page, and a new code of a channel replaces the old one.
"""
import hashlib
import hmac
import secrets
import unicodedata
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.accounts.models import AccountClaim, ClaimChannel
from app.db import utcnow
from app.extensions import db

# Accounts created from a training roster have no password until claimed. No hash ever equals this marker.
UNCLAIMED_PASSWORD = "!unclaimed"
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O or 1/I to misread on paper
STAFF_CODE_LENGTH = 8
SMS_CODE_MINUTES = 10
CHUNK = 2000


def is_unclaimed(user):
    return user is not None and user.password_hash == UNCLAIMED_PASSWORD


def normalise(code):
    """What a person types → the code: full-width letters and digits folded, spaces and dashes dropped."""
    text = unicodedata.normalize("NFKC", code or "").upper()
    return "".join(ch for ch in text if ch.isalnum())


def _digest(user_id, code):
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"claim:{user_id}:{normalise(code)}".encode(), hashlib.sha256).hexdigest()


def _staff_code():
    return "".join(secrets.choice(ALPHABET) for _ in range(STAFF_CODE_LENGTH))


def formatted(code):
    """"ABCD-EFGH": easier to read out and type."""
    return f"{code[:4]}-{code[4:]}" if len(code) == STAFF_CODE_LENGTH else code


def issue_staff_codes(user_ids):
    """New staff codes for these (unclaimed) accounts, in bulk: {user id: code}. Flush, no commit."""
    now = utcnow()
    expires = now + timedelta(days=current_app.config["CLAIM_CODE_DAYS"])
    codes = {user_id: _staff_code() for user_id in user_ids}
    ids = list(codes)
    for start in range(0, len(ids), CHUNK):
        part = ids[start:start + CHUNK]
        db.session.execute(sa.delete(AccountClaim).where(AccountClaim.user_id.in_(part),
                                                         AccountClaim.channel == ClaimChannel.STAFF))
        db.session.execute(sa.insert(AccountClaim), [
            {"user_id": i, "channel": ClaimChannel.STAFF.value, "code_digest": _digest(i, codes[i]),
             "issued_at": now, "expires_at": expires} for i in part])
    return codes


def issue_sms_code(user_id):
    """A 6-digit code for the number's owner, valid SMS_CODE_MINUTES. Flush, no commit."""
    code = f"{secrets.randbelow(1_000_000):06d}"
    now = utcnow()
    db.session.execute(sa.delete(AccountClaim).where(AccountClaim.user_id == user_id,
                                                     AccountClaim.channel == ClaimChannel.SMS))
    db.session.add(AccountClaim(user_id=user_id, channel=ClaimChannel.SMS, code_digest=_digest(user_id, code),
                                issued_at=now, expires_at=now + timedelta(minutes=SMS_CODE_MINUTES)))
    db.session.flush()
    return code


def redeem(user_id, code):
    """The channel whose live code `code` is (then every code of the account is spent), else None."""
    if not normalise(code):
        return None
    digest = _digest(user_id, code)
    rows = db.session.scalars(sa.select(AccountClaim).where(AccountClaim.user_id == user_id,
                                                            AccountClaim.expires_at > utcnow())).all()
    found = next((row for row in rows if hmac.compare_digest(row.code_digest, digest)), None)
    if found is None:
        return None
    channel = found.channel
    db.session.execute(sa.delete(AccountClaim).where(AccountClaim.user_id == user_id))
    return channel
