"""Forms of the assessment pages: validate and pre-fill only."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.apprenticeship.models_assessment import ASSESSMENT_KIND_LABELS
from app.forms import Form


class RoundForm(Form):
    programme_id = SelectField(_l("Programme"), coerce=int, validators=[DataRequired()])
    kind = SelectField(_l("Kind"), choices=[(k.value, v) for k, v in ASSESSMENT_KIND_LABELS.items()])
    name = StringField(_l("Name (optional)"), validators=[Optional(), Length(max=160)])


class AssessorForm(Form):
    who = StringField(_l("Assessor's user name or mobile"), validators=[DataRequired(), Length(max=80)])
    is_chief = BooleanField(_l("Chief assessor"))


class ReasonForm(Form):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class RenewForm(Form):
    master = StringField(_l("New master's user name (empty: the same master)"),
                         validators=[Optional(), Length(max=80)])
