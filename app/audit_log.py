"""The audit trail as people read it: what was done, to what, and what changed, in words.

`app/audit.py` keeps the chain (what is stored and proven); this module only reads it.
Each package that records events says once, beside its blueprint, how they read:

- `actions({"score.save": _l("Saved a mark"), ...})` — a label per action code;
- `describe("Entry", _l("Entry"), query=..., name=..., url=..., search=...)` — how to find
  the names (and the page) of objects of a type, several at a time, in one query;
- `field("course_id", _l("Course"), ref="Course")` — a field's label, and when its value is
  the id of another object, that object's type (shown by name), or `values=` labels;
  `describe(..., fields=..., values=...)` overrides them for one type.

The admin page (`presentation(events)`) then shows each event with its action label, the
object's name linked to its page where it has one, and the change field by field. Names are
looked up per object type for the whole page at once: the page's query count does not grow
with its rows. Filters (`filtered(...)`) use the table's indexes; see the migration of
20261203 for the ones added for them.
"""
import re
from dataclasses import dataclass, field as dataclass_field
from datetime import datetime, time, timedelta, timezone
from typing import Callable

import sqlalchemy as sa
from flask_babel import format_datetime, gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional

from app.audit import AuditEvent
from app.db import database_id, local_to_utc
from app.extensions import db
from app.forms import Form

MAX_LOOKUP = 1000  # objects or people a name filter may match


# ---------------------------------------------------------------- what packages register

@dataclass
class ObjectType:
    name: str  # the class name stored in object_type
    label: str
    query: Callable  # ids (ints) → select() whose first column is the id
    display: Callable  # row → name
    url: Callable | None = None  # row → URL of its page (or None)
    search: Callable | None = None  # text → select() of ids whose name matches
    fields: dict = dataclass_field(default_factory=dict)  # field → label (this type only)
    values: dict = dataclass_field(default_factory=dict)  # field → {stored value: label}
    refs: dict = dataclass_field(default_factory=dict)  # field → object type (this type only)


@dataclass
class Field:
    label: str
    ref: str | None = None
    values: dict | None = None
    context: bool = False  # shown even when unchanged: it says which part of the object changed


ACTIONS = {}
OBJECTS = {}
FIELDS = {}


def actions(labels):
    """Labels of action codes: {"course.create": _l("Created a course")}."""
    ACTIONS.update(labels)


def describe(name, label, *, query, display, url=None, search=None, fields=None, values=None, refs=None):
    OBJECTS[name] = ObjectType(name, label, query, display, url, search, dict(fields or {}), dict(values or {}),
                               dict(refs or {}))


def field(name, label, *, ref=None, values=None, context=False):
    FIELDS[name] = Field(label, ref, values, context)


def action_label(code):
    return ACTIONS.get(code) or code


def type_label(name):
    found = OBJECTS.get(name)
    return found.label if found else name


# ---------------------------------------------------------------- filters

@dataclass
class Filters:
    action: str = ""
    object_type: str = ""
    object: str = ""  # an id, or a name to look up
    actor: str = ""  # a person's name, username or mobile, or "system"
    actor_id: int | None = None
    since: object = None  # date, China time
    until: object = None  # date, China time, inclusive


SYSTEM_WORDS = {"system", "系统"}


def _local_midnight(day):
    return local_to_utc(datetime.combine(day, time.min))


def _matching_objects(type_names, text):
    """(type, [id strings]) whose name matches `text`, per type that can be searched."""
    found = []
    for name in type_names:
        described = OBJECTS.get(name)
        if described is None or described.search is None:
            continue
        ids = db.session.scalars(described.search(text).limit(MAX_LOOKUP)).all()
        if ids:
            found.append((name, [str(i) for i in ids]))
    return found


def _matching_people(text):
    from app.accounts.models import User

    text = text.strip()
    return db.session.scalars(
        sa.select(User.id).where(sa.or_(User.name.contains(text, autoescape=True), User.username == text,
                                        User.mobile == text)).limit(MAX_LOOKUP)
    ).all()


