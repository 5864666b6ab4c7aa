"""The audit trail: one append-only, hash-chained table for every state change.

`record(actor, action, obj, before, after)` is called by services for each
change. Each event stores the hash of the previous one, so an edited or deleted
row breaks the chain and `flask audit verify` finds it. Appends are serialised
through the single `audit_chain_head` row (an UPDATE takes its row lock on
PostgreSQL and the write lock on SQLite), so concurrent requests never fork
the chain.
"""
import hashlib
import json
from datetime import date, datetime, timezone
from decimal import Decimal
from enum import Enum

import click
import sqlalchemy as sa
from flask.cli import AppGroup
from sqlalchemy.orm import Mapped, mapped_column

from app.db import UTCDateTime, utcnow
from app.extensions import db

GENESIS = "0" * 64


class AuditEvent(db.Model):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, unique=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.Integer, index=True)
    actor_label: Mapped[str] = mapped_column(sa.String(120), nullable=False, default="")
    action: Mapped[str] = mapped_column(sa.String(80), nullable=False, index=True)
    object_type: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    object_id: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    before: Mapped[dict | None] = mapped_column(sa.JSON)
    after: Mapped[dict | None] = mapped_column(sa.JSON)
    prev_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)

    __table_args__ = (sa.Index("ix_audit_event_object", "object_type", "object_id"),)

    def payload(self):
        return {
            "seq": self.seq,
            "created_at": _iso(self.created_at),
            "actor_id": self.actor_id,
            "actor_label": self.actor_label,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "before": self.before,
            "after": self.after,
            "prev_hash": self.prev_hash,
        }

    def compute_hash(self):
        return _digest(self.payload())


class AuditChainHead(db.Model):
    """One row: the last sequence number and hash, the lock for appends."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0)
    hash: Mapped[str] = mapped_column(sa.String(64), nullable=False, default=GENESIS)


def _iso(value):
    return value.astimezone(timezone.utc).replace(tzinfo=None).isoformat(timespec="microseconds")


def _digest(payload):
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _plain(value):
    """JSON-native copy of a snapshot: Decimals and dates become strings."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return _iso(value) if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_plain(v) for v in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, float):
        raise TypeError("floats are not allowed in audit snapshots; use Decimal")
    return str(value)


def record(actor, action, obj, before=None, after=None):
    """Append one event for a state change of `obj` by `actor` (None = system).

    `obj` is a model instance (its class name and primary key are stored) or a
    (type, id) pair. Flushes, never commits: the event lands with the change.
    """
    if isinstance(obj, tuple):
        object_type, object_id = obj
    else:
        if obj in db.session.new:
            db.session.flush()  # a new object needs its id before it is logged
        object_type, object_id = type(obj).__name__, sa.inspect(obj).identity[0]
    session = db.session
    # Take the chain lock first, then read the head it protects.
    result = session.execute(
        sa.update(AuditChainHead).where(AuditChainHead.id == 1).values(seq=AuditChainHead.seq + 1)
    )
    if result.rowcount == 0:
        session.add(AuditChainHead(id=1, seq=1, hash=GENESIS))
        session.flush()
    head = session.execute(
        sa.select(AuditChainHead.seq, AuditChainHead.hash).where(AuditChainHead.id == 1)
    ).one()
    event = AuditEvent(
        seq=head.seq,
        created_at=utcnow(),
        actor_id=getattr(actor, "id", None),
        actor_label=_actor_label(actor),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=_plain(before),
        after=_plain(after),
        prev_hash=head.hash,
    )
    event.hash = event.compute_hash()
    session.add(event)
    session.execute(sa.update(AuditChainHead).where(AuditChainHead.id == 1).values(hash=event.hash))
    session.flush()
    return event


def _actor_label(actor):
    if actor is None:
        return "system"
    return getattr(actor, "display_name", None) or str(getattr(actor, "id", ""))


def verify_chain(batch=1000):
    """Walk the chain in order; return (events checked, first problem or None)."""
    expected_prev = GENESIS
    expected_seq = 1
    checked = 0
    query = sa.select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=batch)
    for event in db.session.scalars(query):
        if event.seq != expected_seq:
            return checked, f"event seq {expected_seq} is missing (found {event.seq})"
        if event.prev_hash != expected_prev:
            return checked, f"event seq {event.seq}: previous hash does not match"
        if event.compute_hash() != event.hash:
            return checked, f"event seq {event.seq}: content does not match its hash"
        expected_prev = event.hash
        expected_seq += 1
        checked += 1
    head = db.session.get(AuditChainHead, 1)
    if head is not None and (head.seq != checked or head.hash != expected_prev):
        return checked, f"chain head says {head.seq} events, found {checked}: events were removed"
    return checked, None


@sa.event.listens_for(sa.orm.Session, "before_flush")
def _append_only(session, _context, _instances):
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise RuntimeError("audit events are append-only")


@sa.event.listens_for(sa.orm.Session, "do_orm_execute")
def _no_bulk_changes(state):
    if (state.is_update or state.is_delete) and any(
        getattr(m, "class_", None) is AuditEvent for m in state.all_mappers
    ):
        raise RuntimeError("audit events are append-only")


audit_cli = AppGroup("audit", help="Audit trail tools.")


@audit_cli.command("verify")
def verify_command():
    """Check that no audit event was changed, removed or inserted."""
    checked, problem = verify_chain()
    if problem:
        click.echo(f"BROKEN after {checked} good events: {problem}", err=True)
        raise SystemExit(1)
    click.echo(f"OK: {checked} events, chain intact")


def events_query(action=None, object_type=None):
    query = sa.select(AuditEvent).order_by(AuditEvent.seq.desc())
    if action:
        query = query.where(AuditEvent.action == action)
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    return query
