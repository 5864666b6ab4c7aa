"""Competition forms: validate and pre-fill only."""
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from app.forms import Form
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms import DecimalField as WTFormsDecimalField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from app.review.publication import minimum_objection_hours

MAX_PRIZE = Decimal("9999999999.99")  # the MONEY column: Numeric(12, 2)


class DecimalField(WTFormsDecimalField):
    """A decimal field that refuses NaN and infinities as unreadable ("sNaN" would crash NumberRange)."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError(str(_l("Enter a number such as 100 or 99.5.")))


CODE = Regexp(r"^[A-Za-z0-9][A-Za-z0-9_-]*$", message=_l("Use letters, digits, dashes or underscores for the code."))


class CompetitionForm(Form):
    code = StringField(_l("Code (used in public links)"), validators=[DataRequired(), Length(max=40), CODE])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    edition = StringField(_l("Edition"), validators=[Optional(), Length(max=40)])
    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(min=2000, max=2100)])
    organisers = StringField(_l("Organisers"), validators=[Optional(), Length(max=300)])
    starts_on = DateField(_l("Starts on"), validators=[Optional()])
    ends_on = DateField(_l("Ends on"), validators=[Optional()])
    appeal_window_hours = IntegerField(_l("Appeal window (hours)"), default=minimum_objection_hours,
                                       validators=[Optional(),
                                                   NumberRange(min=0, max=24 * 30)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.minimum_appeal_hours = minimum_objection_hours()

    def validate_appeal_window_hours(self, field):
        if field.data is not None and field.data < self.minimum_appeal_hours:
            raise ValidationError(_l("At least %(n)s hours, so that contestants can appeal. To publish the final "
                                     "results without 公示, choose that when you publish and give the reason.",
                                     n=self.minimum_appeal_hours))


class EventForm(Form):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=20), CODE])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    trade_id = SelectField(_l("Trade"), choices=[], validate_choice=True)
    entry_type = SelectField(_l("Entries"), choices=[("individual", _l("Individual")), ("team", _l("Team"))])
    team_size = IntegerField(_l("Team size"), default=1, validators=[Optional(), NumberRange(min=1, max=20)])
    trim_at = IntegerField(_l("Drop highest and lowest from this many judges"), default=5,
                           validators=[DataRequired(), NumberRange(min=3, max=50)])
    tie_break = StringField(_l("Tie-break stages (codes, in order)"), validators=[Optional(), Length(max=200)])
    blind = BooleanField(_l("Blind judging: judges see bib numbers only"))
    awards = StringField(_l("Award tiers"), validators=[Optional(), Length(max=500)])
    honour_name = StringField(_l("Honour for the top ranks"), validators=[Optional(), Length(max=120)])
    honour_max_rank = IntegerField(_l("Honour goes to ranks up to"), default=1, validators=[Optional(), NumberRange(min=1)])

    def __init__(self, trades, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.trade_id.choices = [("", _l("— none —"))] + [(str(t.id), t.name) for t in trades]


class TierPrizeForm(Form):
    """Prize money of an event's award tiers: `prize_<n>` and `rank_prizes_<n>` for the n-th tier.

    Build it with `TierPrizeForm.for_tiers(tiers)`; the service checks the amounts and ranks."""

    @classmethod
    def for_tiers(cls, tiers, **kwargs):
        fields = {}
        data = {}
        for n, tier in enumerate(tiers):
            fields[f"prize_{n}"] = DecimalField(
                _l("Prize for %(tier)s (yuan)", tier=tier.name), places=2,
                validators=[Optional(), NumberRange(min=0, max=MAX_PRIZE, message=_l(
                    "A prize is an amount of yuan from 0 to 9,999,999,999.99."))])
            fields[f"rank_prizes_{n}"] = StringField(_l("Per-rank prizes of %(tier)s", tier=tier.name),
                                                     validators=[Optional(), Length(max=300)])
            data[f"prize_{n}"], data[f"rank_prizes_{n}"] = tier.prize, tier.rank_prizes
        form_class = type("TierPrizeForm", (cls,), fields)
        form = form_class(data=data, **kwargs)
        form.tiers = list(tiers)
        return form

    def rows(self):
        """(tier, prize field, per-rank field) for each tier."""
        return [(tier, self[f"prize_{n}"], self[f"rank_prizes_{n}"]) for n, tier in enumerate(self.tiers)]

    def prizes(self):
        """tier name → (prize, per-rank text), as services.set_tier_prizes takes them."""
        return {tier.name: (prize.data, (rank_prizes.data or "").strip()) for tier, prize, rank_prizes in self.rows()}


class StageForm(Form):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=20), CODE])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=60)])
    weight = DecimalField(_l("Weight (%)"), places=2, validators=[DataRequired(), NumberRange(min=0, max=100)])
    advance_count = IntegerField(_l("Entries advancing to the next stage"), validators=[Optional(), NumberRange(min=1)])


class CriterionForm(Form):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=20), CODE])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    max_mark = DecimalField(_l("Maximum mark"), places=2, validators=[DataRequired(), NumberRange(min=0.01)])
    kind = SelectField(_l("Kind"), choices=[("judgement", _l("Judgement (every judge)")),
                                            ("measurement", _l("Measurement (entered once)"))])


class EntryForm(Form):
    bib = StringField(_l("Bib number"), validators=[DataRequired(), Length(max=20)])
    name = StringField(_l("Contestant or team name"), validators=[DataRequired(), Length(max=120)])
    members = StringField(_l("Team members (separated by 、)"), validators=[Optional(), Length(max=300)])
    unit_id = SelectField(_l("Unit"), choices=[], validators=[DataRequired()])
    mobile = StringField(_l("Contestant's mobile (links their account)"), validators=[Optional(), Length(max=20)])

    def __init__(self, organizations, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit_id.choices = [("", _l("— choose —"))] + [(str(o.id), "\u3000" * o.depth + o.name)
                                                          for o in organizations]


class PanelForm(Form):
    user_id = SelectField(_l("Judge"), choices=[], validators=[DataRequired()])
    chief = BooleanField(_l("Chief judge"))

    def __init__(self, candidates, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user_id.choices = [("", _l("— choose —"))] + [
            (str(u.id), f"{u.name}（{u.organization.name if u.organization else '—'}）") for u in candidates]


class ReasonForm(Form):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class StatusForm(Form):
    target = SelectField(_l("Next step"), choices=[])
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)])


class AppealForm(Form):
    text = TextAreaField(_l("What do you think is wrong?"), validators=[DataRequired(), Length(min=5, max=2000)])


class AppealDecisionForm(Form):
    decision = SelectField(_l("Decision"), choices=[("dismissed", _l("Dismiss")), ("upheld", _l("Uphold and reopen sheets"))])
    resolution = TextAreaField(_l("Reason for the decision"), validators=[DataRequired(), Length(max=2000)])
    sheets = SelectMultipleField(_l("Sheets to reopen for correction"), choices=[], coerce=int, validate_choice=True)
