"""A programme's dashboard as plain data: pairs by status and scope, agreements by state, unit and
trade, goal completion — in a fixed number of queries whatever the size, limited to the units the
staff member covers (city staff: the whole programme).

Other apprenticeship modules add figures to it (overdue logs, stipend totals) by registering a
`Figure` provider with `figure()`: each takes (programme_id, path prefix) and returns Figure rows.
"""
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.accounts.models import Organization, Trade
from app.apprenticeship.models import (
    PAIR_STATUS_LABELS,
    SCOPE_LABELS,
    PairScope,
    PairStatus,
    Programme,
    ProposedPair,
    ApprenticeProfile,
)
from app.apprenticeship.models_agreements import (
    AGREEMENT_STATUS_LABELS,
    Agreement,
    AgreementGoal,
    AgreementGrade,
    AgreementStatus,
)
from app.extensions import db

IN_FORCE = (AgreementStatus.ACTIVE, AgreementStatus.AWAITING_ASSESSMENT)


@dataclass(frozen=True)
class Figure:
    label: str
    value: object
    detail: str = ""
    testid: str = ""


_FIGURES = []  # functions (programme_id, path) → [Figure]


def figure(function):
    """Register a provider of extra key figures (decorator)."""
    _FIGURES.append(function)
    return function


@dataclass
class Line:
    name: str
    agreements: int = 0
    in_force: int = 0
    completed: int = 0
    excellent: int = 0
    goals: int = 0
    goals_met: int = 0

    @property
    def goal_rate(self):
        return round(100 * self.goals_met / self.goals) if self.goals else None


@dataclass
class Dashboard:
    programme: Programme
    pairs: list  # (status, label, count)
    scopes: list  # (scope, label, count) of accepted and proposed pairs
    states: list  # (state, label, count)
    units: list = field(default_factory=list)  # Line per unit
    trades: list = field(default_factory=list)  # Line per trade
    extra: list = field(default_factory=list)  # Figure rows from other parts of the module

    @property
    def total(self):
        return Line("", sum(u.agreements for u in self.units), sum(u.in_force for u in self.units),
                    sum(u.completed for u in self.units), sum(u.excellent for u in self.units),
                    sum(u.goals for u in self.units), sum(u.goals_met for u in self.units))


def _within(path):
    """A filter on the apprentice's unit (joined as Organization) for a staff member's reach."""
    return sa.true() if not path else Organization.path.startswith(path, autoescape=True)


def _lines(programme_id, path, key):
    """Agreements and goals grouped by `key` (Organization.name or Trade.name): two queries."""
    counted = db.session.execute(
        sa.select(key, sa.func.count(Agreement.id),
                  sa.func.count(Agreement.id).filter(Agreement.status.in_(IN_FORCE)),
                  sa.func.count(Agreement.id).filter(Agreement.status == AgreementStatus.COMPLETED),
                  sa.func.count(Agreement.id).filter(Agreement.grade == AgreementGrade.EXCELLENT))
        .select_from(Agreement).join(Organization, Organization.id == Agreement.unit_id)
        .join(ApprenticeProfile, ApprenticeProfile.id == Agreement.apprentice_id)
        .join(Trade, Trade.id == ApprenticeProfile.trade_id)
        .where(Agreement.programme_id == programme_id, _within(path),
               Agreement.status.not_in([AgreementStatus.CANCELLED]))
        .group_by(key).order_by(key)).all()
    goals = dict((name, (total, met)) for name, total, met in db.session.execute(
        sa.select(key, sa.func.count(AgreementGoal.id), sa.func.count(AgreementGoal.achieved_on))
        .select_from(AgreementGoal).join(Agreement, Agreement.id == AgreementGoal.agreement_id)
        .join(Organization, Organization.id == Agreement.unit_id)
        .join(ApprenticeProfile, ApprenticeProfile.id == Agreement.apprentice_id)
        .join(Trade, Trade.id == ApprenticeProfile.trade_id)
        .where(Agreement.programme_id == programme_id, _within(path)).group_by(key)).all())
    return [Line(name, total, in_force, completed, excellent, *goals.get(name, (0, 0)))
            for name, total, in_force, completed, excellent in counted]


def build(programme, path=""):
    """The dashboard in seven queries (plus one per registered figure provider)."""
    pair_rows = db.session.execute(
        sa.select(ProposedPair.status, ProposedPair.scope, sa.func.count())
        .join(ApprenticeProfile, ApprenticeProfile.id == ProposedPair.apprentice_id)
        .join(Organization, Organization.id == ApprenticeProfile.unit_id)
        .where(ProposedPair.programme_id == programme.id, _within(path))
        .group_by(ProposedPair.status, ProposedPair.scope)).all()
    by_status, by_scope = {}, {}
    for status, scope, count in pair_rows:
        by_status[status] = by_status.get(status, 0) + count
        if status != PairStatus.REJECTED:
            by_scope[scope] = by_scope.get(scope, 0) + count
    states = dict(db.session.execute(
        sa.select(Agreement.status, sa.func.count()).join(Organization, Organization.id == Agreement.unit_id)
        .where(Agreement.programme_id == programme.id, _within(path)).group_by(Agreement.status)).all())
    dash = Dashboard(
        programme,
        pairs=[(s, PAIR_STATUS_LABELS[s], by_status.get(s, 0)) for s in PairStatus],
        scopes=[(s, SCOPE_LABELS[s], by_scope.get(s, 0)) for s in PairScope],
        states=[(s, AGREEMENT_STATUS_LABELS[s], states.get(s, 0)) for s in AgreementStatus],
        units=_lines(programme.id, path, Organization.name),
        trades=_lines(programme.id, path, Trade.name),
    )
    for provider in _FIGURES:
        dash.extra.extend(provider(programme.id, path))
    return dash


def charts(dash):
    """Chart specs for the vendored ECharts (drawn by static/charts.js)."""
    states = [(str(label), count) for _, label, count in dash.states if count]
    scopes = [(str(label), count) for _, label, count in dash.scopes if count]
    return {
        "states": {"kind": "bar", "categories": [label for label, _ in states], "values": [c for _, c in states],
                   "series": str(_l("Agreements")), "horizontal": True} if states else None,
        "scopes": {"kind": "pie", "slices": [{"name": label, "value": c} for label, c in scopes],
                   "series": str(_l("Pairs"))} if scopes else None,
        "trades": {"kind": "bar", "categories": [t.name for t in dash.trades],
                   "values": [t.in_force for t in dash.trades],
                   "series": str(_l("Agreements in force"))} if dash.trades else None,
    }


def workbook_sheets(dash):
    """(title, headers, rows) for the dashboard's Excel export."""
    headers = [str(_l("Agreements")), str(_l("In force")), str(_l("Completed")), str(_l("Excellent")),
               str(_l("Goals")), str(_l("Goals met")), str(_l("Goal completion (%)"))]

    def rows(lines):
        return [[line.name, line.agreements, line.in_force, line.completed, line.excellent, line.goals,
                 line.goals_met, line.goal_rate] for line in lines]

    return [
        (str(_l("By unit")), [str(_l("Unit"))] + headers, rows(dash.units) + rows([_total(dash)])),
        (str(_l("By trade")), [str(_l("Trade"))] + headers, rows(dash.trades)),
        (str(_l("By state")), [str(_l("State")), str(_l("Agreements"))],
         [[str(label), count] for _, label, count in dash.states]),
    ]


def _total(dash):
    total = dash.total
    total.name = str(_l("Total"))
    return total
