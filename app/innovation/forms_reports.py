"""Forms of studio reports, evaluation rounds and the annual assessment: validate and pre-fill only.

Amounts and counts are checked by the services (one parser for pages and tests);
these forms carry the text as typed so a refusal shows it back in place.
"""
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.forms import Form
from app.innovation.models_evaluation import ROUND_KIND_LABELS
from app.innovation.models_reports import SPEND_CATEGORY_LABELS, SPEND_COLUMNS


class ReportForm(Form):
    spend_equipment = StringField(SPEND_CATEGORY_LABELS["equipment"], validators=[Length(max=20)])
    spend_training = StringField(SPEND_CATEGORY_LABELS["training"], validators=[Length(max=20)])
    spend_research = StringField(SPEND_CATEGORY_LABELS["research"], validators=[Length(max=20)])
    spend_promotion = StringField(SPEND_CATEGORY_LABELS["promotion"], validators=[Length(max=20)])
    spend_other = StringField(SPEND_CATEGORY_LABELS["other"], validators=[Length(max=20)])
    patents = StringField(_l("Patents"), validators=[Length(max=9)])
    projects = StringField(_l("Projects"), validators=[Length(max=9)])
    trainees = StringField(_l("Trainees"), validators=[Length(max=9)])
    benefit_yuan = StringField(_l("Economic benefit (yuan)"), validators=[Length(max=20)])
    narrative = TextAreaField(_l("Narrative"), validators=[Length(max=20000)])

    @property
    def spend_fields(self):
        return [self[column] for column in SPEND_COLUMNS.values()]

    def fill(self, report):
        for name in (*SPEND_COLUMNS.values(), "benefit_yuan"):
            self[name].data = f"{getattr(report, name)}"
        for name in ("patents", "projects", "trainees"):
            self[name].data = str(getattr(report, name))
        self.narrative.data = report.narrative


class ReceiptForm(Form):
    category = SelectField(_l("Category"), choices=[(k.value, v) for k, v in SPEND_CATEGORY_LABELS.items()])
    amount = StringField(_l("Amount (yuan)"), validators=[DataRequired(), Length(max=20)])
    file = FileField(_l("Receipt (PDF, JPG or PNG)"))


class ReasonForm(Form):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class RoundForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=160)])
    kind = SelectField(_l("Kind"), choices=[(k.value, v) for k, v in ROUND_KIND_LABELS.items()])
    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(min=2000, max=2100)],
                        default=lambda: date.today().year)
    programme_id = SelectField(_l("Programme (report evaluations)"), coerce=int, choices=[])
    trim_at = IntegerField(_l("Drop the highest and lowest mark from this many experts"),
                           validators=[DataRequired(), NumberRange(min=3, max=99)], default=5)
    excellent_cap_percent = IntegerField(_l("Cap on 优秀 (percent of the studios assessed)"),
                                         validators=[Optional(), NumberRange(min=0, max=100)], default=20)
    pass_mark = IntegerField(_l("Pass mark (below: 不合格)"), validators=[Optional(), NumberRange(min=0, max=100)],
                             default=60)
    excellent_mark = IntegerField(_l("Excellent mark (优秀 from)"),
                                  validators=[Optional(), NumberRange(min=0, max=100)], default=85)
    criteria = TextAreaField(_l("Criteria: one per line, code | name | maximum | weight (weights add up to 100)"),
                             validators=[DataRequired(), Length(max=5000)])


class SeatForm(Form):
    who = StringField(_l("Expert's user name or mobile"), validators=[DataRequired(), Length(max=80)])
    is_chief = BooleanField(_l("Chief expert (组长)"))


class SelfAssessmentForm(Form):
    summary = TextAreaField(_l("The studio's year: work done, results, plans"), validators=[Length(max=20000)])


class RectifyForm(Form):
    reason = TextAreaField(_l("Reason (shown publicly)"), validators=[DataRequired(), Length(max=2000)])
    tasks = TextAreaField(_l("Rectification tasks, one per line"), validators=[DataRequired(), Length(max=5000)])
    deadline = DateField(_l("Deadline"), validators=[DataRequired()])


class RecheckForm(Form):
    outcome = SelectField(_l("Re-check result"), choices=[("passed", _l("Passed: the studio is active again")),
                                                          ("failed", _l("Failed: revoke the title (摘牌)"))])
    note = TextAreaField(_l("Conclusion (when revoked: the public revocation note)"),
                         validators=[DataRequired(), Length(max=2000)])
