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


def _rehash_everything_without_the_key(db, table):
    """What an attacker with database access but no key does: recompute every hash and the head."""
    previous = audit.GENESIS
    for event in db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.seq)).all():
        event_payload = event.payload()
        event_payload["prev_hash"] = previous
        previous_new = audit.unkeyed_digest(event_payload)
        db.session.connection().execute(table.update().where(table.c.id == event.id)
                                        .values(prev_hash=previous, hash=previous_new))
        previous = previous_new
    db.session.connection().execute(audit.AuditChainHead.__table__.update().values(hash=previous))
    db.session.expire_all()


def test_an_edited_and_rehashed_chain_fails_without_the_key(db):
    events = [audit.record(None, "thing.update", ("Thing", 1), after={"n": n}) for n in range(3)]
    table = AuditEvent.__table__
    db.session.connection().execute(table.update().where(table.c.id == events[0].id).values(after={"n": 42}))
    _rehash_everything_without_the_key(db, table)
    _, problem = audit.verify_chain()
    assert problem and "seq 1" in problem


def test_a_chain_cut_at_its_end_is_caught_by_a_checkpoint(app, db, tmp_path):
    events = [audit.record(None, "thing.update", ("Thing", 1), after={"n": n}) for n in range(3)]
    saved = tmp_path / "checkpoint.json"
    result = app.test_cli_runner().invoke(args=["audit", "checkpoint"])
    saved.write_text(result.output)
    table = AuditEvent.__table__
    db.session.connection().execute(table.delete().where(table.c.id == events[-1].id))
    db.session.connection().execute(audit.AuditChainHead.__table__.update()
                                    .values(seq=events[-2].seq, hash=events[-2].hash))
    db.session.expire_all()
    assert audit.verify_chain()[1] is None  # the cut is invisible without a checkpoint...
    result = app.test_cli_runner().invoke(args=["audit", "verify", "--checkpoint", str(saved)])
    assert result.exit_code == 1 and "removed from its end" in result.output  # ...and caught with one


def test_the_old_unkeyed_chain_is_rekeyed_once_verified(db):
    events = [audit.record(None, "thing.update", ("Thing", 1), after={"n": n}) for n in range(3)]
    table = AuditEvent.__table__
    _rehash_everything_without_the_key(db, table)  # as the chain was before it was keyed
    assert audit.verify_chain()[1] is not None
    assert audit.rekey(db.session.connection(), audit.chain_key()) == len(events)
    db.session.expire_all()
    assert audit.verify_chain() == (3, None)
    db.session.connection().execute(table.update().where(table.c.id == events[1].id).values(after={"n": 7}))
    _rehash_everything_without_the_key(db, table)
    db.session.connection().execute(table.update().where(table.c.id == events[1].id).values(after={"n": 8}))
    with pytest.raises(RuntimeError, match="seq 2"):
        audit.rekey(db.session.connection(), audit.chain_key())


def test_profile_changes_are_filed_under_the_user(client, login, db):
    user = login("trainee")
    from flask_login import current_user

    with client.application.test_request_context():
        from flask_login import login_user

        login_user(user)
        event = audit.record(current_user, "user.profile", current_user, after={"name": user.name})
    assert (event.object_type, event.object_id) == ("User", str(user.id))
