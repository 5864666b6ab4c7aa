"""Every write about accounts, organisations and trades, with its rules.

Services take the acting user explicitly, flush but never commit, raise
DomainError for rule violations and record each change in the audit trail.
"""
import re
import secrets
from collections import Counter

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app import audit, sms
from app.accounts import claims
from app.accounts.models import (
    MembershipStatus,
    Organization,
    OrgKind,
    Role,
    Trade,
    User,
)
from app.db import utcnow
from app.errors import DomainError
from app.extensions import db

MOBILE_PATTERN = re.compile(r"^1[3-9]\d{9}$")
USERNAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{2,39}$")
MIN_PASSWORD_LENGTH = 8
# A real hash, so a login for an unknown account costs the same as a wrong password.
_DUMMY_HASH = "scrypt:32768:8:1$dummysaltdummysa$" + "0" * 128

# Staff manage every account type; only administrators hand out the admin role.
GRANTABLE_BY_STAFF = frozenset(Role) - {Role.ADMIN}


FULL_WIDTH = str.maketrans("０１２３４５６７８９＋－　", "0123456789+- ")


def normalise_mobile(value):
    """"+86 138-0000 0001", "８６１３８…" → "13800000001"."""
    text = re.sub(r"[\s-]", "", (value or "").translate(FULL_WIDTH))
    if text.startswith("+86"):
        return text[3:]
    if text.startswith("0086"):
        return text[4:]
    if text.startswith("86") and len(text) == 13 and text[2:].isdigit():
        return text[2:]
    return text


def check_password_rules(password, mobile=None):
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise DomainError(_l("The password must have at least %(n)s characters.", n=MIN_PASSWORD_LENGTH), "password")
    if mobile and password == mobile:
        raise DomainError(_l("The password must not be your mobile number."), "password")


def _flush_unique(field, message):
    """Flush inside a savepoint; a unique-constraint race becomes a DomainError."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise DomainError(message, field) from None


def find_by_login(login):
    login = (login or "").strip()
    if not login:
        return None
    mobile = normalise_mobile(login)
    query = sa.select(User).where(
        sa.or_(sa.func.lower(User.username) == login.lower(), User.mobile == mobile)
    )
    return db.session.scalars(query).first()


def login_key(login):
    """One key per account for rate limiting: the account's id, or the normalised text when none matches."""
    user = find_by_login(login)
    if user is not None:
        return f"user:{user.id}"
    text = (login or "").strip().translate(FULL_WIDTH).lower()
    mobile = normalise_mobile(text)
    return f"name:{mobile if mobile.isdigit() else text}"


def authenticate(login, password):
    """The active user whose login and password match, or None."""
    user = find_by_login(login)
    if user is None:
        User(password_hash=_DUMMY_HASH).check_password(password or "")
        return None
    if not user.check_password(password or "") or not user.active:
        return None
    user.last_login_at = utcnow()
    audit.record(user, "user.login", user)
    return user


def register_trainee(name, mobile, password, claim_code=None):
    """A trainee's own account; or, for a number a training base enrolled from a roster,
    that account claimed with the one-time code that proves the number is theirs."""
    mobile = normalise_mobile(mobile)
    if not MOBILE_PATTERN.match(mobile):
        raise DomainError(_l("Please enter an 11-digit mainland mobile number."), "mobile")
    check_password_rules(password, mobile)
    message = _l("This mobile number is already registered. Please sign in instead.")
    existing = db.session.scalar(sa.select(User).where(User.mobile == mobile).with_for_update(of=User))
    if claims.is_unclaimed(existing):
        return _claim(existing, name, password, claim_code)
    if existing is not None:
        raise DomainError(message, "mobile")
    user = User(name=name.strip(), mobile=mobile)
    user.set_password(password)
    user.set_roles([Role.TRAINEE])
    db.session.add(user)
    _flush_unique("mobile", message)
    audit.record(user, "user.register", user, after={**user.snapshot(), "privacy_consent": True})
    return user


CLAIM_NEEDED = _l("A training base has already enrolled this mobile number. To take over that account, enter the "
                  "claim code the training base gave you, or have a code sent to this number by text message.")
CLAIM_WRONG = _l("This claim code is not correct or has expired. Ask the training base for a new one, or have a "
                 "code sent by text message.")


