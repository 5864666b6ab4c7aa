"""Studio registry: the public list and page (read side), and every change to a studio,
its members, designations and status (write side). Rectification and revocation are the
annual assessment's; here they are only shown."""
import secrets

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from app import audit, excel
from app.access import is_staff
from app.accounts.models import Organization, User
from app.errors import DomainError
from app.extensions import db
from app.innovation.models import (
    LEVEL_ORDER,
    STUDIO_LEVEL_LABELS,
    STUDIO_STATUS_LABELS,
    STUDIO_TYPE_LABELS,
    Designation,
    Studio,
    StudioLevel,
    StudioMember,
    StudioStatus,
    StudioType,
)

MIN_MEMBERS = 3
EDITABLE = ("name", "studio_type", "leader_honours", "field", "trade_id", "site", "equipment", "introduction",
            "founded_on")

# Status changes staff make by hand (the assessment moves studios to rectifying / revoked).
STAFF_TRANSITIONS = {
    StudioStatus.ACTIVE: {StudioStatus.RECONFIRMING, StudioStatus.LEADER_CHANGE, StudioStatus.DISSOLVED},
    StudioStatus.RECONFIRMING: {StudioStatus.ACTIVE, StudioStatus.LEADER_CHANGE, StudioStatus.DISSOLVED},
    StudioStatus.LEADER_CHANGE: {StudioStatus.ACTIVE, StudioStatus.RECONFIRMING, StudioStatus.DISSOLVED},
    StudioStatus.RECTIFYING: set(),
    StudioStatus.REVOKED: set(),
    StudioStatus.DISSOLVED: {StudioStatus.ACTIVE},
}
STAFF_TARGETS = (StudioStatus.ACTIVE, StudioStatus.RECONFIRMING, StudioStatus.LEADER_CHANGE, StudioStatus.DISSOLVED)


# ---------------------------------------------------------------- read side

def _designated():
    return sa.exists().where(Designation.studio_id == Studio.id, Designation.withdrawn_on.is_(None))


def registry(q=None, studio_type=None, level=None, status=None, district=None, trade_id=None):
    """Public registry: designated studios, and revoked ones (shown with their public note)."""
    query = (sa.select(Studio)
             .options(joinedload(Studio.host_unit), joinedload(Studio.trade))
             .where(sa.or_(_designated(), Studio.status == StudioStatus.REVOKED)))
    if q:
        pattern = f"%{q.strip()}%"
        query = query.join(Organization, Organization.id == Studio.host_unit_id).where(sa.or_(
            Studio.name.ilike(pattern), Studio.leader_name.ilike(pattern), Organization.name.ilike(pattern)))
    if studio_type:
        query = query.where(Studio.studio_type == studio_type)
    if level:
        query = query.where(Studio.level == level)
    if status:
        query = query.where(Studio.status == status)
    if district is not None:
        unit = sa.orm.aliased(Organization)
        query = query.where(Studio.host_unit_id.in_(
            sa.select(unit.id).where(unit.path.startswith(district.path, autoescape=True))))
    if trade_id:
        query = query.where(Studio.trade_id == trade_id)
    level_rank = sa.case({lv.value: i for i, lv in enumerate(LEVEL_ORDER)}, value=Studio.level)
    return query.order_by(level_rank, Studio.name, Studio.id)


def district_choices():
    """Organisations a registry visitor may filter by (the city and the districts / industries)."""
    return sa.select(Organization).where(Organization.kind != "unit").order_by(Organization.path)


def public_studio(code):
    return db.session.scalar(
        sa.select(Studio).where(Studio.code == code)
        .options(joinedload(Studio.host_unit), joinedload(Studio.trade),
                 selectinload(Studio.members), selectinload(Studio.designations)))


def led_by(user):
    return db.session.scalars(sa.select(Studio).where(Studio.leader_id == user.id)
                              .options(joinedload(Studio.host_unit), selectinload(Studio.members))
                              .order_by(Studio.name)).all()


def member_shortfall(studio):
    """How many more current members the studio needs to reach the minimum (0 when enough)."""
    return max(0, MIN_MEMBERS - len(studio.current_members))


def studio_leaders():
    """Users who can lead a studio (role `studio`), for the staff's leader pickers."""
    from app.accounts.models import UserRole

    return sa.select(User).join(UserRole, UserRole.user_id == User.id).where(UserRole.role == "studio") \
        .order_by(User.name)


def is_public(studio):
    return studio.status == StudioStatus.REVOKED or any(d.withdrawn_on is None for d in studio.designations)


# ---------------------------------------------------------------- write side

def _snapshot(studio):
    return {name: getattr(studio, name) for name in (*EDITABLE, "host_unit_id", "leader_id", "leader_name",
                                                      "status", "status_note", "level")}


