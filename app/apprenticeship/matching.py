"""Run the matching engine (`app.matching`) for a programme over the register and keep its proposal.

Inputs from the database: the people of the programme's organiser (masters and apprentices whose
unit lies in the organising union's subtree; everyone when the programme names no organiser), so a
railway bureau's 手拉手 programme never draws on the city's register. Active masters come with their
free places (capacity less the pairs already accepted in this programme and the agreements they hold
in other programmes); apprentices come unless they have an accepted pair here or a live agreement
anywhere, with their preferences and avoid list. A unit's district is its parent organisation when that parent is a
district or industry union (`OrgKind.DISTRICT`), else none. A pair the apprentice or master
rejected in this programme is avoided when matching again, and for good: its master joins the
apprentice's avoid list (its rank stays the apprentice's own).

The programme's proposed and rejected pairs and its unmatched rows are replaced by the new result;
accepted pairs stay. Flushes, never commits.
"""
from collections import Counter, defaultdict

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app import audit, matching
from app.accounts.models import OrgKind, Organization, User
from app.apprenticeship.models_agreements import LIVE_STATUSES, Agreement
from app.apprenticeship.models import (
    ApprenticeProfile,
    AvoidedMaster,
    Master,
    PairStatus,
    Preference,
    Programme,
    ProposedPair,
    UnmatchedApprentice,
)
from app.db import utcnow
from app.extensions import db

CHUNK = 5000


def programme_by_code(code):
    return db.session.scalar(sa.select(Programme).where(Programme.code == code))


def create_default_programme(actor, code, name=None):
    """A programme with the default rules: same trade only (no level-gap or same-unit rule)."""
    programme = Programme(code=code, name=name or code)
    db.session.add(programme)
    db.session.flush()
    audit.record(actor, "apprenticeship.programme", programme, after={"code": code, "name": programme.name})
    return programme


def rules_of(programme):
    if programme.max_level_gap is None:  # no level rule at all
        return matching.Rules(max_level_gap=None, min_level_gap=None, same_unit=programme.same_unit.value)
    return matching.Rules(max_level_gap=programme.max_level_gap, min_level_gap=0,
                          same_unit=programme.same_unit.value)


def _districts():
    """unit id -> its district/industry union id (None when the parent is not one)."""
    parent = aliased(Organization)
    rows = db.session.execute(
        sa.select(Organization.id, parent.id, parent.kind).outerjoin(parent, parent.id == Organization.parent_id))
    return {unit: (pid if kind == OrgKind.DISTRICT else None) for unit, pid, kind in rows}


def _in_scope(query, unit_column, programme):
    """Limit a select of masters or apprentices to the units below the programme's organiser."""
    if programme.organiser is None:
        return query
    return query.join(Organization, Organization.id == unit_column).where(
        Organization.path.startswith(programme.organiser.path, autoescape=True))


def inputs(programme):
    """(masters, apprentices) for the engine, ids being Master.id and ApprenticeProfile.id."""
    district = _districts()
    pairs = db.session.execute(sa.select(ProposedPair.master_id, ProposedPair.apprentice_id, ProposedPair.status)
                               .where(ProposedPair.programme_id == programme.id)).all()
    taken = Counter(m for m, _, status in pairs if status == PairStatus.ACCEPTED)
    placed = {a for _, a, status in pairs if status == PairStatus.ACCEPTED}
    elsewhere = db.session.execute(sa.select(Agreement.master_id, Agreement.apprentice_id).where(
        Agreement.status.in_(LIVE_STATUSES), Agreement.programme_id != programme.id)).all()
    taken.update(m for m, _ in elsewhere)
    placed.update(a for _, a in elsewhere)
    rejected = defaultdict(set)
    for m, a, status in pairs:
        if status == PairStatus.REJECTED:
            rejected[a].add(m)
    masters = [
        matching.Master(id=mid, trade=trade, unit=unit, district=district.get(unit), level=level,
                        capacity=max(capacity - taken[mid], 0))
        for mid, trade, unit, level, capacity in db.session.execute(_in_scope(
            sa.select(Master.id, Master.trade_id, Master.unit_id, Master.level, Master.capacity)
            .where(Master.active), Master.unit_id, programme))
    ]
    preferences = defaultdict(list)
    for aid, mid in db.session.execute(sa.select(Preference.apprentice_id, Preference.master_id)
                                       .order_by(Preference.apprentice_id, Preference.rank)):
        preferences[aid].append(mid)
    avoid = defaultdict(set)
    for aid, mid in db.session.execute(sa.select(AvoidedMaster.apprentice_id, AvoidedMaster.master_id)):
        avoid[aid].add(mid)
    apprentices = []
    for aid, trade, unit, level in db.session.execute(_in_scope(
            sa.select(ApprenticeProfile.id, ApprenticeProfile.trade_id, ApprenticeProfile.unit_id,
                      ApprenticeProfile.level), ApprenticeProfile.unit_id, programme)):
        if aid in placed:
            continue
        excluded = avoid[aid] | rejected[aid]
        # an excluded master keeps its place on the list as a stand-in no master has, so ranks stay true
        ranked = tuple(("excluded", mid) if mid in excluded else mid for mid in preferences[aid])
        apprentices.append(matching.Apprentice(id=aid, trade=trade, unit=unit, district=district.get(unit),
                                               level=level, preferences=ranked, avoid=frozenset(excluded)))
    return masters, apprentices


