"""Forms and input parsing of the classroom pages (attendance, assessment, marks import).

Validate and pre-fill only: whether a mark is in range, whether someone may sit
again and what passes are the services' rules.
"""
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from app.forms import Form
from flask_wtf.file import FileField, FileRequired

from app.errors import DomainError

MARK_FIELDS = ("theory", "practical")
MARK_LABELS = {"theory": _l("Theory"), "practical": _l("Practical")}
MARK_PLACES = 2  # the columns are Numeric(6, 2)


class MarksImportForm(Form):
    file = FileField(_l("Excel workbook (.xlsx)"),
                     validators=[FileRequired(message=_l("Please choose a file to upload."))])


def parse_mark(raw):
    """A typed mark as a Decimal; empty means no mark yet (None)."""
    text = (raw or "").strip().replace("，", ".").replace("。", ".")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise DomainError(_l("Enter the mark as a number, e.g. 85 or 85.5.")) from None
    if not value.is_finite():
        raise DomainError(_l("Enter the mark as a number, e.g. 85 or 85.5."))
    if value.normalize().as_tuple().exponent < -MARK_PLACES:  # 85.50 is fine, 85.555 is not
        raise DomainError(_l("A mark has at most %(n)s decimal places.", n=MARK_PLACES))
    return value


def parse_present(raw):
    """The attendance toggle's value: "1" present, "0" absent; None when tampered with."""
    return {"1": True, "0": False}.get((raw or "").strip())


def mark_text(value):
    """85.00 → "85", 85.50 → "85.5" (for inputs and cells); None → ""."""
    if value is None:
        return ""
    text = format(Decimal(value).quantize(Decimal(1).scaleb(-MARK_PLACES)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
