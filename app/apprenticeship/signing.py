"""Signatures: the master, the apprentice and the unit's union (staff covering the unit) each confirm
the agreement while signed in. Each signature is a guarded UPDATE (only where its column is still
empty), so a double click or two tabs sign once; the last of the three puts the agreement in force."""
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app import audit
from app.apprenticeship import agreements
from app.apprenticeship.models_agreements import Agreement, AgreementStatus as S, Party
from app.db import utcnow
from app.errors import DomainError
from app.extensions import db

COLUMNS = {Party.MASTER: "master_signed_at", Party.APPRENTICE: "apprentice_signed_at", Party.UNIT: "unit_signed_at"}


def parties_of(user, agreement):
    """The parties `user` may sign for: master or apprentice by person, the unit as covering staff."""
    found = []
    party = agreement.party_of(user)
    if party is not None:
        found.append(party)
    if agreements.can_manage(user, agreement):
        found.append(Party.UNIT)
    return found


def status(agreement):
    """[(party, signed_at or None)] in signing order, for the page and the PDF."""
    return [(party, getattr(agreement, column)) for party, column in COLUMNS.items()]


def fully_signed(agreement):
    return all(getattr(agreement, column) is not None for column in COLUMNS.values())


def sign(actor, agreement, party, today=None):
    """`actor` signs for `party`. Returns True when this call signed, False when it was signed already."""
    party = Party(party)
    if agreement.status != S.AWAITING_SIGNATURES:
        raise DomainError(_l("This agreement is not waiting for signatures."))
    if party not in parties_of(actor, agreement):
        raise DomainError(_l("You cannot sign this agreement for that party."))
    column = COLUMNS[party]
    values = {column: utcnow()}
    if party == Party.UNIT:
        values["unit_signed_by_id"] = actor.id
    signed = db.session.execute(
        sa.update(Agreement).where(Agreement.id == agreement.id, Agreement.status == S.AWAITING_SIGNATURES,
                                   getattr(Agreement, column).is_(None))
        .values(**values).execution_options(synchronize_session=False)).rowcount
    db.session.refresh(agreement)
    if signed != 1:
        return False
    audit.record(actor, "apprenticeship.agreement.sign", agreement, after={"party": party.value})
    if fully_signed(agreement):
        try:
            with db.session.begin_nested():
                agreements.transition(actor, agreement, S.ACTIVE, "signed by all parties")
        except DomainError:  # the other last signer activated it a moment ago
            db.session.refresh(agreement)
        else:
            agreement.activated_on = today or date.today()
            db.session.flush()
    return True


def send_back(actor, agreement, reason=""):
    """Staff return an agreement waiting for signatures to drafting: every signature is cleared."""
    if not agreements.can_manage(actor, agreement):
        raise DomainError(_l("Only union staff covering this unit may do this."))
    agreements.transition(actor, agreement, S.PROPOSED, reason)
    agreement.master_signed_at = agreement.apprentice_signed_at = agreement.unit_signed_at = None
    agreement.unit_signed_by_id = None
    db.session.flush()
    return agreement


def waiting_for(user):
    """(as master, as apprentice): agreements waiting for this person's own signature, in one query."""
    from app.apprenticeship.models import ApprenticeProfile, Master

    as_master = sa.select(Master.id).where(Master.user_id == user.id).scalar_subquery()
    as_apprentice = sa.select(ApprenticeProfile.id).where(ApprenticeProfile.user_id == user.id).scalar_subquery()
    waiting = sa.and_(Agreement.status == S.AWAITING_SIGNATURES)
    master, apprentice = db.session.execute(sa.select(
        sa.func.count(Agreement.id).filter(waiting, Agreement.master_id == as_master,
                                           Agreement.master_signed_at.is_(None)),
        sa.func.count(Agreement.id).filter(waiting, Agreement.apprentice_id == as_apprentice,
                                           Agreement.apprentice_signed_at.is_(None)))).one()
    return master or 0, apprentice or 0


def unsigned_parties(user, agreement, own_only=False):
    """The parties `user` may still sign for now (`own_only`: as master or apprentice, not the unit)."""
    if agreement.status != S.AWAITING_SIGNATURES:
        return []
    return [party for party in parties_of(user, agreement)
            if getattr(agreement, COLUMNS[party]) is None and not (own_only and party == Party.UNIT)]


def waiting_for_union(user):
    """Agreements of the units this staff member covers still waiting for the union's signature."""
    from app.accounts.coverage import covered_path
    from app.accounts.models import Organization

    path = covered_path(user)
    if path is None:
        return 0
    query = (sa.select(sa.func.count(Agreement.id)).join(Organization, Organization.id == Agreement.unit_id)
             .where(Agreement.status == S.AWAITING_SIGNATURES, Agreement.unit_signed_at.is_(None)))
    if path:
        query = query.where(Organization.path.startswith(path, autoescape=True))
    return db.session.scalar(query) or 0
