"""Forms of the pair review and of a participant's own pairing and preferences: validate and pre-fill only."""
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.apprenticeship.models import MAX_PREFERENCES, PAIR_STATUS_LABELS, SCOPE_LABELS
from app.apprenticeship.pairing import REASON_MAX
from app.forms import Form


def _choices(labels, blank):
    return [("", blank)] + [(str(key), label) for key, label in labels.items()]


class PairFilterForm(Form):
    """The pair list's search and filters (GET, no CSRF)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=60)])
    unit = SelectField(_l("Unit"), choices=[], validators=[Optional()])
    trade = SelectField(_l("Trade"), choices=[], validators=[Optional()])
    scope = SelectField(_l("Scope"), choices=_choices(SCOPE_LABELS, _l("Any scope")), validators=[Optional()])
    status = SelectField(_l("Status"), choices=_choices(PAIR_STATUS_LABELS, _l("Any status")),
                         validators=[Optional()])


class RegisterFilterForm(Form):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=60)])
    trade = SelectField(_l("Trade"), choices=[], validators=[Optional()])
    active = SelectField(_l("On the register"), choices=[("", _l("All")), ("1", _l("Active")),
                                                          ("0", _l("Inactive"))], validators=[Optional()])


class RejectForm(Form):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=REASON_MAX)])


class ReassignForm(Form):
    master_id = SelectField(_l("Another master"), choices=[], validators=[DataRequired()])


class DeclineForm(Form):
    reason = TextAreaField(_l("Reason (optional)"), validators=[Optional(), Length(max=REASON_MAX)])


class PreferencesForm(Form):
    """Up to five ranked masters (best first) and masters to avoid, chosen among the register's
    masters of the apprentice's trade (choices filled by the view)."""

    avoid = SelectMultipleField(_l("Masters to avoid"), choices=[], validators=[Optional()])


for _rank in range(1, MAX_PREFERENCES + 1):
    setattr(PreferencesForm, f"rank_{_rank}",
            SelectField(_l("Choice %(n)s", n=_rank), choices=[], validators=[Optional()]))