def _remember_rejections(programme):
    """A rejected pair's master joins the apprentice's avoid list before the rejected rows go, so
    neither this run nor any later one proposes them again."""
    rejected = set(db.session.execute(sa.select(ProposedPair.apprentice_id, ProposedPair.master_id).where(
        ProposedPair.programme_id == programme.id, ProposedPair.status == PairStatus.REJECTED)).all())
    if not rejected:
        return
    known = set(db.session.execute(sa.select(AvoidedMaster.apprentice_id, AvoidedMaster.master_id).where(
        AvoidedMaster.apprentice_id.in_({a for a, _ in rejected}))).all())
    fresh = [{"apprentice_id": a, "master_id": m} for a, m in sorted(rejected - known)]
    for start in range(0, len(fresh), CHUNK):
        db.session.execute(sa.insert(AvoidedMaster), fresh[start:start + CHUNK])


def run(actor, programme, on_progress=None):
    """Match the programme's apprentices and replace its proposal; returns the counts per scope
    and unmatched."""
    masters, apprentices = inputs(programme)
    result = matching.match(masters, apprentices, rules_of(programme), on_progress=on_progress)
    _remember_rejections(programme)
    db.session.execute(sa.delete(ProposedPair).where(
        ProposedPair.programme_id == programme.id,
        ProposedPair.status.in_([PairStatus.PROPOSED, PairStatus.REJECTED])))
    db.session.execute(sa.delete(UnmatchedApprentice).where(UnmatchedApprentice.programme_id == programme.id))
    now = utcnow()
    rows = [{"programme_id": programme.id, "master_id": p.master, "apprentice_id": p.apprentice,
             "scope": p.scope, "preference_rank": p.preference_rank, "level_gap": p.level_gap,
             "status": PairStatus.PROPOSED.value, "created_at": now, "updated_at": now} for p in result.pairs]
    for start in range(0, len(rows), CHUNK):
        db.session.execute(sa.insert(ProposedPair), rows[start:start + CHUNK])
    rows = [{"programme_id": programme.id, "apprentice_id": u.apprentice, "reason": u.reason}
            for u in result.unmatched]
    for start in range(0, len(rows), CHUNK):
        db.session.execute(sa.insert(UnmatchedApprentice), rows[start:start + CHUNK])
    if db.session.get_bind().dialect.name == "postgresql":
        # tens of thousands of new rows: fresh statistics, so the pair list's plans fit them at once
        db.session.execute(sa.text("ANALYZE apprenticeship_pair"))
    counts = result.counts()
    audit.record(actor, "apprenticeship.match", programme, after=counts)
    return counts


def proposal_rows(programme, path=""):
    """(pairs, unmatched) for the workbook: pairs as (master username, apprentice username, scope,
    rank), unmatched as (apprentice username, reason code), in apprentice username order; with
    `path`, only apprentices whose unit lies under that organisation path (a staff member's reach)."""
    master_user, apprentice_user = aliased(User), aliased(User)
    unit = aliased(Organization)
    within = unit.path.startswith(path, autoescape=True) if path else sa.true()
    pairs = db.session.execute(
        sa.select(master_user.username, apprentice_user.username, ProposedPair.scope, ProposedPair.preference_rank)
        .join(Master, Master.id == ProposedPair.master_id).join(master_user, master_user.id == Master.user_id)
        .join(ApprenticeProfile, ApprenticeProfile.id == ProposedPair.apprentice_id)
        .join(apprentice_user, apprentice_user.id == ApprenticeProfile.user_id)
        .join(unit, unit.id == ApprenticeProfile.unit_id)
        .where(ProposedPair.programme_id == programme.id, ProposedPair.status != PairStatus.REJECTED, within)
        .order_by(apprentice_user.username)).all()
    unmatched = db.session.execute(
        sa.select(User.username, UnmatchedApprentice.reason)
        .join(ApprenticeProfile, ApprenticeProfile.id == UnmatchedApprentice.apprentice_id)
        .join(User, User.id == ApprenticeProfile.user_id)
        .join(unit, unit.id == ApprenticeProfile.unit_id)
        .where(UnmatchedApprentice.programme_id == programme.id, within).order_by(User.username)).all()
    return pairs, unmatched
