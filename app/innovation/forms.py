"""Innovation forms for programmes, applications, the chain and the panel: validate and pre-fill only."""
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from app.forms import Form
from app.innovation.models import PROGRAMME_KIND_LABELS, STUDIO_LEVEL_LABELS, STUDIO_TYPE_LABELS

CODE = Regexp(r"^[A-Za-z0-9][A-Za-z0-9_-]*$", message=_l("Use letters, digits, dashes or underscores for the code."))
MAX_MONEY = Decimal("999999999999.99")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _choices(labels):
    return [(str(key), label) for key, label in labels.items()]


class ProgrammeForm(Form):
    code = StringField(_l("Code (used in links)"), validators=[DataRequired(), Length(max=40), CODE])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=160)])
    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(min=2000, max=2100)])
    kind = SelectField(_l("Kind"), choices=_choices(PROGRAMME_KIND_LABELS))
    level = SelectField(_l("Designates at level"), choices=_choices(STUDIO_LEVEL_LABELS), default="city")
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    opens_on = DateField(_l("Applications open on"), validators=[Optional()])
    closes_on = DateField(_l("Applications close after"), validators=[Optional()])
    total_budget = DecimalField(_l("Total budget (yuan)"), places=2,
                                validators=[Optional(), NumberRange(min=0, max=MAX_MONEY)])
    required_attachments = TextAreaField(_l("Required attachments (one per line)"),
                                         validators=[Optional(), Length(max=2000)])
    eligibility_items = TextAreaField(_l("Eligibility checklist (one item per line)"),
                                      validators=[Optional(), Length(max=2000)])
    publicity_working_days = IntegerField(_l("Public notice (working days)"), default=5,
                                          validators=[DataRequired(), NumberRange(min=1, max=60)])
    trim_at = IntegerField(_l("Drop the highest and lowest mark from this many experts"), default=5,
                           validators=[DataRequired(), NumberRange(min=3, max=50)])
    tie_break = StringField(_l("Tie-break criteria (codes, in order)"), validators=[Optional(), Length(max=200)])
    blind = BooleanField(_l("Blind review: experts see application numbers, not names"))
    unit_quota = IntegerField(_l("Submissions each unit may recommend (contests)"),
                              validators=[Optional(), NumberRange(min=1, max=10000)])
    midterm_report_due = DateField(_l("Mid-term report due"), validators=[Optional()])
    final_report_due = DateField(_l("Final report due"), validators=[Optional()])


class QuotaForm(Form):
    studio_type = SelectField(_l("Studio type"), choices=_choices(STUDIO_TYPE_LABELS))
    quota = IntegerField(_l("Places"), validators=[DataRequired(), NumberRange(min=0, max=100000)])
    amount = DecimalField(_l("Standard amount per studio (yuan)"), places=2,
                          validators=[DataRequired(), NumberRange(min=0, max=MAX_MONEY)])


class CriteriaForm(Form):
    """The criteria as lines "code, name, max, weight[, guidance]"; weights sum to 100."""

    lines = TextAreaField(_l("Criteria, one per line: code, name, maximum, weight, guidance (optional)"),
                          validators=[DataRequired(), Length(max=5000)])


class PanelForm(Form):
    user_id = SelectField(_l("Expert"), choices=[], validators=[DataRequired()])
    chief = BooleanField(_l("Chief of the panel"))


class StatusForm(Form):
    target = SelectField(_l("Next step"), choices=[])


class DecisionForm(Form):
    document_no = StringField(_l("Decision document number"), validators=[DataRequired(), Length(max=80)])
    decided_on = DateField(_l("Decided on"), validators=[DataRequired()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])


class StartApplicationForm(Form):
    programme_id = SelectField(_l("Programme"), choices=[], validators=[DataRequired()])
    studio_id = SelectField(_l("Studio"), choices=[], validators=[DataRequired()])
    studio_type = SelectField(_l("Apply as"), choices=_choices(STUDIO_TYPE_LABELS))


class ApplicationForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    summary = TextAreaField(_l("The studio's work, results and plans"), validators=[Optional(), Length(max=10000)])
    requested_amount = DecimalField(_l("Requested amount (yuan)"), places=2,
                                    validators=[Optional(), NumberRange(min=0, max=MAX_MONEY)])
    checklist = MultiCheckboxField(_l("Eligibility"), choices=[])


class AttachmentForm(Form):
    requirement = SelectField(_l("Document"), choices=[])


class ReasonForm(Form):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


def parse_criteria(text):
    """Lines "code, name, max, weight[, guidance]" → rows, or ValueError(line number, message)."""
    rows = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        parts = [p.strip() for p in line.replace("，", ",").split(",", 4)]
        if len(parts) < 4:
            raise ValueError(number, _l("Write code, name, maximum and weight, separated by commas."))
        code, name, maximum, weight = parts[:4]
        if not CODE.regex.match(code) or len(code) > 20:
            raise ValueError(number, _l("Use letters, digits, dashes or underscores for the code."))
        if not name or len(name) > 120:
            raise ValueError(number, _l("Give the criterion a name (at most 120 characters)."))
        try:
            maximum, weight = Decimal(maximum), Decimal(weight)
        except ArithmeticError:
            raise ValueError(number, _l("The maximum and the weight are numbers.")) from None
        if not maximum.is_finite() or not weight.is_finite() or maximum <= 0 or maximum > 10000 \
                or weight < 0 or weight > 100 or maximum.as_tuple().exponent < -2 or weight.as_tuple().exponent < -2:
            raise ValueError(number, _l("The maximum is above 0 (at most 10000) and the weight between 0 and 100, "
                                        "with at most 2 decimals."))
        rows.append((code, name, maximum, weight, parts[4] if len(parts) > 4 else ""))
    return rows