def _claim(user, name, password, code):
    if not claims.normalise(code):
        raise DomainError(CLAIM_NEEDED, "claim_code")
    channel = claims.redeem(user.id, code)
    if channel is None:
        raise DomainError(CLAIM_WRONG, "claim_code")
    before = user.snapshot()
    user.name = name.strip()
    user.set_password(password)
    user.session_version += 1
    db.session.flush()
    audit.record(user, "user.claim", user, before=before,
                 after={**user.snapshot(), "proof": channel.value, "privacy_consent": True})
    return user


def send_claim_code(mobile):
    """Text a claim code to `mobile` when a roster made its account. Returns False when there is
    no such account or no text-message sender; the caller words what to do instead."""
    mobile = normalise_mobile(mobile)
    user = db.session.scalar(sa.select(User).where(User.mobile == mobile)) if MOBILE_PATTERN.match(mobile) else None
    if not claims.is_unclaimed(user) or not sms.enabled():
        return False
    code = claims.issue_sms_code(user.id)
    sms.send(mobile, str(_l("Your claim code is %(code)s (valid %(minutes)s minutes). Do not share it.",
                            code=code, minutes=claims.SMS_CODE_MINUTES)))
    audit.record(user, "user.claim_code_sent", user, after={"channel": "sms"})
    return True


def record_data_export(actor):
    """A person downloaded everything held about them: the trail says when."""
    audit.record(actor, "user.data_export", actor)


def record_mobile_view(actor, user):
    """Staff opened a masked mobile number: every look is on the trail."""
    audit.record(actor, "user.mobile_view", user)


def new_claim_code(actor, user):
    """Staff make a new claim code for an account a roster made (the old one stops working)."""
    if not claims.is_unclaimed(user):
        raise DomainError(_l("This account has already been claimed: its owner signs in with their password."))
    code = claims.issue_staff_codes([user.id])[user.id]
    audit.record(actor, "user.claim_code", user, after={"channel": "staff"})
    return claims.formatted(code)


def change_password(actor, current_password, new_password):
    if not actor.check_password(current_password or ""):
        raise DomainError(_l("The current password is not correct."), "current_password")
    if current_password == new_password:
        raise DomainError(_l("Choose a password different from the current one."), "new_password")
    check_password_rules(new_password, actor.mobile)
    actor.set_password(new_password)
    actor.must_change_password = False
    actor.session_version += 1
    db.session.flush()
    audit.record(actor, "user.password_change", actor)


def _check_grant(actor, roles):
    if Role.ADMIN in set(roles) and not actor.has_role(Role.ADMIN):
        raise DomainError(_l("Only an administrator can grant the administrator role."), "roles")
    if not roles:
        raise DomainError(_l("Choose at least one role."), "roles")


def _check_identity(username, mobile, user_id=None):
    if username and not USERNAME_PATTERN.match(username):
        raise DomainError(
            _l("A username starts with a letter and has 3-40 letters, digits, dots, dashes or underscores."),
            "username",
        )
    if mobile and not MOBILE_PATTERN.match(mobile):
        raise DomainError(_l("Please enter an 11-digit mainland mobile number."), "mobile")
    if not username and not mobile:
        raise DomainError(_l("Give a username or a mobile number (or both)."), "username")
    taken = sa.select(User.id).where(User.id != (user_id or 0))
    if username and db.session.scalar(taken.where(sa.func.lower(User.username) == username.lower())):
        raise DomainError(_l("This username is already taken."), "username")
    if mobile and db.session.scalar(taken.where(User.mobile == mobile)):
        raise DomainError(_l("This mobile number is already registered."), "mobile")


def new_initial_password():
    # Readable for dictation over the phone: no 0/O or 1/l.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))


def create_user(actor, *, name, roles, username=None, mobile=None, organization=None, password=None, tags=()):
    """Staff create an account; returns (user, initial password to hand over)."""
    username = (username or "").strip() or None
    mobile = normalise_mobile(mobile) or None
    _check_grant(actor, roles)
    _check_identity(username, mobile)
    initial = password or new_initial_password()
    check_password_rules(initial, mobile)
    user = User(name=name.strip(), username=username, mobile=mobile, organization=organization)
    user.set_password(initial)
    user.must_change_password = True
    user.set_roles(roles)
    user.set_tags(tags)
    db.session.add(user)
    _flush_unique("username", _l("This username or mobile number is already registered."))
    audit.record(actor, "user.create", user, after=user.snapshot())
    return user, initial


