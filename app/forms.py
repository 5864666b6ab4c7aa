"""The base of every form: no invisible control characters, no numbers that cannot be stored.

A NUL or an escape pasted into a name breaks exports and, on PostgreSQL, the
save itself. Every form of the platform derives from `Form`, so each text field
refuses them with a message in place; multi-line fields keep their line breaks
and tabs. Passwords are hashed, never shown or exported: they are left alone.

Decimal fields accept what people write ("30", "12.5"): an exponent ("1e999"),
infinity, NaN or more than MAX_DIGITS digits is refused before it reaches a
Numeric column (where PostgreSQL would fail on it).
"""
import re
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

# C0 controls and DEL, except tab, line feed and carriage return.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LINE_BREAKS = re.compile(r"[\t\n\r]")
CONTROL_MESSAGE = _l("Remove the invisible control characters from this text.")
UNCHECKED = {"PasswordField", "FileField", "MultipleFileField", "CSRFTokenField"}
PLAIN_DECIMAL = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$")
MAX_DIGITS = 12  # 9,999,999,999.99 yuan: more than any subsidy or prize
DECIMAL_MESSAGE = _l("Enter a plain number such as 30 or 12.5.")
TWO_PLACES_MESSAGE = _l("At most two decimal places.")


def has_control_characters(text, multi_line=False):
    return bool(CONTROL.search(text) or (not multi_line and LINE_BREAKS.search(text)))


class Form(FlaskForm):
    def validate(self, extra_validators=None):
        # Unstorable decimals are taken out before the validators run: comparing "sNaN" raises.
        unstorable = [f for f in self if isinstance(f.data, Decimal) and not _storable(f)]
        for field in unstorable:
            field.data = None
        valid = super().validate(extra_validators)
        for field in unstorable:
            field.errors = [DECIMAL_MESSAGE]
            valid = False
        for field in self:  # 12.345 yuan would be rounded silently by a two-place column: say so instead
            places = getattr(field, "places", None)
            if isinstance(field.data, Decimal) and places is not None and field.data.as_tuple().exponent < -places \
                    and field.data != field.data.quantize(Decimal(1).scaleb(-places)):
                message = TWO_PLACES_MESSAGE if places == 2 else _l("At most %(n)s decimal places.", n=places)
                field.errors = [*field.errors, str(message)]
                valid = False
        for field in self:
            if field.type in UNCHECKED or not isinstance(field.data, str):
                continue
            if has_control_characters(field.data, multi_line=field.type == "TextAreaField"):
                field.errors = [*field.errors, CONTROL_MESSAGE]
                valid = False
        return valid


def _storable(field):
    raw = (field.raw_data or [""])[0] if field.raw_data else str(field.data)
    if not PLAIN_DECIMAL.match(str(raw)) or not field.data.is_finite():
        return False
    return len(field.data.as_tuple().digits) <= MAX_DIGITS
