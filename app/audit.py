"""The audit trail: one append-only, hash-chained table for every state change.

`record(actor, action, obj, before, after)` is called by services for each
change. Each event stores the hash of the previous one, so an edited or deleted
row breaks the chain and `flask audit verify` finds it. Appends are serialised
through the single `audit_chain_head` row (an UPDATE takes its row lock on
PostgreSQL and the write lock on SQLite), so concurrent requests never fork
the chain.

The hashes are HMAC-SHA256 with a key kept outside the database (`AUDIT_KEY`,
by default derived from `SECRET_KEY`): someone who can write to the database
but does not hold the key cannot re-hash an edited chain. What the key cannot
show is a chain cut short at its end (drop the last rows, set the head back):
`flask audit checkpoint` prints the current head (sequence, time, hash) to be
stored elsewhere, and `flask audit verify --checkpoint FILE` proves the chain
still reaches it unchanged.
"""
import hashlib
import hmac
import json
from datetime import date, datetime, timezone
from decimal import Decimal
from enum import Enum

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.local import LocalProxy

from app.db import UTCDateTime, utcnow
from app.extensions import db

GENESIS = "0" * 64


class AuditEvent(db.Model):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, unique=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.Integer)
    actor_label: Mapped[str] = mapped_column(sa.String(120), nullable=False, default="")
    action: Mapped[str] = mapped_column(sa.String(80), nullable=False)
    object_type: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    object_id: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    before: Mapped[dict | None] = mapped_column(sa.JSON)
    after: Mapped[dict | None] = mapped_column(sa.JSON)
    prev_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)

    # The admin page's filters, each ending in seq so "newest first" is read off the index.
    __table_args__ = (
        sa.Index("ix_audit_event_object_seq", "object_type", "object_id", "seq"),
        sa.Index("ix_audit_event_actor_seq", "actor_id", "seq"),
        sa.Index("ix_audit_event_action_seq", "action", "seq"),
        sa.Index("ix_audit_event_created_at", "created_at"),
    )

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


def chain_key():
    """The HMAC key: AUDIT_KEY, or one derived from SECRET_KEY (never stored in the database)."""
    configured = current_app.config.get("AUDIT_KEY")
    if configured:
        return configured.encode("utf-8")
    return hmac.new(current_app.config["SECRET_KEY"].encode("utf-8"), b"audit-chain-v1", hashlib.sha256).digest()


def _canonical(payload):
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _digest(payload, key=None):
    return hmac.new(key or chain_key(), _canonical(payload), hashlib.sha256).hexdigest()


def unkeyed_digest(payload):
    """The chain's hash before it was keyed (20261203 migration): plain SHA-256."""
    return hashlib.sha256(_canonical(payload)).hexdigest()


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
    if isinstance(obj, LocalProxy):  # current_user: file it under the user, not the proxy
        obj = obj._get_current_object()
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


def verify_chain(batch=1000, checkpoint=None):
    """Walk the chain in order; return (events checked, first problem or None).

    With a `checkpoint` (as `checkpoint()` made it), the chain must also reach
    that sequence number with exactly that hash: no cut at the end, no re-hashing.
    """
    expected_prev = GENESIS
    expected_seq = 1
    checked = 0
    key = chain_key()
    query = sa.select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=batch)
    for event in db.session.scalars(query):
        if event.seq != expected_seq:
            return checked, f"event seq {expected_seq} is missing (found {event.seq})"
        if event.prev_hash != expected_prev:
            return checked, f"event seq {event.seq}: previous hash does not match"
        if _digest(event.payload(), key) != event.hash:
            return checked, f"event seq {event.seq}: content does not match its hash"
        if checkpoint is not None and event.seq == checkpoint["seq"] and event.hash != checkpoint["hash"]:
            return checked, f"event seq {event.seq} differs from the checkpoint of {checkpoint['time']}"
        expected_prev = event.hash
        expected_seq += 1
        checked += 1
    head = db.session.get(AuditChainHead, 1)
    if head is not None and (head.seq != checked or head.hash != expected_prev):
        return checked, f"chain head says {head.seq} events, found {checked}: events were removed"
    if checkpoint is not None and checked < checkpoint["seq"]:
        return checked, (f"the checkpoint of {checkpoint['time']} has {checkpoint['seq']} events, "
                         f"the chain {checked}: events were removed from its end")
    return checked, None


def checkpoint():
    """The chain's head now: store it outside the database (another machine, a signed e-mail)."""
    head = db.session.get(AuditChainHead, 1)
    return {"seq": head.seq if head else 0, "hash": head.hash if head else GENESIS,
            "time": utcnow().isoformat(timespec="seconds")}


def rekey(connection, key, undo=False):
    """Re-hash a chain made with the unkeyed SHA-256 using the HMAC key (one-time upgrade);
    `undo` goes back (a migration's downgrade).

    The old chain is verified first: a broken chain is reported, never laundered.
    """
    def keyed(payload):
        return _digest(payload, key)

    old_digest, new_digest = (keyed, unkeyed_digest) if undo else (unkeyed_digest, keyed)
    table, head_table = AuditEvent.__table__, AuditChainHead.__table__
    rows = connection.execute(sa.select(table).order_by(table.c.seq)).mappings().all()
    previous_old, previous_new = GENESIS, GENESIS
    for row in rows:
        event = AuditEvent(**{c: row[c] for c in ("seq", "created_at", "actor_id", "actor_label", "action",
                                                   "object_type", "object_id", "before", "after")})
        event.prev_hash = previous_old
        if row["prev_hash"] != previous_old or old_digest(event.payload()) != row["hash"]:
            raise RuntimeError(f"audit event seq {row['seq']} does not match the chain being re-hashed; "
                               "investigate before upgrading (`flask audit verify` on the old version)")
        previous_old = row["hash"]
        event.prev_hash = previous_new
        previous_new = new_digest(event.payload())
        connection.execute(sa.update(table).where(table.c.id == row["id"])
                           .values(prev_hash=event.prev_hash, hash=previous_new))
    connection.execute(sa.update(head_table).where(head_table.c.id == 1).values(hash=previous_new))
    return len(rows)


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
@click.option("--checkpoint", "checkpoint_file", type=click.File("r"),
              help="A checkpoint from `flask audit checkpoint`: also prove nothing was cut from the end.")
def verify_command(checkpoint_file):
    """Check that no audit event was changed, removed or inserted."""
    checked, problem = verify_chain(checkpoint=json.load(checkpoint_file) if checkpoint_file else None)
    if problem:
        click.echo(f"BROKEN after {checked} good events: {problem}", err=True)
        raise SystemExit(1)
    click.echo(f"OK: {checked} events, chain intact")


@audit_cli.command("checkpoint")
def checkpoint_command():
    """Print the chain's head (sequence, time, hash) as JSON, to keep outside the database."""
    click.echo(json.dumps(checkpoint()))

