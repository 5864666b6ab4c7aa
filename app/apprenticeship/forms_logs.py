"""Log forms: short, stacked, for a phone."""
from flask_babel import lazy_gettext as _l
from wtforms import DecimalField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.apprenticeship.models_logs import MAX_HOURS
from app.forms import Form


class LogForm(Form):
    learnt = TextAreaField(_l("What I learnt"), validators=[DataRequired(), Length(max=4000)],
                           render_kw={"rows": 4})
    hours = DecimalField(_l("Hours with the master"), places=1,
                         validators=[InputRequired(), NumberRange(min=0, max=MAX_HOURS)],
                         render_kw={"inputmode": "decimal"})
    problems = TextAreaField(_l("Problems or questions"), validators=[Optional(), Length(max=4000)],
                             render_kw={"rows": 2})


class ReviewForm(Form):
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])
