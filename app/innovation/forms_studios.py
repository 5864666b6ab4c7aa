"""Studio registry and 公示 forms: validate and pre-fill only."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.forms import Form
from app.innovation.models import STUDIO_LEVEL_LABELS, STUDIO_STATUS_LABELS, STUDIO_TYPE_LABELS
from app.innovation.studios import STAFF_TARGETS


def _type_choices():
    return [(k.value, v) for k, v in STUDIO_TYPE_LABELS.items()]


def _level_choices():
    return [(k.value, v) for k, v in STUDIO_LEVEL_LABELS.items()]


class RegistryFilterForm(Form):
    class Meta:
        csrf = False  # GET filters

    q = StringField(_l("Search studios"), validators=[Optional(), Length(max=60)])
    type = SelectField(_l("Type"), choices=[], validate_choice=False)
    level = SelectField(_l("Level"), choices=[], validate_choice=False)
    status = SelectField(_l("Status"), choices=[], validate_choice=False)
    district = SelectField(_l("District or industry"), choices=[], validate_choice=False)
    trade = SelectField(_l("Trade"), choices=[], validate_choice=False)

    def __init__(self, districts, trades, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.type.choices = [("", _l("All types"))] + _type_choices()
        self.level.choices = [("", _l("All levels"))] + _level_choices()
        self.status.choices = [("", _l("Any status"))] + [(k.value, v) for k, v in STUDIO_STATUS_LABELS.items()]
        self.district.choices = [("", _l("All districts"))] + [(str(o.id), o.name) for o in districts]
        self.trade.choices = [("", _l("All trades"))] + [(str(t.id), t.name) for t in trades]


class StudioForm(Form):
    name = StringField(_l("Studio name"), validators=[DataRequired(), Length(max=120)])
    studio_type = SelectField(_l("Type"), choices=[], validators=[DataRequired()])
    host_unit_id = SelectField(_l("Host unit"), choices=[], validate_choice=False)
    leader_id = SelectField(_l("Leader (account)"), choices=[], validate_choice=False)
    leader_name = StringField(_l("Leader's name"), validators=[Optional(), Length(max=60)])
    leader_honours = StringField(_l("Leader's honours"), validators=[Optional(), Length(max=300)])
    field = StringField(_l("Field of innovation"), validators=[Optional(), Length(max=120)])
    trade_id = SelectField(_l("Trade"), choices=[], validate_choice=False)
    site = StringField(_l("Site (address and floor area)"), validators=[Optional(), Length(max=200)])
    equipment = TextAreaField(_l("Equipment"), validators=[Optional(), Length(max=4000)])
    introduction = TextAreaField(_l("Introduction"), validators=[Optional(), Length(max=8000)])
    founded_on = DateField(_l("Founded on"), validators=[Optional()])

    def __init__(self, trades, units=None, leaders=None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.studio_type.choices = _type_choices()
        self.trade_id.choices = [("", _l("No particular trade"))] + [(str(t.id), t.name) for t in trades]
        self.host_unit_id.choices = [("", "—")] + [(str(o.id), o.name) for o in units or ()]
        self.leader_id.choices = [("", _l("No account yet"))] + [(str(u.id), u.name) for u in leaders or ()]

    def data_for_service(self):
        return {"name": self.name.data, "studio_type": self.studio_type.data,
                "leader_honours": self.leader_honours.data or "", "field": self.field.data or "",
                "trade_id": int(self.trade_id.data) if (self.trade_id.data or "").isdigit() else None,
                "site": self.site.data or "", "equipment": self.equipment.data or "",
                "introduction": self.introduction.data or "", "founded_on": self.founded_on.data}


class MemberForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=60)])
    role = StringField(_l("Role in the studio"), validators=[Optional(), Length(max=60)])
    joined_on = DateField(_l("Joined on"), validators=[DataRequired()])


class MemberEditForm(Form):
    role = StringField(_l("Role in the studio"), validators=[Optional(), Length(max=60)])
    left_on = DateField(_l("Left on"), validators=[Optional()])


class DesignationForm(Form):
    level = SelectField(_l("Level"), choices=[], validators=[DataRequired()])
    studio_type = SelectField(_l("Type"), choices=[], validators=[DataRequired()])
    document_no = StringField(_l("Document no."), validators=[DataRequired(), Length(max=80)])
    designated_on = DateField(_l("Designated on"), validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.level.choices = _level_choices()
        self.studio_type.choices = _type_choices()


class StatusForm(Form):
    status = SelectField(_l("New status"), choices=[], validators=[DataRequired()])
    note = TextAreaField(_l("Note (shown publicly)"), validators=[Optional(), Length(max=2000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = [(s.value, STUDIO_STATUS_LABELS[s]) for s in STAFF_TARGETS]


class LeaderForm(Form):
    leader_id = SelectField(_l("New leader"), choices=[], validators=[DataRequired()])
    honours = StringField(_l("Leader's honours"), validators=[Optional(), Length(max=300)])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=300)])

    def __init__(self, leaders, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.leader_id.choices = [(str(u.id), u.name) for u in leaders]


class HolidayForm(Form):
    day = DateField(_l("Day"), validators=[DataRequired()])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=60)])
    working = BooleanField(_l("A weekend day that is a working day (调休)"))


class OpenNoticeForm(Form):
    starts_on = DateField(_l("First day"), validators=[Optional()])
    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])


class ObjectionForm(Form):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=60)])
    contact = StringField(_l("Telephone or address"), validators=[DataRequired(), Length(max=100)])
    application_id = SelectField(_l("Entry"), choices=[], validate_choice=False)
    reason = TextAreaField(_l("Reason and facts"), validators=[DataRequired(), Length(max=4000)])

    def __init__(self, entries, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.application_id.choices = [("", _l("The whole list"))] + [
            (str(a.id), f"{a.unit.name} · {a.studio.name if a.studio else a.title}") for a in entries]


class DecideForm(Form):
    decision = HiddenField()
    resolution = TextAreaField(_l("Resolution"), validators=[DataRequired(), Length(max=4000)])
