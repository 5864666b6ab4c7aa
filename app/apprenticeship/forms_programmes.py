"""Forms of the programme pages and the master register: validate and pre-fill only."""
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, DecimalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from app.apprenticeship import programmes
from app.apprenticeship.models import (
    DEFAULT_CAPACITY,
    KIND_LABELS,
    LOG_CADENCE_LABELS,
    MAX_CAPACITY,
    PAIRING_MODE_LABELS,
    SAME_UNIT_LABELS,
)
from app.forms import Form

CODE = Regexp(r"^[A-Za-z0-9][A-Za-z0-9_-]*$", message=_l("Use letters, digits, dashes or underscores for the code."))
MAX_MONEY = Decimal("9999999.99")


def _choices(labels):
    return [(str(key), label) for key, label in labels.items()]


class ProgrammeForm(Form):
    code = StringField(_l("Code (used in links)"), validators=[DataRequired(), Length(max=40), CODE])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=160)])
    cycle = StringField(_l("Cycle"), validators=[Optional(), Length(max=20)])
    organiser_id = SelectField(_l("Organising union"), choices=[], validators=[Optional()])
    kind = SelectField(_l("Kind"), choices=_choices(KIND_LABELS))
    pairing_mode = SelectField(_l("Pairing mode"), choices=_choices(PAIRING_MODE_LABELS))
    default_months = IntegerField(_l("Default duration of an agreement (months)"),
                                  validators=[Optional(), NumberRange(min=1, max=programmes.MAX_MONTHS)])
    starts_on = DateField(_l("Starts on"), validators=[Optional()])
    ends_on = DateField(_l("Ends on"), validators=[Optional()])
    stipend_monthly = DecimalField(_l("Stipend per month (yuan)"), places=2,
                                   validators=[Optional(), NumberRange(min=0, max=MAX_MONEY)])
    stipend_pct_excellent = IntegerField(_l("Share paid for Excellent (per cent)"), default=100,
                                         validators=[InputRequired(), NumberRange(min=0, max=100)])
    stipend_pct_pass = IntegerField(_l("Share paid for Pass (per cent)"), default=50,
                                    validators=[Optional(), NumberRange(min=0, max=100)])
    stipend_pct_fail = IntegerField(_l("Share paid for Fail (per cent)"), default=0,
                                    validators=[Optional(), NumberRange(min=0, max=100)])
    bonus = DecimalField(_l("Outcome bonus per apprentice (yuan)"), places=2,
                         validators=[Optional(), NumberRange(min=0, max=MAX_MONEY)])
    bonus_window_years = IntegerField(_l("Outcome bonus window (years)"), default=3,
                                      validators=[DataRequired(), NumberRange(min=1, max=10)])
    max_level_gap = IntegerField(_l("Maximum level gap (grades)"), validators=[Optional(), NumberRange(min=0, max=4)])
    same_unit = SelectField(_l("Same-unit rule"), choices=_choices(SAME_UNIT_LABELS))
    log_cadence = SelectField(_l("Log cadence"), choices=[("", _l("By the kind of programme"))]
                              + _choices(LOG_CADENCE_LABELS))
    criteria = TextAreaField(_l("Assessment criteria, one per line: code, name, weight"),
                             validators=[DataRequired(), Length(max=3000)])
    commendation_tiers = TextAreaField(_l("Commendation tiers, one per line: name, places, prize (yuan)"),
                                       validators=[Optional(), Length(max=3000)])
    public_vote = BooleanField(_l("Public vote before the expert review"))

    def validate_criteria(self, field):
        try:
            self.parsed_criteria = programmes.parse_criteria(field.data)
        except ValueError as error:
            raise ValidationError(str(error.args[0])) from None

    def validate_commendation_tiers(self, field):
        try:
            self.parsed_tiers = programmes.parse_tiers(field.data)
        except ValueError as error:
            raise ValidationError(str(error.args[0])) from None

    def values(self):
        organiser = self.organiser_id.data
        return {
            "code": self.code.data.strip(), "name": self.name.data.strip(), "cycle": (self.cycle.data or "").strip(),
            "organiser_id": int(organiser) if organiser and organiser.isdigit() else None,
            "kind": self.kind.data, "pairing_mode": self.pairing_mode.data,
            "default_months": self.default_months.data, "starts_on": self.starts_on.data,
            "ends_on": self.ends_on.data, "stipend_monthly": self.stipend_monthly.data,
            "stipend_pct_excellent": self.stipend_pct_excellent.data,
            "stipend_pct_pass": self.stipend_pct_pass.data or 0,
            "stipend_pct_fail": self.stipend_pct_fail.data or 0,
            "bonus": self.bonus.data, "bonus_window_years": self.bonus_window_years.data,
            "max_level_gap": self.max_level_gap.data, "same_unit": self.same_unit.data,
            "log_cadence": self.log_cadence.data or None, "criteria": self.parsed_criteria,
            "commendation_tiers": self.parsed_tiers, "public_vote": bool(self.public_vote.data),
        }


class ConfirmForm(Form):
    """A button's POST: only the CSRF token."""


class StatusForm(Form):
    target = SelectField(_l("Next step"), choices=[])


class MasterForm(Form):
    honours = TextAreaField(_l("Honours"), validators=[Optional(), Length(max=2000)])
    studio_name = StringField(_l("Studio"), validators=[Optional(), Length(max=120)])
    capacity = IntegerField(_l("Places for apprentices"), default=DEFAULT_CAPACITY,
                            validators=[InputRequired(), NumberRange(min=0, max=MAX_CAPACITY)])
    years_in_post = IntegerField(_l("Years in post"), validators=[Optional(), NumberRange(min=0, max=60)])
    safety_violation_on = DateField(_l("Latest safety violation"), validators=[Optional()])
    active = BooleanField(_l("On the register (may take apprentices)"))
