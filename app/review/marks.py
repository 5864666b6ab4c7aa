"""A mark as a reviewer types it or an import carries it: one parser, one set of checks.

Marks are Decimals with at most two places, 0 ≤ mark ≤ the criterion's maximum.
Digits are the ASCII digits 0-9; full-width digits and punctuation from a
Chinese input method (８５．５, 85。5) are normalised, any other script's digits
(٣٠, १०) are refused with a message rather than silently read.
"""
import re
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app import audit
from app.db import upsert, utcnow
from app.errors import DomainError
from app.extensions import db

NUMBER = re.compile(r"^[0-9]+(\.[0-9]{1,2})?$")
DECIMAL_LIKE = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")  # a number, but negative or too precise
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．。－＋", "0123456789..-+")


def normalise(raw):
    return (raw or "").strip().translate(_FULL_WIDTH)


def parse_mark(raw, maximum):
    """A typed mark → Decimal, or DomainError with the reason; "" → None (clear the cell)."""
    text = normalise(raw)
    if text == "":
        return None
    if not NUMBER.match(text):
        if any(char.isdigit() and char not in "0123456789" for char in text):
            raise DomainError(_l("Type the mark with the digits 0-9."))
        if DECIMAL_LIKE.match(text):
            if text.startswith("-"):
                raise DomainError(_l("The mark cannot be negative."))
            raise DomainError(_l("At most 2 decimal places."))
        raise DomainError(_l("Enter a number."))
    return check_mark(Decimal(text), maximum)


def check_mark(value, maximum):
    """An already-numeric mark (imports): the range rule; returns the value."""
    if value < 0:
        raise DomainError(_l("The mark cannot be negative."))
    if value.as_tuple().exponent < -2 and value != value.quantize(Decimal("0.01")):
        raise DomainError(_l("At most 2 decimal places."))
    if value > maximum:
        raise DomainError(_l("The maximum is %(max)s.", max=maximum))
    return value


def store_mark(actor, table, key, value, *, subject, details, extra=None, changed=None):
    """Write one mark (upsert; None deletes it) and audit the change. Returns True when it changed.

    `table` has a `value` and an `updated_at` column and a unique key over `key`'s
    columns; `extra` are more columns to write with the value (who measured it).
    Call with the reviewer's sheet locked (`sheets.lock_sheet`). `changed()` runs right
    after the write and before the audit record, so every save takes its locks in the
    same order as an ORM flush does (sheet, marks, the client's version row, audit head):
    concurrent saves never deadlock.
    """
    row = sa.and_(*(table.c[column] == wanted for column, wanted in key.items()))
    before = db.session.scalar(sa.select(table.c.value).where(row))
    if value == before:
        return False
    if value is None:
        db.session.execute(sa.delete(table).where(row))
    else:
        extra = extra or {}
        upsert(db.session, table, {**key, **extra, "value": value, "updated_at": utcnow()},
               list(key), ["value", *extra, "updated_at"])
    if changed is not None:
        changed()
    audit.record(actor, "score.save", subject, before={**details, "value": before},
                 after={**details, "value": value, "judge_id": actor.id})
    return True