def filtered(filters):
    """select() of the events matching `filters`, newest first."""
    query = sa.select(AuditEvent)
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    text = (filters.object or "").strip()
    if filters.object_type:
        query = query.where(AuditEvent.object_type == filters.object_type)
    if text:
        if text.isascii() and text.isdigit():
            query = query.where(AuditEvent.object_id == text)
        else:
            types = [filters.object_type] if filters.object_type else sorted(OBJECTS)
            matches = _matching_objects(types, text)
            query = query.where(sa.or_(sa.false(), *(
                sa.and_(AuditEvent.object_type == name, AuditEvent.object_id.in_(ids)) for name, ids in matches)))
    if filters.actor_id is not None:
        query = query.where(AuditEvent.actor_id == filters.actor_id)
    actor = (filters.actor or "").strip()
    if actor:
        conditions = []
        if actor.lower() in SYSTEM_WORDS:
            conditions.append(AuditEvent.actor_id.is_(None))
        people = _matching_people(actor)
        if people:
            conditions.append(AuditEvent.actor_id.in_(people))
        query = query.where(sa.or_(sa.false(), *conditions))
    if filters.since:
        query = query.where(AuditEvent.created_at >= _local_midnight(filters.since))
    if filters.until:
        query = query.where(AuditEvent.created_at < _local_midnight(filters.until + timedelta(days=1)))
    return query.order_by(AuditEvent.seq.desc())


class FilterForm(Form):
    """The admin page's filters (GET, shareable URLs)."""

    class Meta:
        csrf = False

    action = SelectField(_l("Action"), validate_choice=False)
    object_type = SelectField(_l("Object type"), validate_choice=False)
    object = StringField(_l("Object: number or name"), validators=[Optional(), Length(max=120)])
    actor = StringField(_l("Who: name, username or mobile"), validators=[Optional(), Length(max=60)])
    actor_id = StringField(validators=[Optional(), Length(max=10)])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.action.choices = [("", _l("All actions"))] + action_choices()
        self.object_type.choices = [("", _l("All objects"))] + type_choices()

    def filters(self):
        """The valid filters (a field in error is left out and shows its error)."""
        self.validate()

        def good(name):
            field_ = getattr(self, name)
            return None if field_.errors else field_.data

        return Filters(action=good("action") or "", object_type=good("object_type") or "",
                       object=good("object") or "", actor=good("actor") or "",
                       actor_id=database_id(good("actor_id") or ""), since=good("since"), until=good("until"))


# ---------------------------------------------------------------- presentation

@dataclass
class Change:
    label: str
    before: str | None  # None: the field was not there before (set), or this is context
    after: str | None  # None: the field is gone (a deleted object's last state)
    kind: str  # "changed" | "set" | "was" | "context"


@dataclass
class Line:
    event: AuditEvent
    action: str
    known_action: bool
    type_label: str
    name: str | None
    url: str | None
    changes: list


def _field_info(object_type, key, per_object, attr, default=None):
    """What the object type says of its field `key` (its `per_object` map: refs, fields or
    values), else what the site-wide FIELDS entry says (`attr`), else `default`."""
    described = OBJECTS.get(object_type)
    if described and key in getattr(described, per_object):
        return getattr(described, per_object)[key]
    found = FIELDS.get(key)
    return getattr(found, attr) if found else default


def _ref_type(object_type, key):
    return _field_info(object_type, key, "refs", "ref")


def _collect(events):
    """(type → set of ids) of every event's object and every id its changes refer to."""
    wanted = {}

    def want(type_name, value):
        if type_name in OBJECTS and value is not None and str(value).isascii() and str(value).isdigit():
            wanted.setdefault(type_name, set()).add(int(value))

    for event in events:
        want(event.object_type, event.object_id)
        for snapshot in (event.before, event.after):
            if not isinstance(snapshot, dict):
                continue
            for key, value in snapshot.items():
                ref = _ref_type(event.object_type, key)
                if ref:
                    for item in value if isinstance(value, list) else [value]:
                        want(ref, item)
    return wanted


def _lookup(wanted):
    """(type, id) → (name, url), one query per object type."""
    found = {}
    for type_name, ids in wanted.items():
        described = OBJECTS[type_name]
        ids = sorted(ids)
        for start in range(0, len(ids), 500):
            for row in db.session.execute(described.query(ids[start:start + 500])):
                url = described.url(row) if described.url else None
                found[(type_name, int(row[0]))] = (described.display(row), url)
    return found


_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(\+00:00)?$")


