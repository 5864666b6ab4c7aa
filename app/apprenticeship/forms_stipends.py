"""Forms of the stipend pages."""
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from app.forms import Form


class AccrueForm(Form):
    month = StringField(_l("Month (YYYY-MM)"), validators=[DataRequired(), Length(max=7)])


class FilterForm(Form):
    """The totals' filters (GET): unit and a range of months."""

    class Meta:
        csrf = False

    unit = SelectField(_l("Unit"), coerce=int, validators=[Optional()])
    month_from = StringField(_l("From (YYYY-MM)"), validators=[Optional(), Length(max=7)])
    month_to = StringField(_l("To (YYYY-MM)"), validators=[Optional(), Length(max=7)])
