"""Forms of the commendation pages: validate and pre-fill only."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.apprenticeship.models_commendation import EFFECT_RATING_LABELS
from app.forms import Form


class CycleForm(Form):
    programme_id = SelectField(_l("Programme"), choices=[], coerce=int)
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=160)],
                        description=_l("e.g. 2025–2026 年度优秀师徒表彰"))


class NominationForm(Form):
    agreement_id = SelectField(_l("Completed agreement"), choices=[], coerce=int)
    deeds = TextAreaField(_l("Deeds (事迹) summary"), validators=[DataRequired(), Length(max=5000)])


class DeedsForm(Form):
    deeds = TextAreaField(_l("Deeds (事迹) summary"), validators=[DataRequired(), Length(max=5000)])


class ReasonForm(Form):
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)])


class EffectForm(Form):
    rating = SelectField(_l("Effect"), choices=[(k.value, v) for k, v in EFFECT_RATING_LABELS.items()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])


class SeatForm(Form):
    username = StringField(_l("Expert's user name"), validators=[DataRequired(), Length(max=40)])
    is_chief = BooleanField(_l("Chief of the panel"))


class PublishForm(Form):
    final = BooleanField(_l("Final publication (after the public notice)"))
    hours = IntegerField(_l("Objection window (hours)"), default=120, validators=[Optional(), NumberRange(min=1)])
    reason = StringField(_l("Note"), validators=[Optional(), Length(max=500)])


class DecideForm(Form):
    upheld = SelectField(_l("Decision"), choices=[("0", _l("Dismissed")), ("1", _l("Upheld"))])
    resolution = TextAreaField(_l("Decision and reason"), validators=[DataRequired(), Length(max=2000)])


class ObjectionForm(Form):
    nomination = SelectField(_l("Nomination"), choices=[], coerce=int)
    text = TextAreaField(_l("What is wrong"), validators=[DataRequired(), Length(max=2000)])


class PaidForm(Form):
    paid_on = DateField(_l("Paid on"), validators=[Optional()])
