"""What the accounts package tells the core: its to-dos for the home page and how its
audit events read (action labels, names and pages of users, organisations and trades)."""
import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from app import audit_log, notifications
from app.access import is_staff
from app.accounts.models import (
    IDENTITY_TAG_LABELS,
    MEMBERSHIP_LABELS,
    ORG_KIND_LABELS,
    ROLE_LABELS,
    MembershipStatus,
    Organization,
    Trade,
    User,
)
from app.extensions import db


@notifications.todos
def todo_counts(user):
    """Staff: membership applications waiting for a decision."""
    if not is_staff(user):
        return []
    waiting = db.session.scalar(sa.select(sa.func.count()).select_from(User).where(
        User.membership_status == MembershipStatus.APPLIED))
    return [notifications.Todo(_l("Membership applications to decide"), waiting,
                               url_for("accounts.users", membership=MembershipStatus.APPLIED.value))]


audit_log.actions({
    "user.login": _l("Signed in"),
    "user.register": _l("Registered an account"),
    "user.claim": _l("Claimed an account created by an import"),
    "user.claim_code": _l("Made a new claim code"),
    "user.claim_code_sent": _l("Texted a claim code"),
    "user.data_export": _l("Downloaded their own data"),
    "user.mobile_view": _l("Opened a masked mobile number"),
    "user.session_end": _l("Signed out one of their devices"),
    "user.sessions_end_others": _l("Signed out on all other devices"),
    "user.password_change": _l("Changed their password"),
    "user.profile": _l("Edited their profile"),
    "user.create": _l("Created an account"),
    "user.update": _l("Edited an account"),
    "user.password_reset": _l("Reset a password"),
    "membership.apply": _l("Applied to join the union"),
    "membership.approve": _l("Approved a membership application"),
    "membership.reject": _l("Turned down a membership application"),
    "organization.create": _l("Created an organisation"),
    "organization.update": _l("Edited an organisation"),
    "trade.create": _l("Created a trade"),
    "trade.update": _l("Edited a trade"),
})

audit_log.describe(
    "User", _l("User account"),
    query=lambda ids: sa.select(User.id, User.name, User.username, User.mobile).where(User.id.in_(ids)),
    display=lambda row: row.name,
    url=lambda row: url_for("accounts.edit_user", user_id=row.id),
    search=lambda text: sa.select(User.id).where(sa.or_(User.name.contains(text, autoescape=True),
                                                        User.username == text, User.mobile == text)),
    fields={"name": _l("Full name")},
    values={"roles": ROLE_LABELS, "tags": IDENTITY_TAG_LABELS, "membership_status": MEMBERSHIP_LABELS},
)
audit_log.describe(
    "Organization", _l("Union organisation"),
    query=lambda ids: sa.select(Organization.id, Organization.name).where(Organization.id.in_(ids)),
    display=lambda row: row.name,
    url=lambda row: url_for("accounts.edit_organization", org_id=row.id),
    search=lambda text: sa.select(Organization.id).where(sa.or_(
        Organization.name.contains(text, autoescape=True), Organization.short_name.contains(text, autoescape=True))),
    values={"kind": ORG_KIND_LABELS},
)
audit_log.describe(
    "Trade", _l("Trade"),
    query=lambda ids: sa.select(Trade.id, Trade.name).where(Trade.id.in_(ids)),
    display=lambda row: row.name,
    url=lambda row: url_for("accounts.edit_trade", trade_id=row.id),
    search=lambda text: sa.select(Trade.id).where(sa.or_(Trade.name.contains(text, autoescape=True),
                                                         Trade.code == text)),
)
audit_log.field("username", _l("Username"))
audit_log.field("mobile", _l("Mobile number"))
audit_log.field("active", _l("Account active"))
audit_log.field("roles", _l("Roles"))
audit_log.field("tags", _l("Identity tags"))
audit_log.field("membership_status", _l("Membership"))
audit_log.field("member_number", _l("Member number"))
audit_log.field("short_name", _l("Short name"))
audit_log.field("kind", _l("Kind"))
audit_log.field("path", _l("Place in the tree"))
audit_log.field("name_en", _l("English name"))
audit_log.field("occupation_code", _l("Occupation code"))
