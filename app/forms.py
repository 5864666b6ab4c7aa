"""The base of every form: text never carries invisible control characters.

A NUL or an escape pasted into a name breaks exports and, on PostgreSQL, the
save itself. Every form of the platform derives from `Form`, so each text field
refuses them with a message in place; multi-line fields keep their line breaks
and tabs. Passwords are hashed, never shown or exported: they are left alone.
"""
import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

# C0 controls and DEL, except tab, line feed and carriage return.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LINE_BREAKS = re.compile(r"[\t\n\r]")
CONTROL_MESSAGE = _l("Remove the invisible control characters from this text.")
UNCHECKED = {"PasswordField", "FileField", "MultipleFileField", "CSRFTokenField"}


def has_control_characters(text, multi_line=False):
    return bool(CONTROL.search(text) or (not multi_line and LINE_BREAKS.search(text)))


class Form(FlaskForm):
    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        for field in self:
            if field.type in UNCHECKED or not isinstance(field.data, str):
                continue
            if has_control_characters(field.data, multi_line=field.type == "TextAreaField"):
                field.errors = [*field.errors, CONTROL_MESSAGE]
                valid = False
        return valid