def update_user(actor, user, *, name, roles, username=None, mobile=None, organization=None, tags=(), active=True):
    before = user.snapshot()
    username = (username or "").strip() or None
    mobile = normalise_mobile(mobile) or None
    changed_roles = set(roles) ^ set(user.roles)
    if Role.ADMIN in changed_roles or (Role.ADMIN in user.roles and not actor.has_role(Role.ADMIN)):
        if not actor.has_role(Role.ADMIN):
            raise DomainError(_l("Only an administrator can change an administrator account."), "roles")
    _check_grant(actor, roles)
    _check_identity(username, mobile, user.id)
    if user.id == actor.id and not active:
        raise DomainError(_l("You cannot deactivate your own account."), "active")
    if user.id == actor.id and Role.ADMIN in user.roles and Role.ADMIN not in set(roles):
        raise DomainError(_l("You cannot remove your own administrator role."), "roles")
    user.name = name.strip()
    user.username, user.mobile, user.organization = username, mobile, organization
    user.set_roles(roles)
    user.set_tags(tags)
    if user.active and not active:
        user.session_version += 1  # sign the person out everywhere
    user.active = active
    _flush_unique("username", _l("This username or mobile number is already registered."))
    audit.record(actor, "user.update", user, before=before, after=user.snapshot())
    return user


def reset_password(actor, user):
    if Role.ADMIN in user.roles and not actor.has_role(Role.ADMIN):
        raise DomainError(_l("Only an administrator can change an administrator account."))
    initial = new_initial_password()
    user.set_password(initial)
    user.must_change_password = True
    user.session_version += 1
    db.session.flush()
    audit.record(actor, "user.password_reset", user)
    return initial


def update_profile(actor, *, name, tags):
    before = actor.snapshot()
    actor.name = name.strip()
    actor.set_tags(tags)
    db.session.flush()
    audit.record(actor, "user.profile", actor, before=before, after=actor.snapshot())


def apply_for_membership(actor):
    """A worker asks to join the union; staff then confirm with a member number."""
    if actor.membership_status == MembershipStatus.MEMBER:
        raise DomainError(_l("You are already a union member."))
    if actor.membership_status == MembershipStatus.APPLIED:
        return actor
    before = actor.snapshot()
    actor.membership_status = MembershipStatus.APPLIED
    actor.membership_applied_at = utcnow()
    db.session.flush()
    audit.record(actor, "membership.apply", actor, before=before, after=actor.snapshot())
    return actor


def decide_membership(actor, user, *, approve, member_number=None):
    if user.membership_status != MembershipStatus.APPLIED:
        raise DomainError(_l("This person has no pending membership application."))
    before = user.snapshot()
    if approve:
        member_number = (member_number or "").strip()
        if not member_number:
            raise DomainError(_l("Enter the member number to confirm membership."), "member_number")
        if db.session.scalar(sa.select(User.id).where(User.member_number == member_number)):
            raise DomainError(_l("This member number belongs to someone else."), "member_number")
        user.membership_status = MembershipStatus.MEMBER
        user.member_number = member_number
    else:
        user.membership_status = MembershipStatus.NONE
    _flush_unique("member_number", _l("This member number belongs to someone else."))
    audit.record(actor, "membership.approve" if approve else "membership.reject", user,
                 before=before, after=user.snapshot())
    return user


# ---- organisations and trades


def _check_parent(kind, parent):
    if kind == OrgKind.FEDERATION and parent is not None:
        raise DomainError(_l("A city federation has no parent organisation."), "parent")
    if kind != OrgKind.FEDERATION and parent is None:
        raise DomainError(_l("Choose the parent organisation."), "parent")
    if parent is not None and parent.kind == OrgKind.UNIT:
        raise DomainError(_l("A unit union cannot have organisations below it."), "parent")


def create_organization(actor, *, name, kind, parent=None, short_name=None):
    kind = OrgKind(kind)
    _check_parent(kind, parent)
    if db.session.scalar(sa.select(Organization.id).where(Organization.name == name.strip())):
        raise DomainError(_l("An organisation with this name already exists."), "name")
    org = Organization(name=name.strip(), kind=kind, parent=parent, short_name=(short_name or "").strip() or None)
    db.session.add(org)
    _flush_unique("name", _l("An organisation with this name already exists."))
    org.path = f"{parent.path if parent else '/'}{org.id}/"
    db.session.flush()
    audit.record(actor, "organization.create", org, after=_org_snapshot(org))
    return org


