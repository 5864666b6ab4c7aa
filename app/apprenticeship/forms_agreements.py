"""Agreement forms: filters, drafting, goals, reasons, renewal. Validate and pre-fill only."""
from flask_babel import lazy_gettext as _l
from wtforms import DateField, DecimalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.apprenticeship.models import LEVEL_LABELS
from app.apprenticeship.models_agreements import (
    AGREEMENT_STATUS_LABELS,
    GOAL_KIND_LABELS,
    MAX_MONTHS,
    MIN_MONTHS,
)
from app.forms import Form


class FilterForm(Form):
    class Meta:
        csrf = False  # GET filters

    q = StringField(_l("Search"), validators=[Optional(), Length(max=60)])
    programme = SelectField(_l("Programme"), choices=[], validate_choice=False)
    status = SelectField(_l("State"), choices=[], validate_choice=False)
    unit = SelectField(_l("Unit"), choices=[], validate_choice=False)

    def __init__(self, programmes, units, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme.choices = [("", _l("All programmes"))] + [(str(p.id), p.name) for p in programmes]
        self.status.choices = [("", _l("Any state"))] + [(k.value, v) for k, v in AGREEMENT_STATUS_LABELS.items()]
        self.unit.choices = [("", _l("All units"))] + [(str(u.id), u.name) for u in units]


class DraftForm(Form):
    starts_on = DateField(_l("Starts on"), validators=[InputRequired()])
    ends_on = DateField(_l("Ends on"), validators=[InputRequired()])
    stipend_monthly = DecimalField(_l("Stipend per month (yuan)"), places=2,
                                   validators=[InputRequired(), NumberRange(min=0)])
    teaching_plan = TextAreaField(_l("Teaching plan"), validators=[Optional(), Length(max=8000)])
    meeting_cadence = StringField(_l("Meetings"), validators=[Optional(), Length(max=120)],
                                  description=_l("e.g. every Tuesday afternoon on site"))


class GoalForm(Form):
    kind = SelectField(_l("Kind"), choices=[], validators=[DataRequired()])
    target = StringField(_l("Goal"), validators=[DataRequired(), Length(max=200)])
    target_level = SelectField(_l("Grade to reach (skill level)"), choices=[], validate_choice=False)
    due_on = DateField(_l("Due on"), validators=[InputRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [(k.value, v) for k, v in GOAL_KIND_LABELS.items()]
        self.target_level.choices = [("", "—")] + [(str(level), label) for level, label in LEVEL_LABELS.items()]

    def level(self):
        value = self.target_level.data
        return int(value) if value and value.isdigit() else None


class ReasonForm(Form):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class CloseGoalForm(Form):
    note = StringField(_l("How it was reached"), validators=[DataRequired(), Length(max=300)])
    achieved_on = DateField(_l("Reached on"), validators=[InputRequired()])


class RenewForm(Form):
    months = IntegerField(_l("Months"), validators=[InputRequired(), NumberRange(min=MIN_MONTHS, max=MAX_MONTHS)])
    master = SelectField(_l("Master"), choices=[], validate_choice=False)

    def __init__(self, masters, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.master.choices = [("", _l("The same master"))] + [
            (str(m.id), f"{m.user.display_name} · {m.unit.name}") for m in masters]
