"""Forms of the achievement contest pages: validate and pre-fill only."""
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DecimalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from app.forms import Form
from app.innovation.models import ACHIEVEMENT_CATEGORY_LABELS


class SubmissionForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    category = SelectField(_l("Category"), choices=[(k.value, v) for k, v in ACHIEVEMENT_CATEGORY_LABELS.items()])
    unit_id = SelectField(_l("Submitting unit"), choices=[], coerce=int)
    studio_id = SelectField(_l("Studio (optional)"), choices=[], coerce=int)
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=5000)])
    team = TextAreaField(_l("Team, in order"), validators=[DataRequired()],
                         description=_l("One member a line: name, then the contribution in percent, e.g. 张三 60"))
    yearly_benefit = DecimalField(_l("Yearly benefit (yuan)"), places=2, validators=[Optional(), NumberRange(min=0)])
    benefit_evidence = TextAreaField(_l("Evidence of the benefit"), validators=[Optional(), Length(max=5000)])
    already_awarded = BooleanField(_l("Already awarded at this level or above"))
    ip_dispute = BooleanField(_l("Under an intellectual-property dispute"))
    government_funded = BooleanField(_l("Funded by a government project"))

    def team_lines(self):
        """[(name, Decimal contribution)] from the team text; raises ValueError with a message."""
        lines = []
        for raw in (self.team.data or "").splitlines():
            raw = raw.strip().replace("%", "").replace("％", "")
            if not raw:
                continue
            name, _, share = raw.replace("，", " ").replace(",", " ").rpartition(" ")
            try:
                contribution = Decimal(share)
            except InvalidOperation:
                contribution = None
            if not name.strip() or contribution is None or not contribution.is_finite():
                raise ValueError(_l("Write each member as a name and a percentage, e.g. 张三 60."))
            lines.append((name.strip(), contribution))
        return lines

    def validate_team(self, field):
        try:
            self.team_lines()
        except ValueError as problem:
            raise ValidationError(problem.args[0]) from None


class AwardsForm(Form):
    awards = StringField(_l("Award tiers"), validators=[Length(max=500)])
    prizes = StringField(_l("Prize per tier (yuan)"), validators=[Optional(), Length(max=500)])


class ReasonForm(Form):
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)])


class PublishForm(Form):
    final = BooleanField(_l("Final publication"))
    hours = IntegerField(_l("Objection window (hours)"), validators=[Optional(), NumberRange(min=1, max=24 * 60)])
    reason = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])


class ObjectionForm(Form):
    text = TextAreaField(_l("Your objection"), validators=[DataRequired(), Length(max=4000)])


class DecideForm(Form):
    upheld = SelectField(_l("Decision"), choices=[("0", _l("Dismissed")), ("1", _l("Upheld"))])
    resolution = TextAreaField(_l("Reason for the decision"), validators=[DataRequired(), Length(max=4000)])