def _clean(data):
    cleaned = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items() if k in EDITABLE}
    if "name" in cleaned and not cleaned["name"]:
        raise DomainError(_l("Give the studio a name."), "name")
    if "studio_type" in cleaned:
        try:
            cleaned["studio_type"] = StudioType(cleaned["studio_type"])
        except ValueError:
            raise DomainError(_l("Choose a studio type."), "studio_type") from None
    return cleaned


def _new_code():
    return secrets.token_urlsafe(9)


def create_studio(actor, data, host_unit=None, leader=None, leader_name=None):
    """Register a studio. Staff choose the host unit and (optionally) the leader; a studio leader
    registers their own, hosted by their organisation, once."""
    cleaned = _clean(data)
    if "name" not in cleaned or "studio_type" not in cleaned:
        raise DomainError(_l("Give the studio a name and a type."), "name")
    if not is_staff(actor):
        if led_by(actor):
            raise DomainError(_l("You already lead a studio: manage it from “My studio”."))
        if actor.organization is None:
            raise DomainError(_l("Your account has no organisation: ask union staff to register the studio."))
        host_unit, leader, leader_name = actor.organization, actor, actor.name
    if host_unit is None:
        raise DomainError(_l("Choose the host unit."), "host_unit_id")
    leader_name = (leader.name if leader is not None else (leader_name or "").strip())
    if not leader_name:
        raise DomainError(_l("Name the studio's leader."), "leader_name")
    studio = Studio(code=_new_code(), host_unit=host_unit, leader=leader, leader_name=leader_name,
                    level=StudioLevel.ENTERPRISE, status=StudioStatus.ACTIVE, **cleaned)
    db.session.add(studio)
    db.session.flush()
    audit.record(actor, "innovation.studio.save", studio, after=_snapshot(studio))
    return studio


def update_studio(actor, studio, data, host_unit=None):
    if not studio.can_manage(actor):
        raise DomainError(_l("You may not change this studio."))
    before = _snapshot(studio)
    for name, value in _clean(data).items():
        setattr(studio, name, value)
    if host_unit is not None and is_staff(actor):
        studio.host_unit = host_unit
    db.session.flush()
    audit.record(actor, "innovation.studio.save", studio, before=before, after=_snapshot(studio))
    return studio


def _member_dict(member):
    return {"name": member.name, "role": member.role, "joined_on": member.joined_on, "left_on": member.left_on}


def add_member(actor, studio, name, role, joined_on, user=None):
    if not studio.can_manage(actor):
        raise DomainError(_l("You may not change this studio."))
    name = (name or "").strip()
    if not name:
        raise DomainError(_l("Give the member's name."), "name")
    if joined_on is None:
        raise DomainError(_l("Give the date the member joined."), "joined_on")
    member = StudioMember(studio=studio, user=user, name=name, role=(role or "").strip(), joined_on=joined_on)
    db.session.add(member)
    db.session.flush()
    audit.record(actor, "innovation.studio.member", member, after=_member_dict(member))
    return member


def update_member(actor, member, role, left_on=None):
    """Change a member's role, or record the day they left (kept in the history)."""
    if not member.studio.can_manage(actor):
        raise DomainError(_l("You may not change this studio."))
    if left_on is not None and left_on < member.joined_on:
        raise DomainError(_l("A member cannot leave before joining."), "left_on")
    before = _member_dict(member)
    member.role, member.left_on = (role or "").strip(), left_on
    db.session.flush()
    audit.record(actor, "innovation.studio.member", member, before=before, after=_member_dict(member))
    return member


def refresh_level(studio):
    """The studio's level becomes the highest designation it still holds (enterprise when none)."""
    held = {d.level for d in studio.designations if d.withdrawn_on is None}
    studio.level = next((level for level in LEVEL_ORDER if level in held), StudioLevel.ENTERPRISE)
    return studio.level


def record_designation(actor, studio, level, studio_type, document_no, designated_on, programme=None, note=""):
    """命名: add a designation row (history kept) and raise the studio's level to the highest held."""
    if not is_staff(actor):
        raise DomainError(_l("Only union staff record designations."))
    try:
        level, studio_type = StudioLevel(level), StudioType(studio_type)
    except ValueError:
        raise DomainError(_l("Choose the level and the type."), "level") from None
    if designated_on is None:
        raise DomainError(_l("Give the date of the designation."), "designated_on")
    designation = Designation(studio=studio, level=level, studio_type=studio_type,
                              programme_id=getattr(programme, "id", None),
                              document_no=(document_no or "").strip(), designated_on=designated_on, note=note or "")
    db.session.add(designation)
    before = studio.level
    db.session.flush()
    refresh_level(studio)
    db.session.flush()
    audit.record(actor, "innovation.studio.designation", designation,
                 after={"studio": studio.code, "level": level, "studio_type": studio_type,
                        "document_no": designation.document_no, "designated_on": designated_on,
                        "studio_level_before": before, "studio_level": studio.level})
    return designation


