"""Review of a programme's proposed pairs: accept, reject, give another master, and (two-way choice)
each side's own acceptance.

Who decides:
- assigned and open-application programmes: the staff's acceptance makes the pair accepted and
  draws up its draft agreement (`agreements.create_from_pair`, state proposed);
- two-way choice: the staff, the master and the apprentice each accept; only the last of the three
  acceptances makes the pair accepted (and drafts the agreement). Either side declining rejects the
  pair, and a rejected pair is avoided on the next matching run (`matching.inputs`).

A master's places are held by the database: accepting (or moving a pair to another master) first
locks the master's row (`SELECT ... FOR UPDATE` on PostgreSQL; SQLite has a single writer) and then
changes the pair with one conditional UPDATE whose WHERE counts the master's pairs in the same
statement, never a Python check followed by a write. The unique (programme, apprentice) holds one
pair per apprentice. Every function flushes, never commits, and records an audit event.
"""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased

from app import audit
from app.accounts.models import OrgKind
from app.apprenticeship import agreements
from app.apprenticeship.models import Master, PairingMode, PairScope, PairStatus, Preference, ProposedPair
from app.db import utcnow
from app.errors import DomainError
from app.extensions import db

REASON_MAX = 500


def _lock_master(master_id):
    """Serialise every change of this master's places (PostgreSQL row lock; SQLite's writer lock)."""
    db.session.execute(sa.select(Master.id).where(Master.id == master_id).with_for_update())


def _places_taken(master_id, programme_id, statuses):
    other = aliased(ProposedPair)
    return (sa.select(sa.func.count(other.id))
            .where(other.master_id == master_id, other.programme_id == programme_id, other.status.in_(statuses))
            .scalar_subquery())


def _capacity(master_id):
    return sa.select(Master.capacity).where(Master.id == master_id).scalar_subquery()


def _refresh(pair):
    db.session.refresh(pair)
    return pair


