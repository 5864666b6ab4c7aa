"""Outcome bonus (成果奖励): `Programme.bonus` yuan to the master, once per apprentice, when the
apprentice reaches 技师 (grade 2 or better) or places in a competition within
`Programme.bonus_window_years` of the agreement's start.

Evidence: the apprentice's profile level (grade ≤ 2 — read today, so it counts while today lies in
the window), and whatever other modules register in `app.person_facts` (a certificate with a
level ≤ 2, a competition result with `placed`). Staff run "find bonuses", read the evidence, and
grant; the ledger's partial unique index on (apprentice) for bonuses keeps it once only.
"""
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app import audit, person_facts
from app.apprenticeship.agreements import add_months
from app.apprenticeship.models import LEVEL_LABELS, ApprenticeProfile, Master, Programme
from app.apprenticeship.models_agreements import Agreement, AgreementStatus
from app.apprenticeship.models_stipends import EntryKind, StipendEntry
from app.errors import DomainError
from app.extensions import db

TECHNICIAN = 2  # 二级 / 技师
# Agreements that were signed and ran: the bonus may follow them even after they ended.
RAN = (AgreementStatus.ACTIVE, AgreementStatus.AWAITING_ASSESSMENT, AgreementStatus.COMPLETED,
       AgreementStatus.FAILED)


@dataclass(frozen=True)
class Candidate:
    agreement: Agreement
    amount: object  # Decimal
    evidence: tuple  # person_facts.Evidence rows, or the profile level as one

    @property
    def summary(self):
        return "；".join(e.title for e in self.evidence)


def _window_end(agreement):
    return add_months(agreement.starts_on, 12 * agreement.programme.bonus_window_years)


def _qualifies(item):
    return (item.level is not None and item.level <= TECHNICIAN) or item.placed


def candidates(today=None):
    """Agreements whose apprentice earned the bonus and has none yet, with the evidence."""
    today = today or date.today()
    granted = sa.select(StipendEntry.apprentice_id).where(StipendEntry.kind == EntryKind.BONUS)
    rows = db.session.scalars(
        sa.select(Agreement).join(Programme, Programme.id == Agreement.programme_id)
        .where(Agreement.status.in_(RAN), Programme.bonus > 0, Agreement.apprentice_id.not_in(granted))
        .options(joinedload(Agreement.programme),
                 joinedload(Agreement.master).joinedload(Master.user),
                 joinedload(Agreement.apprentice).joinedload(ApprenticeProfile.user))
        .order_by(Agreement.starts_on.desc(), Agreement.id.desc())).unique().all()
    latest = {}
    for agreement in rows:  # the newest agreement of each apprentice carries the bonus
        latest.setdefault(agreement.apprentice_id, agreement)
    if not latest:
        return []
    since = min(a.starts_on for a in latest.values())
    until = max(_window_end(a) for a in latest.values())
    found = {}
    for item in person_facts.evidence([a.apprentice.user_id for a in latest.values()], since, until):
        found.setdefault(item.user_id, []).append(item)
    result = []
    for agreement in latest.values():
        start, end = agreement.starts_on, _window_end(agreement)
        evidence = [e for e in found.get(agreement.apprentice.user_id, ()) if start <= e.on <= end and _qualifies(e)]
        level = agreement.apprentice.level
        if level <= TECHNICIAN and start <= today <= end:
            evidence.insert(0, person_facts.Evidence(
                user_id=agreement.apprentice.user_id, kind="apprenticeship.profile", on=today,
                title=str(_l("Profile level: %(level)s", level=LEVEL_LABELS[level])), ref=f"profile:{level}",
                level=level))
        if evidence:
            result.append(Candidate(agreement, agreement.programme.bonus, tuple(evidence)))
    return result


def grant(actor, agreement_id, today=None):
    """Grant the bonus of one candidate agreement; refused when the apprentice already had one or
    no longer qualifies."""
    found = next((c for c in candidates(today) if c.agreement.id == agreement_id), None)
    if found is None:
        raise DomainError(_l("No bonus is due for this agreement (already granted, or no evidence)."))
    agreement = found.agreement
    entry = StipendEntry(agreement_id=agreement.id, apprentice_id=agreement.apprentice_id,
                         month=(today or date.today()).replace(day=1), kind=EntryKind.BONUS, amount=found.amount,
                         payee_id=agreement.master.user_id, unit_id=agreement.master.unit_id,
                         note=found.summary[:300], created_by_id=getattr(actor, "id", None))
    try:
        with db.session.begin_nested():
            db.session.add(entry)
            db.session.flush()
    except IntegrityError:
        raise DomainError(_l("This apprentice's master already received the outcome bonus.")) from None
    audit.record(actor, "apprenticeship.bonus.grant", agreement,
                 after={"amount": str(found.amount), "evidence": [e.ref for e in found.evidence]})
    return entry