def _when(text):
    """A stored UTC timestamp (ISO text) in China time, to the minute."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return format_datetime(value, "yyyy-MM-dd HH:mm")


def _label_of(object_type, key):
    return _field_info(object_type, key, "fields", "label", default=key)


def _value_labels(object_type, key):
    return _field_info(object_type, key, "values", "values")


def _text(object_type, key, value, names):
    """A stored value as words: names for ids, labels for states, 是/否, local times."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return "、".join(_text(object_type, key, item, names) for item in value)
    if isinstance(value, dict):
        return "，".join(f"{_label_of(object_type, k)} {_text(object_type, k, v, names)}"
                        for k, v in value.items() if v not in (None, "", []))
    ref = _ref_type(object_type, key)
    if ref and str(value).isascii() and str(value).isdigit():
        named = names.get((ref, int(value)))
        return named[0] if named else f"#{value}"
    labels = _value_labels(object_type, key)
    if labels and value in labels:
        return str(labels[value])
    text = str(value)
    if _ISO.match(text):
        return _when(text)
    return text if len(text) <= 300 else text[:300] + "…"


def _changes(event, names):
    before, after = event.before, event.after
    before = before if isinstance(before, dict) else None
    after = after if isinstance(after, dict) else None
    typ = event.object_type
    lines = []
    if before is None and after is None:
        return lines
    if before is None:
        return [Change(str(_label_of(typ, k)), None, _text(typ, k, v, names), "set") for k, v in after.items()]
    if after is None:
        return [Change(str(_label_of(typ, k)), _text(typ, k, v, names), None, "was") for k, v in before.items()]
    for key in [*after, *(k for k in before if k not in after)]:
        label = str(_label_of(typ, key))
        old, new = before.get(key), after.get(key)
        if key in before and key in after and old == new:
            found = FIELDS.get(key)
            if found and found.context:
                lines.append(Change(label, None, _text(typ, key, new, names), "context"))
        elif key not in before:
            lines.append(Change(label, None, _text(typ, key, new, names), "set"))
        elif key not in after:
            lines.append(Change(label, _text(typ, key, old, names), None, "was"))
        else:
            lines.append(Change(label, _text(typ, key, old, names), _text(typ, key, new, names), "changed"))
    # Context first: "Criterion P1 · Mark 30 → 32".
    return sorted(lines, key=lambda change: change.kind != "context")


def _fallback_name(event):
    """A deleted object's name from its last snapshot."""
    for snapshot in (event.before, event.after):
        if isinstance(snapshot, dict):
            for key in ("name", "title", "number", "bib", "code", "topic"):
                if snapshot.get(key):
                    return str(snapshot[key])
    return None


def presentation(events):
    """Each event as a Line, names looked up for all of them at once."""
    names = _lookup(_collect(events))
    lines = []
    for event in events:
        key = (event.object_type, int(event.object_id)) if event.object_id.isascii() \
            and event.object_id.isdigit() else None
        name, url = names.get(key, (None, None)) if key else (None, None)
        if name is None:
            name = _fallback_name(event)
        lines.append(Line(event, str(action_label(event.action)), event.action in ACTIONS,
                          str(type_label(event.object_type)), name, url, _changes(event, names)))
    return lines


def type_choices():
    return sorted(((name, str(described.label)) for name, described in OBJECTS.items()), key=lambda c: c[1])


def action_choices():
    return sorted(((code, str(label)) for code, label in ACTIONS.items()), key=lambda c: c[0])


# ---------------------------------------------------------------- fields every package shares

field("name", _l("Name"))
field("title", _l("Title"))
field("code", _l("Code"))
field("status", _l("Status"))
field("reason", _l("Reason"))
field("position", _l("Position"))
field("description", _l("Description"))
field("starts_on", _l("Starts on"))
field("ends_on", _l("Ends on"))
field("user_id", _l("Person"), ref="User")
field("judge_id", _l("Judge"), ref="User")
field("organization_id", _l("Organisation"), ref="Organization")
field("unit_id", _l("Unit"), ref="Organization")
field("parent_id", _l("Parent organisation"), ref="Organization")
field("trade_id", _l("Trade"), ref="Trade")
field("rows", _l("Rows"))
field("sha256", _l("File fingerprint (SHA-256)"))
