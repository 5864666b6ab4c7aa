"""Users, roles, organisations (a tree) and trades."""
import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.db import TimestampMixin, UTCDateTime, str_enum
from app.extensions import db


class Role(enum.StrEnum):
    TRAINEE = "trainee"
    JUDGE = "judge"
    CHIEF_JUDGE = "chief_judge"
    STUDIO = "studio"
    MENTOR = "mentor"
    STAFF = "staff"
    ADMIN = "admin"


ROLE_LABELS = {
    Role.TRAINEE: _l("Trainee"),
    Role.JUDGE: _l("Judge"),
    Role.CHIEF_JUDGE: _l("Chief judge"),
    Role.STUDIO: _l("Innovation studio"),
    Role.MENTOR: _l("Mentor"),
    Role.STAFF: _l("Union staff"),
    Role.ADMIN: _l("Administrator"),
}


class OrgKind(enum.StrEnum):
    FEDERATION = "federation"  # 市总工会
    DISTRICT = "district"  # 区/县总工会, 产业工会
    UNIT = "unit"  # 企事业单位工会


ORG_KIND_LABELS = {
    OrgKind.FEDERATION: _l("City federation"),
    OrgKind.DISTRICT: _l("District union"),
    OrgKind.UNIT: _l("Unit union"),
}


class MembershipStatus(enum.StrEnum):
    NONE = "none"
    APPLIED = "applied"
    MEMBER = "member"


MEMBERSHIP_LABELS = {
    MembershipStatus.NONE: _l("Not a member"),
    MembershipStatus.APPLIED: _l("Applied"),
    MembershipStatus.MEMBER: _l("Member"),
}


class IdentityTag(enum.StrEnum):
    MIGRANT_WORKER = "migrant_worker"  # 农民工
    NEW_EMPLOYMENT_FORM = "new_employment_form"  # 新就业形态劳动者
    WOMAN = "woman"  # 女职工


IDENTITY_TAG_LABELS = {
    IdentityTag.MIGRANT_WORKER: _l("Migrant worker"),
    IdentityTag.NEW_EMPLOYMENT_FORM: _l("New-employment-form worker"),
    IdentityTag.WOMAN: _l("Woman worker"),
}


class Organization(TimestampMixin, db.Model):
    """A union organisation. `path` ("/1/4/17/") makes subtree tests one LIKE."""

    __tablename__ = "organization"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True, nullable=False)
    short_name: Mapped[str | None] = mapped_column(sa.String(40))
    kind: Mapped[OrgKind] = mapped_column(str_enum(OrgKind, "org_kind"), nullable=False)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    path: Mapped[str] = mapped_column(sa.String(255), nullable=False, default="", index=True)

    parent: Mapped["Organization | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Organization"]] = relationship(back_populates="parent", order_by="Organization.name")

    @property
    def depth(self):
        return max(self.path.count("/") - 2, 0)

    def is_within(self, other):
        """True when self is `other` or lies anywhere below it in the tree."""
        return other is not None and bool(self.path) and self.path.startswith(other.path)

    def __str__(self):
        return self.name


class Trade(TimestampMixin, db.Model):
    """An occupation / work type, e.g. 焊工 (welder)."""

    __tablename__ = "trade"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(12), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(60), unique=True, nullable=False)
    name_en: Mapped[str] = mapped_column(sa.String(80), nullable=False, default="")
    occupation_code: Mapped[str | None] = mapped_column(sa.String(20))  # 国家职业分类大典编码

    def __str__(self):
        return self.name


class UserRole(db.Model):
    __tablename__ = "user_role"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"), primary_key=True)


class UserTag(db.Model):
    __tablename__ = "user_tag"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[IdentityTag] = mapped_column(str_enum(IdentityTag, "identity_tag"), primary_key=True)


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str | None] = mapped_column(sa.String(40), unique=True)
    mobile: Mapped[str | None] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    password_hash: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    must_change_password: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    # Bumped on password change: every other session of the user ends.
    session_version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    membership_status: Mapped[MembershipStatus] = mapped_column(
        str_enum(MembershipStatus, "membership_status"), nullable=False, default=MembershipStatus.NONE
    )
    member_number: Mapped[str | None] = mapped_column(sa.String(40), unique=True)
    membership_applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organization: Mapped[Organization | None] = relationship(lazy="joined")
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=UserRole.role
    )
    tag_rows: Mapped[list[UserTag]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    __table_args__ = (
        sa.CheckConstraint("username IS NOT NULL OR mobile IS NOT NULL", name="login_present"),
        sa.CheckConstraint(
            "(membership_status = 'member') = (member_number IS NOT NULL)", name="member_number_iff_member"
        ),
    )

    # ---- identity for Flask-Login: id, session version and the token of one server-side
    # session (app/accounts/sessions.py); without an open session there is no valid id.
    session_token = None

    def get_id(self):
        return f"{self.id}.{self.session_version}.{self.session_token or ''}"

    @property
    def is_active(self):
        return self.active

    # ---- passwords (scrypt via werkzeug)
    def set_password(self, password):
        self.password_hash = generate_password_hash(password)

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)

    # ---- roles and tags
    @property
    def roles(self):
        return frozenset(r.role for r in self.role_rows)

    def has_role(self, *names):
        return bool(self.roles.intersection(names))

    def set_roles(self, names):
        wanted = {Role(n) for n in names}
        self.role_rows = [r for r in self.role_rows if r.role in wanted] + [
            UserRole(role=r) for r in sorted(wanted - self.roles)
        ]

    @property
    def tags(self):
        return frozenset(t.tag for t in self.tag_rows)

    def set_tags(self, names):
        wanted = {IdentityTag(n) for n in names}
        self.tag_rows = [t for t in self.tag_rows if t.tag in wanted] + [
            UserTag(tag=t) for t in sorted(wanted - self.tags)
        ]

    @property
    def display_name(self):
        return self.name

    @property
    def login_name(self):
        return self.username or self.mobile

    def snapshot(self):
        """What the audit trail records about a user (never the password hash)."""
        return {
            "username": self.username,
            "mobile": self.mobile,
            "name": self.name,
            "organization_id": self.organization_id,
            "active": self.active,
            "roles": sorted(self.roles),
            "tags": sorted(self.tags),
            "membership_status": self.membership_status,
            "member_number": self.member_number,
        }

    def __repr__(self):
        return f"<User {self.id} {self.login_name}>"


class ClaimChannel(enum.StrEnum):
    STAFF = "staff"  # printed in the roster import's download, handed out by the training base
    SMS = "sms"  # sent to the mobile number itself


class AccountClaim(db.Model):
    """A one-time code that proves a person may claim an account made for them (roster import).

    Only a keyed digest is stored (`app.accounts.claims`); a new code of the same
    channel replaces the old one, and claiming deletes them all.
    """

    __tablename__ = "account_claim"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    channel: Mapped[ClaimChannel] = mapped_column(str_enum(ClaimChannel, "claim_channel"), primary_key=True)
    code_digest: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class UserSession(db.Model):
    """One signed-in session (a browser), so that signing out ends it on the server.

    The cookie carries a random token; only its SHA-256 is stored. A session ends
    when the person signs out (`ended_at`), when it expires (`expires_at`: hours
    after the last request, or the remember-me days), or when the account's
    `session_version` changes (password change, deactivation).
    """

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), nullable=False, index=True)
    token_digest: Mapped[str] = mapped_column(sa.String(64), nullable=False, unique=True)
    remember: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    user_agent: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    ip_address: Mapped[str] = mapped_column(sa.String(45), nullable=False, default="")
