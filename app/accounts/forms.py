"""Account forms: validate and pre-fill only; rules live in services."""
from flask_babel import lazy_gettext as _l
from app.forms import Form
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from app.accounts.models import IDENTITY_TAG_LABELS, ORG_KIND_LABELS, ROLE_LABELS
from app.accounts.services import normalise_mobile

MOBILE = Regexp(r"^1[3-9]\d{9}$", message=_l("Please enter an 11-digit mainland mobile number."))


def _mobile_filter(value):
    # People type "+86 139 1234 5678" or "139-1234-5678": accept them all.
    return normalise_mobile(value) if value else value


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LoginForm(Form):
    login = StringField(_l("Mobile number or username"), validators=[DataRequired(), Length(max=60)],
                        render_kw={"autocomplete": "username", "autofocus": True})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Keep me signed in on this device"))


class RegisterForm(Form):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=60)],
                       render_kw={"autocomplete": "name", "autofocus": True})
    mobile = StringField(_l("Mobile number"), validators=[DataRequired(), MOBILE], filters=[_mobile_filter],
                         render_kw={"autocomplete": "tel", "inputmode": "tel"})
    password = PasswordField(_l("Password (at least 8 characters)"), validators=[DataRequired(), Length(min=8, max=200)],
                             render_kw={"autocomplete": "new-password"})
    # Only asked for when a training base already enrolled this number (app/accounts/claims.py).
    claim_code = StringField(_l("Claim code"), validators=[Optional(), Length(max=20)],
                             render_kw={"autocomplete": "one-time-code", "autocapitalize": "characters"})
    consent = BooleanField(_l("I have read and agree to the privacy notice"), validators=[
        DataRequired(message=_l("Please read and agree to the privacy notice to register."))])


class ClaimCodeRequestForm(Form):
    mobile = StringField(_l("Mobile number"), validators=[DataRequired(), MOBILE], filters=[_mobile_filter])


class PasswordChangeForm(Form):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=8, max=200)],
                                 render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(), EqualTo("new_password", message=_l("The two passwords differ."))],
                            render_kw={"autocomplete": "new-password"})


class ProfileForm(Form):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=60)])
    tags = MultiCheckboxField(_l("I am a"), choices=[(k.value, v) for k, v in IDENTITY_TAG_LABELS.items()])


def _organization_choices(organizations, blank=True):
    choices = [("", _l("— none —"))] if blank else []
    return choices + [(str(o.id), "\u3000" * o.depth + o.name) for o in organizations]


class UserForm(Form):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=60)])
    username = StringField(_l("Username"), validators=[Optional(), Length(min=3, max=40)])
    mobile = StringField(_l("Mobile number"), validators=[Optional(), MOBILE], filters=[_mobile_filter])
    organization_id = SelectField(_l("Organisation"), choices=[], validate_choice=True)
    roles = MultiCheckboxField(_l("Roles"), choices=[(k.value, v) for k, v in ROLE_LABELS.items()],
                               validators=[DataRequired(message=_l("Choose at least one role."))])
    tags = MultiCheckboxField(_l("Identity tags"), choices=[(k.value, v) for k, v in IDENTITY_TAG_LABELS.items()])
    active = BooleanField(_l("Account active"), default=True)

    def __init__(self, organizations, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization_id.choices = _organization_choices(organizations)


class MembershipDecisionForm(Form):
    decision = SelectField(_l("Decision"), choices=[("approve", _l("Approve")), ("reject", _l("Reject"))])
    member_number = StringField(_l("Member number"), validators=[Optional(), Length(max=40)])


class UploadForm(Form):
    file = FileField(_l("Excel workbook (.xlsx)"), validators=[FileRequired(message=_l("Please choose a file to upload."))])


class OrganizationForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    short_name = StringField(_l("Short name"), validators=[Optional(), Length(max=40)])
    kind = SelectField(_l("Level"), choices=[(k.value, v) for k, v in ORG_KIND_LABELS.items()])
    parent_id = SelectField(_l("Parent organisation"), choices=[])

    def __init__(self, organizations, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.parent_id.choices = _organization_choices(organizations)


class TradeForm(Form):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=12),
                                               Regexp(r"^[A-Za-z0-9-]+$", message=_l("Letters, digits and dashes only."))])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=60)])
    name_en = StringField(_l("English name"), validators=[Optional(), Length(max=80)])
    occupation_code = StringField(_l("National occupation code"), validators=[Optional(), Length(max=20)])


class SearchForm(Form):
    class Meta:
        csrf = False  # GET filters carry no token

    q = StringField(_l("Search"), validators=[Optional(), Length(max=60)])
    role = SelectField(_l("Role"), choices=[("", _l("All roles"))] + [(k.value, v) for k, v in ROLE_LABELS.items()],
                       validate_choice=False)
    membership = SelectField(_l("Membership"), choices=[("", _l("All")), ("applied", _l("Applied")),
                                                        ("member", _l("Member")), ("none", _l("Not a member"))],
                             validate_choice=False)
