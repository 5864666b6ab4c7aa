"""A programme's dashboard as plain data: applications by stage, quota and budget per studio
type, applications by district, and money paid — a fixed number of queries whatever the size.

District: the unit's district-level ancestor (an organisation of kind "district" whose
path the unit's path starts with); units directly under the city federation have none.
"""
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased, selectinload

from app.accounts.models import Organization, OrgKind
from app.extensions import db
from app.innovation import money
from app.innovation.models import (
    APPLICATION_STAGE_LABELS,
    STUDIO_TYPE_LABELS,
    Application,
    ApplicationStage,
    Programme,
)

TEN_THOUSAND = Decimal(10000)
CENT = Decimal("0.01")


def yuan(value):
    """1750000 → "1,750,000.00"; None → "—"."""
    return "—" if value is None else f"{Decimal(value).quantize(CENT):,f}"


def wan(value):
    """1750000 → "175"; 165500 → "16.55" (万元, trailing zeros dropped); None → "—"."""
    if value is None:
        return "—"
    number = (Decimal(value) / TEN_THOUSAND).quantize(Decimal("0.0001"))
    text = f"{number:f}".rstrip("0").rstrip(".")
    return text or "0"


def district_column(unit):
    """The name of `unit`'s district-level ancestor (correlated scalar subquery), or NULL."""
    district = aliased(Organization)
    return (sa.select(district.name)
            .where(district.kind == OrgKind.DISTRICT, unit.path.startswith(district.path))
            .order_by(sa.func.length(district.path).desc()).limit(1)
            .correlate(unit).scalar_subquery())


def submitted():
    """Applications that reached the recommendation chain (drafts and withdrawals left out)."""
    return Application.stage.not_in((ApplicationStage.DRAFT, ApplicationStage.WITHDRAWN))


@dataclass
class TypeLine:
    studio_type: object
    label: str
    quota: int
    proposed: int
    budget: Decimal  # quota × standard amount
    committed: Decimal  # Σ proposed amounts

    @property
    def remaining(self):
        return self.quota - self.proposed


@dataclass
class DistrictLine:
    name: str
    applications: int
    proposed: int
    amount: Decimal  # Σ proposed amounts


@dataclass
class Dashboard:
    programme: Programme
    stages: list  # (stage, label, count)
    outcomes: dict  # outcome → count
    types: list = field(default_factory=list)
    districts: list = field(default_factory=list)
    balance: money.Balance | None = None

    @property
    def total(self):
        return sum(count for _, _, count in self.stages)

    @property
    def proposed(self):
        return sum(d.proposed for d in self.districts)

    @property
    def proposed_amount(self):
        return sum((d.amount for d in self.districts), Decimal(0))


def build(programme_id):
    """The dashboard in six queries."""
    programme = db.session.scalars(sa.select(Programme).where(Programme.id == programme_id)
                                   .options(selectinload(Programme.quotas))).one()
    counts = dict(db.session.execute(
        sa.select(Application.stage, sa.func.count()).where(Application.programme_id == programme_id)
        .group_by(Application.stage)).all())
    stages = [(stage, APPLICATION_STAGE_LABELS[stage], counts.get(stage, 0)) for stage in ApplicationStage]
    outcomes = dict(db.session.execute(
        sa.select(Application.outcome, sa.func.count())
        .where(Application.programme_id == programme_id, Application.outcome.is_not(None))
        .group_by(Application.outcome)).all())
    by_type = {row[0]: row[1:] for row in db.session.execute(
        sa.select(Application.studio_type, sa.func.count(), sa.func.coalesce(sa.func.sum(Application.proposed_amount), 0))
        .where(Application.programme_id == programme_id, Application.proposed.is_(True))
        .group_by(Application.studio_type))}
    types = []
    for quota in programme.quotas:
        proposed, committed = by_type.get(quota.studio_type, (0, 0))
        types.append(TypeLine(quota.studio_type, STUDIO_TYPE_LABELS[quota.studio_type], quota.quota, proposed,
                              (quota.amount * quota.quota).quantize(CENT), Decimal(committed).quantize(CENT)))
    unit = aliased(Organization)
    district = district_column(unit).label("district")
    rows = db.session.execute(
        sa.select(district, sa.func.count(),
                  sa.func.sum(sa.case((Application.proposed.is_(True), 1), else_=0)),
                  sa.func.coalesce(sa.func.sum(Application.proposed_amount), 0))
        .select_from(Application).join(unit, unit.id == Application.unit_id)
        .where(Application.programme_id == programme_id, submitted())
        .group_by(district).order_by(sa.nulls_first(district)))
    districts = [DistrictLine(name or str(_l("No district")), count, int(proposed or 0),
                              Decimal(amount).quantize(CENT)) for name, count, proposed, amount in rows]
    return Dashboard(programme, stages, outcomes, types, districts, money.programme_balance(programme_id))


def charts(dash):
    """Chart specs for the vendored ECharts (drawn by static/charts.js)."""
    specs = {}
    shown = [(label, count) for _, label, count in dash.stages if count]
    specs["stages"] = {"kind": "bar", "categories": [str(label) for label, _ in shown],
                       "values": [count for _, count in shown], "series": str(_l("Applications")),
                       "horizontal": True} if shown else None
    specs["districts"] = {"kind": "bar", "categories": [d.name for d in dash.districts],
                          "values": [d.applications for d in dash.districts],
                          "series": str(_l("Applications"))} if dash.districts else None
    amounts = [d for d in dash.districts if d.amount]
    specs["amounts"] = {"kind": "pie", "slices": [{"name": d.name, "value": str(d.amount)} for d in amounts],
                        "series": str(_l("Proposed amount (yuan)"))} if amounts else None
    return specs
