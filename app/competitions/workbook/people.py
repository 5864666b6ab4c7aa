"""Planners of the units, entries and judges sheets: new unit unions, contestants, teams, panels and
new judges' accounts."""
import re
from collections import defaultdict

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from app.accounts import services as account_services
from app.accounts.models import OrgKind, Organization, Role, User
from app.competitions.models import Entry, EntryType, PanelMember
from app.extensions import db
from app.competitions.workbook.plans import _EntryPlan, _MemberPlan, _NewUser, _UnitPlan


def plan_units(imp):
    """The units sheet: organisations to create (a unit already there is kept).

    `parent` names an existing organisation or one listed earlier in the sheet
    (which then becomes a district-level union); a blank parent makes a
    top-level federation."""
    result = imp.sheets.get("units")
    if result is None:
        return
    names = {v["name"] for _, v in result.rows}
    existing = {o.name: o for o in db.session.scalars(
        sa.select(Organization).where(Organization.name.in_(names)).options(selectinload(Organization.parent)))}
    parents = imp._organizations(v["parent"] for _, v in result.rows if v["parent"])  # existing organisations
    seen = {}
    for row, v in result.rows:
        name = v["name"]
        if name in seen:
            imp.fail(result, row, "name", _l("appears more than once (row %(row)s)", row=seen[name]))
            continue
        seen[name] = row
        parent = None
        if v["parent"]:
            parent = imp.new_units.get(v["parent"])
            if parent is None:
                parent = imp._unit(result, row, "parent", v["parent"], parents)
                if parent is None:
                    continue
                if parent.kind == OrgKind.UNIT:
                    imp.fail(result, row, "parent", _l("A unit union cannot have organisations below it."))
                    continue
            elif parent.kind == OrgKind.UNIT:
                parent.kind = OrgKind.DISTRICT  # named as a parent: it holds organisations
        found = existing.get(name)
        if found is not None:
            if found.parent_id != getattr(parent, "id", None) or (parent is not None and found.parent_id is None):
                imp.fail(result, row, "name", _l("already exists below %(parent)s",
                                                  parent=found.parent.name if found.parent else "—"))
            continue  # already there: nothing to create
        imp.new_units[name] = _UnitPlan(name, v["short_name"], parent, row,
                                        kind=OrgKind.FEDERATION if parent is None else OrgKind.UNIT)


def plan_entries(imp):
    existing_events = [e.existing.id for e in imp.events.values() if e.existing is not None]
    by_event = defaultdict(dict)
    if existing_events:
        stage_positions = {s.existing.id: s.position for e in imp.events.values() for s in e.stages.values()
                           if s.existing is not None}
        for entry in db.session.scalars(sa.select(Entry).where(Entry.event_id.in_(existing_events))
                                        .options(selectinload(Entry.unit), selectinload(Entry.user))):
            by_event[entry.event_id][entry.bib] = entry
        for event in imp.events.values():
            if event.existing is None:
                continue
            for bib, entry in by_event[event.existing.id].items():
                event.entries[bib] = _EntryPlan(
                    bib, entry.unit, existing=entry, name=entry.name, members=entry.members,
                    stopped_at=stage_positions.get(entry.eliminated_stage_id), id=entry.id)
    result = imp.sheets.get("entries")
    if result is None:
        return
    units = imp._organizations(v["unit"] for _, v in result.rows)
    for row, v in result.rows:
        event = imp._event(result, row, v["event"])
        unit = imp._unit(result, row, "unit", v["unit"], units)
        if unit is not None and unit.kind != OrgKind.UNIT:
            imp.fail(result, row, "unit", _l("Choose the contestant's unit (a workplace union, not a federation)."))
            continue
        if event is None or unit is None:
            continue
        plan = event.entries.get(v["bib"])
        if plan is not None and plan.row is not None:
            imp.fail(result, row, "bib", _l("appears more than once (row %(row)s)", row=plan.row))
            continue
        members = v["members"] or ""
        if event.entry_type == EntryType.TEAM:
            names = [m.strip() for m in re.split(r"[、,，;；]", members) if m.strip()]
            if len(names) != event.team_size:
                imp.fail(result, row, "members", _l("A team of this event has %(n)s members.", n=event.team_size))
                continue
            members = "、".join(names)
        if plan is None:
            plan = _EntryPlan(v["bib"], unit)
            event.entries[plan.bib] = plan
        plan.row, plan.name, plan.unit, plan.members = row, v["name"], unit, members
        existing = plan.existing
        plan.changed = existing is None or (existing.name, existing.unit_id, existing.members) != (
            plan.name, unit.id, members)


def plan_judges(imp):
    existing_events = {e.existing.id: e for e in imp.events.values() if e.existing is not None}
    if existing_events:
        query = sa.select(PanelMember).where(PanelMember.event_id.in_(list(existing_events))).options(
            selectinload(PanelMember.user).selectinload(User.organization))
        for member in db.session.scalars(query):
            user = member.user
            key = (user.username or f"#{user.id}").lower()
            existing_events[member.event_id].panel[key] = _MemberPlan(
                key, member.is_chief, user.organization, user=user, existing=member)
    result = imp.sheets.get("judges")
    if result is None:
        return
    usernames = {v["username"].lower() for _, v in result.rows}
    users = {u.username.lower(): u for u in db.session.scalars(
        sa.select(User).where(sa.func.lower(User.username).in_(usernames)))} if usernames else {}
    units = imp._organizations(v["unit"] for _, v in result.rows)
    for row, v in result.rows:
        event = imp._event(result, row, v["event"])
        unit = imp._unit(result, row, "unit", v["unit"], units) if v["unit"] else None
        if event is None or (v["unit"] and unit is None):
            continue
        key, chief = v["username"].lower(), bool(v["chief"])
        plan = event.panel.get(key)
        if plan is not None and plan.row is not None:
            imp.fail(result, row, "username", _l("appears more than once (row %(row)s)", row=plan.row))
            continue
        wanted = Role.CHIEF_JUDGE if chief else Role.JUDGE
        user = users.get(key)
        new_user = None
        if user is not None:
            if not user.active:
                imp.fail(result, row, "username", _l("this account is deactivated"))
                continue
            if not user.has_role(wanted):
                imp.fail(result, row, "username", _l("%(name)s does not have the %(role)s role.", name=user.name,
                                                      role=_l("chief judge") if chief else _l("judge")))
                continue
        else:
            if not account_services.USERNAME_PATTERN.match(v["username"]):
                imp.fail(result, row, "username", _l(
                    "A username starts with a letter and has 3-40 letters, digits, dots, dashes or underscores."))
                continue
            new_user = imp.new_users.get(key)
            if new_user is None:
                if not v["name"]:
                    imp.fail(result, row, "name", _l("is required for a new account"))
                    continue
                new_user = imp.new_users[key] = _NewUser(v["username"], v["name"], unit)
            new_user.roles.add(wanted)
        if plan is not None:  # already on the panel
            if plan.chief != chief:
                imp.fail(result, row, "chief", _l("is already on this panel as %(role)s",
                                                   role=_l("chief judge") if plan.chief else _l("judge")))
                continue
            plan.row = row
            continue
        own_unit = user.organization if user is not None else new_user.unit
        event.panel[key] = _MemberPlan(key, chief, own_unit, user=user, new_user=new_user, row=row)
    for event in imp.events.values():
        chiefs = [m for m in event.panel.values() if m.chief]
        if len(chiefs) > 1:
            for member in chiefs:
                if member.row is not None and member.existing is None:
                    imp.fail(result, member.row, "chief", _l("An event has at most one chief judge."))
