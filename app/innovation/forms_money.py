"""Money forms: a ledger entry, a correction, the payee's bank details, an export period."""
from flask_babel import lazy_gettext as _l
from wtforms import DateField, DecimalField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.forms import Form
from app.innovation.models_money import LEDGER_KIND_LABELS, LedgerKind


class EntryForm(Form):
    kind = SelectField(_l("Kind"), choices=[(k.value, LEDGER_KIND_LABELS[k]) for k in
                                            (LedgerKind.PAYMENT, LedgerKind.REFUND, LedgerKind.ADJUSTMENT)])
    grant_id = SelectField(_l("Grant"), choices=[], validate_choice=False)
    entry_date = DateField(_l("Date"), validators=[DataRequired(message=_l("Enter the date."))])
    amount = DecimalField(_l("Amount (yuan)"), places=2,
                          validators=[DataRequired(message=_l("Enter an amount.")),
                                      NumberRange(min=0, message=_l("The amount must be more than zero."))])
    voucher_no = StringField(_l("Voucher number"), validators=[Optional(), Length(max=60)])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])

    def __init__(self, grants, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.grant_id.choices = [("", _l("— programme level (adjustments only) —"))] + [
            (str(g.id), f"{g.application.number} {g.application.title}") for g in grants]


class CorrectForm(Form):
    entry_date = DateField(_l("Date"), validators=[DataRequired(message=_l("Enter the date."))])
    note = StringField(_l("Reason"), validators=[DataRequired(message=_l("Say why the entry is corrected.")),
                                                 Length(max=500)])


class PayeeForm(Form):
    payee_unit_id = SelectField(_l("Payee unit"), choices=[], validators=[DataRequired()])
    account_name = StringField(_l("Account name"), validators=[DataRequired(), Length(max=120)])
    bank_name = StringField(_l("Bank"), validators=[DataRequired(), Length(max=120)])
    account_number = StringField(_l("Account number"), validators=[DataRequired(), Length(max=40)])
    reason = StringField(_l("Reason for the change (required once payments were made)"),
                         validators=[Optional(), Length(max=300)])

    def __init__(self, organizations, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.payee_unit_id.choices = [("", _l("— choose —"))] + [(str(o.id), "\u3000" * o.depth + o.name)
                                                                for o in organizations]


class PeriodForm(Form):
    class Meta:
        csrf = False  # GET filter

    date_from = DateField(_l("Paid from"), validators=[Optional()])
    date_to = DateField(_l("until"), validators=[Optional()])
