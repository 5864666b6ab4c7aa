"""Training forms: validate and pre-fill only."""
from flask_babel import lazy_gettext as _l
from app.forms import Form
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from app.training.models import LEVEL_LABELS


class CatalogFilterForm(Form):
    class Meta:
        csrf = False  # GET filters

    q = StringField(_l("Search courses"), validators=[Optional(), Length(max=60)])
    trade = SelectField(_l("Trade"), choices=[], validate_choice=False)
    base = SelectField(_l("Training base"), choices=[], validate_choice=False)
    level = SelectField(_l("Level"), choices=[], validate_choice=False)
    month = StringField(_l("Starting in (month)"), validators=[Optional(), Regexp(r"^\d{4}-\d{2}$")],
                        render_kw={"type": "month"})
    seats = BooleanField(_l("Only with seats left"))

    def __init__(self, trades, bases, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.trade.choices = [("", _l("All trades"))] + [(str(t.id), t.name) for t in trades]
        self.base.choices = [("", _l("All bases"))] + [(str(b.id), b.name) for b in bases]
        self.level.choices = [("", _l("All levels"))] + [(k.value, v) for k, v in LEVEL_LABELS.items()]


class EnrolForm(Form):
    join_union = BooleanField(_l("Also apply to join the union"))


class BaseForm(Form):
    code = StringField(_l("Code (used in links)"), validators=[DataRequired(), Length(max=30),
                                                              Regexp(r"^[A-Za-z0-9_-]+$",
                                                                     message=_l("Letters, digits and dashes only."))])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    organization_id = SelectField(_l("Operated by"), choices=[], validators=[DataRequired()])
    trades = SelectMultipleField(_l("Trades covered"), choices=[], coerce=int)
    address = StringField(_l("Address"), validators=[Optional(), Length(max=200)])
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=60)])
    contact_phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=40)])
    designated_on = DateField(_l("Designated on"), validators=[Optional()])
    status = SelectField(_l("Status"), choices=[("active", _l("Active")), ("suspended", _l("Suspended")),
                                                ("closed", _l("Closed"))])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])

    def __init__(self, organizations, trade_choices, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization_id.choices = [("", _l("— choose —"))] + [(str(o.id), "\u3000" * o.depth + o.name)
                                                                  for o in organizations]
        self.trades.choices = [(t.id, t.name) for t in trade_choices]


class CourseForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=160)])
    base_id = SelectField(_l("Training base"), choices=[], validators=[DataRequired()])
    trade_id = SelectField(_l("Trade"), choices=[], validators=[DataRequired()])
    level = SelectField(_l("Level"), choices=[(k.value, v) for k, v in LEVEL_LABELS.items()])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])
    starts_on = DateField(_l("Starts on"), validators=[DataRequired()])
    ends_on = DateField(_l("Ends on"), validators=[DataRequired()])
    seats = IntegerField(_l("Seats"), validators=[DataRequired(), NumberRange(min=1, max=100000)])
    enrol_opens_at = DateTimeLocalField(_l("Enrolment opens"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    enrol_closes_at = DateTimeLocalField(_l("Enrolment closes"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    fee = DecimalField(_l("Fee (yuan, 0 = free)"), places=2, default=0, validators=[Optional(), NumberRange(min=0)])
    eligibility = SelectField(_l("Who may enrol"), choices=[("anyone", _l("Anyone")),
                                                           ("members", _l("Union members only")),
                                                           ("units", _l("Workers of chosen units"))])
    units = SelectMultipleField(_l("Units (when limited to units)"), choices=[], coerce=int)
    requires_approval = BooleanField(_l("Enrolments need staff approval"))
    theory_weight = DecimalField(_l("Theory weight (%)"), places=2, default=30, validators=[DataRequired(),
                                                                                         NumberRange(min=0, max=100)])
    practical_weight = DecimalField(_l("Practical weight (%)"), places=2, default=70,
                                    validators=[DataRequired(), NumberRange(min=0, max=100)])
    pass_mark = DecimalField(_l("Pass mark"), places=2, default=60, validators=[DataRequired(),
                                                                                 NumberRange(min=0, max=100)])
    min_attendance = DecimalField(_l("Minimum attendance to sit the assessment (%)"), places=2, default=80,
                                  validators=[Optional(), NumberRange(min=0, max=100)])
    certificate_name = StringField(_l("Certificate it leads to"), validators=[Optional(), Length(max=120)])
    certificate_years = IntegerField(_l("Certificate valid for (years, empty = no expiry)"),
                                     validators=[Optional(), NumberRange(min=1, max=50)])
    status = SelectField(_l("Status"), choices=[("draft", _l("Draft")), ("published", _l("Published")),
                                                ("cancelled", _l("Cancelled"))])

    def __init__(self, base_choices, trade_choices, unit_choices, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.base_id.choices = [("", _l("— choose —"))] + [(str(b.id), b.name) for b in base_choices]
        self.trade_id.choices = [("", _l("— choose —"))] + [(str(t.id), t.name) for t in trade_choices]
        self.units.choices = [(o.id, o.name) for o in unit_choices]


class LessonForm(Form):
    starts_at = DateTimeLocalField(_l("Starts"), validators=[DataRequired()], format="%Y-%m-%dT%H:%M")
    ends_at = DateTimeLocalField(_l("Ends"), validators=[DataRequired()], format="%Y-%m-%dT%H:%M")
    topic = StringField(_l("Topic"), validators=[Optional(), Length(max=160)])