def _finish(actor, pair):
    """The last needed acceptance: the pair takes one of the master's places and gets its draft agreement."""
    _lock_master(pair.master_id)
    moved = db.session.execute(
        sa.update(ProposedPair)
        .where(ProposedPair.id == pair.id, ProposedPair.status == PairStatus.PROPOSED,
               _places_taken(pair.master_id, pair.programme_id, [PairStatus.ACCEPTED]) < _capacity(pair.master_id))
        .values(status=PairStatus.ACCEPTED, updated_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        _refresh(pair)
        if pair.status != PairStatus.PROPOSED:
            raise DomainError(_l("Someone else decided on this pair a moment ago. Reload the page."))
        raise DomainError(_l("This master has no free place left in this programme."))
    _refresh(pair)
    agreement = agreements.create_from_pair(actor, pair)
    audit.record(actor, "apprenticeship.pair.accept", pair, after={"status": "accepted", "agreement": agreement.id})
    return agreement


def needs_both_sides(pair):
    return pair.programme.pairing_mode == PairingMode.TWO_WAY


def _require_proposed(pair):
    if pair.status != PairStatus.PROPOSED:
        raise DomainError(_l("Only a proposed pair can be decided on."))


def accept(actor, pair):
    """Staff acceptance. Returns the agreement when the pair is now accepted, else None (two-way
    choice still waiting for the master or the apprentice)."""
    _require_proposed(pair)
    pair.staff_accepted_at = pair.staff_accepted_at or utcnow()
    db.session.flush()
    if needs_both_sides(pair) and not (pair.master_accepted_at and pair.apprentice_accepted_at):
        audit.record(actor, "apprenticeship.pair.staff_accept", pair, after={"staff_accepted": True})
        return None
    return _finish(actor, pair)


def accept_many(actor, pairs):
    """Accept every proposed pair of `pairs` that can be; returns (accepted, waiting, refused) counts:
    pairs now accepted, two-way pairs still waiting for the master or the apprentice, and pairs
    refused (no place left, decided meanwhile), which stay proposed while the others are kept."""
    accepted = waiting = refused = 0
    for pair in pairs:
        if pair.status != PairStatus.PROPOSED:
            continue
        try:
            with db.session.begin_nested():
                agreement = accept(actor, pair)
        except DomainError:
            db.session.expire(pair)
            refused += 1
        else:
            if agreement is None:
                waiting += 1
            else:
                accepted += 1
    return accepted, waiting, refused


def reject(actor, pair, reason, side="staff"):
    """Reject a proposed pair (staff), or decline it (`side` master / apprentice); the reason is kept."""
    _require_proposed(pair)
    reason = (reason or "").strip()[:REASON_MAX]
    if side == "staff" and not reason:
        raise DomainError(_l("Say why the pair is rejected."), field="reason")
    moved = db.session.execute(
        sa.update(ProposedPair).where(ProposedPair.id == pair.id, ProposedPair.status == PairStatus.PROPOSED)
        .values(status=PairStatus.REJECTED, reject_reason=reason or None, updated_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        raise DomainError(_l("Someone else decided on this pair a moment ago. Reload the page."))
    _refresh(pair)
    audit.record(actor, "apprenticeship.pair.reject", pair, after={"by": side, "reason": reason or None})
    return pair


def respond(actor, pair, side, accepted, reason=""):
    """The master's or the apprentice's own answer on a two-way choice pair. Returns the agreement
    when this answer completed the acceptance."""
    _require_proposed(pair)
    if not needs_both_sides(pair):
        raise DomainError(_l("In this programme the union staff decide on the pairs."))
    if not accepted:
        reject(actor, pair, reason, side=side)
        return None
    column = "master_accepted_at" if side == "master" else "apprentice_accepted_at"
    setattr(pair, column, getattr(pair, column) or utcnow())
    db.session.flush()
    audit.record(actor, "apprenticeship.pair.respond", pair, after={"by": side, "accepted": True})
    if pair.staff_accepted_at and pair.master_accepted_at and pair.apprentice_accepted_at:
        return _finish(actor, pair)
    return None


def scope_between(master_unit, apprentice_unit):
    """Why two units may pair: the same unit, the same district/industry union (the parent when it
    is one), or across the system — the engine's own scopes."""
    if master_unit.id == apprentice_unit.id:
        return PairScope.UNIT

    def district(unit):
        parent = unit.parent
        return parent.id if parent is not None and parent.kind == OrgKind.DISTRICT else None

    if district(master_unit) is not None and district(master_unit) == district(apprentice_unit):
        return PairScope.INDUSTRY
    return PairScope.SYSTEM


def reassign(actor, pair, master):
    """Give a proposed pair another master of the same trade who still has a free place (counting the
    master's pairs proposed or accepted in this programme); the pair stays proposed and every side's
    acceptance starts again."""
    _require_proposed(pair)
    apprentice = pair.apprentice
    if master.trade_id != apprentice.trade_id or not master.active:
        raise DomainError(_l("Choose an active master of the apprentice's trade."), field="master_id")
    if master.id == pair.master_id:
        return pair
    before = {"master_id": pair.master_id}
    rank = db.session.scalar(sa.select(Preference.rank).where(Preference.apprentice_id == apprentice.id,
                                                               Preference.master_id == master.id))
    _lock_master(master.id)
    moved = db.session.execute(
        sa.update(ProposedPair)
        .where(ProposedPair.id == pair.id, ProposedPair.status == PairStatus.PROPOSED,
               _places_taken(master.id, pair.programme_id, [PairStatus.PROPOSED, PairStatus.ACCEPTED])
               < _capacity(master.id))
        .values(master_id=master.id, scope=scope_between(master.unit, apprentice.unit), preference_rank=rank,
                level_gap=apprentice.level - master.level, staff_accepted_at=None, master_accepted_at=None,
                apprentice_accepted_at=None, updated_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        _refresh(pair)
        if pair.status != PairStatus.PROPOSED:
            raise DomainError(_l("Someone else decided on this pair a moment ago. Reload the page."))
        raise DomainError(_l("This master has no free place left in this programme."), field="master_id")
    _refresh(pair)
    audit.record(actor, "apprenticeship.pair.edit", pair, before=before, after={"master_id": master.id})
    return pair


def free_masters(pair, limit=200):
    """Active masters of the pair's trade with a free place in its programme (proposed and accepted
    pairs counted), the current one excepted: [(master, places left)], fewest level gap first."""
    taken = (sa.select(ProposedPair.master_id, sa.func.count(ProposedPair.id).label("n"))
             .where(ProposedPair.programme_id == pair.programme_id,
                    ProposedPair.status.in_([PairStatus.PROPOSED, PairStatus.ACCEPTED]))
             .group_by(ProposedPair.master_id).subquery())
    left = Master.capacity - sa.func.coalesce(taken.c.n, 0)
    apprentice = pair.apprentice
    rows = db.session.execute(
        sa.select(Master, left).outerjoin(taken, taken.c.master_id == Master.id)
        .options(sa.orm.joinedload(Master.user), sa.orm.joinedload(Master.unit))
        .where(Master.trade_id == apprentice.trade_id, Master.active, Master.id != pair.master_id, left > 0)
        .order_by(sa.func.abs(apprentice.level - Master.level), Master.id).limit(limit)).all()
    return [(master, places) for master, places in rows]
