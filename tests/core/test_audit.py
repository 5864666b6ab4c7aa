"""The audit trail is hash-chained, append-only, and `flask audit verify` catches tampering."""
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app import audit
from app.audit import AuditEvent
from tests.factories import TradeFactory


def test_events_form_a_chain(db, users):
    staff = users["staff"]
    trade = TradeFactory()
    first = audit.record(staff, "trade.update", trade, before={"name": "焊工"}, after={"name": "电焊工"})
    second = audit.record(None, "trade.update", ("Trade", trade.id), after={"weight": Decimal("30.50")})
    assert second.seq == first.seq + 1
    assert second.prev_hash == first.hash
    assert first.actor_id == staff.id and first.actor_label == staff.name
    assert second.actor_label == "system" and second.after == {"weight": "30.50"}
    checked, problem = audit.verify_chain()
    assert problem is None and checked >= 2


def test_floats_are_refused_in_snapshots(db):
    with pytest.raises(TypeError):
        audit.record(None, "x", ("Thing", 1), after={"score": 9.5})


def test_application_cannot_change_or_delete_events(db):
    event = audit.record(None, "thing.create", ("Thing", 1), after={"a": 1})
    db.session.flush()
    event.action = "forged"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.execute(sa.delete(AuditEvent))


def test_verify_detects_edited_and_removed_events(db):
    events = [audit.record(None, "thing.update", ("Thing", 1), after={"n": n}) for n in range(3)]
    db.session.flush()
    table = AuditEvent.__table__
    # Tamper below the ORM, as someone with database access would.
    db.session.connection().execute(
        table.update().where(table.c.id == events[1].id).values(after={"n": 99})
    )
    db.session.expire_all()
    _, problem = audit.verify_chain()
    assert problem and f"seq {events[1].seq}" in problem

    db.session.connection().execute(
        table.update().where(table.c.id == events[1].id).values(after={"n": 1})
    )
    db.session.connection().execute(table.delete().where(table.c.id == events[2].id))
    db.session.expire_all()
    _, problem = audit.verify_chain()
    assert problem and "removed" in problem


def test_cli_verify_reports_ok(app, db):
    audit.record(None, "thing.create", ("Thing", 1))
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "chain intact" in result.output
