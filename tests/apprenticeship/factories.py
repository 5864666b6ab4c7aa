"""Builders for apprenticeship tests: a small union tree, masters, apprentices, programmes, pairs
and agreements in any state. Everything is flushed, never committed (the `db` fixture rolls back)."""
from datetime import date, timedelta
from decimal import Decimal

from app.accounts.models import OrgKind, Role
from app.apprenticeship import agreements
from app.apprenticeship.models import ApprenticeProfile, Master, PairScope, PairStatus, Programme, ProposedPair
from app.apprenticeship.models_agreements import Agreement, AgreementGoal, AgreementStatus, GoalKind
from app.extensions import db
from app.db import utcnow
from tests.factories import OrganizationFactory, TradeFactory, UserFactory


def tree():
    """city → district → two units; returns a dict of them."""
    city = OrganizationFactory(name="师徒市总工会", kind=OrgKind.FEDERATION)
    district = OrganizationFactory(name="师徒区总工会", kind=OrgKind.DISTRICT, parent=city)
    return {"city": city, "district": district,
            "unit": OrganizationFactory(name="师徒甲厂", kind=OrgKind.UNIT, parent=district),
            "other_unit": OrganizationFactory(name="师徒乙厂", kind=OrgKind.UNIT, parent=district)}


def make_master(unit, trade=None, level=2, capacity=5, user=None, **fields):
    user = user or UserFactory(organization=unit, roles=[Role.MENTOR])
    master = Master(user=user, unit=unit, trade=trade or TradeFactory(), level=level, capacity=capacity, **fields)
    db.session.add(master)
    db.session.flush()
    return master


def make_apprentice(unit, trade, level=4, user=None, **fields):
    user = user or UserFactory(organization=unit, roles=[Role.TRAINEE])
    apprentice = ApprenticeProfile(user=user, unit=unit, trade=trade, level=level, **fields)
    db.session.add(apprentice)
    db.session.flush()
    return apprentice


def make_programme(code="SD2026", organiser=None, **fields):
    fields.setdefault("stipend_monthly", Decimal("200"))
    fields.setdefault("status", "active")
    programme = Programme(code=code, name=fields.pop("name", f"{code} 名师带高徒"), cycle=fields.pop("cycle", "2025–2026"),
                          organiser=organiser, **fields)
    db.session.add(programme)
    db.session.flush()
    return programme


def make_pair(programme, master, apprentice, status=PairStatus.ACCEPTED, scope=PairScope.UNIT, rank=None):
    pair = ProposedPair(programme=programme, master=master, apprentice=apprentice, scope=scope,
                        preference_rank=rank, level_gap=apprentice.level - master.level, status=status)
    db.session.add(pair)
    db.session.flush()
    return pair


def make_agreement(programme, master, apprentice, status=AgreementStatus.ACTIVE, starts_on=None, months=12,
                   grade=None, goals=()):
    """An agreement of an accepted pair, put straight into `status` (signed by all three when it is in
    force or beyond). `goals`: (kind, target, due_on) tuples."""
    pair = make_pair(programme, master, apprentice)
    agreement = agreements.create_from_pair(None, pair, starts_on=starts_on or date.today() - timedelta(days=40),
                                            months=months)
    signed = status not in (AgreementStatus.PROPOSED, AgreementStatus.AWAITING_SIGNATURES,
                            AgreementStatus.CANCELLED)
    if signed:
        now = utcnow()
        agreement.master_signed_at = agreement.apprentice_signed_at = agreement.unit_signed_at = now
        agreement.activated_on = agreement.starts_on
    agreement.status = status
    agreement.grade = grade
    for kind, target, due_on in goals:
        agreement.goals.append(AgreementGoal(kind=GoalKind(kind), target=target, due_on=due_on))
    db.session.flush()
    return agreement


__all__ = ["Agreement", "make_agreement", "make_apprentice", "make_master", "make_pair", "make_programme", "tree"]