def update_organization(actor, org, *, name, kind, parent=None, short_name=None):
    kind = OrgKind(kind)
    _check_parent(kind, parent)
    if parent is not None and parent.is_within(org):
        raise DomainError(_l("An organisation cannot be moved below itself."), "parent")
    if kind == OrgKind.UNIT and org.children:
        raise DomainError(_l("A unit union cannot have organisations below it."), "kind")
    before = _org_snapshot(org)
    old_path = org.path
    org.name, org.kind, org.parent = name.strip(), kind, parent
    org.short_name = (short_name or "").strip() or None
    new_path = f"{parent.path if parent else '/'}{org.id}/"
    if new_path != old_path:
        # Move the whole subtree in one statement.
        db.session.execute(
            sa.update(Organization)
            .where(Organization.path.startswith(old_path))
            .values(path=sa.func.replace(Organization.path, old_path, new_path))
            .execution_options(synchronize_session="fetch")
        )
    _flush_unique("name", _l("An organisation with this name already exists."))
    db.session.refresh(org)
    audit.record(actor, "organization.update", org, before=before, after=_org_snapshot(org))
    return org


def _org_snapshot(org):
    return {"name": org.name, "short_name": org.short_name, "kind": org.kind, "parent_id": org.parent_id, "path": org.path}


def save_trade(actor, trade, *, code, name, name_en="", occupation_code=None):
    creating = trade is None
    trade = trade or Trade()
    before = None if creating else _trade_snapshot(trade)
    code = code.strip().upper()
    clash = sa.select(Trade.id).where(Trade.id != (trade.id or 0))
    if db.session.scalar(clash.where(Trade.code == code)):
        raise DomainError(_l("Another trade already uses this code."), "code")
    if db.session.scalar(clash.where(Trade.name == name.strip())):
        raise DomainError(_l("Another trade already has this name."), "name")
    trade.code, trade.name = code, name.strip()
    trade.name_en = (name_en or "").strip()
    trade.occupation_code = (occupation_code or "").strip() or None
    db.session.add(trade)
    _flush_unique("code", _l("Another trade already uses this code."))
    audit.record(actor, "trade.create" if creating else "trade.update", trade, before=before, after=_trade_snapshot(trade))
    return trade


def _trade_snapshot(trade):
    return {"code": trade.code, "name": trade.name, "name_en": trade.name_en, "occupation_code": trade.occupation_code}


# ---- Excel import of accounts (all or nothing)


def import_users(actor, result, organizations_by_name):
    """Check every parsed row against the database, then create all or none.

    Problems are added to `result` (the import's validation report); returns
    [(user, initial password)] when every row is good, else [].
    """
    rows = result.rows
    usernames = Counter(v["username"].lower() for _, v in rows if v["username"])
    mobiles = Counter(v["mobile"] for _, v in rows if v["mobile"])
    existing_usernames = set(db.session.scalars(
        sa.select(sa.func.lower(User.username)).where(sa.func.lower(User.username).in_(list(usernames)))
    )) if usernames else set()
    existing_mobiles = set(db.session.scalars(
        sa.select(User.mobile).where(User.mobile.in_(list(mobiles)))
    )) if mobiles else set()

    planned = []
    for row_number, values in rows:
        username, mobile = values["username"], values["mobile"]
        problems = []
        if not username and not mobile:
            problems.append(("mobile", _l("give a username or a mobile number")))
        if username and usernames[username.lower()] > 1:
            problems.append(("username", _l("appears more than once in the file")))
        if username and username.lower() in existing_usernames:
            problems.append(("username", _l("is already taken")))
        if mobile and mobiles[mobile] > 1:
            problems.append(("mobile", _l("appears more than once in the file")))
        if mobile and mobile in existing_mobiles:
            problems.append(("mobile", _l("is already registered")))
        if Role.ADMIN in values["roles"] and not actor.has_role(Role.ADMIN):
            problems.append(("roles", _l("only an administrator can grant the administrator role")))
        organization = None
        if values["organization"]:
            organization = organizations_by_name.get(values["organization"])
            if organization is None:
                problems.append(("organization", _l("is not a known organisation")))
        for key, message in problems:
            result.add_error(row_number, _header(result, key), message)
        planned.append((values, organization))
    if not result.ok:
        return []
    return [
        create_user(actor, name=values["name"], username=values["username"], mobile=values["mobile"],
                    roles=values["roles"], organization=organization, password=values["password"])
        for values, organization in planned
    ]


def _header(result, key):
    for column in result.columns:
        if column.key == key:
            return column.header
    return key
