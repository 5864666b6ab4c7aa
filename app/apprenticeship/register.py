"""The master register (名师档案) and apprentice profiles: lists for staff, a master's record, and an
apprentice's own ranked masters and masters to avoid (open application)."""
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app import audit
from app.accounts.models import Organization, Trade, User
from app.apprenticeship.models import (
    MAX_PREFERENCES,
    ApprenticeProfile,
    AvoidedMaster,
    Master,
    Preference,
)
from app.errors import DomainError
from app.extensions import db

# A master is eligible to take apprentices after this many years in post (the published local
# rules ask for several years of experience; 5 is the common figure) ...
MIN_YEARS_IN_POST = 5
# ... and with no safety violation in the last this many years.
SAFETY_CLEAN_YEARS = 2
MAX_AVOIDED = 10

MASTER_FIELDS = ("honours", "studio_name", "capacity", "years_in_post", "safety_violation_on", "active")


def eligibility(master, today=None):
    """[(ok, reason)] of each eligibility fact of a master, for the register page."""
    today = today or date.today()
    facts = []
    years = master.years_in_post
    facts.append((years is not None and years >= MIN_YEARS_IN_POST,
                  _l("At least %(n)s years in post", n=MIN_YEARS_IN_POST)))
    violation = master.safety_violation_on
    clean = violation is None or violation < date(today.year - SAFETY_CLEAN_YEARS, today.month,
                                                  min(today.day, 28))
    facts.append((clean, _l("No safety violation in the last %(n)s years", n=SAFETY_CLEAN_YEARS)))
    return facts


def is_eligible(master, today=None):
    return all(ok for ok, _ in eligibility(master, today))


def _search(query, q, *columns):
    if not q:
        return query
    like = f"%{q}%"
    return query.where(sa.or_(*(column.ilike(like) for column in columns)))


def masters(q=None, trade_id=None, unit=None, active=None, path=""):
    """Masters with their person, unit and trade (joined, one SELECT a page), by name."""
    query = (sa.select(Master, User, Organization, Trade).join(User, User.id == Master.user_id)
             .join(Organization, Organization.id == Master.unit_id).join(Trade, Trade.id == Master.trade_id)
             .order_by(User.name, Master.id))
    query = _search(query, q, User.name, User.username, Organization.name, Trade.name)
    if path:
        query = query.where(Organization.path.startswith(path, autoescape=True))
    if unit is not None:
        query = query.where(Organization.path.startswith(unit.path, autoescape=True))
    if trade_id:
        query = query.where(Master.trade_id == trade_id)
    if active is not None:
        query = query.where(Master.active == active)
    return query


def apprentices(q=None, trade_id=None, path=""):
    query = (sa.select(ApprenticeProfile, User, Organization, Trade)
             .join(User, User.id == ApprenticeProfile.user_id)
             .join(Organization, Organization.id == ApprenticeProfile.unit_id)
             .join(Trade, Trade.id == ApprenticeProfile.trade_id).order_by(User.name, ApprenticeProfile.id))
    query = _search(query, q, User.name, User.username, Organization.name, Trade.name)
    if path:
        query = query.where(Organization.path.startswith(path, autoescape=True))
    if trade_id:
        query = query.where(ApprenticeProfile.trade_id == trade_id)
    return query


def save_master(actor, master, **values):
    before = {name: _plain(getattr(master, name)) for name in MASTER_FIELDS}
    for name in MASTER_FIELDS:
        setattr(master, name, values[name])
    db.session.flush()
    after = {name: _plain(getattr(master, name)) for name in MASTER_FIELDS}
    changed = {k for k in MASTER_FIELDS if before[k] != after[k]}
    if changed:
        audit.record(actor, "apprenticeship.master.edit", master, before={k: before[k] for k in changed},
                     after={k: after[k] for k in changed})
    return master


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


def profile_of(user):
    if user is None or not user.is_authenticated:
        return None
    return db.session.scalar(sa.select(ApprenticeProfile).where(ApprenticeProfile.user_id == user.id))


def master_of(user):
    if user is None or not user.is_authenticated:
        return None
    return db.session.scalar(sa.select(Master).where(Master.user_id == user.id))


def masters_of_trade(trade_id, q=None, limit=50):
    """Active masters of a trade, to choose from (search by name or username)."""
    query = (sa.select(Master).join(User, User.id == Master.user_id)
             .options(sa.orm.joinedload(Master.user), sa.orm.joinedload(Master.unit))
             .where(Master.trade_id == trade_id, Master.active).order_by(User.name, Master.id))
    query = _search(query, q, User.name, User.username)
    return db.session.scalars(query.limit(limit)).all()


def save_preferences(actor, apprentice, ranked_ids, avoided_ids):
    """Replace an apprentice's ranked masters (best first, at most 5) and masters to avoid; every one
    an active master of the apprentice's trade, none both wanted and avoided."""
    ranked = list(dict.fromkeys(i for i in ranked_ids if i))
    avoided = list(dict.fromkeys(i for i in avoided_ids if i))
    if len(ranked) > MAX_PREFERENCES:
        raise DomainError(_l("Rank at most %(n)s masters.", n=MAX_PREFERENCES))
    if len(avoided) > MAX_AVOIDED:
        raise DomainError(_l("Name at most %(n)s masters to avoid.", n=MAX_AVOIDED))
    if set(ranked) & set(avoided):
        raise DomainError(_l("A master cannot be both ranked and avoided."))
    wanted = set(ranked) | set(avoided)
    found = set(db.session.scalars(sa.select(Master.id).where(
        Master.id.in_(wanted), Master.trade_id == apprentice.trade_id, Master.active)).all()) if wanted else set()
    if found != wanted:
        raise DomainError(_l("Choose masters of your own trade from the register."))
    before = {"preferences": [p.master_id for p in apprentice.preferences]}
    stale = list(apprentice.preferences)
    db.session.execute(sa.delete(Preference).where(Preference.apprentice_id == apprentice.id)
                       .execution_options(synchronize_session=False))
    db.session.execute(sa.delete(AvoidedMaster).where(AvoidedMaster.apprentice_id == apprentice.id)
                       .execution_options(synchronize_session=False))
    # Core inserts: the old rows may still sit in the session under the same keys.
    if ranked:
        db.session.execute(sa.insert(Preference), [{"apprentice_id": apprentice.id, "master_id": m, "rank": r}
                                                   for r, m in enumerate(ranked, start=1)])
    if avoided:
        db.session.execute(sa.insert(AvoidedMaster), [{"apprentice_id": apprentice.id, "master_id": m}
                                                      for m in avoided])
    for row in stale:
        db.session.expunge(row)
    db.session.expire(apprentice, ["preferences"])
    audit.record(actor, "apprenticeship.preferences", apprentice, before=before,
                 after={"preferences": ranked, "avoid": avoided})


def avoided_of(apprentice):
    return db.session.scalars(sa.select(Master).join(AvoidedMaster, AvoidedMaster.master_id == Master.id)
                              .options(sa.orm.joinedload(Master.user))
                              .where(AvoidedMaster.apprentice_id == apprentice.id)).all()