def change_status(actor, studio, status, note):
    """Staff move a studio between active, re-confirming, leader change and dissolved, with a note."""
    if not is_staff(actor):
        raise DomainError(_l("Only union staff change a studio's status."))
    try:
        status = StudioStatus(status)
    except ValueError:
        raise DomainError(_l("Choose a status."), "status") from None
    if status not in STAFF_TRANSITIONS.get(studio.status, set()):
        raise DomainError(_l("A studio that is “%(current)s” cannot become “%(target)s” here.",
                             current=STUDIO_STATUS_LABELS[studio.status], target=STUDIO_STATUS_LABELS[status]),
                          "status")
    before = {"status": studio.status, "status_note": studio.status_note}
    studio.status, studio.status_note = status, (note or "").strip()
    db.session.flush()
    audit.record(actor, "innovation.studio.status", studio, before=before,
                 after={"status": studio.status, "status_note": studio.status_note})
    return studio


def change_leader(actor, studio, new_leader, honours, note=""):
    """领衔人变更: a new leader (a user), with their honours; a studio in "leader change" becomes active."""
    if not is_staff(actor):
        raise DomainError(_l("Only union staff change a studio's leader."))
    if new_leader is None:
        raise DomainError(_l("Choose the new leader."), "leader_id")
    if new_leader.id == studio.leader_id:
        raise DomainError(_l("This person already leads the studio."), "leader_id")
    before = {"leader_id": studio.leader_id, "leader_name": studio.leader_name,
              "leader_honours": studio.leader_honours, "status": studio.status}
    studio.leader, studio.leader_name = new_leader, new_leader.name
    studio.leader_honours = (honours or "").strip()
    if studio.status == StudioStatus.LEADER_CHANGE:
        studio.status, studio.status_note = StudioStatus.ACTIVE, (note or "").strip()
    db.session.flush()
    audit.record(actor, "innovation.studio.leader", studio, before=before,
                 after={"leader_id": new_leader.id, "leader_name": studio.leader_name,
                        "leader_honours": studio.leader_honours, "status": studio.status, "note": note or ""})
    return studio


# ---------------------------------------------------------------- personal data

def personal_data(user):
    """The studios a person leads or belongs to, for "download my data"."""
    led = db.session.scalars(sa.select(Studio).where(Studio.leader_id == user.id).order_by(Studio.name)).all()
    memberships = db.session.scalars(
        sa.select(StudioMember).where(StudioMember.user_id == user.id)
        .options(joinedload(StudioMember.studio)).order_by(StudioMember.joined_on)).all()
    rows = [[s.name, str(STUDIO_TYPE_LABELS[s.studio_type]), str(STUDIO_LEVEL_LABELS[s.level]), "领衔人 leader",
             "", "", s.leader_honours] for s in led]
    rows += [[m.studio.name, str(STUDIO_TYPE_LABELS[m.studio.studio_type]), str(STUDIO_LEVEL_LABELS[m.studio.level]),
              m.role, m.joined_on.isoformat(), m.left_on.isoformat() if m.left_on else "", ""] for m in memberships]
    return [excel.Sheet("创新工作室 studios", ["工作室 studio", "类型 type", "级别 level", "角色 role",
                                           "加入 joined", "退出 left", "荣誉 honours"],
                        rows, widths=[36, 20, 12, 14, 12, 12, 30])]


# ---------------------------------------------------------------- plaque

def plaque_pdf(studio, url):
    """牌匾: an A4 landscape plaque with the studio's name, type and level, host unit and a QR code
    pointing to its public page."""
    from app import pdf

    level_text = f"{STUDIO_LEVEL_LABELS[studio.level]}{STUDIO_TYPE_LABELS[studio.studio_type]}"

    def draw(canvas, item, font):
        width, height = pdf.LANDSCAPE_A4
        pdf.draw_border(canvas, width, height)
        canvas.setFillColor(pdf.RED)
        pdf.draw_fitted_line(canvas, item.name, font, width / 2, height - 190, width - 160, 54, 20, align="centre")
        canvas.setFillColor(pdf.INK)
        pdf.draw_fitted_line(canvas, str(level_text), font, width / 2, height - 260, width - 200, 30, 14,
                             align="centre")
        pdf.draw_fitted_line(canvas, item.host_unit.name, font, width / 2, 150, width - 360, 22, 10,
                             align="centre")
        pdf.draw_qr(canvas, url, width - 170, 70, 110, "扫码查看", font)
        return {"title": item.name, "author": item.host_unit.name, "subject": str(level_text)}

    return pdf.render_pages([studio], draw, pdf.LANDSCAPE_A4)
